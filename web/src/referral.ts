// Word of mouth: a share link (#/films/<id>?ref=<code>) leaves its code here for the session, and
// the pledge on that film sends it as `referral_code` (the API ignores a code it does not know).
const KEY = (filmId: string) => `coprod.ref.${filmId}`;
const CODE = /^[A-Za-z0-9_-]{1,64}$/;

/** Keep the `ref` of a film page's route (`/films/<id>?ref=<code>`), if it carries a well-formed one. */
export function rememberReferral(filmId: string, path: string): void {
  const query = path.includes('?') ? path.slice(path.indexOf('?') + 1) : '';
  const code = new URLSearchParams(query).get('ref');
  if (code && CODE.test(code)) globalThis.sessionStorage?.setItem(KEY(filmId), code);
}

export function referralFor(filmId: string): string | undefined {
  return globalThis.sessionStorage?.getItem(KEY(filmId)) ?? undefined;
}
