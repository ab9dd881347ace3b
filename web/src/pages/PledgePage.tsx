import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiProblem, must, type Film, type Pledge } from '../api';
import { Field, FormProblem, useForm } from '../components/forms';
import { money, t } from '../i18n';
import { parseMoney } from '../money';
import { referralFor } from '../referral';
import { loadStripe, paymentMethodId, type CardElement, type StripeJs } from '../stripe';
import { validate } from '../validate';

type Outcome = { kind: 'confirmed' | 'pending'; pledge: Pledge } | { kind: 'declined'; reason: string };

const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

/** The pledge: amount, card (Stripe.js card Element), a SetupIntent confirmed with
 * confirmCardSetup, the pledge posted with its payment method, 3-D Secure when it answers
 * requires_action. One Idempotency-Key per checkout: a retry or a second click sends the same
 * key and the same payment method, so it never makes a second pledge. */
export function PledgePage({ id }: { id: string }) {
  const form = useForm(['amount_cents', 'payment_method_id', 'card']);
  const [film, setFilm] = useState<Film | null>(null);
  const [amount, setAmount] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [ready, setReady] = useState(false);
  const checkout = useRef({ key: newKey(), paymentMethod: null as string | null });
  const stripe = useRef<StripeJs | null>(null);
  const card = useRef<CardElement | null>(null);
  const cardBox = useRef<HTMLDivElement>(null);

  useEffect(() => {
    must(api().GET('/films/{film_id}', { params: { path: { film_id: id } } })).then((f) => {
      setFilm(f);
      setAmount((f.min_pledge_cents / 100).toString());
    }).catch(form.fail);
  }, [id]);
  useEffect(() => () => card.current?.destroy(), []);

  async function mountCard(publishableKey: string) {
    if (stripe.current && card.current) return stripe.current;
    stripe.current ??= await loadStripe(publishableKey);
    const element = stripe.current.elements().create('card', { hidePostalCode: true });
    element.mount(cardBox.current!);
    card.current = element;
    return stripe.current;
  }

  // The card element needs Stripe.js, which needs the publishable key: a SetupIntent is made
  // when the page opens, and a new one after a declined card.
  const setup = useRef<{ client_secret: string } | null>(null);
  async function prepare() {
    const started = await must(api().POST('/me/setup-intents'));
    setup.current = started;
    await mountCard(started.publishable_key);
    setReady(true);
  }
  const shown = film !== null; // the card element mounts into the form, shown once the film is read
  useEffect(() => { if (shown) prepare().catch(form.fail); }, [shown]);

  async function pay(cents: number) {
    const js = stripe.current!;
    if (!checkout.current.paymentMethod) {
      if (!setup.current) await prepare();
      const saved = await js.confirmCardSetup(setup.current!.client_secret, { payment_method: { card: card.current! } });
      if (saved.error || !paymentMethodId(saved)) {
        setup.current = null; // a SetupIntent that failed is not used again
        prepare().catch(() => undefined);
        throw new ApiProblem(saved.error?.code ?? 'card_error', saved.error?.message ?? t('card_refused'), 'card');
      }
      checkout.current.paymentMethod = paymentMethodId(saved);
    }
    let pledge = await must(api().POST('/films/{film_id}/pledges', {
      params: { path: { film_id: id }, header: { 'Idempotency-Key': checkout.current.key } },
      body: { amount_cents: cents, payment_method_id: checkout.current.paymentMethod!, referral_code: referralFor(id) },
    }));
    if (pledge.status === 'requires_action' && pledge.client_secret) {
      const authenticated = await js.confirmCardPayment(pledge.client_secret);
      if (authenticated.error) {
        finishDeclined(authenticated.error.message ?? t('auth_failed'));
        return;
      }
      pledge = await settle(pledge);
    }
    if (pledge.status === 'failed') finishDeclined(pledge.failure_message ?? pledge.failure_code ?? t('card_refused'));
    else {
      setOutcome({ kind: pledge.status === 'confirmed' ? 'confirmed' : 'pending', pledge });
      const refreshed = await must(api().GET('/films/{film_id}', { params: { path: { film_id: id } } }));
      setFilm(refreshed);
    }
  }

  /** After 3-D Secure, Stripe tells the API (webhook): the pledge is read again for a while. */
  async function settle(pledge: Pledge): Promise<Pledge> {
    for (let attempt = 0; attempt < 20; attempt++) {
      await new Promise((r) => setTimeout(r, 500));
      const now = await must(api().GET('/me/pledges/{pledge_id}', { params: { path: { pledge_id: pledge.pledge_id } } }));
      if (now.status !== 'pending' && now.status !== 'requires_action') return now;
      pledge = now;
    }
    return pledge;
  }

  function finishDeclined(reason: string) {
    // This checkout is over: another try is a new pledge, with a new key and a new card.
    checkout.current = { key: newKey(), paymentMethod: null };
    setOutcome({ kind: 'declined', reason });
  }

  const send = (e: Event) => {
    e.preventDefault();
    if (!film) return;
    const cents = parseMoney(amount);
    const invalid = cents === null ? { amount_cents: t('err_amount') }
      : cents < film.min_pledge_cents ? { amount_cents: t('err_min_pledge', { min: money(film.min_pledge_cents) }) }
      : validate('PledgeCreate', { amount_cents: cents });
    setOutcome(null);
    form.submit(invalid, () => pay(cents!));
  };

  if (!film) return <><p aria-busy="true">{t('loading')}</p><FormProblem failure={form.failure} waiting={form.waiting} /></>;
  return (
    <>
      <h1>{t('pledge_title', { title: film.title })}</h1>
      <p>{t('raised_of', { raised: money(film.raised_cents), goal: money(film.goal_cents) })} · {t('coproducers', { n: film.coproducer_count })}</p>
      <form onSubmit={send} noValidate class="pledge">
        <Field id="amount_cents" label={t('amount_label')} hint={t('amount_hint', { min: money(film.min_pledge_cents) })}
               inputMode="decimal" value={amount} error={form.errors.amount_cents}
               onInput={(e) => setAmount(e.currentTarget.value)} />
        <div class={`field${form.errors.card ? ' invalid' : ''}`}>
          <span id="card-label" class="label">{t('card_label')}</span>
          <div ref={cardBox} class="card-element" role="group" aria-labelledby="card-label" />
          {form.errors.card && <p class="error" role="alert" data-testid="card-error">{form.errors.card}</p>}
          {form.errors.payment_method_id && <p class="error" role="alert">{form.errors.payment_method_id}</p>}
        </div>
        <FormProblem failure={form.failure} waiting={form.waiting} />
        {!ready && form.failure && (
          <p><button type="button" disabled={form.waiting > 0} onClick={() => prepare().catch(form.fail)}>{t('retry')}</button></p>
        )}
        <button type="submit" disabled={form.busy || !ready || form.waiting > 0 || outcome?.kind === 'confirmed'}>
          {form.busy ? t('paying') : t('pledge_button')}
        </button>
      </form>
      <div aria-live="polite" data-testid="outcome">
        {outcome?.kind === 'confirmed' && <p class="success">{t('outcome_confirmed', { amount: money(outcome.pledge.amount_cents) })} <a href="#/me">{t('see_my_pledges')}</a></p>}
        {outcome?.kind === 'pending' && <p class="notice">{t('outcome_pending')}</p>}
        {outcome?.kind === 'declined' && <p class="problem">{t('outcome_declined', { reason: outcome.reason })}</p>}
      </div>
      <p><a href={`#/films/${film.film_id}`}>{t('back_to_film')}</a></p>
    </>
  );
}
