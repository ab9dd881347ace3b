import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ComponentType } from 'preact';
import { hostedLogoutUrl, loadConfig } from './config';
import { api, must } from './api';
import { locale, setLocale, t, type Locale } from './i18n';
import { match, route } from './router';
import { user, signOut } from './session';
import { FilmList } from './pages/FilmList';

// Every page but the first is loaded when it is opened: the first page's JavaScript stays small.
type Loader = () => Promise<ComponentType<any>>;
const PAGES: [string, Loader][] = [
  ['/films/:id', () => import('./pages/FilmPage').then((m) => m.FilmPage)],
  ['/films/:id/pledge', () => import('./pages/PledgePage').then((m) => m.PledgePage)],
  ['/signin', () => import('./pages/SignIn').then((m) => m.SignIn)],
  ['/me', () => import('./pages/MySpace').then((m) => m.MySpace)],
  ['/me/films/:id', () => import('./pages/MyFilmPerks').then((m) => m.MyFilmPerks)],
  ['/producer', () => import('./pages/ProducerSpace').then((m) => m.ProducerSpace)],
  ['/admin', () => import('./pages/AdminSpace').then((m) => m.AdminSpace)],
];

function Lazy({ load, params }: { load: Loader; params: Record<string, string> }) {
  const [Page, setPage] = useState<ComponentType<any> | null>(null);
  useEffect(() => {
    let live = true;
    load().then((component) => live && setPage(() => component));
    return () => { live = false; };
  }, [load]);
  return Page ? <Page {...params} /> : <p aria-busy="true">{t('loading')}</p>;
}

function Page() {
  const path = route.value;
  if (path === '/' || path.startsWith('/?')) return <FilmList />;
  for (const [pattern, load] of PAGES) {
    const params = match(pattern, path);
    if (params) return <Lazy key={pattern + JSON.stringify(params)} load={load} params={params} />;
  }
  return <p>{t('not_found')}</p>;
}

/** Signed out here, and of Cognito's hosted UI on AWS (else its session would sign the next user in). */
function signOutEverywhere() {
  signOut();
  const logout = hostedLogoutUrl();
  if (logout) location.assign(logout);
}

/** The language, kept in the profile of a signed-in user who has one. */
async function switchLocale(value: Locale) {
  setLocale(value);
  if (!user.value) return;
  try {
    const me = await must(api().GET('/me'));
    if (!me.created_at || !me.display_name || !me.email) return;
    await must(api().PUT('/me', { body: { display_name: me.display_name, email: me.email, phone: me.phone,
      locale: value, notify_email: me.notify_email, notify_sms: me.notify_sms } }));
  } catch {
    // the page is in the new language either way; the profile keeps the old one
  }
}

function Header() {
  const me = user.value;
  const other = locale.value === 'fr' ? 'en' : 'fr';
  return (
    <header class="top">
      <a class="brand" href="#/">Coprod</a>
      <nav aria-label={t('nav_main')}>
        <a href="#/">{t('nav_films')}</a>
        {me && <a href="#/me">{t('nav_me')}</a>}
        {me?.isProducer && <a href="#/producer">{t('nav_producer')}</a>}
        {me?.isAdmin && <a href="#/admin">{t('nav_admin')}</a>}
        {me ? <button type="button" class="link" onClick={signOutEverywhere}>{t('sign_out', { user: me.id })}</button>
            : <a href="#/signin">{t('sign_in')}</a>}
        <button type="button" class="link" lang={other} onClick={() => switchLocale(other)}>
          {other === 'en' ? 'English' : 'Français'}
        </button>
      </nav>
    </header>
  );
}

function App() {
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>{t('skip')}</a>
      <Header />
      <main id="main" tabIndex={-1}><Page /></main>
    </>
  );
}

async function start() {
  await loadConfig();
  document.documentElement.lang = locale.value;
  if (new URLSearchParams(location.search).has('code')) {
    const { completeSignIn } = await import('./oidc');
    await completeSignIn();
  }
  render(<App />, document.getElementById('app')!);
}

start();
