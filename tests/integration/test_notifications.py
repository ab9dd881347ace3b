"""From pledges to emails and SMS read back from moto, through the same pump `make run` uses."""

from __future__ import annotations

import copy
import json
import random
import threading
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters import channels, counters
from chalicelib.adapters.tables import DeliveryRecord, PledgeRecord
from chalicelib.config import resource_name
from chalicelib.domain import events
from chalicelib.schemas import Profile
from chalicelib.services import local_outbox, notifications, outbox, pledges, profiles
from devstack.pump import Pump, app_handlers
from tests import factories, stripe_helpers as stripe


def coproducer(locale: str, *, email: bool, sms: bool, verified: bool = True):
    """A co-producer opted in (or not) to each channel; their contacts verified unless told."""
    user = factories.member()
    phone = f"+3369{random.randrange(10**7):07d}"
    profiles.put(user, Profile(display_name=user.user_id, email=f"{user.user_id}@example.org", phone=phone,
                               locale=locale, notify_email=email, notify_sms=sms))
    if verified:
        profiles.mark_verified(user.user_id, "email")
        profiles.mark_verified(user.user_id, "sms")
    return user, f"{user.user_id}@example.org", phone


def sent_to() -> tuple[Counter, Counter]:
    """(address, subject) of every email and (number, text) of every SMS moto holds."""
    data = local_outbox.messages(limit=10**9)
    return (Counter((m["to"], m["subject"]) for m in data["emails"]),
            Counter((m["to"], m["body"]) for m in data["sms"]))


def milestone_handlers():
    """The path of a milestone (counters stream, outbox relay, notifier): without the perks'
    watch on backings, whose "forum unlocked" messages to new co-producers are not counted here."""
    return {name: handler for name, handler in app_handlers().items() if name != "watch_backings"}


def thrice(handler):
    """Every batch and every message delivered three times, as Lambda and SQS may."""
    def handle(event, context):
        results = [handler(copy.deepcopy(event), context) for _ in range(3)]
        return results[-1]
    return handle


@pytest.fixture
def no_waiting(monkeypatch):
    waits = []
    monkeypatch.setattr(notifications, "sleep", waits.append)
    return waits


@pytest.fixture
def inject():
    """Make a client's operation fail `times` times (None: always) when `when(params)`."""
    hooks = []

    def add(service, operation, code, status, *, times=None, when=lambda params: True):
        state = {"left": times, "raised": 0}

        def fail(params, **_):
            if when(params) and (state["left"] is None or state["left"] > 0):
                if state["left"] is not None:
                    state["left"] -= 1
                state["raised"] += 1
                raise ClientError({"Error": {"Code": code, "Message": "injected"},
                                   "ResponseMetadata": {"HTTPStatusCode": status}}, operation)

        event = f"before-call.{service}.{operation}"
        channels.client(service).meta.events.register(event, fail)
        hooks.append((service, event, fail))
        return state

    yield add
    for service, event, fail in hooks:
        channels.client(service).meta.events.unregister(event, fail)


def milestone_subjects(title: str, percents, locale: str) -> set[str]:
    if locale == "fr":
        return {f"« {title} » a atteint {p} % de son objectif" for p in percents}
    return {f'"{title}" reached {p}% of its goal' for p in percents}


@pytest.mark.slow
def test_a_thousand_concurrent_pledges_notify_each_milestone_once_per_channel(local_services, no_waiting):
    title = f"Mille et une nuits {uuid.uuid4().hex[:6]}"
    film = factories.make_film(goal_cents=3_000_000, title=title)
    people = ([coproducer("fr", email=True, sms=True) for _ in range(20)]
              + [coproducer("en", email=True, sms=False) for _ in range(20)]
              + [coproducer("en", email=False, sms=True) for _ in range(10)]
              + [coproducer("fr", email=False, sms=False) for _ in range(10)])
    pm = stripe.card()
    rng = random.Random(5)
    plan = [(people[i % len(people)][0], 1000 + rng.randrange(0, 5000, 100)) for i in range(1000)]
    total = sum(amount for _, amount in plan)
    reached = events.funding_milestones_reached(total, 3_000_000)
    assert reached == (25, 50, 75, 100)
    # Two pumps at once, as two Lambda pollers would be: every stream record is handled
    # twice, concurrently with the pledges, and both consume the notifications queue.
    pumps = [Pump(milestone_handlers(), from_latest=True) for _ in range(2)]
    done = threading.Event()

    def pump_while_pledging(pump):
        while not done.is_set():
            pump.run_once()

    def pay(item):
        user, amount = item
        return pledges.create(user, film["film_id"], uuid.uuid4().hex, amount, pm)[0]["status"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        runners = [pool.submit(pump_while_pledging, p) for p in pumps]
        statuses = list(ThreadPoolExecutor(max_workers=8).map(pay, plan))
        done.set()
        for runner in runners:
            runner.result()
    for pump in pumps:
        pump.drain()
    assert set(statuses) == {"confirmed"}
    assert counters.read(counters.film_counter(film["film_id"]))["raised_cents"] == total

    recorded = [e.key for e in outbox.film_events(film["film_id"], prefix="milestone.")]
    assert sorted(recorded, key=int) == ["25", "50", "75", "100"]  # each exactly once
    emails, sms = sent_to()
    for user, address, phone in people:
        profile = profiles.find(user.user_id)
        locale = profile.locale
        got_emails = {subject for (to, subject), n in emails.items() if to == address for _ in range(n)}
        got_sms = [body for (to, body), n in sms.items() if to == phone for _ in range(n)]
        if profile.notify_email:
            assert sum(n for (to, _), n in emails.items() if to == address) == 4, address
            assert got_emails == milestone_subjects(title, reached, locale)
        else:
            assert not got_emails
        if profile.notify_sms:
            assert len(got_sms) == len(set(got_sms)) == 4, phone
            word = "a atteint" if locale == "fr" else "reached"
            assert all(word in body and len(body) <= 160 for body in got_sms)
        else:
            assert not got_sms


def test_the_same_batch_and_the_same_message_three_times_send_nothing_twice(local_services, monkeypatch):
    monkeypatch.setattr(notifications, "CHUNK_SIZE", 2)  # 7 co-producers: 4 chunk messages
    film = factories.make_film(goal_cents=14_000)
    people = [coproducer(locale, email=True, sms=i % 2 == 0) for i, locale in enumerate("fr en fr en fr en fr".split())]
    pump = Pump({name: thrice(handler) for name, handler in milestone_handlers().items()}, from_latest=True)
    pm = stripe.card()
    for user, _, _ in people:
        pledges.create(user, film["film_id"], uuid.uuid4().hex, 1000, pm)  # 7,000 of 14,000: 50%
    pump.drain()
    emails, sms = sent_to()
    for index, (user, address, phone) in enumerate(people):
        mine = [subject for (to, subject), n in emails.items() if to == address for _ in range(n)]
        assert len(mine) == len(set(mine)) == 2, address  # 25% and 50%, once each
        assert sum(n for (to, _), n in sms.items() if to == phone) == (2 if index % 2 == 0 else 0)
    records = [r for e in outbox.film_events(film["film_id"]) for r in DeliveryRecord.query(e.event_id)]
    sends = [r for r in records if not r.recipient.startswith("~")]
    assert len(sends) == 2 * (7 + 4) and {r.status for r in sends} == {"sent"}
    assert not any(r.attempts for r in sends)  # no failed attempt
    assert sorted(r.recipient for r in records if r.recipient.startswith("~")) == [
        "~chunk#1", "~chunk#1", "~chunk#2", "~chunk#2", "~chunk#3", "~chunk#3"]


def test_throttling_is_retried_with_backoff_then_sent_once(local_services, no_waiting, inject):
    film = factories.make_film(goal_cents=4_000)
    user, address, phone = coproducer("en", email=True, sms=True)
    pump = Pump(milestone_handlers(), from_latest=True)
    throttled = inject("sesv2", "SendEmail", "TooManyRequestsException", 429, times=2)
    refused = inject("sns", "Publish", "InternalError", 500, times=1, when=lambda p: "PhoneNumber" in str(p))
    pledges.create(user, film["film_id"], uuid.uuid4().hex, 1000, stripe.card())  # 25%
    pump.drain()
    assert throttled["raised"] == 2 and refused["raised"] == 1 and len(no_waiting) == 3
    emails, sms = sent_to()
    assert sum(n for (to, _), n in emails.items() if to == address) == 1
    assert sum(n for (to, _), n in sms.items() if to == phone) == 1


def _dead_letters(film_id: str) -> list[dict]:
    sqs = channels.client("sqs")
    url = sqs.get_queue_url(QueueName=resource_name("notifications-dlq"))["QueueUrl"]
    found = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60,
                                    AttributeNames=["All"]).get("Messages") or []
        if not batch:
            return found
        found += [m for m in batch if film_id in m["Body"]]


def test_persistent_failures_are_dead_lettered_visible_to_admins_and_never_touch_the_pledge(
        local_services, no_waiting, inject):
    film = factories.make_film(goal_cents=4_000)
    user, address, phone = coproducer("fr", email=True, sms=True)
    pump = Pump(milestone_handlers(), from_latest=True)
    inject("sesv2", "SendEmail", "TooManyRequestsException", 429)
    inject("sns", "Publish", "InternalError", 500, when=lambda p: "PhoneNumber" in str(p))
    pledge, _ = pledges.create(user, film["film_id"], uuid.uuid4().hex, 1000, stripe.card())
    assert pledge["status"] == "confirmed"
    pump.drain()

    dead = _dead_letters(film["film_id"])
    assert len(dead) == 1 and int(dead[0]["Attributes"]["ApproximateReceiveCount"]) >= 5
    assert json.loads(dead[0]["Body"])["event_type"] == events.FUNDING_MILESTONE
    # Five deliveries of the message, each with SEND_ATTEMPTS tries (and waits between) per channel.
    assert len(no_waiting) == 5 * 2 * (notifications.SEND_ATTEMPTS - 1)
    event_id = events.event_id(events.FUNDING_MILESTONE, film["film_id"], "25")
    records = {r.channel: r for r in DeliveryRecord.query(event_id)}
    assert {c: (r.status, int(r.attempts)) for c, r in records.items()} == {"email": ("failed", 5), "sms": ("failed", 5)}
    listed = notifications.failures(factories.admin(), status="failed", limit=100, next_token=None)["items"]
    mine = {i["channel"]: i for i in listed if i["event_id"] == event_id}
    assert set(mine) == {"email", "sms"} and "TooManyRequests" in mine["email"]["error"]
    emails, sms = sent_to()
    assert not [k for k in emails if k[0] == address] and not [k for k in sms if k[0] == phone]
    # The pledge and the money are as they were.
    assert PledgeRecord.get(pledge["pledge_id"]).status == "confirmed"
    assert counters.read(counters.film_counter(film["film_id"]))["raised_cents"] == 1000


def test_the_pump_feeds_every_stream_and_queue_consumer_that_functions_py_lists(local_services):
    from chalicelib.config import table_name
    from infra.functions import FUNCTIONS

    handlers = app_handlers()
    pump = Pump(handlers, from_latest=True)
    streams = {(s.function, s.table) for s in pump.stream_sources}
    assert streams == {(name, table_name(t)) for name, spec in FUNCTIONS.items() if name in handlers
                       for t in spec.streams}
    assert {("watch_counters", table_name("counters")), ("relay_outbox", table_name("outbox"))} <= streams
    assert ("send_notifications", resource_name("notifications"), 1) in pump.queue_sources
    assert all(s.arn for s in pump.stream_sources)  # every such table has its stream


def test_a_film_that_fails_is_reported_so_the_batch_is_retried_from_it(local_services, monkeypatch):
    from chalicelib.services import milestones

    checked = []

    def check(film_id):
        checked.append(film_id)
        if film_id == "b":
            raise RuntimeError("DynamoDB is down")
        return []

    monkeypatch.setattr(milestones, "check", check)
    batch = {"Records": [
        {"eventName": "MODIFY", "eventSourceARN": "arn:aws:dynamodb:r:1:table/t/stream/x",
         "dynamodb": {"SequenceNumber": str(n), "Keys": {"counter_id": {"S": cid}, "shard": {"N": "0"}}}}
        for n, cid in enumerate(["film#a", "platform", "film#b", "film#c", "film#b"], start=1)]}
    assert milestones.watch(batch) == {"batchItemFailures": [{"itemIdentifier": "3"}]}
    assert checked == ["a", "b"]


# --- nothing to a contact nobody verified ------------------------------------------------------

def test_nothing_reaches_an_unverified_contact_through_the_whole_path(local_services, no_waiting):
    """Pledges -> counters stream -> milestone -> outbox -> topic -> queue -> notifier, as `make
    run` pumps them: opted-in co-producers whose contacts nobody verified get nothing."""
    film = factories.make_film(goal_cents=8_000)
    verified = [coproducer("fr", email=True, sms=True) for _ in range(2)]
    unverified = [coproducer("en", email=True, sms=True, verified=False) for _ in range(2)]
    half = coproducer("fr", email=True, sms=True, verified=False)  # e-mail verified, phone not
    profiles.mark_verified(half[0].user_id, "email")
    pump = Pump(milestone_handlers(), from_latest=True)
    pm = stripe.card()
    for user, _, _ in [*verified, *unverified, half]:
        pledges.create(user, film["film_id"], uuid.uuid4().hex, 1000, pm)  # 5,000 of 8,000: 25% and 50%
    pump.drain()
    emails, sms = sent_to()
    for user, address, phone in verified:
        assert sum(n for (to, _), n in emails.items() if to == address) == 2, address
        assert sum(n for (to, _), n in sms.items() if to == phone) == 2, phone
    for user, address, phone in unverified:
        assert not any(to == address for to, _ in emails) and not any(to == phone for to, _ in sms)
    assert sum(n for (to, _), n in emails.items() if to == half[1]) == 2
    assert not any(to == half[2] for to, _ in sms)


def test_a_contact_changed_after_verification_gets_nothing(local_services):
    user, address, phone = coproducer("en", email=True, sms=True)
    profiles.put(user, Profile(display_name="x", email=f"new-{address}", phone="+33700000001", locale="en",
                               notify_email=True, notify_sms=True))
    event = events.Event(events.STAGE_CHANGED, uuid.uuid4().hex, "2026-11-27T10:00:00.000000Z",
                         events.Audience(events.USER, user_id=user.user_id), None,
                         data={"title": "T", "stage": "shooting", "previous_stage": "pre_production"})
    assert notifications.handle(event.to_dict()) == {"sent": 0, "skipped": 0, "failed": 0, "over_budget": 0}


def test_royalty_statements_go_by_email_only(local_services):
    user, address, phone = coproducer("fr", email=True, sms=True)
    event = events.Event(events.ROYALTY_STATEMENT, f"2026-10#{user.user_id}", "2026-11-01T03:00:00.000000Z",
                         events.Audience(events.USER, user_id=user.user_id), None,
                         data={"period": "2026-10", "credited_cents": 80_000, "balance_cents": 80_000})
    assert notifications.handle(event.to_dict())["sent"] == 1
    emails, sms = sent_to()
    assert sum(n for (to, _), n in emails.items() if to == address) == 1
    assert not any(to == phone for to, _ in sms)


def test_sms_per_coproducer_per_day_are_capped(local_services, monkeypatch):
    import dataclasses

    from chalicelib import clock
    from chalicelib.config import settings
    from chalicelib.services import sms_budget

    monkeypatch.setattr(sms_budget, "settings", lambda: dataclasses.replace(settings(), sms_daily_cap=2))
    user, address, phone = coproducer("en", email=False, sms=True)

    def stage_changed(stage):
        event = events.Event(events.STAGE_CHANGED, f"{stage}#{user.user_id}", "2026-11-27T10:00:00.000000Z",
                             events.Audience(events.USER, user_id=user.user_id), None,
                             data={"title": "T", "stage": stage, "previous_stage": "development"})
        return notifications.handle(event.to_dict())

    day = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
    with clock.frozen(day):
        counts = [stage_changed(stage) for stage in ("pre_production", "shooting", "post_production")]
    assert [(c["sent"], c["over_budget"]) for c in counts] == [(1, 0), (1, 0), (0, 1)]
    with clock.frozen(day + timedelta(days=1)):
        assert stage_changed("released")["sent"] == 1  # a new day
    assert sum(n for (to, _), n in sent_to()[1].items() if to == phone) == 3


def test_a_chunk_that_fails_midway_records_what_it_sent_and_its_retry_sends_nothing_twice(local_services,
                                                                                         monkeypatch):
    from chalicelib.adapters.tables import UserRecord

    monkeypatch.setattr(notifications, "CLAIMS_PER_TRANSACTION", 2)  # 5 jobs: claims of 2, 2, 1
    people = [coproducer("en", email=True, sms=False) for _ in range(5)]
    event = events.Event(events.STAGE_CHANGED, uuid.uuid4().hex, "2026-11-27T10:00:00.000000Z",
                         events.Audience(events.COPRODUCERS), None,
                         data={"title": "T", "stage": "shooting", "previous_stage": "pre_production"})
    jobs = [(UserRecord.get(user.user_id), "email") for user, _, _ in people]
    real_claim, calls = notifications.claim, []

    def claim_then_fail(event_id, some):
        calls.append(len(some))
        if len(calls) == 2:
            raise RuntimeError("DynamoDB went away")
        return real_claim(event_id, some)

    monkeypatch.setattr(notifications, "claim", claim_then_fail)
    with pytest.raises(RuntimeError, match="went away"):
        notifications.deliver(event, jobs)
    records = {r.recipient: r.status for r in DeliveryRecord.query(event.event_id, consistent_read=True)}
    first = {f"{user.user_id}#email" for user, _ in jobs[:2]}
    assert records == dict.fromkeys(first, "sent")  # sent before the error, recorded all the same
    monkeypatch.setattr(notifications, "claim", real_claim)
    assert notifications.deliver(event, jobs) == {"sent": 3, "skipped": 2, "failed": 0, "over_budget": 0}
    emails, _ = sent_to()
    assert [sum(n for (to, _), n in emails.items() if to == address) for _, address, _ in people] == [1] * 5
