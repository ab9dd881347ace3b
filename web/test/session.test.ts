import { describe, expect, it } from 'vitest';
import { signIn, signOut, token, user } from '../src/session';

const b64url = (value: object) => btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const jwt = (claims: object) => `e30.${b64url(claims)}.sig`;

describe('the signed-in user', () => {
  it('reads who and which groups from the ID token', () => {
    signIn(jwt({ sub: 'léa', 'cognito:groups': ['producer'], exp: Date.now() / 1000 + 60 }));
    expect(user.value).toMatchObject({ id: 'léa', isProducer: true, isAdmin: false });
    expect(localStorage.getItem('coprod.token')).toBe(token.value);
  });
  it('is nobody with an expired or unreadable token, or after signing out', () => {
    signIn(jwt({ sub: 'alice', exp: Date.now() / 1000 - 60 }));
    expect(user.value).toBeNull();
    signIn('not-a-token');
    expect(user.value).toBeNull();
    signIn(jwt({ sub: 'alice' }));
    signOut();
    expect(user.value).toBeNull();
    expect(localStorage.getItem('coprod.token')).toBeNull();
  });
});
