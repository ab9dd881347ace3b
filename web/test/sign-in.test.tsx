import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setLocale } from '../src/i18n';
import { SignIn } from '../src/pages/SignIn';
import { route } from '../src/router';
import { token } from '../src/session';
import { error, fakeApi } from './helpers';

beforeEach(() => { setLocale('fr'); token.value = null; localStorage.clear(); route.value = '/signin'; });
afterEach(cleanup);

function fill(userId: string) {
  fireEvent.input(screen.getByLabelText('Identifiant'), { target: { value: userId } });
  fireEvent.click(screen.getByRole('button', { name: 'Se connecter' }));
}

describe('the "sign in as" form', () => {
  it('checks the OpenAPI constraints before sending', async () => {
    const calls = fakeApi(() => ({ status: 200, body: { token: 'x' } }));
    render(<SignIn />);
    fill('');
    expect(await screen.findByText('Obligatoire.')).toBeTruthy();
    fill('a b');
    expect(await screen.findByText("Ce format n'est pas accepté.")).toBeTruthy();
    expect(screen.getByLabelText('Identifiant').getAttribute('aria-describedby')).toBe('user_id-error');
    expect(calls).toHaveLength(0);
  });

  it("shows the API's error next to the field it names", async () => {
    fakeApi(() => ({ status: 400, body: error('invalid_field', 'user_id: too long', 'user_id') }));
    render(<SignIn />);
    fill('alice');
    const message = await screen.findByText('user_id: too long');
    expect(message.id).toBe('user_id-error');
  });

  it('says to try again after a 503, not before Retry-After', async () => {
    const calls = fakeApi(() => ({ status: 503, body: error('unavailable', 'dynamodb did not answer'), headers: { 'Retry-After': '5' } }));
    render(<SignIn />);
    fill('alice');
    expect(await screen.findByText(/réessayez dans 5 s/)).toBeTruthy();
    fill('alice');
    expect(calls).toHaveLength(1);
  });

  it('signs in with the token the API gives', async () => {
    const calls = fakeApi(() => ({ status: 200, body: { token: 'header.eyJzdWIiOiJhbGljZSJ9.sig' } }));
    render(<SignIn />);
    fireEvent.click(screen.getByLabelText('Producteur'));
    fill('alice');
    await waitFor(() => expect(token.value).toBe('header.eyJzdWIiOiJhbGljZSJ9.sig'));
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/dev/token', body: { user_id: 'alice', groups: ['producer'] } });
    await waitFor(() => expect(location.hash).toBe('#/me'));
  });

  it('goes back to the page that asked for it', async () => {
    fakeApi(() => ({ status: 200, body: { token: 'header.eyJzdWIiOiJhbGljZSJ9.sig' } }));
    route.value = '/signin?next=/films/f1/pledge';
    render(<SignIn />);
    fill('alice');
    await waitFor(() => expect(location.hash).toBe('#/films/f1/pledge'));
  });
});
