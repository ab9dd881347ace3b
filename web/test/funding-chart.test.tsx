import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { FundingChart } from '../src/components/FundingChart';
import { setLocale } from '../src/i18n';
import { error, fakeApi } from './helpers';

afterEach(cleanup);

describe('the funding chart', () => {
  it("draws the film's total day by day", async () => {
    setLocale('en');
    fakeApi(() => ({ status: 200, body: { film_id: 'f1', days: [
      { date: '2026-11-30', raised_cents: 2500, total_cents: 2500, coproducers: 1 },
      { date: '2026-12-01', raised_cents: 0, total_cents: 2500, coproducers: 1 },
      { date: '2026-12-02', raised_cents: 7500, total_cents: 10000, coproducers: 3 },
    ] } }));
    const { container } = render(<FundingChart filmId="f1" goalCents={20000} />);
    expect((await screen.findByText(/Funding from/)).textContent).toBe('Funding from 30 Nov 2026 to 2 Dec 2026: EUR 100.00');
    expect(container.querySelectorAll('circle')).toHaveLength(3);
    expect(container.querySelector('path.total')!.getAttribute('d')).toBe('M0,160 L200.0,141.0 L400.0,141.0 L600.0,84.0');
  });

  it('shows nothing when the film has no series', async () => {
    const calls = fakeApi(() => ({ status: 404, body: error('not_found', 'film f1 not found', 'film_id') }));
    const { container } = render(<FundingChart filmId="f1" goalCents={20000} />);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(1);
    expect(container.innerHTML).toBe('');
  });
});
