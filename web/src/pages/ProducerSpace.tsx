import { useEffect, useState } from 'preact/hooks';
import { api, must, type Film, type Schemas } from '../api';
import { PostUpdate } from '../components/Community';
import { Field, FormProblem, useForm } from '../components/forms';
import { money, t, type Key } from '../i18n';
import { parseMoney } from '../money';
import { user } from '../session';
import { validate } from '../validate';

const STAGES = ['development', 'pre_production', 'shooting', 'post_production', 'released'] as const;
const KINDS = ['feature', 'short', 'animation', 'documentary'] as const;
const PERK_KINDS = ['private_forum', 'team_discussion', 'extra_casting', 'filming_invitation', 'preview_invitation', 'other'] as const;

/** A producer's films: create a draft, edit it, move its stage, its perks, sessions and
 * casting calls, its co-producers. */
export function ProducerSpace() {
  const [films, setFilms] = useState<Film[] | null>(null);
  const load = () => must(api().GET('/me/films', { params: { query: { limit: 100 } } })).then((p) => setFilms(p.items)).catch(() => setFilms([]));
  useEffect(() => { load(); }, []);
  if (!user.value) return <p><a href="#/signin">{t('sign_in_first')}</a></p>;
  return (
    <>
      <h1>{t('producer_space')}</h1>
      <h2>{t('my_films')}</h2>
      {films === null ? <p aria-busy="true">{t('loading')}</p> : films.length === 0 ? <p>{t('no_films')}</p>
        : films.map((f) => <ManagedFilm key={f.film_id} film={f} onChange={load} />)}
      <NewFilm onDone={load} />
    </>
  );
}

function NewFilm({ onDone }: { onDone: () => void }) {
  const form = useForm(['title', 'kind', 'synopsis', 'goal_cents', 'min_pledge_cents', 'deadline']);
  const [draft, setDraft] = useState({ title: '', kind: 'feature' as Film['kind'], synopsis: '', goal: '', min: '10', deadline: '' });
  const send = (e: Event) => {
    e.preventDefault();
    const goal = parseMoney(draft.goal), min = parseMoney(draft.min);
    const body = { title: draft.title.trim(), kind: draft.kind, synopsis: draft.synopsis, goal_cents: goal ?? -1,
      min_pledge_cents: min ?? -1, deadline: draft.deadline };
    const invalid = { ...validate('FilmCreate', body), ...(goal === null ? { goal_cents: t('err_amount') } : {}),
      ...(min === null ? { min_pledge_cents: t('err_amount') } : {}) };
    form.submit(invalid, async () => {
      await must(api().POST('/films', { body }));
      setDraft({ ...draft, title: '', synopsis: '', goal: '' });
      onDone();
    });
  };
  return (
    <section aria-labelledby="new-film">
      <h2 id="new-film">{t('new_film')}</h2>
      <form onSubmit={send} noValidate>
        <Field id="title" label={t('title')} value={draft.title} error={form.errors.title} onInput={(e) => setDraft({ ...draft, title: e.currentTarget.value })} />
        <Field id="kind" label={t('kind')} error={form.errors.kind}>
          <select id="kind" value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.currentTarget.value as Film['kind'] })}>
            {KINDS.map((k) => <option value={k}>{t(`kind_${k}` as Key)}</option>)}
          </select>
        </Field>
        <Field id="synopsis" label={t('synopsis')} error={form.errors.synopsis}>
          <textarea id="synopsis" value={draft.synopsis} onInput={(e) => setDraft({ ...draft, synopsis: e.currentTarget.value })} />
        </Field>
        <Field id="goal_cents" label={t('goal_eur')} inputMode="decimal" value={draft.goal} error={form.errors.goal_cents} onInput={(e) => setDraft({ ...draft, goal: e.currentTarget.value })} />
        <Field id="min_pledge_cents" label={t('min_pledge_eur')} inputMode="decimal" value={draft.min} error={form.errors.min_pledge_cents} onInput={(e) => setDraft({ ...draft, min: e.currentTarget.value })} />
        <Field id="deadline" label={t('deadline')} type="date" value={draft.deadline} error={form.errors.deadline} onInput={(e) => setDraft({ ...draft, deadline: e.currentTarget.value })} />
        <FormProblem failure={form.failure} waiting={form.waiting} />
        <button type="submit" disabled={form.busy}>{t('create_draft')}</button>
      </form>
    </section>
  );
}

function ManagedFilm({ film, onChange }: { film: Film; onChange: () => void }) {
  const form = useForm(['stage', 'synopsis', 'status']);
  const [stage, setStage] = useState(film.stage);
  const [open, setOpen] = useState(false);
  const move = (e: Event) => {
    e.preventDefault();
    form.submit({}, async () => {
      await must(api().PATCH('/films/{film_id}', { params: { path: { film_id: film.film_id } }, body: { stage } }));
      onChange();
    });
  };
  const sid = `stage-${film.film_id}`;
  return (
    <article class="card" aria-labelledby={`film-${film.film_id}`}>
      <h3 id={`film-${film.film_id}`}><a href={`#/films/${film.film_id}`}>{film.title}</a></h3>
      <p class="meta">{t(`status_${film.status}` as Key)} · {money(film.raised_cents)} / {money(film.goal_cents)} · {t('coproducers', { n: film.coproducer_count })}</p>
      <form onSubmit={move} noValidate class="inline">
        <Field id={sid} label={t('stage')} error={form.errors.stage}>
          <select id={sid} value={stage} onChange={(e) => setStage(e.currentTarget.value as Film['stage'])}>
            {STAGES.map((s) => <option value={s}>{t(`stage_${s}` as Key)}</option>)}
          </select>
        </Field>
        <button type="submit" disabled={form.busy || stage === film.stage}>{t('move_stage')}</button>
      </form>
      <FormProblem failure={form.failure} waiting={form.waiting} />
      <PostUpdate filmId={film.film_id} />
      <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>{t('perks_and_sessions')}</button>
      {open && <FilmServices film={film} />}
    </article>
  );
}

function FilmServices({ film }: { film: Film }) {
  const [perks, setPerks] = useState<Schemas['Perk'][]>([]);
  const [coproducers, setCoproducers] = useState<Schemas['Coproducer'][]>([]);
  const path = { params: { path: { film_id: film.film_id } } };
  const load = () => {
    must(api().GET('/films/{film_id}/perks', path)).then((p) => setPerks(p.items)).catch(() => setPerks([]));
    must(api().GET('/films/{film_id}/pledges', path)).then((p) => setCoproducers(p.items)).catch(() => setCoproducers([]));
  };
  useEffect(() => { load(); }, [film.film_id]);
  const perk = useForm(['kind', 'title', 'min_pledge_cents', 'available_from_stage', 'capacity']);
  const [draft, setDraft] = useState({ kind: 'filming_invitation' as Schemas['PerkCreate']['kind'], title: '', min: '10', stage: 'shooting' as Film['stage'] });
  const addPerk = (e: Event) => {
    e.preventDefault();
    const min = parseMoney(draft.min);
    const body = { kind: draft.kind, title: draft.title.trim(), min_pledge_cents: min ?? -1, available_from_stage: draft.stage };
    perk.submit({ ...validate('PerkCreate', body), ...(min === null ? { min_pledge_cents: t('err_amount') } : {}) }, async () => {
      await must(api().POST('/films/{film_id}/perks', { ...path, body }));
      load();
    });
  };
  const session = useForm(['perk_id', 'title', 'starts_at', 'duration_minutes', 'capacity', 'place']);
  const [plan, setPlan] = useState({ perk_id: '', title: '', starts_at: '', duration: '60', capacity: '20', place: '' });
  const addSession = (e: Event) => {
    e.preventDefault();
    const startsAt = plan.starts_at ? new Date(plan.starts_at).toISOString().slice(0, 16) + 'Z' : '';
    const body = { perk_id: plan.perk_id || perks[0]?.perk_id || '', title: plan.title.trim(), starts_at: startsAt,
      duration_minutes: Number(plan.duration), capacity: Number(plan.capacity), ...(plan.place ? { place: plan.place } : {}) };
    session.submit(validate('SessionCreate', body), async () => {
      await must(api().POST('/films/{film_id}/sessions', { ...path, body }));
      setPlan({ ...plan, title: '' });
    });
  };
  const f = film.film_id;
  return (
    <div class="services">
      <h4>{t('perks')}</h4>
      <ul>{perks.map((p) => <li key={p.perk_id}>{p.title} — {t('perk_unlock', { amount: money(p.min_pledge_cents), stage: t(`stage_${p.available_from_stage}` as Key) })}</li>)}</ul>
      <form onSubmit={addPerk} noValidate>
        <Field id={`pk-${f}`} label={t('perk_kind')} error={perk.errors.kind}>
          <select id={`pk-${f}`} value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.currentTarget.value as typeof draft.kind })}>
            {PERK_KINDS.map((k) => <option value={k}>{t(`perk_${k}` as Key)}</option>)}
          </select>
        </Field>
        <Field id={`pt-${f}`} label={t('title')} value={draft.title} error={perk.errors.title} onInput={(e) => setDraft({ ...draft, title: e.currentTarget.value })} />
        <Field id={`pm-${f}`} label={t('min_pledge_eur')} value={draft.min} error={perk.errors.min_pledge_cents} onInput={(e) => setDraft({ ...draft, min: e.currentTarget.value })} />
        <Field id={`ps-${f}`} label={t('from_stage')} error={perk.errors.available_from_stage}>
          <select id={`ps-${f}`} value={draft.stage} onChange={(e) => setDraft({ ...draft, stage: e.currentTarget.value as Film['stage'] })}>
            {STAGES.map((s) => <option value={s}>{t(`stage_${s}` as Key)}</option>)}
          </select>
        </Field>
        <FormProblem failure={perk.failure} waiting={perk.waiting} />
        <button type="submit" disabled={perk.busy}>{t('add_perk')}</button>
      </form>
      {perks.length > 0 && (
        <form onSubmit={addSession} noValidate>
          <h4>{t('new_session')}</h4>
          <Field id={`sp-${f}`} label={t('perk')} error={session.errors.perk_id}>
            <select id={`sp-${f}`} value={plan.perk_id} onChange={(e) => setPlan({ ...plan, perk_id: e.currentTarget.value })}>
              {perks.map((p) => <option value={p.perk_id}>{p.title}</option>)}
            </select>
          </Field>
          <Field id={`st-${f}`} label={t('title')} value={plan.title} error={session.errors.title} onInput={(e) => setPlan({ ...plan, title: e.currentTarget.value })} />
          <Field id={`sa-${f}`} label={t('starts_at')} type="datetime-local" value={plan.starts_at} error={session.errors.starts_at} onInput={(e) => setPlan({ ...plan, starts_at: e.currentTarget.value })} />
          <Field id={`sd-${f}`} label={t('duration')} type="number" value={plan.duration} error={session.errors.duration_minutes} onInput={(e) => setPlan({ ...plan, duration: e.currentTarget.value })} />
          <Field id={`sc-${f}`} label={t('capacity')} type="number" value={plan.capacity} error={session.errors.capacity} onInput={(e) => setPlan({ ...plan, capacity: e.currentTarget.value })} />
          <FormProblem failure={session.failure} waiting={session.waiting} />
          <button type="submit" disabled={session.busy}>{t('schedule')}</button>
        </form>
      )}
      <Casting film={film} perks={perks} />
      <h4>{t('coproducers_label')}</h4>
      <ul>{coproducers.map((c) => <li key={c.user_id}>{c.display_name ?? c.user_id} — {money(c.confirmed_cents)}</li>)}</ul>
    </div>
  );
}

/** Casting calls for extras: open one, read the applicants (by priority), select. */
function Casting({ film, perks }: { film: Film; perks: Schemas['Perk'][] }) {
  const f = film.film_id;
  const [calls, setCalls] = useState<Schemas['CastingCall'][]>([]);
  const [applicants, setApplicants] = useState<Record<string, Schemas['Applicant'][]>>({});
  const [chosen, setChosen] = useState<string[]>([]);
  const [draft, setDraft] = useState({ perk_id: '', title: '' });
  const form = useForm(['perk_id', 'title', 'selected']);
  const castingPerks = perks.filter((p) => p.kind === 'extra_casting');
  const load = () => must(api().GET('/films/{film_id}/casting', { params: { path: { film_id: f } } })).then((p) => setCalls(p.items)).catch(() => setCalls([]));
  useEffect(() => { load(); }, [f]);
  const open = (e: Event) => {
    e.preventDefault();
    const body = { perk_id: draft.perk_id || castingPerks[0]?.perk_id || '', title: draft.title.trim() };
    form.submit(validate('CastingCallCreate', body), async () => {
      await must(api().POST('/films/{film_id}/casting', { params: { path: { film_id: f } }, body }));
      setDraft({ ...draft, title: '' });
      load();
    });
  };
  const read = (call_id: string) => form.submit({}, async () => {
    const page = await must(api().GET('/films/{film_id}/casting/{call_id}/applications', { params: { path: { film_id: f, call_id } } }));
    setApplicants({ ...applicants, [call_id]: page.items });
  });
  const decide = (call_id: string) => form.submit({}, async () => {
    await must(api().POST('/films/{film_id}/casting/{call_id}/decision', { params: { path: { film_id: f, call_id } }, body: { selected: chosen } }));
    setChosen([]);
    load();
  });
  return (
    <>
      <h4>{t('casting')}</h4>
      <ul>{calls.map((c) => (
        <li key={c.call_id}>
          {c.title} — {c.status === 'open' ? t('casting_open') : t('casting_decided')}{' '}
          <button type="button" class="link" onClick={() => read(c.call_id)}>{t('applicants')}</button>
          {applicants[c.call_id] && (
            <fieldset>
              <legend>{t('applicants')}</legend>
              {applicants[c.call_id].length === 0 && <p>{t('nothing')}</p>}
              {applicants[c.call_id].map((a) => (
                <label key={a.user_id}>
                  <input type="checkbox" disabled={c.status !== 'open'} checked={chosen.includes(a.user_id) || a.status === 'selected'}
                         onChange={() => setChosen(chosen.includes(a.user_id) ? chosen.filter((u) => u !== a.user_id) : [...chosen, a.user_id])} />
                  {' '}{a.display_name ?? a.user_id} — {money(a.confirmed_cents)} — {a.note}
                </label>))}
              {c.status === 'open' && <button type="button" disabled={form.busy} onClick={() => decide(c.call_id)}>{t('select_extras')}</button>}
            </fieldset>
          )}
        </li>))}
      </ul>
      {castingPerks.length > 0 && (
        <form onSubmit={open} noValidate>
          <Field id={`cp-${f}`} label={t('perk')} error={form.errors.perk_id}>
            <select id={`cp-${f}`} value={draft.perk_id} onChange={(e) => setDraft({ ...draft, perk_id: e.currentTarget.value })}>
              {castingPerks.map((p) => <option value={p.perk_id}>{p.title}</option>)}
            </select>
          </Field>
          <Field id={`ct-${f}`} label={t('title')} value={draft.title} error={form.errors.title} onInput={(e) => setDraft({ ...draft, title: e.currentTarget.value })} />
          <button type="submit" disabled={form.busy}>{t('open_casting')}</button>
        </form>
      )}
      <FormProblem failure={form.failure} waiting={form.waiting} />
    </>
  );
}
