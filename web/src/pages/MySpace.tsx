import { useEffect, useState } from 'preact/hooks';
import { api, must, type Pledge, type Schemas } from '../api';
import { config } from '../config';
import { Field, FormProblem, useForm } from '../components/forms';
import { RoyaltiesChart } from '../components/RoyaltiesChart';
import { dateTime, locale, money, setLocale, t, type Key } from '../i18n';
import { token, user } from '../session';
import { validate } from '../validate';

export function MySpace() {
  if (!user.value) return <p><a href="#/signin">{t('sign_in_first')}</a></p>;
  return (
    <>
      <h1>{t('my_space')}</h1>
      <MyPledges />
      <Portfolio />
      <Statements />
      <PayoutAccount />
      <ProfileForm />
    </>
  );
}

function MyPledges() {
  const [pledges, setPledges] = useState<Pledge[] | null>(null);
  const [titles, setTitles] = useState<Record<string, string>>({});
  const form = useForm([]);
  const load = () => must(api().GET('/me/pledges', { params: { query: { limit: 50 } } })).then(async (page) => {
    setPledges(page.items);
    const ids = [...new Set(page.items.map((p) => p.film_id))];
    const named = await Promise.all(ids.map((film_id) => must(api().GET('/films/{film_id}', { params: { path: { film_id } } }))
      .then((f) => [film_id, f.title] as const).catch(() => [film_id, film_id] as const)));
    setTitles(Object.fromEntries(named));
  }).catch(form.fail);
  useEffect(() => { load(); }, []);
  const cancel = (pledge_id: string) => form.submit({}, async () => {
    await must(api().DELETE('/me/pledges/{pledge_id}', { params: { path: { pledge_id } } }));
    await load();
  });
  return (
    <section aria-labelledby="my-pledges">
      <h2 id="my-pledges">{t('my_pledges')}</h2>
      <FormProblem failure={form.failure} waiting={form.waiting} />
      {pledges === null ? <p aria-busy="true">{t('loading')}</p> : pledges.length === 0 ? <p>{t('no_pledges')}</p> : (
        <table>
          <thead><tr><th scope="col">{t('film')}</th><th scope="col">{t('amount')}</th><th scope="col">{t('status')}</th><th scope="col">{t('date')}</th><th scope="col"><span class="visually-hidden">{t('actions')}</span></th></tr></thead>
          <tbody>{pledges.map((p) => (
            <tr key={p.pledge_id}>
              <td><a href={`#/me/films/${p.film_id}`}>{titles[p.film_id] ?? p.film_id}</a></td>
              <td>{money(p.amount_cents)}</td>
              <td>{t(`pledge_${p.status}` as Key)}{p.failure_message ? ` — ${p.failure_message}` : ''}</td>
              <td><time dateTime={p.created_at}>{dateTime(p.created_at)}</time></td>
              <td>{(p.status === 'pending' || p.status === 'requires_action') &&
                <button type="button" disabled={form.busy} onClick={() => cancel(p.pledge_id)}>{t('cancel_pledge')}</button>}</td>
            </tr>))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Portfolio() {
  const [portfolio, setPortfolio] = useState<Schemas['Portfolio'] | null>(null);
  const [credits, setCredits] = useState<Schemas['Credit'][]>([]);
  useEffect(() => {
    must(api().GET('/me/portfolio')).then(setPortfolio).catch(() => setPortfolio(null));
    must(api().GET('/me/royalties')).then((r) => setCredits(r.credits)).catch(() => setCredits([]));
  }, []);
  if (!portfolio) return null;
  return (
    <section aria-labelledby="portfolio">
      <h2 id="portfolio">{t('portfolio')}</h2>
      <p>{t('royalties_total', { amount: money(portfolio.royalties_received_cents) })}</p>
      <RoyaltiesChart credits={credits} />
      {portfolio.items.length > 0 && (
        <table>
          <thead><tr><th scope="col">{t('film')}</th><th scope="col">{t('my_money')}</th><th scope="col">{t('my_share')}</th><th scope="col">{t('royalties')}</th></tr></thead>
          <tbody>{portfolio.items.map((h) => (
            <tr key={h.film_id}>
              <td><a href={`#/me/films/${h.film_id}`}>{h.title ?? h.film_id}</a></td>
              <td>{money(h.your_confirmed_cents)}</td>
              <td>{(h.share_ppm / 10_000).toLocaleString(locale.value, { maximumFractionDigits: 2 })} %</td>
              <td>{money(h.royalties_received_cents)}</td>
            </tr>))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function lastMonth(): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

function Statements() {
  const [period, setPeriod] = useState(lastMonth());
  const [statement, setStatement] = useState<Schemas['Statement'] | null>(null);
  const form = useForm(['period']);
  const [csv, setCsv] = useState<string | null>(null);
  const show = (e: Event) => {
    e.preventDefault();
    const invalid: Record<string, string> = /^\d{4}-(0[1-9]|1[0-2])$/.test(period) ? {} : { period: t('err_period') };
    form.submit(invalid, async () => {
      const shown = await must(api().GET('/me/statements/{period}', { params: { path: { period } } }));
      if (typeof shown !== 'string') setStatement(shown);
      const response = await fetch(`${config.api_base}/me/statements/${period}?format=csv`,
        { headers: { Authorization: `Bearer ${token.value}` } });
      if (csv) URL.revokeObjectURL(csv);
      setCsv(response.ok ? URL.createObjectURL(await response.blob()) : null);
    });
  };
  return (
    <section aria-labelledby="statements">
      <h2 id="statements">{t('statements')}</h2>
      <form onSubmit={show} noValidate class="inline">
        <Field id="period" label={t('period')} type="month" value={period} error={form.errors.period}
               onInput={(e) => setPeriod(e.currentTarget.value)} />
        <button type="submit" disabled={form.busy}>{t('show')}</button>
      </form>
      <FormProblem failure={form.failure} waiting={form.waiting} />
      {statement && (
        <>
          <p data-testid="statement-total">{t('statement_total', { period: statement.period, amount: money(statement.total_cents) })}</p>
          {statement.lines.length > 0 && (
            <table>
              <thead><tr><th scope="col">{t('film')}</th><th scope="col">{t('rights_received')}</th><th scope="col">{t('amount')}</th></tr></thead>
              <tbody>{statement.lines.map((l) => (
                <tr key={`${l.film_id}-${l.batch}`}><td>{l.title ?? l.film_id}</td><td>{money(l.rights_received_cents)}</td><td>{money(l.amount_cents)}</td></tr>))}
              </tbody>
            </table>
          )}
          {csv && <a href={csv} download={`statement-${statement.period}.csv`}>{t('download_csv')}</a>}
        </>
      )}
    </section>
  );
}

/** Where royalties are paid: a Stripe Connect account, opened through Stripe's onboarding. */
function PayoutAccount() {
  const [state, setState] = useState<Schemas['PayoutAccountState'] | null>(null);
  const [balance, setBalance] = useState<number | null>(null);
  const form = useForm([]);
  useEffect(() => {
    must(api().GET('/me/payout-account')).then(setState).catch(() => setState(null));
    must(api().GET('/me/royalties')).then((r) => setBalance(r.balance_cents)).catch(() => setBalance(null));
  }, []);
  const onboard = () => form.submit({}, async () => {
    const { url } = await must(api().POST('/me/payout-account/onboarding'));
    location.assign(url);
  });
  if (!state) return null;
  return (
    <section aria-labelledby="payout-h">
      <h2 id="payout-h">{t('payout_account')}</h2>
      {balance !== null && <p>{t('balance', { amount: money(balance) })}</p>}
      <p>{t(`onboarding_${state.onboarding}` as Key)}</p>
      {state.onboarding !== 'complete' && <button type="button" disabled={form.busy} onClick={onboard}>{t('onboard')}</button>}
      <FormProblem failure={form.failure} waiting={form.waiting} />
    </section>
  );
}

function ProfileForm() {
  const form = useForm(['display_name', 'email', 'phone', 'locale', 'notify_email', 'notify_sms', 'code']);
  const [me, setMe] = useState<Schemas['Me'] | null>(null);
  const [draft, setDraft] = useState({ display_name: '', email: '', phone: '', notify_email: true, notify_sms: false });
  const [saved, setSaved] = useState(false);
  const [codeFor, setCodeFor] = useState<'email' | 'sms' | null>(null);
  const [code, setCode] = useState('');
  const load = () => must(api().GET('/me')).then((m) => {
    setMe(m);
    setDraft({ display_name: m.display_name ?? '', email: m.email ?? '', phone: m.phone ?? '', notify_email: m.notify_email, notify_sms: m.notify_sms });
    if (m.created_at && m.locale !== locale.value) setLocale(m.locale);
  }).catch(form.fail);
  useEffect(() => { load(); }, []);
  const save = (e: Event) => {
    e.preventDefault();
    const body = { ...draft, display_name: draft.display_name.trim(), phone: draft.phone.trim() || null, locale: locale.value };
    setSaved(false);
    form.submit(validate('Profile', body), async () => {
      setMe(await must(api().PUT('/me', { body })));
      setSaved(true);
    });
  };
  const sendCode = (channel: 'email' | 'sms') => form.submit({}, async () => {
    await must(api().POST('/me/verify/{channel}', { params: { path: { channel } } }));
    setCodeFor(channel);
  });
  const confirm = (e: Event) => {
    e.preventDefault();
    form.submit(validate('VerificationCode', { code }), async () => {
      setMe(await must(api().POST('/me/verify/{channel}/confirm', { params: { path: { channel: codeFor! } }, body: { code } })));
      setCodeFor(null);
      setCode('');
    });
  };
  return (
    <section aria-labelledby="profile">
      <h2 id="profile">{t('profile')}</h2>
      <form onSubmit={save} noValidate>
        <Field id="display_name" label={t('display_name')} value={draft.display_name} error={form.errors.display_name}
               onInput={(e) => setDraft({ ...draft, display_name: e.currentTarget.value })} />
        <Field id="email" label={t('email')} type="email" value={draft.email} error={form.errors.email}
               hint={me?.email ? (me.email_verified ? t('verified') : t('not_verified')) : undefined}
               onInput={(e) => setDraft({ ...draft, email: e.currentTarget.value })} />
        <Field id="phone" label={t('phone')} type="tel" value={draft.phone} error={form.errors.phone}
               hint={me?.phone ? (me.phone_verified ? t('verified') : t('not_verified')) : t('phone_hint')}
               onInput={(e) => setDraft({ ...draft, phone: e.currentTarget.value })} />
        <fieldset>
          <legend>{t('notifications')}</legend>
          <label><input type="checkbox" checked={draft.notify_email} onChange={(e) => setDraft({ ...draft, notify_email: e.currentTarget.checked })} /> {t('notify_email')}</label>
          <label><input type="checkbox" checked={draft.notify_sms} onChange={(e) => setDraft({ ...draft, notify_sms: e.currentTarget.checked })} /> {t('notify_sms')}</label>
        </fieldset>
        <FormProblem failure={form.failure} waiting={form.waiting} />
        <button type="submit" disabled={form.busy}>{t('save')}</button>
        {saved && <span role="status"> {t('saved')}</span>}
      </form>
      {me?.created_at && me.email && !me.email_verified && <button type="button" onClick={() => sendCode('email')}>{t('verify_email')}</button>}{' '}
      {me?.created_at && me.phone && !me.phone_verified && <button type="button" onClick={() => sendCode('sms')}>{t('verify_phone')}</button>}
      {codeFor && (
        <form onSubmit={confirm} noValidate class="inline">
          <Field id="code" label={t('code_label')} inputMode="numeric" autoComplete="one-time-code" value={code}
                 error={form.errors.code} onInput={(e) => setCode(e.currentTarget.value)} />
          <button type="submit" disabled={form.busy}>{t('confirm')}</button>
        </form>
      )}
    </section>
  );
}
