// Browser journeys against the stack as `make run` starts it: Debian's Chromium driven by
// playwright-core (no browser download), headless. Usage:
//   WEB_URL=http://127.0.0.1:8080 node e2e/journeys.mjs browse pledge ...
// Each journey prints "ok <name>" or throws; screenshots go to ARTIFACTS_DIR (gitignored);
// every page is checked with axe-core: no serious or critical violation.
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const BASE = process.env.WEB_URL || 'http://127.0.0.1:8080';
const ARTIFACTS = resolve(process.env.ARTIFACTS_DIR || 'test-results');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic'];
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP = { viewport: { width: 1280, height: 900 } };
const CARDS = { visa: '4242424242424242', declined: '4000000000000341', threeDS: '4000002500003155' };
const DEMO_FILM = 'Les Heures claires'; // the demo film with a filming invitation from the `shooting` stage
const DEMO_PRODUCER = 'demo-producer-marie';
const UPDATES_FILM = 'Marée basse'; // the demo film with a public update and one for its co-producers
const CREDITED = 'Camille Lefèvre'; // named in the credits of DEMO_FILM (devstack/seed_community.py)

mkdirSync(ARTIFACTS, { recursive: true });
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const cents = (text) => Number(text.replace(/[^0-9]/g, ''));

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function shot(page, name) {
  await page.screenshot({ path: resolve(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** axe-core on the page as it is: serious and critical violations fail the journey. */
async function accessible(page, name) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  writeFileSync(resolve(ARTIFACTS, `${name}.axe.json`), JSON.stringify(result.violations, null, 2));
  check(bad.length === 0, `${name}: accessibility violations: ${bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target).join(', ')}`).join('; ')}`);
}

const pages = []; // the journey's pages: screenshots when it fails

async function open(browser, options = DESKTOP) {
  const context = await browser.newContext({ ...options, locale: 'fr-FR', timezoneId: 'Europe/Paris', acceptDownloads: true });
  const page = await context.newPage();
  pages.push(page);
  page.setDefaultTimeout(20_000);
  await page.addInitScript(() => localStorage.getItem('coprod.locale') || localStorage.setItem('coprod.locale', 'fr'));
  return { context, page };
}

async function signIn(page, userId, groups = [], name = null) {
  await page.goto(`${BASE}/#/signin`);
  await page.getByLabel('Identifiant').fill(userId);
  for (const group of groups) await page.getByLabel(group === 'admin' ? 'Administrateur' : 'Producteur').check();
  if (name) await accessible(page, `${name}-sign-in`);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: new RegExp(`Se déconnecter \\(${userId}\\)`) }).waitFor();
  await page.waitForURL((url) => !url.hash.startsWith('#/signin'));
}

async function filmId(page, title) {
  const films = await (await page.request.get(`${BASE}/api/films?limit=100`)).json();
  const film = films.items.find((f) => f.title === title);
  check(film, `no film ${title}`);
  return film.film_id;
}

async function figures(page, id) {
  await page.goto(`${BASE}/#/films/${id}`);
  const raised = cents(await page.getByTestId('raised').innerText());
  const coproducers = Number(await page.getByTestId('coproducers').innerText());
  return { raised, coproducers };
}

/** The pledge page: amount, then the card in Stripe.js's card Element (localstripe's). */
async function pledge(page, id, amount, card, { complete3DS = false, name } = {}) {
  await page.goto(`${BASE}/#/films/${id}`);
  await page.getByRole('link', { name: 'Coproduire ce film' }).click();
  await page.getByLabel('Montant (EUR)').fill(amount);
  const element = page.locator('.card-element');
  await element.locator('input[placeholder=number]').fill(card);
  await element.locator('input[placeholder=exp_month]').fill('12');
  await element.locator('input[placeholder=exp_year]').fill('34');
  await element.locator('input[placeholder=cvc]').fill('123');
  await element.locator('input[placeholder=postal_code]').fill('75011');
  if (name) await accessible(page, `${name}-pledge-form`);
  if (name) await shot(page, `${name}-pledge-form`);
  await page.getByRole('button', { name: 'Coproduire', exact: true }).click();
  if (complete3DS) {
    for (let step = 0; step < 2; step++) { // confirmCardSetup's challenge, then confirmCardPayment's
      await page.getByRole('button', { name: 'Complete authentication' }).click();
    }
  }
  const outcome = page.getByTestId('outcome');
  await outcome.locator('p').waitFor();
  return outcome.innerText();
}

/** GET on the API as the user signed in on `page` (the token the client keeps). */
async function apiAs(page, path) {
  const token = await page.evaluate(() => localStorage.getItem('coprod.token'));
  const response = await page.request.get(`${BASE}/api${path}`, { headers: { Authorization: `Bearer ${token}` } });
  check(response.ok(), `GET ${path}: ${response.status()}`);
  return response.json();
}

const journeys = {
  async browse(browser) {
    const { context, page } = await open(browser);
    await page.goto(BASE);
    await page.getByRole('heading', { name: 'Films à coproduire' }).waitFor();
    await page.locator('.card').first().waitFor();
    check(await page.getByText('Campagnes ouvertes').isVisible(), 'the platform stats are shown');
    await accessible(page, 'browse-list');
    await shot(page, 'browse-list');
    await page.getByLabel('Genre').selectOption('documentary');
    await page.waitForFunction(() => [...document.querySelectorAll('.card .meta:first-of-type')].every((m) => m.textContent.startsWith('Documentaire')));
    const titles = await page.locator('.card h3').allInnerTexts();
    check(titles.includes('Les Gardiens du phare') && !titles.includes(DEMO_FILM), `documentaries only: ${titles}`);
    check(await page.locator('.card [role=progressbar]').count() === titles.length, 'a progress bar per film');
    check(/jours restants/.test(await page.locator('.card').first().innerText()), 'days left');
    await page.getByRole('link', { name: 'Les Gardiens du phare' }).click();
    await page.getByRole('heading', { level: 1, name: 'Les Gardiens du phare' }).waitFor();
    check(/The last lighthouse keepers/.test(await page.locator('.synopsis').innerText()), 'the synopsis');
    await page.locator('.perks li').first().waitFor();
    await accessible(page, 'browse-film');
    await shot(page, 'browse-film');
    await context.close();
  },

  async pledge(browser) {
    const { context, page } = await open(browser, PHONE);
    const id = await filmId(page, DEMO_FILM);
    const before = await figures(page, id);
    await accessible(page, 'pledge-film-phone');
    await signIn(page, `web-${unique()}`, [], 'pledge');
    await accessible(page, 'pledge-signed-in');
    const outcome = await pledge(page, id, '25', CARDS.visa, { name: 'pledge' });
    check(outcome.includes('Merci ! Votre participation de 25,00 EUR est confirmée.'), outcome);
    await shot(page, 'pledge-confirmed-phone');
    const after = await figures(page, id);
    check(after.raised === before.raised + 2500, `the total moves by EUR 25: ${before.raised} -> ${after.raised}`);
    check(after.coproducers === before.coproducers + 1, `one more co-producer: ${before.coproducers} -> ${after.coproducers}`);
    await shot(page, 'pledge-film-after-phone');
    await page.goto(`${BASE}/#/me`);
    await page.getByRole('table').first().getByRole('cell', { name: '25,00 EUR' }).waitFor();
    await accessible(page, 'pledge-my-space');
    await shot(page, 'pledge-my-space');
    await context.close();
  },

  async declined(browser) {
    const { context, page } = await open(browser, PHONE);
    const id = await filmId(page, DEMO_FILM);
    await signIn(page, `web-${unique()}`);
    const outcome = await pledge(page, id, '25', CARDS.declined);
    check(/^Paiement refusé : .*declined/i.test(outcome.trim()), `the reason is shown: ${outcome}`);
    await accessible(page, 'declined');
    await shot(page, 'declined');
    await context.close();
  },

  async three_d_secure(browser) {
    const { context, page } = await open(browser, PHONE);
    const id = await filmId(page, DEMO_FILM);
    await signIn(page, `web-${unique()}`);
    const outcome = await pledge(page, id, '30', CARDS.threeDS, { complete3DS: true });
    check(outcome.includes('Merci ! Votre participation de 30,00 EUR est confirmée.'), outcome);
    await shot(page, 'three-d-secure');
    await context.close();
  },

  async stage_rsvp(browser) {
    const coproducer = await open(browser);
    const page = coproducer.page;
    const id = await filmId(page, DEMO_FILM);
    await signIn(page, `web-${unique()}`);
    check((await pledge(page, id, '25', CARDS.visa)).includes('Merci'), 'pledged');
    await page.goto(`${BASE}/#/me/films/${id}`);
    await page.getByText('Aucune séance.').waitFor();
    await accessible(page, 'rsvp-before');

    const producer = await open(browser);
    await signIn(producer.page, DEMO_PRODUCER, ['producer']);
    await producer.page.goto(`${BASE}/#/producer`);
    const card = producer.page.locator('article', { has: producer.page.getByRole('heading', { name: DEMO_FILM }) });
    await card.getByLabel('Étape').selectOption('shooting');
    await card.getByRole('button', { name: 'Changer d’étape' }).click();
    await producer.page.waitForFunction(() => [...document.querySelectorAll('article')].some((a) => a.textContent.includes('Les Heures claires') && a.querySelector('button[type=submit]')?.disabled));
    await accessible(producer.page, 'producer-space');
    await shot(producer.page, 'producer-stage-moved');
    await producer.context.close();

    await page.reload();
    const session = page.getByTestId('session').filter({ hasText: 'Tournage : la scène du phare' });
    await session.getByRole('button', { name: 'Je viens' }).click();
    await session.getByText('Vous avez une place.').waitFor();
    await accessible(page, 'rsvp-after');
    await shot(page, 'rsvp-seat');
    await coproducer.context.close();
  },

  async statement(browser) {
    const coproducer = await open(browser);
    const page = coproducer.page;
    const id = await filmId(page, DEMO_FILM);
    const userId = `web-${unique()}`;
    await signIn(page, userId);
    check((await pledge(page, id, '50', CARDS.visa)).includes('Merci'), 'pledged');
    const period = new Date().toISOString().slice(0, 7);

    const admin = await open(browser);
    await signIn(admin.page, `web-admin-${unique()}`, ['admin']);
    await admin.page.goto(`${BASE}/#/admin`);
    await admin.page.getByLabel('Identifiant du film').fill(id);
    await admin.page.getByLabel('Droits négociés').fill('2% des recettes nettes, tous territoires');
    await admin.page.getByLabel('Mois').fill(period);
    await admin.page.getByLabel('Droits reçus (EUR)').fill('1000');
    await admin.page.getByLabel('Référence').fill(`WEB-${unique()}`);
    await admin.page.getByRole('button', { name: 'Enregistrer la recette' }).click();
    await admin.page.getByText('Recette enregistrée.').waitFor();
    await admin.page.getByRole('button', { name: 'Distribuer la période' }).click();
    await admin.page.getByText(`Période ${period} distribuée`).waitFor({ timeout: 60_000 });
    await accessible(admin.page, 'admin-space');
    await shot(admin.page, 'admin-distributed');
    await admin.context.close();

    await page.goto(`${BASE}/#/me`);
    let total = 0;
    for (let attempt = 0; attempt < 30 && total === 0; attempt++) { // a film distributed through the queue lands a moment later
      await page.getByLabel('Mois').fill(period);
      await page.getByRole('button', { name: 'Afficher' }).click();
      total = cents(await page.getByTestId('statement-total').innerText());
      if (total === 0) await page.waitForTimeout(1000);
    }
    check(total > 0, 'the statement shows royalties');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Télécharger le relevé (CSV)' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    writeFileSync(resolve(ARTIFACTS, `statement-${period}.csv`), csv);
    check(csv.includes(id) || csv.includes(DEMO_FILM), `the CSV names the film: ${csv.slice(0, 300)}`);
    check(download.suggestedFilename() === `statement-${period}.csv`, download.suggestedFilename());
    await accessible(page, 'statement');
    await shot(page, 'statement');
    await page.goto(`${BASE}/#/films/${id}`); // the README's picture: money, milestones, chart, perks
    await page.locator('.perks li').first().waitFor();
    await page.locator('figure.chart svg').waitFor();
    await accessible(page, 'film-page');
    await shot(page, 'film-page');
    await coproducer.context.close();
  },

  async community(browser) {
    // A visitor reads the film team's public news (not the co-producers' own) and the credits.
    const visitor = await open(browser);
    let page = visitor.page;
    await page.goto(`${BASE}/#/films/${await filmId(page, UPDATES_FILM)}`);
    const updates = page.locator('section', { has: page.getByRole('heading', { name: 'Nouvelles du film' }) });
    await updates.getByRole('heading', { name: 'Le tournage approche' }).waitFor();
    check(/tournage commence au printemps/.test(await updates.innerText()), 'the update is shown in full');
    check(!(await updates.innerText()).includes('Merci aux coproducteurs'), 'the co-producers\' update stays theirs');
    await accessible(page, 'community-updates');
    await shot(page, 'community-updates');
    const id = await filmId(page, DEMO_FILM);
    await page.goto(`${BASE}/#/films/${id}`);
    const credits = page.locator('section', { has: page.getByRole('heading', { name: 'Générique' }) });
    await credits.getByText(CREDITED).waitFor();
    check(await credits.locator('li').count() >= 5, 'the five demo names are in the credits');

    // The earnings simulator answers what the API answers, and puts a refused amount's error next to it.
    const simulator = page.locator('section', { has: page.getByRole('heading', { name: 'Simulateur de gains' }) });
    await simulator.getByLabel('Droits reçus par la plateforme (EUR)').fill('1000');
    await simulator.getByLabel('Ma participation envisagée (EUR, facultatif)').fill('25');
    await simulator.getByRole('button', { name: 'Simuler' }).click();
    const expected = await (await page.request.get(`${BASE}/api/films/${id}/simulation?rights_cents=100000&pledge_cents=2500`)).json();
    await simulator.getByTestId('sim-pool').waitFor();
    check(cents(await simulator.getByTestId('sim-pool').innerText()) === expected.pool_cents && expected.pool_cents > 0,
      `the pool of EUR 1000 of rights: ${await simulator.getByTestId('sim-pool').innerText()} vs ${expected.pool_cents}`);
    check(cents(await simulator.getByTestId('sim-pledge').innerText()) === expected.pledge.pledge_earns_cents,
      'what EUR 25 would earn');
    await accessible(page, 'community-simulator');
    await shot(page, 'community-simulator');
    const film = await (await page.request.get(`${BASE}/api/films/${id}`)).json();
    const below = (film.min_pledge_cents - 100) / 100; // under the film's minimum: the API refuses it
    await simulator.getByLabel('Ma participation envisagée (EUR, facultatif)').fill(String(below));
    await simulator.getByRole('button', { name: 'Simuler' }).click();
    const error = simulator.locator('#pledge_cents-error');
    await error.waitFor();
    const refused = await page.request.get(`${BASE}/api/films/${id}/simulation?rights_cents=100000&pledge_cents=${film.min_pledge_cents - 100}`);
    const reason = (await refused.json()).error;
    check(refused.status() >= 400 && reason.field === 'pledge_cents', `the API refuses it: ${JSON.stringify(reason)}`);
    check((await error.innerText()).trim() === reason.message, `the API's reason next to the amount: ${await error.innerText()}`);
    check(await simulator.getByLabel('Ma participation envisagée (EUR, facultatif)').getAttribute('aria-invalid') === 'true',
      'the amount is marked invalid');
    check(await simulator.getByTestId('simulation').count() === 0, 'no figures for a refused amount');
    await accessible(page, 'community-simulator-refused');
    await shot(page, 'community-simulator-refused');
    await visitor.context.close();

    // A co-producer's share link carries their code; a pledge through it counts for them.
    const referrer = await open(browser);
    page = referrer.page;
    await signIn(page, `web-${unique()}`);
    check((await pledge(page, id, '25', CARDS.visa)).includes('Merci'), 'the referrer pledged');
    await page.goto(`${BASE}/#/films/${id}`);
    const share = page.locator('#share');
    await page.waitForFunction(() => document.querySelector('#share')?.value.includes('?ref='));
    const link = await share.inputValue();
    check(link.startsWith(`${BASE}/#/films/${id}?ref=`), `the link opens this client's film page: ${link}`);
    await accessible(page, 'community-share');
    await shot(page, 'community-share');
    const before = (await apiAs(page, '/me/referrals')).items.find((i) => i.film_id === id);
    check(before && before.coproducers_brought === 0 && link.endsWith(`ref=${before.code}`), `the link is mine: ${JSON.stringify(before)}`);

    const friend = await open(browser);
    await friend.page.goto(link);
    await friend.page.getByRole('heading', { level: 1, name: DEMO_FILM }).waitFor();
    await signIn(friend.page, `web-${unique()}`);
    check((await pledge(friend.page, id, '40', CARDS.visa)).includes('Merci'), 'the friend pledged');
    await shot(friend.page, 'community-referred-pledge');
    await friend.context.close();

    const after = (await apiAs(page, '/me/referrals')).items.find((i) => i.film_id === id);
    check(after.coproducers_brought === 1 && after.confirmed_pledges === 1 && after.amount_cents === 4000,
      `the friend's pledge is counted for the referrer: ${JSON.stringify(after)}`);

    // The co-producer reads the film team's thread of the private forum and replies.
    await page.goto(`${BASE}/#/me/films/${id}`);
    await page.getByRole('button', { name: 'Lire « Bienvenue aux coproducteurs »' }).click();
    const thread = page.getByTestId('thread');
    await thread.getByText('Le tournage commence au printemps, à Ouessant.', { exact: false }).waitFor();
    check(/Équipe du film/.test(await thread.getByTestId('post').first().innerText()), 'the producer\'s post says who wrote it');
    const reply = `Vivement le phare ! ${unique()}`;
    await thread.getByLabel('Votre réponse').fill(reply);
    await thread.getByRole('button', { name: 'Répondre' }).click();
    await thread.getByTestId('post').filter({ hasText: reply }).waitFor();
    await accessible(page, 'community-forum');
    await shot(page, 'community-forum');
    await referrer.context.close();
  },

  async english(browser) {
    const { context, page } = await open(browser);
    await page.goto(BASE);
    await page.getByRole('heading', { name: 'Films à coproduire' }).waitFor();
    check(/\d,\d\d EUR/.test(await page.locator('.stats').innerText()), 'French amounts');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Films to co-produce' }).waitFor();
    check(await page.evaluate(() => document.documentElement.lang) === 'en', 'html lang');
    check(/EUR \d[\d,]*\.\d\d/.test(await page.locator('.stats').innerText()), 'English amounts');
    await page.locator('.card h3 a').first().click();
    await page.getByRole('heading', { name: 'Synopsis' }).waitFor();
    check(/raised|Raised/.test(await page.locator('main').innerText()), 'the film page in English');
    await accessible(page, 'english-film');
    await shot(page, 'english-film');
    await page.reload();
    await page.getByRole('heading', { name: 'Synopsis' }).waitFor();
    check(await page.getByRole('button', { name: 'Français' }).isVisible(), 'the choice is kept');
    await context.close();
  },
};

const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(journeys);
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
let failed = 0;
try {
  for (const name of names) {
    check(journeys[name], `no journey ${name}`);
    pages.length = 0;
    try {
      await journeys[name](browser);
      console.log(`ok ${name}`);
    } catch (error) {
      failed++;
      console.log(`FAILED ${name}: ${error.stack || error}`);
      for (const [index, page] of pages.entries()) {
        if (!page.isClosed()) await shot(page, `${name}-failure-${index}`).catch(() => undefined);
      }
    }
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
