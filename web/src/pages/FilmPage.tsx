import { useEffect, useState } from 'preact/hooks';
import { api, must, type Film, type Schemas } from '../api';
import { Progress } from '../components/forms';
import { CreditsList, Simulator, UpdatesList } from '../components/Community';
import { FundingChart } from '../components/FundingChart';
import { dateTime, day, daysLeft, money, t, type Key } from '../i18n';
import { referralFor, rememberReferral } from '../referral';
import { route } from '../router';
import { user } from '../session';

export function FilmPage({ id }: { id: string }) {
  const [film, setFilm] = useState<Film | null>(null);
  const [missing, setMissing] = useState(false);
  const [perks, setPerks] = useState<Schemas['Perk'][] | null>(null);
  const [milestones, setMilestones] = useState<Schemas['Milestone'][] | null>(null);
  const [copied, setCopied] = useState(false);
  const [myLink, setMyLink] = useState<string | null>(null);

  useEffect(() => {
    const path = { params: { path: { film_id: id } } };
    must(api().GET('/films/{film_id}', path)).then(setFilm).catch(() => setMissing(true));
    must(api().GET('/films/{film_id}/perks', path)).then((p) => setPerks(p.items)).catch(() => setPerks([]));
    must(api().GET('/films/{film_id}/milestones', path)).then((m) => setMilestones(m.items)).catch(() => setMilestones([]));
  }, [id]);
  useEffect(() => rememberReferral(id, route.value), [id]);
  useEffect(() => {  // a co-producer shares a personal link (word of mouth, counted for them)
    setMyLink(null);
    if (!user.value) return;
    must(api().GET('/me/films/{film_id}/share', { params: { path: { film_id: id } } }))
      .then((link) => setMyLink(link.url)).catch(() => undefined);
  }, [id, user.value]);
  useEffect(() => { if (film) document.title = `${film.title} · Coprod`; }, [film]);

  if (missing) return <p>{t('not_found')}</p>;
  if (!film) return <p aria-busy="true">{t('loading')}</p>;
  const ref = referralFor(film.film_id);
  const share = myLink ?? `${location.origin}/#/films/${film.film_id}${ref ? `?ref=${encodeURIComponent(ref)}` : ''}`;
  return (
    <article class="film">
      <h1>{film.title}</h1>
      <p class="meta">{t(`kind_${film.kind}` as Key)} · {t(`status_${film.status}` as Key)} · {t('stage_colon')} {t(`stage_${film.stage}` as Key)}</p>
      <Progress percent={film.percent_funded} label={t('funded_label', { title: film.title })} />
      <dl class="figures">
        <div><dt>{t('raised')}</dt><dd data-testid="raised">{money(film.raised_cents)}</dd></div>
        <div><dt>{t('goal')}</dt><dd>{money(film.goal_cents)}</dd></div>
        <div><dt>{t('coproducers_label')}</dt><dd data-testid="coproducers">{film.coproducer_count}</dd></div>
        <div><dt>{t('deadline')}</dt><dd>{day(film.deadline)}{film.status === 'open' && ` (${t('days_left', { n: daysLeft(film.deadline) })})`}</dd></div>
        <div><dt>{t('min_pledge')}</dt><dd>{money(film.min_pledge_cents)}</dd></div>
      </dl>
      {film.status === 'open' && (
        <p><a class="button" href={user.value ? `#/films/${film.film_id}/pledge` : `#/signin?next=${encodeURIComponent(`/films/${film.film_id}/pledge`)}`}>{t('coproduce')}</a></p>
      )}
      <h2>{t('synopsis')}</h2>
      <p class="synopsis">{film.synopsis || '—'}</p>
      <FundingChart filmId={film.film_id} goalCents={film.goal_cents} />
      <h2>{t('milestones')}</h2>
      {milestones === null ? <p aria-busy="true">{t('loading')}</p> : milestones.length === 0 ? <p>{t('no_milestones')}</p> : (
        <ul>{milestones.map((m) => (
          <li key={m.event_id}>
            {m.kind === 'funding' ? t('milestone_funding', { n: m.milestone }) : t('milestone_coproducers', { n: m.milestone })}
            {' · '}<time dateTime={m.reached_at}>{dateTime(m.reached_at)}</time>
          </li>))}
        </ul>
      )}
      <h2>{t('perks')}</h2>
      {perks === null ? <p aria-busy="true">{t('loading')}</p> : perks.length === 0 ? <p>{t('no_perks')}</p> : (
        <ul class="perks">{perks.map((p) => (
          <li key={p.perk_id}>
            <strong>{p.title}</strong> — {t(`perk_${p.kind}` as Key)}
            <br />{t('perk_unlock', { amount: money(p.min_pledge_cents), stage: t(`stage_${p.available_from_stage}` as Key) })}
            {p.description && <><br />{p.description}</>}
          </li>))}
        </ul>
      )}
      <UpdatesList filmId={film.film_id} />
      <CreditsList filmId={film.film_id} />
      {film.status !== 'draft' && <Simulator filmId={film.film_id} />}
      <p>
        <label for="share">{t('share')}</label>{' '}
        <input id="share" readOnly value={share} size={40} />{' '}
        <button type="button" onClick={() => navigator.clipboard?.writeText(share).then(() => setCopied(true))}>{t('copy')}</button>
        {copied && <span role="status"> {t('copied')}</span>}
      </p>
    </article>
  );
}
