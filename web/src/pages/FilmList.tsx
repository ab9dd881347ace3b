import { useEffect, useState } from 'preact/hooks';
import { api, must, type Film, type Schemas } from '../api';
import { Progress } from '../components/forms';
import { daysLeft, money, t, type Key } from '../i18n';

const KINDS = ['feature', 'short', 'animation', 'documentary'] as const;
const STATUSES = ['open', 'funded', 'failed'] as const;

export function FilmCard({ film }: { film: Film }) {
  const left = daysLeft(film.deadline);
  return (
    <li class="card">
      <h3><a href={`#/films/${film.film_id}`}>{film.title}</a></h3>
      <p class="meta">{t(`kind_${film.kind}` as Key)} · {t(`status_${film.status}` as Key)}</p>
      <Progress percent={film.percent_funded} label={t('funded_label', { title: film.title })} />
      <p>{t('raised_of', { raised: money(film.raised_cents), goal: money(film.goal_cents) })} ({film.percent_funded} %)</p>
      <p class="meta">
        {t('coproducers', { n: film.coproducer_count })}
        {film.status === 'open' && <> · {t('days_left', { n: left })}</>}
      </p>
    </li>
  );
}

export function FilmList() {
  const [kind, setKind] = useState('');
  const [status, setStatus] = useState('open');
  const [films, setFilms] = useState<Film[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [stats, setStats] = useState<Schemas['Stats'] | null>(null);
  const [failed, setFailed] = useState(false);

  async function load(more: string | null) {
    try {
      const query = { ...(kind ? { kind: kind as Film['kind'] } : {}), ...(status ? { status: status as Film['status'] } : {}),
        ...(more ? { next: more } : {}), limit: 24 };
      const page = await must(api().GET('/films', { params: { query } }));
      setFilms((before) => (more && before ? [...before, ...page.items] : page.items));
      setNext(page.next);
      setFailed(false);
    } catch {
      setFailed(true);
    }
  }
  useEffect(() => { load(null); }, [kind, status]);
  useEffect(() => { must(api().GET('/stats')).then(setStats).catch(() => setStats(null)); }, []);

  return (
    <>
      <h1>{t('films_title')}</h1>
      {stats && (
        <section aria-labelledby="stats-title" class="stats">
          <h2 id="stats-title" class="visually-hidden">{t('stats_title')}</h2>
          <dl>
            <div><dt>{t('stats_open')}</dt><dd>{stats.open_films}</dd></div>
            <div><dt>{t('stats_raised')}</dt><dd>{money(stats.raised_cents)}</dd></div>
            <div><dt>{t('stats_coproducers')}</dt><dd>{stats.coproducers}</dd></div>
          </dl>
        </section>
      )}
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('filters')}>
        <label>{t('filter_kind')}{' '}
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="">{t('all')}</option>
            {KINDS.map((k) => <option value={k}>{t(`kind_${k}` as Key)}</option>)}
          </select>
        </label>
        <label>{t('filter_status')}{' '}
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">{t('all')}</option>
            {STATUSES.map((s) => <option value={s}>{t(`status_${s}` as Key)}</option>)}
          </select>
        </label>
      </form>
      {failed && <p class="problem" role="alert">{t('try_again')} <button type="button" onClick={() => load(null)}>{t('retry')}</button></p>}
      {films === null ? <p aria-busy="true">{t('loading')}</p>
        : films.length === 0 ? <p>{t('no_films')}</p>
        : <ul class="cards">{films.map((film) => <FilmCard key={film.film_id} film={film} />)}</ul>}
      {next && <button type="button" onClick={() => load(next)}>{t('more')}</button>}
    </>
  );
}
