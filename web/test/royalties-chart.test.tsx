import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { RoyaltiesChart, royaltiesByMonth } from '../src/components/RoyaltiesChart';
import { setLocale } from '../src/i18n';

afterEach(cleanup);

const credit = (period: string, amount_cents: number) => ({ period, amount_cents });

describe('royalties per month', () => {
  it('adds up each month, oldest first, with the months between at zero, across a new year', () => {
    expect(royaltiesByMonth([credit('2027-01', 300), credit('2026-11', 1250), credit('2026-11', 49), credit('2027-01', -100)]))
      .toEqual([{ period: '2026-11', amount_cents: 1299 }, { period: '2026-12', amount_cents: 0 }, { period: '2027-01', amount_cents: 200 }]);
    expect(royaltiesByMonth([])).toEqual([]);
  });

  it('draws one bar per month, as tall as its royalties, captioned per locale', () => {
    setLocale('en');
    const { container } = render(<RoyaltiesChart credits={[credit('2026-10', 4000), credit('2026-12', 1000), credit('2026-12', 1000)]} />);
    const bars = [...container.querySelectorAll('rect.bar')];
    expect(bars.map((b) => b.getAttribute('data-period'))).toEqual(['2026-10', '2026-11', '2026-12']);
    expect(bars.map((b) => b.getAttribute('height'))).toEqual(['152.0', '0.0', '76.0']);
    expect(bars[2].querySelector('title')!.textContent).toBe('Dec 2026: EUR 20.00');
    expect(screen.getByText(/Royalties per month/).textContent).toBe('Royalties per month, from Oct 2026 to Dec 2026: EUR 60.00');
    cleanup();
    setLocale('fr');
    render(<RoyaltiesChart credits={[credit('2026-10', 4000), credit('2026-12', 2000)]} />);
    expect(screen.getByText(/Royalties par mois/).textContent).toBe('Royalties par mois, de oct. 2026 à déc. 2026 : 60,00 EUR');
  });

  it('shows nothing before the first royalties', () => {
    const { container } = render(<RoyaltiesChart credits={[]} />);
    expect(container.innerHTML).toBe('');
  });
});
