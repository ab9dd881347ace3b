import { useEffect, useState } from 'preact/hooks';
import { api, must, type Schemas } from '../api';
import { dateTime, t, type Key } from '../i18n';
import { validate } from '../validate';
import { Field, FormProblem, useForm } from './forms';

type Post = Schemas['ForumPost'];

/** One thread of a film's private forum: its posts, oldest first, pinned ones on top
 * (GET .../forum/threads/{thread_id}/posts), and a reply (POST on the same path). */
export function ForumThread({ filmId, thread, onReplied }: {
  filmId: string; thread: Schemas['ForumThread']; onReplied?: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [page, setPage] = useState<Schemas['ForumPostPage'] | null>(null);
  const [failed, setFailed] = useState(false);
  const [reply, setReply] = useState('');
  const form = useForm(['body']);
  const path = { params: { path: { film_id: filmId, thread_id: thread.thread_id } } };
  const load = () => must(api().GET('/films/{film_id}/forum/threads/{thread_id}/posts', path))
    .then((p) => { setPage(p); setFailed(false); }).catch(() => setFailed(true));
  useEffect(() => { if (open) load(); }, [open, filmId, thread.thread_id]);

  const send = (e: Event) => {
    e.preventDefault();
    const body = { body: reply.trim() };
    form.submit(validate('PostCreate', body), async () => {
      await must(api().POST('/films/{film_id}/forum/threads/{thread_id}/posts', { ...path, body }));
      setReply('');
      await load();
      onReplied?.();
    });
  };
  const replyId = `reply-${thread.thread_id}`;
  const posts = page ? [...page.pinned, ...page.items.filter((p) => !page.pinned.some((q) => q.post_id === p.post_id))] : [];
  return (
    <li>
      <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {t(open ? 'hide_thread' : 'read_thread', { title: thread.title })}
      </button>
      {' — '}{t('posts_n', { n: thread.post_count })}
      {open && (
        <div class="thread" data-testid="thread">
          {failed ? <p role="alert">{t('try_again')}</p> : page === null ? <p aria-busy="true">{t('loading')}</p> : (
            <ol class="posts">{posts.map((post) => <PostItem key={post.post_id} post={post} />)}</ol>
          )}
          <form onSubmit={send} noValidate aria-label={t('reply')}>
            <Field id={replyId} label={t('reply_label')} error={form.errors.body}>
              <textarea id={replyId} value={reply} aria-invalid={form.errors.body ? 'true' : undefined}
                        aria-describedby={form.errors.body ? `${replyId}-error` : undefined}
                        onInput={(e) => setReply(e.currentTarget.value)} />
            </Field>
            <FormProblem failure={form.failure} waiting={form.waiting} />
            <button type="submit" disabled={form.busy}>{t('reply')}</button>
          </form>
        </div>
      )}
    </li>
  );
}

/** Its author's display name (none without a profile, or once erased), role, date and text. */
function PostItem({ post }: { post: Post }) {
  return (
    <li data-testid="post">
      <p class="meta">
        {post.author_name && <><strong>{post.author_name}</strong> · </>}{t(`role_${post.author_role}` as Key)}
        {' · '}<time dateTime={post.created_at}>{dateTime(post.created_at)}</time>
        {post.pinned && <> · {t('pinned')}</>}
      </p>
      <p class="post-body">{post.body ?? <em>{t('post_hidden')}</em>}</p>
    </li>
  );
}
