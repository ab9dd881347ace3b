"""A film's private forum: threads and posts for its co-producers with the forum perk, its
producer and admins.

Text is plain text (chalicelib/domain/perks.py `clean_text`): validated, stored as sent and
returned in JSON only, never as HTML. The producer (or an admin) pins and hides posts; a
hidden post keeps its place but its text is returned only to the producer, admins and its
author. Authors edit their own posts.
"""

from __future__ import annotations

import uuid
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib import clock, paging
from chalicelib.adapters.tables import ForumPostRecord, ForumThreadRecord, find, transaction
from chalicelib.auth import Caller
from chalicelib.domain.perks import PRIVATE_FORUM
from chalicelib.errors import Conflict, Forbidden, NotFound, Unauthorized
from chalicelib.services import films, perks, profiles

WHAT = "the private forum"
MAX_PINNED = 20


def _sortable_id(prefix: str) -> str:
    """Time-ordered and unique: <prefix><UTC timestamp to the microsecond>-<random>."""
    return f"{prefix}{clock.now().strftime('%Y%m%d%H%M%S%f')}-{uuid.uuid4().hex[:8]}"


def _member(caller: Caller, film_id: str) -> perks.Access:
    acc = perks.access(caller, film_id)
    perks.require_kind(acc, PRIVATE_FORUM, WHAT)
    return acc


def _role(acc: perks.Access) -> str:
    if acc.caller is not None and acc.film.producer_id == acc.caller.user_id:
        return "producer"
    return "admin" if acc.manager else "coproducer"


def _author_name(caller: Caller) -> str | None:
    profile = profiles.find(caller.user_id)
    return profile.display_name if profile else None


def thread_view(thread: ForumThreadRecord) -> dict[str, Any]:
    return {"thread_id": thread.thread_id, "title": thread.title,
            "author_id": films.public_id(thread.film_id, thread.author_id),
            "author_name": thread.author_name, "created_at": thread.created_at,
            "last_post_at": thread.last_post_at, "post_count": int(thread.post_count or 0)}


def post_view(post: ForumPostRecord, acc: perks.Access) -> dict[str, Any]:
    hidden = bool(post.hidden)
    readable = not hidden or acc.manager or (acc.caller is not None and acc.caller.user_id == post.author_id)
    return {"post_id": post.post_id, "thread_id": post.thread_id,
            "author_id": films.public_id(post.film_id, post.author_id),
            "author_name": post.author_name, "author_role": post.author_role,
            "body": post.body if readable else None, "hidden": hidden, "pinned": post.pinned_in is not None,
            "created_at": post.created_at, "edited_at": post.edited_at}


def _thread(film_id: str, thread_id: str) -> ForumThreadRecord:
    return perks.found(ForumThreadRecord, film_id, thread_id, what="thread", field="thread_id")


def list_threads(caller: Caller, film_id: str, *, limit: int, next_token: str | None) -> dict[str, Any]:
    _member(caller, film_id)
    scope = f"forum:{film_id}"
    results = ForumThreadRecord.query(film_id, scan_index_forward=False, limit=limit + 1,
                                      last_evaluated_key=paging.decode(next_token, scope))
    threads, resume = paging.take_page(results, limit)
    return {"items": [thread_view(t) for t in threads], "next": paging.encode(resume, scope)}


def _new_post(acc: perks.Access, thread_id: str, body: str, now: str) -> ForumPostRecord:
    caller = acc.caller
    if caller is None:  # _member admits signed-in callers only: never reached
        raise Unauthorized("sign in to post")
    return ForumPostRecord(thread_id, _sortable_id("p"), film_id=acc.film.film_id, author_id=caller.user_id,
                           author_name=_author_name(caller), author_role=_role(acc), body=body,
                           created_at=now, hidden=False)


def create_thread(caller: Caller, film_id: str, data: Any) -> dict[str, Any]:
    acc = _member(caller, film_id)
    now = clock.iso()
    post = _new_post(acc, _sortable_id("t"), data.body, now)
    thread = ForumThreadRecord(film_id, post.thread_id, title=data.title, author_id=caller.user_id,
                               author_name=post.author_name, created_at=now, last_post_at=now, post_count=1)
    with transaction() as write:
        write.save(thread, condition=ForumThreadRecord.thread_id.does_not_exist())
        write.save(post, condition=ForumPostRecord.post_id.does_not_exist())
    return {**thread_view(thread), "posts": [post_view(post, acc)]}


def list_posts(caller: Caller, film_id: str, thread_id: str, *, limit: int,
               next_token: str | None) -> dict[str, Any]:
    """The thread, its pinned posts (on the first page) and a page of posts, oldest first."""
    acc = _member(caller, film_id)
    thread = _thread(film_id, thread_id)
    scope = f"forum:{film_id}:{thread_id}"
    start = paging.decode(next_token, scope)
    pinned = [] if start else list(ForumPostRecord.pinned.query(thread_id, limit=MAX_PINNED))
    results = ForumPostRecord.query(thread_id, limit=limit + 1, last_evaluated_key=start)
    posts, resume = paging.take_page(results, limit)
    return {"thread": thread_view(thread), "pinned": [post_view(p, acc) for p in pinned],
            "items": [post_view(p, acc) for p in posts], "next": paging.encode(resume, scope)}


def create_post(caller: Caller, film_id: str, thread_id: str, data: Any) -> dict[str, Any]:
    acc = _member(caller, film_id)
    _thread(film_id, thread_id)
    now = clock.iso()
    post = _new_post(acc, thread_id, data.body, now)
    try:
        with transaction() as write:
            write.save(post, condition=ForumPostRecord.post_id.does_not_exist())
            write.update(ForumThreadRecord(film_id, thread_id), actions=[
                ForumThreadRecord.post_count.add(1), ForumThreadRecord.last_post_at.set(now)],
                condition=ForumThreadRecord.thread_id.exists())
    except TransactWriteError as exc:
        raise Conflict("the thread changed meanwhile; retry") from exc
    return post_view(post, acc)


def patch_post(caller: Caller, film_id: str, thread_id: str, post_id: str, data: Any) -> dict[str, Any]:
    """`body`: its author only. `pinned`, `hidden`: the film's producer or an admin."""
    acc = _member(caller, film_id)
    post = find(ForumPostRecord, thread_id, post_id)
    if post is None or post.film_id != film_id:
        raise NotFound(f"post {post_id} not found", field="post_id")
    changes = data.model_dump(exclude_unset=True)
    actions = []
    if "body" in changes:
        if post.author_id != caller.user_id:
            raise Forbidden("only its author may edit a post", field="body")
        if changes["body"] is not None:
            actions += [ForumPostRecord.body.set(changes["body"]), ForumPostRecord.edited_at.set(clock.iso())]
    for name in ("pinned", "hidden"):
        if name in changes and not acc.manager:
            raise Forbidden(f"{name}: only the film's producer or an admin may change it", field=name)
    if changes.get("pinned") is not None:
        actions.append(ForumPostRecord.pinned_in.set(thread_id) if changes["pinned"]
                       else ForumPostRecord.pinned_in.remove())
    if changes.get("hidden") is not None:
        actions.append(ForumPostRecord.hidden.set(changes["hidden"]))
    if actions:
        post.update(actions=actions, condition=ForumPostRecord.post_id.exists())
    return post_view(post, acc)
