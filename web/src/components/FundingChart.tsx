import { useEffect, useState } from 'preact/hooks';
import { api, must, type Schemas } from '../api';
import { day, money, t } from '../i18n';

type FundingDay = Schemas['FundingDay'];

/** The film's money over time, from GET /films/{film_id}/funding (one entry per UTC day). */
export function FundingChart({ filmId, goalCents }: { filmId: string; goalCents: number }) {
  const [days, setDays] = useState<FundingDay[] | null>(null);
  useEffect(() => {
    must(api().GET('/films/{film_id}/funding', { params: { path: { film_id: filmId } } }))
      .then((series) => setDays(series.days))
      .catch(() => setDays(null));
  }, [filmId]);
  if (!days || days.length === 0) return null;
  const width = 600, height = 160, top = Math.max(goalCents, ...days.map((d) => d.total_cents), 1);
  // Money starts at zero before the first day; each point is the total at the end of a day.
  const x = (i: number) => ((i + 1) / days.length) * width;
  const y = (cents: number) => height - (cents / top) * (height - 8);
  const line = `M0,${height} ` + days.map((d, i) => `L${x(i).toFixed(1)},${y(d.total_cents).toFixed(1)}`).join(' ');
  const last = days[days.length - 1];
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`chart-${filmId}`}>
        <line x1="0" x2={width} y1={y(goalCents)} y2={y(goalCents)} class="goal" />
        <path d={`${line} L${width},${height} Z`} class="area" />
        <path d={line} class="total" />
        {days.map((d, i) => <circle cx={x(i)} cy={y(d.total_cents)} r="4" class="point" />)}
      </svg>
      <figcaption id={`chart-${filmId}`}>
        {t('chart_caption', { from: day(days[0].date), to: day(last.date), total: money(last.total_cents) })}
      </figcaption>
    </figure>
  );
}
