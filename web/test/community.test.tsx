import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreditOptIn, PostUpdate, Simulator, UpdatesList } from '../src/components/Community';
import { setLocale } from '../src/i18n';
import { error, fakeApi, type Call } from './helpers';

const simulation = (call: Call) => {
  const rights = Number(call.query.get('rights_cents'));
  const pledge = call.query.get('pledge_cents');
  const pool = Math.floor((rights * 8000) / 10000);
  return {
    film_id: 'f1', weights_as_of: '2026-12-01T00:00:00Z', rights_received_cents: rights, coproducer_rate_bps: 8000,
    pool_cents: pool, platform_cents: rights - pool, film_confirmed_cents: 1_000_000, coproducers: 40,
    per_100_eur_pledged_cents: Math.floor((pool * 10000) / 1_000_000), distributed_cents: pool,
    yours: { your_confirmed_cents: 2500, your_cents: Math.floor((pool * 2500) / 1_000_000) },
    pledge: pledge === null ? null : { pledge_cents: Number(pledge), your_confirmed_cents: 2500 + Number(pledge),
      film_confirmed_cents: 1_000_000 + Number(pledge), coproducers: 41, pool_cents: pool, your_cents: 1234, pledge_earns_cents: 987 },
  };
};

async function simulate(rights: string, pledge = '', button = 'Simuler') {
  fireEvent.input(screen.getByLabelText(/Droits reçus|Rights the platform/), { target: { value: rights } });
  fireEvent.input(screen.getByLabelText(/participation envisagée|A pledge I consider/), { target: { value: pledge } });
  const submit = screen.getByRole('button', { name: button });
  await waitFor(() => expect((submit as HTMLButtonElement).disabled).toBe(false));
  fireEvent.click(submit);
}

const fieldOf = (label: RegExp) => screen.getByLabelText(label).closest('.field') as HTMLElement;

beforeEach(() => setLocale('fr'));
afterEach(cleanup);

describe('the earnings simulator', () => {
  it('sends euros typed as integer cents and shows the pool, my cents and what a pledge earns, per locale', async () => {
    const calls = fakeApi((call) => ({ status: 200, body: simulation(call) }));
    render(<Simulator filmId="f1" />);
    await simulate('1 234,56', '25,5');
    expect((await screen.findByTestId('sim-pool')).textContent).toBe('987,64 EUR');
    expect(calls).toHaveLength(1);
    expect(calls[0].path).toBe('/films/f1/simulation');
    expect(calls[0].query.get('rights_cents')).toBe('123456');
    expect(calls[0].query.get('pledge_cents')).toBe('2550');
    expect(screen.getByTestId('sim-yours').textContent).toBe('2,46 EUR');
    expect(screen.getByText('Une participation de 25,50 EUR rapporterait')).toBeTruthy();
    expect(screen.getByTestId('sim-pledge').textContent).toBe('9,87 EUR');

    cleanup();
    setLocale('en');
    render(<Simulator filmId="f1" />);
    await simulate('10000', '', 'Simulate');
    expect((await screen.findByTestId('sim-pool')).textContent).toBe('EUR 8,000.00');
    expect(calls[1].query.get('rights_cents')).toBe('1000000');
    expect(calls[1].query.has('pledge_cents')).toBe(false);
    expect(screen.queryByTestId('sim-pledge')).toBeNull();
  });

  it('refuses what is not an amount before anything is sent, next to its field', async () => {
    const calls = fakeApi((call) => ({ status: 200, body: simulation(call) }));
    render(<Simulator filmId="f1" />);
    await simulate('12.345', 'dix');
    expect(within(fieldOf(/Droits reçus/)).getByRole('alert').textContent).toMatch(/Écrivez un montant en euros/);
    expect(within(fieldOf(/participation envisagée/)).getByRole('alert').textContent).toMatch(/Écrivez un montant en euros/);
    expect(calls).toHaveLength(0);
  });

  it("shows the API's error next to the field it names", async () => {
    const message = "pledge_cents is below the film's minimum pledge of 1000 cents";
    const calls = fakeApi(() => ({ status: 400, body: error('invalid_field', message, 'pledge_cents') }));
    render(<Simulator filmId="f1" />);
    await simulate('500', '5');
    const alert = await within(fieldOf(/participation envisagée/)).findByRole('alert');
    expect(alert.textContent).toBe(message);
    expect(screen.getByLabelText(/participation envisagée/).getAttribute('aria-invalid')).toBe('true');
    expect(within(fieldOf(/Droits reçus/)).queryByRole('alert')).toBeNull();
    expect(calls[0].query.get('pledge_cents')).toBe('500');
    expect(screen.queryByTestId('simulation')).toBeNull();
  });
});

describe('the updates list', () => {
  it("shows the film's news newest first, with who may read them", async () => {
    const calls = fakeApi(() => ({ status: 200, body: { next: null, items: [
      { update_id: 'u1', film_id: 'f1', title: 'Premier jour de tournage', body: 'Nous commençons lundi.', audience: 'public', created_at: '2026-11-02T09:00:00Z' },
      { update_id: 'u2', film_id: 'f1', title: 'Le montage avance', body: 'Première version.', audience: 'coproducers', created_at: '2026-11-20T09:00:00Z' },
    ] } }));
    render(<UpdatesList filmId="f1" />);
    const items = await screen.findAllByRole('listitem');
    expect(items.map((li) => li.querySelector('h3')!.textContent)).toEqual(['Le montage avance', 'Premier jour de tournage']);
    expect(items[0].textContent).toContain('Coproducteurs seulement');
    expect(items[1].textContent).not.toContain('Coproducteurs seulement');
    expect(items[1].querySelector('time')!.getAttribute('datetime')).toBe('2026-11-02T09:00:00Z');
    expect(calls[0].path).toBe('/films/f1/updates');
  });

  it('says when there is no news', async () => {
    fakeApi(() => ({ status: 200, body: { next: null, items: [] } }));
    render(<UpdatesList filmId="f1" />);
    expect(await screen.findByText('Aucune nouvelle pour l’instant.')).toBeTruthy();
  });
});

describe('posting news and being credited', () => {
  it('checks the news against the API constraints, then posts title, body and audience', async () => {
    const calls = fakeApi((call) => ({ status: 201, body: { update_id: 'u9', film_id: 'f1', created_at: '2026-12-01T10:00:00Z', ...(call.body as object) } }));
    render(<PostUpdate filmId="f1" />);
    fireEvent.click(screen.getByRole('button', { name: 'Publier' }));
    expect(await within(fieldOf(/^Titre$/)).findByRole('alert')).toBeTruthy();
    expect(calls).toHaveLength(0);
    fireEvent.input(screen.getByLabelText('Titre'), { target: { value: ' Premier jour ' } });
    fireEvent.input(screen.getByLabelText('Texte'), { target: { value: 'Nous commençons lundi.' } });
    fireEvent.change(screen.getByLabelText('Destinataires'), { target: { value: 'public' } });
    fireEvent.click(screen.getByRole('button', { name: 'Publier' }));
    expect(await screen.findByText('Nouvelle publiée.')).toBeTruthy();
    expect(calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ['POST', '/films/f1/updates', { title: 'Premier jour', body: 'Nous commençons lundi.', audience: 'public' }]]);
  });

  it('opts in to the credits under a chosen name, and shows an error on the name next to it', async () => {
    const answers = [
      { status: 400, body: error('invalid_field', 'credit_name contains control characters', 'credit_name') },
      { status: 200, body: { film_id: 'f1', credited: true, credit_name: 'Camille Martin', updated_at: '2026-12-01T10:00:00Z' } },
    ];
    const calls = fakeApi(() => answers.shift()!);
    render(<CreditOptIn filmId="f1" />);
    fireEvent.click(screen.getByLabelText('Je veux être nommé au générique'));
    fireEvent.input(await screen.findByLabelText('Nom au générique'), { target: { value: 'Camille Martin' } });
    fireEvent.click(screen.getByRole('button', { name: 'Enregistrer' }));
    expect((await within(fieldOf(/Nom au générique/)).findByRole('alert')).textContent).toBe('credit_name contains control characters');
    fireEvent.click(screen.getByRole('button', { name: 'Enregistrer' }));
    expect(await screen.findByText('Vous serez nommé : Camille Martin')).toBeTruthy();
    expect(calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ['PUT', '/me/films/f1/credit', { credited: true, credit_name: 'Camille Martin' }],
      ['PUT', '/me/films/f1/credit', { credited: true, credit_name: 'Camille Martin' }]]);
  });
});
