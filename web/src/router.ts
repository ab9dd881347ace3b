import { signal } from '@preact/signals';

// Hash routes (#/films/xyz): a static host (S3, CloudFront) serves every page from index.html.
export const route = signal(currentPath());

function currentPath(): string {
  return (globalThis.location?.hash ?? '').replace(/^#/, '') || '/';
}

globalThis.addEventListener?.('hashchange', () => {
  route.value = currentPath();
  globalThis.scrollTo?.(0, 0);
});

export function go(path: string): void {
  location.hash = path;
}

/** `pattern` like /films/:id against the current route: the named parts, or null. */
export function match(pattern: string, path: string = route.value): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('?')[0].split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}
