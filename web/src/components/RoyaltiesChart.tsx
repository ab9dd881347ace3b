import type { Schemas } from '../api';
import { locale, money, t } from '../i18n';

type Credit = Schemas['Credit'];
export interface MonthTotal { period: string; amount_cents: number }

/** The royalties credited per month (YYYY-MM), oldest first, every month from the first to the
 * last present (a month without credit counts 0; a clawback lowers its month). Integer cents. */
export function royaltiesByMonth(credits: Pick<Credit, 'period' | 'amount_cents'>[]): MonthTotal[] {
  const totals = new Map<string, number>();
  for (const c of credits) totals.set(c.period, (totals.get(c.period) ?? 0) + c.amount_cents);
  if (totals.size === 0) return [];
  const periods = [...totals.keys()].sort();
  const months: MonthTotal[] = [];
  let [y, m] = periods[0].split('-').map(Number);
  const last = periods[periods.length - 1];
  for (;;) {
    const period = `${y}-${String(m).padStart(2, '0')}`;
    months.push({ period, amount_cents: totals.get(period) ?? 0 });
    if (period >= last) break;
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return months;
}

/** A month (YYYY-MM) as the viewer reads it: `nov. 2026` / `Nov 2026`. */
export function monthName(period: string): string {
  const [y, m] = period.split('-').map(Number);
  return new Intl.DateTimeFormat(locale.value === 'fr' ? 'fr-FR' : 'en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, 1)));
}

/** Bars of the royalties credited each month (from GET /me/royalties' credits). */
export function RoyaltiesChart({ credits }: { credits: Pick<Credit, 'period' | 'amount_cents'>[] }) {
  const months = royaltiesByMonth(credits);
  if (months.length === 0) return null;
  const width = 600, height = 160, pad = 4;
  const top = Math.max(0, ...months.map((mo) => mo.amount_cents));
  const bottom = Math.min(0, ...months.map((mo) => mo.amount_cents));
  const span = Math.max(top - bottom, 1);
  const y = (cents: number) => pad + ((top - cents) / span) * (height - 2 * pad);
  const slot = width / months.length, bar = Math.max(1, slot * 0.7);
  const total = months.reduce((sum, mo) => sum + mo.amount_cents, 0);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="royalties-chart">
        <line x1="0" x2={width} y1={y(0)} y2={y(0)} class="axis" />
        {months.map((mo, i) => (
          <rect key={mo.period} data-period={mo.period} class={mo.amount_cents < 0 ? 'bar negative' : 'bar'}
                x={(i * slot + (slot - bar) / 2).toFixed(1)} width={bar.toFixed(1)}
                y={Math.min(y(0), y(mo.amount_cents)).toFixed(1)} height={Math.abs(y(mo.amount_cents) - y(0)).toFixed(1)}>
            <title>{t('month_amount', { month: monthName(mo.period), amount: money(mo.amount_cents) })}</title>
          </rect>))}
      </svg>
      <figcaption id="royalties-chart">
        {t('royalties_chart_caption', { from: monthName(months[0].period), to: monthName(months[months.length - 1].period), total: money(total) })}
      </figcaption>
    </figure>
  );
}
