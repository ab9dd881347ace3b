// Who is signed in: the ID token the API expects (Bearer), kept in this browser's storage.
import { signal, computed } from '@preact/signals';

const KEY = 'coprod.token';
export const token = signal<string | null>(globalThis.localStorage?.getItem(KEY) ?? null);

interface Claims { sub: string; 'cognito:groups'?: string[]; exp?: number; email?: string }

function decode(jwt: string): Claims | null {
  try {
    const payload = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

export const user = computed(() => {
  const claims = token.value ? decode(token.value) : null;
  if (!claims || (claims.exp && claims.exp * 1000 < Date.now())) return null;
  const groups = claims['cognito:groups'] ?? [];
  return { id: claims.sub, groups, isAdmin: groups.includes('admin'), isProducer: groups.includes('producer') };
});

export function signIn(value: string): void {
  localStorage.setItem(KEY, value);
  token.value = value;
}

export function signOut(): void {
  localStorage.removeItem(KEY);
  token.value = null;
}
