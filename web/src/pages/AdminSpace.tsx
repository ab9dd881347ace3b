import { useEffect, useState } from 'preact/hooks';
import { api, must, type Film } from '../api';
import { Field, FormProblem, useForm } from '../components/forms';
import { dateTime, money, t } from '../i18n';
import { parseMoney } from '../money';
import { user } from '../session';
import { validate } from '../validate';

const thisMonth = () => new Date().toISOString().slice(0, 7);

/** Admins: publish films, rights and receipts, distributions, and what needs a look (failed
 * refunds, payouts and notifications, disputes, reconciliation). */
export function AdminSpace() {
  if (!user.value?.isAdmin) return <p>{t('admins_only')}</p>;
  return (
    <>
      <h1>{t('admin_space')}</h1>
      <Drafts />
      <Royalties />
      <Watch />
    </>
  );
}

function Drafts() {
  const [drafts, setDrafts] = useState<Film[]>([]);
  const form = useForm(['status']);
  const load = () => must(api().GET('/films', { params: { query: { status: 'draft', limit: 100 } } })).then((p) => setDrafts(p.items)).catch(form.fail);
  useEffect(() => { load(); }, []);
  const publish = (film_id: string) => form.submit({}, async () => {
    await must(api().PATCH('/films/{film_id}', { params: { path: { film_id } }, body: { status: 'open' } }));
    load();
  });
  return (
    <section aria-labelledby="drafts-h">
      <h2 id="drafts-h">{t('drafts')}</h2>
      <FormProblem failure={form.failure} waiting={form.waiting} />
      {drafts.length === 0 ? <p>{t('no_drafts')}</p> : (
        <ul>{drafts.map((f) => <li key={f.film_id}>{f.title} ({money(f.goal_cents)}) <button type="button" onClick={() => publish(f.film_id)}>{t('publish')}</button></li>)}</ul>
      )}
    </section>
  );
}

function Royalties() {
  const form = useForm(['film_id', 'period', 'rights_received_cents', 'reference', 'description', 'coproducer_rate_bps']);
  const [draft, setDraft] = useState({ film_id: '', period: thisMonth(), amount: '', reference: '', description: '' });
  const [result, setResult] = useState<string | null>(null);
  const record = (e: Event) => {
    e.preventDefault();
    const cents = parseMoney(draft.amount);
    const body = { period: draft.period, rights_received_cents: cents ?? 0, reference: draft.reference.trim() };
    const invalid = { ...validate('ReceiptCreate', body), ...(draft.film_id ? {} : { film_id: t('err_required') }),
      ...(cents === null ? { rights_received_cents: t('err_amount') } : {}) };
    form.submit(invalid, async () => {
      const path = { params: { path: { film_id: draft.film_id } } };
      if (draft.description.trim()) await must(api().PUT('/films/{film_id}/rights', { ...path, body: { description: draft.description.trim(), coproducer_rate_bps: 8000 } }));
      await must(api().POST('/films/{film_id}/receipts', { ...path, body }));
      setResult(t('receipt_recorded'));
    });
  };
  const run = () => form.submit(validate('DistributionRun', { period: draft.period }), async () => {
    const done = await must(api().POST('/admin/distributions', { body: { period: draft.period } }));
    setResult(t('distributed', { period: done.period, amount: money(done.credited_cents) }));
  });
  return (
    <section aria-labelledby="royalties-h">
      <h2 id="royalties-h">{t('receipts_and_rights')}</h2>
      <form onSubmit={record} noValidate>
        <Field id="film_id" label={t('film_id')} value={draft.film_id} error={form.errors.film_id} onInput={(e) => setDraft({ ...draft, film_id: e.currentTarget.value.trim() })} />
        <Field id="description" label={t('rights_terms')} hint={t('rights_hint')} value={draft.description} error={form.errors.description} onInput={(e) => setDraft({ ...draft, description: e.currentTarget.value })} />
        <Field id="period" label={t('period')} value={draft.period} error={form.errors.period} onInput={(e) => setDraft({ ...draft, period: e.currentTarget.value })} />
        <Field id="rights_received_cents" label={t('rights_received')} inputMode="decimal" value={draft.amount} error={form.errors.rights_received_cents} onInput={(e) => setDraft({ ...draft, amount: e.currentTarget.value })} />
        <Field id="reference" label={t('reference')} value={draft.reference} error={form.errors.reference} onInput={(e) => setDraft({ ...draft, reference: e.currentTarget.value })} />
        <FormProblem failure={form.failure} waiting={form.waiting} />
        <button type="submit" disabled={form.busy}>{t('record_receipt')}</button>{' '}
        <button type="button" disabled={form.busy} onClick={run}>{t('run_distribution')}</button>
      </form>
      {result && <p role="status">{result}</p>}
    </section>
  );
}

function Watch() {
  const [rows, setRows] = useState<{ title: string; items: string[] }[]>([]);
  useEffect(() => {
    const q = { params: { query: { limit: 20 } } };
    Promise.all([
      must(api().GET('/admin/refunds', { params: { query: { status: 'failed', limit: 20 } } })).then((p) => ({ title: t('failed_refunds'),
        items: p.items.map((r) => `${r.film_id} · ${money(r.amount_cents)} · ${r.failure_message ?? r.failure_code ?? ''}`) })),
      must(api().GET('/admin/payouts', { params: { query: { status: 'failed', limit: 20 } } })).then((p) => ({ title: t('failed_payouts'),
        items: p.items.map((r) => `${r.user_id ?? ''} · ${money(r.amount_cents)} · ${r.reason ?? ''}`) })),
      must(api().GET('/admin/notifications', { params: { query: { status: 'failed', limit: 20 } } })).then((p) => ({ title: t('failed_notifications'),
        items: p.items.map((r) => `${r.channel ?? ''} · ${r.user_id ?? ''} · ${r.error ?? ''}`) })),
      must(api().GET('/admin/disputes', q)).then((p) => ({ title: t('disputes'),
        items: p.items.map((r) => `${r.kind} · ${r.film_id} · ${money(r.disputed_cents)} · ${dateTime(r.recorded_at)}`) })),
      must(api().GET('/admin/reconciliation', q)).then((p) => ({ title: t('reconciliation'),
        items: p.items.map((r) => `${dateTime(r.started_at)} · ${r.examined} / ${r.repaired_count} / ${r.unrepaired_count}`) })),
    ].map((p) => p.catch(() => null))).then((all) => setRows(all.filter((x): x is { title: string; items: string[] } => x !== null)));
  }, []);
  return (
    <>
      {rows.map((row) => (
        <section key={row.title}>
          <h2>{row.title}</h2>
          {row.items.length === 0 ? <p>{t('nothing')}</p> : <ul>{row.items.map((i) => <li>{i}</li>)}</ul>}
        </section>
      ))}
    </>
  );
}
