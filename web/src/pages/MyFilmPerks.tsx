import { useEffect, useState } from 'preact/hooks';
import { api, must, type Film, type Schemas } from '../api';
import { CreditOptIn } from '../components/Community';
import { ForumThread } from '../components/ForumThread';
import { Field, FormProblem, useForm } from '../components/forms';
import { dateTime, t, type Key } from '../i18n';
import { user } from '../session';
import { validate } from '../validate';

/** My perks in a film: which are unlocked and why not, the sessions I may attend (RSVP), the
 * casting calls I may answer, the private forum. */
export function MyFilmPerks({ id }: { id: string }) {
  const [film, setFilm] = useState<Film | null>(null);
  const [perks, setPerks] = useState<Schemas['MyPerk'][] | null>(null);
  const [sessions, setSessions] = useState<Schemas['Session'][]>([]);
  const [calls, setCalls] = useState<Schemas['CastingCall'][]>([]);
  const [threads, setThreads] = useState<Schemas['ForumThread'][] | null>(null);
  const form = useForm(['note', 'title', 'body']);
  const path = { params: { path: { film_id: id } } };

  const load = async () => {
    must(api().GET('/films/{film_id}', path)).then(setFilm).catch(form.fail);
    must(api().GET('/me/films/{film_id}/perks', path)).then((p) => setPerks(p.items)).catch(() => setPerks([]));
    must(api().GET('/films/{film_id}/sessions', path)).then((p) => setSessions(p.items)).catch(() => setSessions([]));
    must(api().GET('/films/{film_id}/casting', path)).then((p) => setCalls(p.items)).catch(() => setCalls([]));
    must(api().GET('/films/{film_id}/forum/threads', path)).then((p) => setThreads(p.items)).catch(() => setThreads(null));
  };
  useEffect(() => { load(); }, [id]);
  if (!user.value) return <p><a href="#/signin">{t('sign_in_first')}</a></p>;

  const rsvp = (session_id: string, going: boolean) => form.submit({}, async () => {
    const params = { params: { path: { film_id: id, session_id } } };
    const updated = await must(going ? api().POST('/films/{film_id}/sessions/{session_id}/rsvp', params)
      : api().DELETE('/films/{film_id}/sessions/{session_id}/rsvp', params));
    setSessions((all) => all.map((s) => (s.session_id === session_id ? updated : s)));
  });

  return (
    <>
      <h1>{t('my_perks_in', { title: film?.title ?? '' })}</h1>
      <FormProblem failure={form.failure} waiting={form.waiting} />
      <section aria-labelledby="perks-h">
        <h2 id="perks-h">{t('perks')}</h2>
        {perks === null ? <p aria-busy="true">{t('loading')}</p> : perks.length === 0 ? <p>{t('no_perks')}</p> : (
          <ul>{perks.map((p) => (
            <li key={p.perk_id}><strong>{p.title}</strong> — {p.status === 'unlocked' ? t('unlocked') : `${t('locked')} (${p.reason ?? ''})`}</li>))}
          </ul>
        )}
      </section>
      <section aria-labelledby="sessions-h">
        <h2 id="sessions-h">{t('sessions')}</h2>
        {sessions.length === 0 ? <p>{t('no_sessions')}</p> : (
          <ul>{sessions.map((s) => (
            <li key={s.session_id} data-testid="session">
              <strong>{s.title}</strong> — <time dateTime={s.starts_at}>{dateTime(s.starts_at)}</time>
              {' · '}{t('seats_left', { n: s.seats_left })}{s.waitlisted ? ` · ${t('waitlisted_n', { n: s.waitlisted })}` : ''}
              {s.place && <> · {s.place}</>}
              <br />
              {s.my_rsvp ? <>
                <span role="status">{t(`rsvp_${s.my_rsvp}` as Key)}</span>{' '}
                {s.join_link && <a href={s.join_link}>{t('join')}</a>}{' '}
                <button type="button" disabled={form.busy} onClick={() => rsvp(s.session_id, false)}>{t('rsvp_cancel')}</button>
              </> : <button type="button" disabled={form.busy} onClick={() => rsvp(s.session_id, true)}>
                {s.seats_left > 0 ? t('rsvp') : t('rsvp_waitlist')}</button>}
            </li>))}
          </ul>
        )}
      </section>
      <section aria-labelledby="casting-h">
        <h2 id="casting-h">{t('casting')}</h2>
        {calls.length === 0 ? <p>{t('no_casting')}</p> : calls.map((c) => <CastingCall key={c.call_id} filmId={id} call={c} onDone={load} />)}
      </section>
      <CreditOptIn filmId={id} />
      {threads && <Forum filmId={id} threads={threads} onDone={load} />}
    </>
  );
}

function CastingCall({ filmId, call, onDone }: { filmId: string; call: Schemas['CastingCall']; onDone: () => void }) {
  const form = useForm(['note']);
  const [note, setNote] = useState('');
  const apply = (e: Event) => {
    e.preventDefault();
    form.submit(validate('CastingApplication', { note }), async () => {
      await must(api().POST('/films/{film_id}/casting/{call_id}/applications',
        { params: { path: { film_id: filmId, call_id: call.call_id } }, body: { note } }));
      onDone();
    });
  };
  return (
    <article class="card">
      <h3>{call.title}</h3>
      <p>{call.description}</p>
      {call.my_application ? <p role="status">{t(`application_${call.my_application}` as Key)}</p> : call.status === 'open' && (
        <form onSubmit={apply} noValidate>
          <Field id={`note-${call.call_id}`} label={t('note')} value={note} error={form.errors.note} onInput={(e) => setNote(e.currentTarget.value)} />
          <FormProblem failure={form.failure} waiting={form.waiting} />
          <button type="submit" disabled={form.busy}>{t('apply')}</button>
        </form>
      )}
    </article>
  );
}

function Forum({ filmId, threads, onDone }: { filmId: string; threads: Schemas['ForumThread'][]; onDone: () => void }) {
  const form = useForm(['title', 'body']);
  const [draft, setDraft] = useState({ title: '', body: '' });
  const start = (e: Event) => {
    e.preventDefault();
    form.submit(validate('ThreadCreate', draft), async () => {
      await must(api().POST('/films/{film_id}/forum/threads', { params: { path: { film_id: filmId } }, body: draft }));
      setDraft({ title: '', body: '' });
      onDone();
    });
  };
  return (
    <section aria-labelledby="forum-h">
      <h2 id="forum-h">{t('forum')}</h2>
      <ul>{threads.map((th) => <ForumThread key={th.thread_id} filmId={filmId} thread={th} onReplied={onDone} />)}</ul>
      <form onSubmit={start} noValidate>
        <Field id="title" label={t('thread_title')} value={draft.title} error={form.errors.title} onInput={(e) => setDraft({ ...draft, title: e.currentTarget.value })} />
        <Field id="body" label={t('thread_body')} error={form.errors.body}>
          <textarea id="body" value={draft.body} onInput={(e) => setDraft({ ...draft, body: e.currentTarget.value })} />
        </Field>
        <FormProblem failure={form.failure} waiting={form.waiting} />
        <button type="submit" disabled={form.busy}>{t('start_thread')}</button>
      </form>
    </section>
  );
}
