import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ForumThread } from '../src/components/ForumThread';
import { setLocale } from '../src/i18n';
import { error, fakeApi } from './helpers';

const thread = { thread_id: 't1', title: 'Le tournage', author_id: 'u1', author_name: 'Camille', created_at: '2026-11-30T10:00:00Z',
  last_post_at: '2026-12-01T09:00:00Z', post_count: 2 };
const post = (id: string, extra: Record<string, unknown> = {}) => ({ post_id: id, thread_id: 't1', author_id: 'u1',
  author_name: 'Camille', author_role: 'coproducer', body: `message ${id}`, hidden: false, pinned: false,
  created_at: '2026-12-01T09:00:00Z', edited_at: null, ...extra });

beforeEach(() => setLocale('fr'));
afterEach(cleanup);

function show() {
  render(<ul><ForumThread filmId="f1" thread={thread} /></ul>);
  fireEvent.click(screen.getByRole('button', { name: 'Lire « Le tournage »' }));
}

async function replyWith(text: string) {
  const box = await screen.findByLabelText('Votre réponse');
  fireEvent.input(box, { target: { value: text } });
  const submit = screen.getByRole('button', { name: 'Répondre' });
  await waitFor(() => expect((submit as HTMLButtonElement).disabled).toBe(false));
  fireEvent.click(submit);
}

describe("a forum thread's posts", () => {
  it('shows the pinned post first, once, then the others; a hidden one says so; an author without a name by role only', async () => {
    fakeApi(() => ({ status: 200, body: { next: null, thread, pinned: [post('p2', { pinned: true, author_role: 'producer' })],
      items: [post('p1', { author_name: null }), post('p2', { pinned: true, author_role: 'producer' }), post('p3', { body: null, hidden: true })] } }));
    show();
    await waitFor(() => expect(screen.getAllByTestId('post')).toHaveLength(3));
    const [first, second, third] = screen.getAllByTestId('post');
    expect(first.textContent).toContain('message p2');
    expect(first.textContent).toContain('Équipe du film');
    expect(first.textContent).toContain('Épinglé');
    expect(second.querySelector('.meta')!.textContent).toMatch(/^Coproducteur · /);
    expect(first.querySelector('.meta')!.textContent).toMatch(/^Camille · Équipe du film · /);
    expect(third.textContent).toContain('Message masqué par l’équipe du film.');
    expect(screen.getByRole('button', { name: 'Refermer « Le tournage »' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('posts a reply and shows it', async () => {
    let replies: unknown[] = [];
    const calls = fakeApi((call) => {
      if (call.method === 'POST') { replies = [post('p9', { body: (call.body as { body: string }).body })]; return { status: 201, body: replies[0] }; }
      return { status: 200, body: { next: null, thread, pinned: [], items: [post('p1'), ...replies] } };
    });
    show();
    await replyWith('  Rendez-vous au port  ');
    await waitFor(() => expect(screen.getAllByTestId('post')).toHaveLength(2));
    const posted = calls.find((c) => c.method === 'POST')!;
    expect(posted.path).toBe('/films/f1/forum/threads/t1/posts');
    expect(posted.body).toEqual({ body: 'Rendez-vous au port' });
    expect(within(screen.getAllByTestId('post')[1]).getByText('Rendez-vous au port')).toBeTruthy();
    expect((screen.getByLabelText('Votre réponse') as HTMLTextAreaElement).value).toBe('');
  });

  it("checks the reply before sending, and shows the API's refusal next to it", async () => {
    const calls = fakeApi((call) => (call.method === 'POST'
      ? { status: 403, body: error('perk_required', 'body: the forum is for co-producers with the perk', 'body') }
      : { status: 200, body: { next: null, thread, pinned: [], items: [] } }));
    show();
    await replyWith('   ');
    expect(await screen.findByText('Obligatoire.')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    await replyWith('Bonjour');
    const message = await screen.findByText('body: the forum is for co-producers with the perk');
    expect(message.id).toBe('reply-t1-error');
    expect(screen.getByLabelText('Votre réponse').getAttribute('aria-invalid')).toBe('true');
  });
});
