"""From an outbox record to emails and SMS, each sent at most once per (event, user, channel).

1. `relay` (outbox stream): publishes each new event to the events topic, with message
   attributes `film_id` and `event_type`.
2. The topic delivers to the `notifications` queue (raw). `notify` takes each message: an
   event, or a chunk of an event's audience (`{"event": ..., "cursor": ..., "chunk": n}`).
   One chunk is one page of the audience (CHUNK_SIZE backings); before sending it, the
   notifier queues the next chunk, once (a `~chunk#<n>` marker in `deliveries`), so a big
   audience is fanned out by many invocations in parallel.
3. Each (event, user, channel) is claimed in `deliveries` with a conditional write before
   anything is sent (100 claims per transaction; the ones whose condition fails are left
   out): `sent` is final, `sending` is leased (a crashed sender's claim lapses), `failed` may
   be claimed again. A stream batch or queue message delivered again sends nothing twice.
   Sent messages are recorded 25 per BatchWriteItem. Claims, sends and records overlap: a
   transaction's claims go to the senders as soon as written (see `deliver`).
4. Sending backs off and retries throttling and server errors; a message that still fails
   is recorded `failed` (visible in `GET /admin/notifications?status=failed`) and reported to
   SQS, which redelivers it and, after `max_receive_count` receives, dead-letters it.
Nothing here writes to pledges, backings or counters: a notification failure never touches
a pledge.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any, Callable, Mapping

from pynamodb.exceptions import DoesNotExist

from chalicelib import clock, paging, retry, signing
from chalicelib.adapters import channels, streams
from chalicelib.adapters.conditions import write_each_that_holds
from chalicelib.adapters.tables import BackingRecord, DeliveryRecord, UserRecord, transaction
from chalicelib.adapters.tables.base import find as tables_find
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.domain import contacts, events, messages
from chalicelib.errors import BadRequest, invalid_credential, invalid_field
from chalicelib.lazy import batches, formats
from chalicelib.services import handback, profiles, sms_budget

CHANNELS = ("email", "sms")
CHUNK_SIZE = 100  # users per queue message (BatchGetItem takes 100 keys)
SEND_ATTEMPTS = 4  # per message and per delivery of the queue message
BACKOFF_SECONDS = 0.2  # first wait; doubled each attempt, with full jitter
LEASE_SECONDS = 120  # a claim older than this is a crashed sender's
CLAIMS_PER_TRANSACTION = 100  # TransactWriteItems' limit
RECORDS_PER_BATCH = 25  # BatchWriteItem's limit
CLAIM_ATTEMPTS = 10
BACKOFF_CAP_SECONDS = BACKOFF_SECONDS * 2 ** (CLAIM_ATTEMPTS - 1)  # the last claim's wait: no wait is cut short
SENDERS = 8  # concurrent sends per chunk
WRITERS = 2  # concurrent record writes (and the next chunk's queueing) beside the sends
KEEP_DAYS = 180
UNSUBSCRIBE = "unsubscribe"

Job = tuple[UserRecord, str]  # (user, channel)
sleep: Callable[[float], None] = time.sleep  # tests record the waits instead of waiting


# --- 1. outbox stream -> events topic ----------------------------------------------------

def _event_of(image: Mapping[str, Any]) -> events.Event:
    raw = dict(image)
    for name in ("audience", "data"):
        if isinstance(raw.get(name), str):  # JSONAttribute: a JSON string in the item
            raw[name] = json.loads(raw[name])
    return events.Event.from_dict(raw)


def _publish(record: streams.StreamRecord) -> None:
    if record.event_name != "INSERT" or not record.new:
        return
    event = _event_of(record.new)
    channels.publish_event(event.to_json(), {"event_type": event.event_type, "film_id": event.film_id or "-"})


def relay(lambda_event: Mapping[str, Any]) -> dict[str, Any]:
    """Stream handler of the outbox: publish new events, in order; the first that fails stops
    the batch and is reported, so that Lambda retries from it (adapters/batches.py)."""
    return batches.in_order(lambda_event, _publish, what="publish")


# --- 2. the notifications queue -> chunks ------------------------------------------------

def notify(lambda_event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """Queue handler: each message is an event or a chunk of one. Failures are reported per
    message (ReportBatchItemFailures): SQS redelivers them, then dead-letters them. A stalled
    dependency, or a Lambda near its timeout, hands the rest back (services/handback.py)."""
    return handback.each(lambda_event.get("Records") or (), lambda record: handle(json.loads(record["body"])),
                         context=context, what="notification message")


def handle(body: Mapping[str, Any]) -> dict[str, int]:
    if "chunk" in body:
        return deliver_chunk(events.Event.from_dict(body["event"]), body.get("cursor"), int(body["chunk"]))
    return deliver_chunk(events.Event.from_dict(body), None, 0)


def _page(event: events.Event, cursor: dict[str, Any] | None) -> tuple[list[str], dict[str, Any] | None]:
    """One page of the event's audience (user ids) and the cursor of the next page."""
    audience = event.audience
    if audience.kind == events.USER:
        return [audience.user_id or ""], None
    if not event.film_id:
        return [], None
    condition = None
    if audience.kind == events.COPRODUCERS:
        condition = BackingRecord.confirmed_cents >= max(1, audience.min_cents)
    results = BackingRecord.query(event.film_id, filter_condition=condition, last_evaluated_key=cursor,
                                  limit=CHUNK_SIZE, page_size=CHUNK_SIZE)
    users = [backing.user_id for backing in results]
    return users, results.last_evaluated_key


def _queue_next(event: events.Event, cursor: dict[str, Any], number: int) -> None:
    """Queue chunk `number` once: a redelivered chunk finds the marker and queues nothing."""
    marker = f"~chunk#{number}"
    try:
        DeliveryRecord.get(event.event_id, marker, consistent_read=True)
        return
    except DoesNotExist:
        pass
    channels.send_to_queue("notifications", {"event": event.to_dict(), "cursor": cursor, "chunk": number})
    DeliveryRecord(event.event_id, marker, status="queued", updated_at=clock.iso(),
                   expires_at=_expiry()).save()


def deliver_chunk(event: events.Event, cursor: dict[str, Any] | None, number: int) -> dict[str, int]:
    """Send the event to one page of its audience; queue the next page once its first
    messages are handed to the senders."""
    user_ids, next_cursor = _page(event, cursor)
    users = _users(user_ids)
    jobs = [(user, channel) for user in users for channel in contacts.channels_for(event.event_type)
            if wants(user, channel)]
    queue_next = (lambda: _queue_next(event, next_cursor, number + 1)) if next_cursor else None
    counts = deliver(event, jobs, meanwhile=queue_next)
    if counts["failed"]:
        raise RuntimeError(f"{counts['failed']} of {len(jobs)} messages of {event.event_id} failed")
    return counts


def _users(user_ids: list[str]) -> list[UserRecord]:
    found = []
    for start in range(0, len(user_ids), 100):
        found += list(UserRecord.batch_get(user_ids[start:start + 100]))
    return sorted(found, key=lambda u: u.user_id)


def wants(user: UserRecord, channel: str) -> bool:
    """Opted in, and to a verified contact (a number also in an accepted country): nothing is
    sent to a contact nobody verified."""
    if channel == "email":
        return (bool(user.email) and user.notify_email is not False  # on unless turned off
                and contacts.is_verified(user.email, user.email_verified_for))
    return (bool(user.phone) and bool(user.notify_sms) and contacts.is_verified(user.phone, user.phone_verified_for)
            and contacts.phone_allowed(user.phone, settings().sms_country_codes))


# --- 3. one (event, user, channel) -------------------------------------------------------

def _expiry() -> int:
    return clock.epoch() + KEEP_DAYS * 86400


def _claimable(now: int):
    return (DeliveryRecord.status.does_not_exist() | (DeliveryRecord.status == "failed")
            | ((DeliveryRecord.status == "sending") & (DeliveryRecord.lease_until < now)))


def claim(event_id: str, jobs: list[Job]) -> list[Job]:
    """Take the right to send each job, 100 per transaction. A job whose condition fails was
    sent already, or someone else is sending it now: it is left out."""
    def add(write: Any, job: Job, now: int) -> None:
        user, channel = job
        write.update(DeliveryRecord(event_id, f"{user.user_id}#{channel}"), actions=[
            DeliveryRecord.status.set("sending"), DeliveryRecord.user_id.set(user.user_id),
            DeliveryRecord.channel.set(channel), DeliveryRecord.lease_until.set(now + LEASE_SECONDS),
            DeliveryRecord.updated_at.set(clock.iso()), DeliveryRecord.expires_at.set(_expiry()),
        ], condition=_claimable(now))

    return write_each_that_holds(jobs, add, per_transaction=CLAIMS_PER_TRANSACTION, attempts=CLAIM_ATTEMPTS,
                                 wait=_pause, what=f"messages of {event_id} (claims)")


def _pause(attempt: int) -> None:
    retry.pause(attempt, base=BACKOFF_SECONDS, cap=BACKOFF_CAP_SECONDS, sleep=sleep)


def _mark_sent(event_id: str, sent: list[tuple[UserRecord, str, str]]) -> None:
    """One BatchWriteItem per 25: the claim is ours, so the whole item is written."""
    now = clock.iso()
    with DeliveryRecord.batch_write() as batch:
        for user, channel, message_id in sent:
            batch.save(DeliveryRecord(event_id, f"{user.user_id}#{channel}", status="sent", user_id=user.user_id,
                                      channel=channel, message_id=message_id, sent_at=now, updated_at=now,
                                      expires_at=_expiry()))


def _mark_failed(event_id: str, user: UserRecord, channel: str, error: str) -> None:
    now = clock.iso()
    recipient = f"{user.user_id}#{channel}"
    DeliveryRecord(event_id, recipient).update(actions=[
        DeliveryRecord.status.set("failed"), DeliveryRecord.error.set(error[:500]),
        DeliveryRecord.attempts.add(1), DeliveryRecord.failed.set("failed"),
        DeliveryRecord.failed_key.set(f"{now}#{event_id}#{recipient}"), DeliveryRecord.lease_until.set(0),
        DeliveryRecord.updated_at.set(now),
    ])


def unsubscribe_url(user_id: str, channel: str, base_url: str | None = None) -> str:
    return f"{base_url or settings().api_url}/unsubscribe?token={unsubscribe_token(user_id, channel)}"


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail clients offer "unsubscribe" and POST to the link themselves."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _send(event: events.Event, user: UserRecord, channel: str) -> str:
    locale = messages.locale_of(user.locale)
    if channel == "email":
        url = unsubscribe_url(user.user_id, "email")
        email = messages.render_email(event, locale, url, formats.FORMATS)
        return channels.send_email(user.email, email.subject, email.html, email.text, unsubscribe_headers(url))
    return channels.send_sms(user.phone, messages.render_sms(event, locale, formats.FORMATS))


def with_backoff(send: Callable[[], str]) -> str:
    for attempt in range(SEND_ATTEMPTS):
        try:
            return send()
        except channels.SendError as exc:
            if not exc.retryable or attempt == SEND_ATTEMPTS - 1:
                raise
            _pause(attempt)
    raise AssertionError("unreachable")


def deliver(event: events.Event, jobs: list[Job], *, meanwhile: Callable[[], None] | None = None) -> dict[str, int]:
    """Claim, send (SENDERS at a time, each with backoff), record. Counts of "sent",
    "skipped" (sent already, or being sent) and "failed" (recorded, retried later).

    Pipelined: the jobs are claimed a transaction (100) at a time, with their SMS units
    (one transaction), and handed to the senders as soon as claimed; this thread claims the
    next ones while the senders send, and WRITERS threads run `meanwhile` (the next chunk's
    queueing) and record the sent messages 25 at a time. A message is sent only once its
    claim is written, and recorded after it went out; an error stops the claims, waits for
    the messages handed over and records them before it is raised."""
    sent: list[tuple[UserRecord, str, str]] = []
    failed: list[tuple[Job, str]] = []
    over_budget: list[Job] = []
    claimed = 0
    errors: list[BaseException] = []
    with ThreadPoolExecutor(max_workers=SENDERS) as pool, ThreadPoolExecutor(max_workers=WRITERS) as writers:
        sending, writing = [], []
        try:
            for start in range(0, max(len(jobs), 1), CLAIMS_PER_TRANSACTION):
                mine = claim(event.event_id, jobs[start:start + CLAIMS_PER_TRANSACTION])
                claimed += len(mine)
                budget = sms_budget.take_many([user.user_id for user, channel in mine if channel == "sms"],
                                              attempts=CLAIM_ATTEMPTS, wait=_pause)
                over_budget += [job for job in mine if job[1] == "sms" and job[0].user_id not in budget]
                sending += [pool.submit(_send_one, event, job) for job in mine
                            if job[1] != "sms" or job[0].user_id in budget]
                if start == 0 and meanwhile is not None:
                    writing.append(writers.submit(meanwhile))
        except Exception as exc:  # raised once what was handed over is recorded
            errors.append(exc)
        for done in as_completed(sending):
            try:
                job, message_id, failure = done.result()
            except Exception as exc:
                errors.append(exc)
                continue
            if message_id:
                sent.append((job[0], job[1], message_id))
                if len(sent) % RECORDS_PER_BATCH == 0:
                    writing.append(writers.submit(_mark_sent, event.event_id, sent[-RECORDS_PER_BATCH:]))
            elif failure:
                failed.append((job, failure))
        writing.append(writers.submit(_mark_sent, event.event_id, sent[len(sent) - len(sent) % RECORDS_PER_BATCH:]))
        errors += [exc for exc in (w.exception() for w in writing) if exc is not None]
    for (user, channel), failure in failed:
        _mark_failed(event.event_id, user, channel, failure)
    _mark_over_budget(event.event_id, over_budget)
    if errors:
        raise errors[0]
    return {"sent": len(sent), "skipped": len(jobs) - claimed, "failed": len(failed),
            "over_budget": len(over_budget)}


def _send_one(event: events.Event, job: Job) -> tuple[Job, str | None, str | None]:
    """(job, message id, None) once sent; (job, None, error) when it could not be: an SMS's unit
    of the day's budget is given back then (nothing went out)."""
    try:
        return job, with_backoff(lambda: _send(event, *job)), None
    except channels.SendError as exc:
        if job[1] == "sms":
            sms_budget.give_back(job[0].user_id)
        return job, None, str(exc)


def _mark_over_budget(event_id: str, jobs: list[Job]) -> None:
    """Final, like `sent`: a redelivery does not try them again."""
    now = clock.iso()
    with DeliveryRecord.batch_write() as batch:
        for user, channel in jobs:
            batch.save(DeliveryRecord(event_id, f"{user.user_id}#{channel}", status="over_budget",
                                      user_id=user.user_id, channel=channel, updated_at=now, expires_at=_expiry()))


# --- unsubscribe links and the admin view --------------------------------------------------

def unsubscribe_token(user_id: str, channel: str) -> str:
    return signing.seal({"p": UNSUBSCRIBE, "u": user_id, "c": channel})


def _unsubscribe_link(token: str | None) -> tuple[str, str]:
    """(user_id, channel) of a signed unsubscribe link."""
    if not token:
        raise BadRequest("token: is required", code="missing_field", field="token")
    if not signing.well_formed(token):
        raise invalid_field("token", "is not a link the platform sends (copy it whole)")
    try:
        payload = signing.unseal(token)
        if payload.get("p") != UNSUBSCRIBE or payload.get("c") not in CHANNELS or not payload.get("u"):
            raise ValueError("not an unsubscribe token")
    except (ValueError, TypeError):
        raise invalid_credential("token", "is not a valid unsubscribe link")
    return payload["u"], payload["c"]


def unsubscribe_preview(token: str | None, base_url: str | None = None) -> dict[str, Any]:
    """GET of the link: what it would turn off, and nothing more. Link scanners and mail
    clients' previews fetch links: only a POST (a click on a form, or the mail client's
    one-click unsubscribe) turns a channel off."""
    user_id, channel = _unsubscribe_link(token)
    user = tables_find(UserRecord, user_id)
    subscribed = user is not None and wants_channel(user, channel)
    return {"channel": channel, "subscribed": subscribed, "method": "POST",
            "url": f"{base_url or settings().api_url}/unsubscribe?token={token}"}


def wants_channel(user: UserRecord, channel: str) -> bool:
    """The opt-in alone (whatever the contact's state)."""
    return user.notify_email is not False if channel == "email" else bool(user.notify_sms)


def unsubscribe(token: str | None) -> dict[str, Any]:
    """POST of the link: turn one channel of one user off."""
    user_id, channel = _unsubscribe_link(token)
    attribute = UserRecord.notify_email if channel == "email" else UserRecord.notify_sms
    now = clock.iso()
    user = tables_find(UserRecord, user_id)
    with transaction() as write:  # the choice and its consent record, together
        write.update(UserRecord(user_id), actions=[attribute.set(False), UserRecord.updated_at.set(now)])
        if user is None or wants_channel(user, channel):
            write.save(profiles.consent(user_id, channel, False, "unsubscribe link", now))
    return {"channel": channel, "subscribed": False}


def failures(caller: Caller, *, status: str, limit: int, next_token: str | None) -> dict[str, Any]:
    caller.require("admin")
    scope = f"notifications:{status}"
    results = DeliveryRecord.failures.query("failed", scan_index_forward=False, limit=limit + 1,
                                            last_evaluated_key=paging.decode(next_token, scope))
    records, resume = paging.take_page(results, limit)
    items = [{"event_id": r.event_id, "user_id": r.user_id, "channel": r.channel, "status": r.status,
              "attempts": int(r.attempts or 0), "error": r.error, "updated_at": r.updated_at} for r in records]
    return {"items": items, "next": paging.encode(resume, scope)}
