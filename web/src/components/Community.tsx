import { useEffect, useState } from 'preact/hooks';
import { api, must, type Schemas } from '../api';
import { dateTime, money, t } from '../i18n';
import { parseMoney } from '../money';
import { validate } from '../validate';
import { Field, FormProblem, useForm } from './forms';

type FilmUpdate = Schemas['FilmUpdate'];

/** The film team's news the viewer may read, newest first (GET /films/{film_id}/updates). */
export function UpdatesList({ filmId }: { filmId: string }) {
  const [updates, setUpdates] = useState<FilmUpdate[] | null>(null);
  useEffect(() => {
    must(api().GET('/films/{film_id}/updates', { params: { path: { film_id: filmId }, query: { limit: 20 } } }))
      .then((page) => setUpdates(newestFirst(page.items)))
      .catch(() => setUpdates([]));
  }, [filmId]);
  return (
    <section aria-labelledby="updates-h">
      <h2 id="updates-h">{t('updates')}</h2>
      {updates === null ? <p aria-busy="true">{t('loading')}</p> : updates.length === 0 ? <p>{t('no_updates')}</p> : (
        <ol class="updates">{updates.map((u) => (
          <li key={u.update_id}>
            <article aria-labelledby={`update-${u.update_id}`}>
              <h3 id={`update-${u.update_id}`}>{u.title}</h3>
              <p class="meta">
                <time dateTime={u.created_at}>{dateTime(u.created_at)}</time>
                {u.audience === 'coproducers' && <> · {t('audience_coproducers')}</>}
              </p>
              <p class="update-body">{u.body}</p>
            </article>
          </li>))}
        </ol>
      )}
    </section>
  );
}

/** Newest first, as the API answers; kept so whatever the order received. */
function newestFirst(items: FilmUpdate[]): FilmUpdate[] {
  return [...items].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}

/** The names in the film's credits (GET /films/{film_id}/credits), in the API's order. */
export function CreditsList({ filmId }: { filmId: string }) {
  const [credits, setCredits] = useState<Schemas['CreditList'] | null>(null);
  useEffect(() => {
    must(api().GET('/films/{film_id}/credits', { params: { path: { film_id: filmId } } }))
      .then((list) => setCredits(typeof list === 'string' ? null : list))
      .catch(() => setCredits(null));
  }, [filmId]);
  if (!credits) return null;
  return (
    <section aria-labelledby="credits-h">
      <h2 id="credits-h">{t('credits')}</h2>
      {credits.items.length === 0 ? <p>{t('no_credits')}</p> : (
        <ul class="credits">{credits.items.map((c, i) => <li key={i}>{c.credit_name}</li>)}</ul>
      )}
    </section>
  );
}

/** What co-producers would earn of rights received (GET /films/{film_id}/simulation): rights
 * and an optional pledge typed in EUR, sent as integer cents. */
export function Simulator({ filmId }: { filmId: string }) {
  const form = useForm(['rights_cents', 'pledge_cents']);
  const [rights, setRights] = useState('');
  const [pledge, setPledge] = useState('');
  const [result, setResult] = useState<Schemas['Simulation'] | null>(null);
  const send = (e: Event) => {
    e.preventDefault();
    const rightsCents = parseMoney(rights);
    const pledgeCents = pledge.trim() ? parseMoney(pledge) : undefined;
    const invalid: Record<string, string> = {};
    if (rightsCents === null) invalid.rights_cents = t('err_amount');
    if (pledgeCents === null) invalid.pledge_cents = t('err_amount');
    else if (pledgeCents === 0) invalid.pledge_cents = t('err_min', { min: money(1) });
    setResult(null);
    form.submit(invalid, async () => {
      const query = { rights_cents: rightsCents!, ...(pledgeCents ? { pledge_cents: pledgeCents } : {}) };
      setResult(await must(api().GET('/films/{film_id}/simulation', { params: { path: { film_id: filmId }, query } })));
    });
  };
  return (
    <section aria-labelledby="simulator-h">
      <h2 id="simulator-h">{t('simulator')}</h2>
      <form onSubmit={send} noValidate>
        <Field id="rights_cents" label={t('sim_rights')} inputMode="decimal" value={rights} error={form.errors.rights_cents}
               onInput={(e) => setRights(e.currentTarget.value)} />
        <Field id="pledge_cents" label={t('sim_pledge')} inputMode="decimal" value={pledge} error={form.errors.pledge_cents}
               hint={t('sim_pledge_hint')} onInput={(e) => setPledge(e.currentTarget.value)} />
        <FormProblem failure={form.failure} waiting={form.waiting} />
        <button type="submit" disabled={form.busy}>{t('simulate')}</button>
      </form>
      {result && (
        <dl class="figures" data-testid="simulation">
          <div><dt>{t('sim_pool')}</dt><dd data-testid="sim-pool">{money(result.pool_cents)}</dd></div>
          <div><dt>{t('sim_per_100')}</dt><dd>{money(result.per_100_eur_pledged_cents)}</dd></div>
          {result.yours && <div><dt>{t('sim_yours')}</dt><dd data-testid="sim-yours">{money(result.yours.your_cents)}</dd></div>}
          {result.pledge && (
            <div><dt>{t('sim_pledge_earns', { amount: money(result.pledge.pledge_cents) })}</dt>
              <dd data-testid="sim-pledge">{money(result.pledge.pledge_earns_cents)}</dd></div>
          )}
        </dl>
      )}
    </section>
  );
}

/** A producer posts news to the film's followers (POST /films/{film_id}/updates). */
export function PostUpdate({ filmId, onPosted }: { filmId: string; onPosted?: (update: FilmUpdate) => void }) {
  const ids = { title: `update-title-${filmId}`, body: `update-body-${filmId}`, audience: `update-audience-${filmId}` };
  const form = useForm(['title', 'body', 'audience']);
  const [draft, setDraft] = useState({ title: '', body: '', audience: 'coproducers' as FilmUpdate['audience'] });
  const [posted, setPosted] = useState(false);
  const send = (e: Event) => {
    e.preventDefault();
    const body = { title: draft.title.trim(), body: draft.body.trim(), audience: draft.audience };
    setPosted(false);
    form.submit(validate('UpdateCreate', body), async () => {
      const update = await must(api().POST('/films/{film_id}/updates', { params: { path: { film_id: filmId } }, body }));
      setDraft({ ...draft, title: '', body: '' });
      setPosted(true);
      onPosted?.(update);
    });
  };
  return (
    <form onSubmit={send} noValidate aria-label={t('post_update')}>
      <h4>{t('post_update')}</h4>
      <Field id={ids.title} label={t('title')} value={draft.title} error={form.errors.title}
             onInput={(e) => setDraft({ ...draft, title: e.currentTarget.value })} />
      <Field id={ids.body} label={t('update_body')} error={form.errors.body}>
        <textarea id={ids.body} value={draft.body} onInput={(e) => setDraft({ ...draft, body: e.currentTarget.value })} />
      </Field>
      <Field id={ids.audience} label={t('audience')} error={form.errors.audience}>
        <select id={ids.audience} value={draft.audience} onChange={(e) => setDraft({ ...draft, audience: e.currentTarget.value as FilmUpdate['audience'] })}>
          <option value="coproducers">{t('audience_coproducers')}</option>
          <option value="public">{t('audience_public')}</option>
        </select>
      </Field>
      <FormProblem failure={form.failure} waiting={form.waiting} />
      <button type="submit" disabled={form.busy}>{t('publish_update')}</button>
      {posted && <span role="status"> {t('update_posted')}</span>}
    </form>
  );
}

/** A co-producer chooses to be named in the film's credits (PUT /me/films/{film_id}/credit). */
export function CreditOptIn({ filmId }: { filmId: string }) {
  const form = useForm(['credited', 'credit_name']);
  const [credited, setCredited] = useState(false);
  const [name, setName] = useState('');
  const [state, setState] = useState<Schemas['CreditState'] | null>(null);
  const send = (e: Event) => {
    e.preventDefault();
    const body = { credited, credit_name: credited && name.trim() ? name.trim() : null };
    form.submit(validate('CreditChoice', body), async () => {
      setState(await must(api().PUT('/me/films/{film_id}/credit', { params: { path: { film_id: filmId } }, body })));
    });
  };
  return (
    <section aria-labelledby="credit-h">
      <h2 id="credit-h">{t('credits')}</h2>
      <form onSubmit={send} noValidate>
        <label><input type="checkbox" checked={credited} onChange={(e) => setCredited(e.currentTarget.checked)} /> {t('credit_opt_in')}</label>
        {form.errors.credited && <p class="error" role="alert">{form.errors.credited}</p>}
        {credited && (
          <Field id="credit_name" label={t('credit_name')} hint={t('credit_name_hint')} value={name} error={form.errors.credit_name}
                 onInput={(e) => setName(e.currentTarget.value)} />
        )}
        <FormProblem failure={form.failure} waiting={form.waiting} />
        <button type="submit" disabled={form.busy}>{t('save')}</button>
        {state && <span role="status"> {state.credited ? t('credited_as', { name: state.credit_name ?? '' }) : t('not_credited')}</span>}
      </form>
    </section>
  );
}
