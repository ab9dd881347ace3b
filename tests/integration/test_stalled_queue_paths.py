"""A table that stalls during a notification batch or a royalty page: the handler ends in
seconds, every message is done or handed back, and after the resume each is counted once.

DynamoDB Local is real; only a TCP proxy between it and the handlers stalls
(devstack/stall_proxy.py, tests/stalls.py).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import Counter
from types import SimpleNamespace
from datetime import datetime, timezone

import pytest

from chalicelib import clock
from chalicelib.adapters.tables import DeliveryRecord, DistributionRecord
from chalicelib.domain import events
from chalicelib.schemas import Profile
from chalicelib.services import distributions, local_outbox, notifications, profiles, royalty_runs
from tests import factories, stalls
from tests.integration.royalty_helpers import back, film_credits, receipt


@pytest.fixture
def stalled():
    with stalls.proxied() as proxies:
        yield proxies


def stall_after(monkeypatch, module, name, calls, stall):
    """`stall` strikes after the `calls`-th call of module.name has returned; returns the calls seen."""
    original, seen = getattr(module, name), []

    def counted(*args, **kwargs):
        seen.append(args)
        result = original(*args, **kwargs)
        if len(seen) == calls:
            stall()
        return result

    monkeypatch.setattr(module, name, counted)
    return seen


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_notification_batch_hands_back_what_a_stalled_table_stopped(stalled, monkeypatch):
    people = []
    for _ in range(4):
        user = factories.member()
        address = f"{user.user_id}@example.org"
        profiles.put(user, Profile(display_name=user.user_id, email=address, phone=f"+3369{random.randrange(10**7):07d}",
                                   locale="en", notify_email=True, notify_sms=False))
        profiles.mark_verified(user.user_id, "email")  # nothing goes to an unverified contact
        people.append((user, address))
    period = f"stall-{uuid.uuid4().hex[:8]}"
    batch = {"Records": [
        {"messageId": f"m{i}", "body": events.Event(
            events.ROYALTY_STATEMENT, f"{period}#{user.user_id}", clock.iso(),
            events.Audience(events.USER, user_id=user.user_id),
            data={"period": period, "credited_cents": 1234, "balance_cents": 1234}).to_json()}
        for i, (user, _) in enumerate(people)]}
    handled = stall_after(monkeypatch, notifications, "handle", 1, stalled.dynamodb.stall)

    result, seconds = timed(lambda: notifications.notify(batch))
    assert seconds < stalls.ANSWER_BOUND_SECONDS, f"ended after {seconds:.1f}s"
    assert result == {"batchItemFailures": [{"itemIdentifier": m} for m in ("m1", "m2", "m3")]}
    assert len(handled) == 2  # after the stall, m2 and m3 went back untouched

    stalled.resume()
    handed_back = {"Records": [r for r in batch["Records"] if r["messageId"] != "m0"]}
    assert notifications.notify(handed_back) == {"batchItemFailures": []}
    assert notifications.notify(batch) == {"batchItemFailures": []}  # everything again: nothing twice
    emails = Counter(m["to"] for m in local_outbox.messages(limit=10**9)["emails"] if period in m["subject"] + m["body"])
    assert emails == Counter({address: 1 for _, address in people})
    for user, _ in people:
        event_id = events.event_id(events.ROYALTY_STATEMENT, None, f"{period}#{user.user_id}")
        assert [r.status for r in DeliveryRecord.query(event_id)] == ["sent"]


def test_a_royalty_chunk_hands_back_a_film_whose_page_stalled_and_credits_once_after(stalled, monkeypatch):
    monkeypatch.setattr(distributions, "PAGE_SIZE", 5)
    films = [factories.make_film()["film_id"] for _ in range(2)]
    with clock.frozen(datetime(2024, 6, 1, tzinfo=timezone.utc)):
        for film_id in films:
            for i in range(12):  # 3 pages of weights
                back(film_id, f"s{i:02d}-{film_id[:6]}", 1000 + 100 * i)
    with clock.frozen(datetime(2024, 7, 20, tzinfo=timezone.utc)):
        for film_id in films:
            receipt(film_id, "2024-07", 100_000)
    batch = {"Records": [{"messageId": film_id, "body": json.dumps({"film_id": film_id, "period": "2024-07"})}
                         for film_id in films]}
    from chalicelib.adapters import royalty_pages

    # page 1 written and counted, then the table stalls while the next pages' credits are on their way
    written = stall_after(monkeypatch, royalty_pages, "finish_page", 1, stalled.dynamodb.stall)
    with clock.frozen(datetime(2024, 8, 1, 3, tzinfo=timezone.utc)):
        result, seconds = timed(lambda: royalty_runs.handle_chunks(batch))
        assert seconds < stalls.ANSWER_BOUND_SECONDS, f"ended after {seconds:.1f}s"
        assert result == {"batchItemFailures": [{"itemIdentifier": film_id} for film_id in films]}
        stalled.resume()
        assert DistributionRecord.get(films[0], "2024-07", consistent_read=True).status == "running"
        assert len(written) >= 1
        assert royalty_runs.handle_chunks(batch) == {"batchItemFailures": []}
    for film_id in films:
        record = DistributionRecord.get(film_id, "2024-07", consistent_read=True)
        credits = film_credits(film_id, "2024-07")
        assert record.status == "done" and int(record.credited_cents) == 80_000
        assert sum(int(c.amount_cents) for c in credits) == 80_000
        assert len({c.user_id for c in credits}) == len(credits) == 12  # one credit each, nobody twice


def test_a_scheduled_job_that_meets_a_stalled_table_ends_in_seconds_and_counts_it(stalled, monkeypatch):
    import app
    from chalicelib import observability

    flushed: list[list[str]] = []

    def flush_metrics(raise_on_empty_metrics: bool = False) -> None:
        flushed.append(sorted(observability.metrics.metric_set))
        observability.metrics.metric_set.clear()

    monkeypatch.setattr(observability.metrics, "flush_metrics", flush_metrics)
    event = {"version": "0", "id": "e1", "detail-type": "Scheduled Event", "source": "aws.events", "account": "123456789012",
             "time": "2024-08-01T03:00:00Z", "region": "eu-west-3", "resources": [], "detail": {}}
    context = SimpleNamespace(aws_request_id="monthly-run-1", function_name="distribute_royalties")
    stalled.dynamodb.stall()
    with clock.frozen(datetime(2024, 8, 1, 3, tzinfo=timezone.utc)):
        started = time.monotonic()
        with pytest.raises(Exception) as raised:
            app.distribute_royalties(event, context)
        seconds = time.monotonic() - started
    assert seconds < stalls.ANSWER_BOUND_SECONDS, f"ended after {seconds:.1f}s"
    assert "did not answer in time" in str(raised.value) or "timeout" in str(raised.value).lower()
    assert flushed and "DynamoDBTimeouts" in flushed[-1]
