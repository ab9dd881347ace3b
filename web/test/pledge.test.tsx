import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLocale } from '../src/i18n';
import { error, fakeApi, type Call } from './helpers';

const stripe = vi.hoisted(() => ({
  confirmCardSetup: vi.fn(async () => ({ setupIntent: { payment_method: 'pm_123' } })),
  confirmCardPayment: vi.fn(async () => ({ paymentIntent: { status: 'succeeded' } })),
}));
vi.mock('../src/stripe', () => ({
  loadStripe: async () => ({ elements: () => ({ create: () => ({ mount(el: unknown) { if (!el) throw new Error('Invalid DOM element'); }, destroy() {} }) }), ...stripe }),
  paymentMethodId: (r: { setupIntent?: { payment_method: string } }) => r.setupIntent?.payment_method ?? null,
}));
const { PledgePage } = await import('../src/pages/PledgePage');
const { clock } = await import('../src/components/forms');

const FILM = { film_id: 'f1', title: 'Les Heures claires', kind: 'feature', synopsis: '', status: 'open', stage: 'development',
  goal_cents: 2_000_000, min_pledge_cents: 1000, raised_cents: 0, coproducer_count: 0, percent_funded: 0,
  deadline: '2099-01-01', producer_id: null, created_at: '', updated_at: '', published_at: null, goal_reached_at: null, closed_at: null };
const pledge = (status: string, extra = {}) => ({ pledge_id: 'p1', film_id: 'f1', amount_cents: 2500, currency: 'eur', status,
  payment_intent_id: 'pi_1', client_secret: 'pi_1_secret_x', amount_refunded_cents: 0, failure_code: null, failure_message: null,
  created_at: '', ...extra });

function api(pledgeAnswers: ((call: Call) => { status: number; body: unknown; headers?: Record<string, string> })[]) {
  return fakeApi((call) => {
    if (call.method === 'GET' && call.path === '/films/f1') return { status: 200, body: FILM };
    if (call.path === '/me/setup-intents') return { status: 201, body: { setup_intent_id: 'seti_1', client_secret: 'seti_1_secret', publishable_key: 'pk_test' } };
    if (call.method === 'POST' && call.path === '/films/f1/pledges') return pledgeAnswers.shift()!(call);
    if (call.path === '/me/pledges/p1') return { status: 200, body: pledge('confirmed') };
    return { status: 404, body: error('not_found', call.path) };
  });
}

async function pay(amount: string) {
  const input = await screen.findByLabelText('Montant (EUR)');
  fireEvent.input(input, { target: { value: amount } });
  const button = screen.getByRole('button', { name: 'Coproduire' });
  await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(false));
  fireEvent.click(button);
}

beforeEach(() => { setLocale('fr'); stripe.confirmCardSetup.mockClear(); stripe.confirmCardPayment.mockClear(); });
afterEach(cleanup);

describe('the pledge form', () => {
  it("refuses less than the film's minimum before anything is sent", async () => {
    const calls = api([]);
    render(<PledgePage id="f1" />);
    await pay('5');
    expect(await screen.findByText('Le minimum de ce film est 10,00 EUR.')).toBeTruthy();
    await pay('douze');
    expect(await screen.findByText(/Écrivez un montant en euros/)).toBeTruthy();
    expect(calls.filter((c) => c.path.endsWith('/pledges'))).toHaveLength(0);
    expect(stripe.confirmCardSetup).not.toHaveBeenCalled();
  });

  it('retries a checkout with the same Idempotency-Key and card, and shows the result', async () => {
    const calls = api([
      () => ({ status: 503, body: error('unavailable', 'stripe did not answer'), headers: { 'Retry-After': '1' } }),
      () => ({ status: 201, body: pledge('confirmed') }),
    ]);
    render(<PledgePage id="f1" />);
    await pay('25');
    expect(await screen.findByText(/réessayez/)).toBeTruthy();
    const later = Date.now() + 1500; // Retry-After has passed
    const moved = vi.spyOn(clock, 'now').mockImplementation(() => later);
    await pay('25');
    moved.mockRestore();
    expect(await screen.findByText('Merci ! Votre participation de 25,00 EUR est confirmée.')).toBeTruthy();
    const posted = calls.filter((c) => c.method === 'POST' && c.path === '/films/f1/pledges');
    expect(posted).toHaveLength(2);
    expect(posted[0].headers.get('Idempotency-Key')).toBeTruthy();
    expect(posted[1].headers.get('Idempotency-Key')).toBe(posted[0].headers.get('Idempotency-Key'));
    expect(posted.map((c) => c.body)).toEqual([{ amount_cents: 2500, payment_method_id: 'pm_123' }, { amount_cents: 2500, payment_method_id: 'pm_123' }]);
    expect(stripe.confirmCardSetup).toHaveBeenCalledTimes(1);
  });

  it('shows why a card was declined, and a new checkout gets a new key', async () => {
    const calls = api([
      () => ({ status: 201, body: pledge('failed', { failure_code: 'card_declined', failure_message: 'Your card was declined.' }) }),
      () => ({ status: 201, body: pledge('confirmed') }),
    ]);
    render(<PledgePage id="f1" />);
    await pay('25');
    expect(await screen.findByText('Paiement refusé : Your card was declined.')).toBeTruthy();
    await pay('25');
    await screen.findByText(/Merci/);
    const keys = calls.filter((c) => c.path === '/films/f1/pledges').map((c) => c.headers.get('Idempotency-Key'));
    expect(new Set(keys).size).toBe(2);
  });

  it('asks Stripe.js for 3-D Secure when the pledge requires action', async () => {
    api([() => ({ status: 201, body: pledge('requires_action') })]);
    render(<PledgePage id="f1" />);
    await pay('25');
    expect(await screen.findByText(/Merci/, {}, { timeout: 3000 })).toBeTruthy();
    expect(stripe.confirmCardPayment).toHaveBeenCalledWith('pi_1_secret_x');
  });

  it('mounts the card element once the form is there, however slow the film is', async () => {
    let release = () => {};
    const slow = new Promise<void>((resolve) => { release = resolve; });
    fakeApi(async (call) => {
      if (call.path === '/films/f1') { await slow; return { status: 200, body: FILM }; }
      if (call.path === '/me/setup-intents') return { status: 201, body: { setup_intent_id: 's', client_secret: 's_secret', publishable_key: 'pk' } };
      return { status: 201, body: pledge('confirmed') };
    });
    render(<PledgePage id="f1" />);
    await new Promise((r) => setTimeout(r, 50));
    release();
    await pay('25');
    expect(await screen.findByText(/Merci/)).toBeTruthy();
  });

  it('shows a card refused by Stripe.js next to the card', async () => {
    api([]);
    stripe.confirmCardSetup.mockResolvedValueOnce({ error: { code: 'card_declined', message: 'Your card was declined.' } } as never);
    render(<PledgePage id="f1" />);
    await pay('25');
    expect((await screen.findByTestId('card-error')).textContent).toBe('Your card was declined.');
  });
});
