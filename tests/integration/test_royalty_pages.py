"""One film's royalty run split in pages on the chunk queue: each page its own message, credited
exactly once however often, in whatever order and by however many workers it comes."""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone

import pytest

from chalicelib import clock
from chalicelib.adapters import royalty_pages
from chalicelib.adapters.tables import DistributionRecord, PayoutRecord, UserRecord
from chalicelib.domain import royalties as rules
from chalicelib.services import distributions, royalty_runs
from tests import factories
from tests.integration.royalty_helpers import back, film_credits, receipt

BACKED = datetime(2026, 5, 3, tzinfo=timezone.utc)
RECEIVED = datetime(2026, 5, 20, tzinfo=timezone.utc)
RUN = datetime(2026, 6, 1, 3, tzinfo=timezone.utc)
PERIOD = "2026-05"
COPRODUCERS = 41
RIGHTS = 1_234_567


class Killed(Exception):
    pass


@pytest.fixture
def queue(monkeypatch):
    """Pages of 5 co-producers (9 pages); the messages the run sends, kept in order."""
    monkeypatch.setattr(distributions, "PAGE_SIZE", 5)
    sent: list[dict] = []
    monkeypatch.setattr(royalty_runs, "_send_many", sent.extend)
    return sent


def crowd(with_account: str | None = None) -> tuple[str, list[rules.Share]]:
    film_id = factories.make_film()["film_id"]
    shares = [rules.Share(f"p{i:02d}-{film_id[:6]}", 1000 + (i * 7919) % 9000, "") for i in range(COPRODUCERS)]
    if with_account:
        UserRecord(shares[0].user_id).update(actions=[UserRecord.stripe_account_id.set(with_account)])
    with clock.frozen(BACKED):
        for share in shares:
            back(film_id, share.user_id, share.weight_cents)
    with clock.frozen(RECEIVED):
        receipt(film_id, PERIOD, RIGHTS)
    return film_id, shares


def deliver(message: dict) -> dict:
    return royalty_runs.handle_chunks({"Records": [{"messageId": "m", "body": json.dumps(message)}]})


def start(film_id: str, sent: list[dict]) -> list[dict]:
    """The film's message: it claims the receipts and sends its pages (nothing credited yet)."""
    deliver({"film_id": film_id, "period": PERIOD, "run_period": PERIOD, "films": [[film_id, PERIOD]]})
    pages = [m for m in sent if m["film_id"] == film_id and "page" in m]
    assert sorted(m["page"] for m in pages) == list(range(9)) and {m["batch"] for m in pages} == {1}
    assert film_credits(film_id, PERIOD) == [] and not distributions.finished(film_id, PERIOD)
    return pages


def credited(film_id: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for credit in film_credits(film_id, PERIOD):
        totals[credit.user_id] = totals.get(credit.user_id, 0) + int(credit.amount_cents)
    return totals


def assert_exact(film_id: str, shares: list[rules.Share]) -> None:
    pool = RIGHTS * 8000 // 10_000
    record = DistributionRecord.get(film_id, PERIOD, consistent_read=True)
    assert (record.status, int(record.pool_cents), int(record.credited_cents), int(record.credits)) == (
        "done", pool, pool, COPRODUCERS)
    assert credited(film_id) == rules.allocate(pool, shares)  # the one-invocation allocation, to the cent
    assert len(film_credits(film_id, PERIOD)) == COPRODUCERS  # one credit each, nobody twice
    progress = royalty_pages.progress(distributions.snapshot_id(film_id, PERIOD), 1)
    assert progress == (9, pool, COPRODUCERS)  # every page counted once


def test_a_page_processed_twice_pays_once(queue, fake):
    film_id, shares = crowd(with_account="acct_ok")
    with clock.frozen(RUN):
        pages = start(film_id, queue)
        deliver(pages[0])
        deliver(pages[0])  # a duplicate, before the batch closes
        for message in pages[1:]:
            deliver(message)
        for message in pages:  # every page again, after the batch closed and the run settled
            deliver(message)
    assert_exact(film_id, shares)
    payouts = [(p.status, int(p.amount_cents)) for p in PayoutRecord.by_user.query(shares[0].user_id)]
    assert payouts == [("paid", credited(film_id)[shares[0].user_id])]  # settled once
    assert fake.paid_to("acct_ok") == payouts[0][1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pages_in_any_order_give_the_same_totals(queue, seed):
    film_id, shares = crowd()
    with clock.frozen(RUN):
        pages = start(film_id, queue)
        random.Random(seed).shuffle(pages)
        for message in pages:
            deliver(message)
    assert_exact(film_id, shares)


@pytest.mark.parametrize("step", ["credits", "page-done"])
def test_a_crash_mid_page_resumes(queue, step):
    """Killed after a page's first credits are written (or after it is counted, before the batch
    closes): the redelivered message finishes it, and nothing is credited or counted twice."""
    film_id, shares = crowd()

    def kill(at: str) -> None:
        if at == step:
            raise Killed(at)

    with clock.frozen(RUN):
        pages = start(film_id, queue)
        for message in pages[:-1]:
            deliver(message)
        last = pages[-1]
        with pytest.raises(Killed):
            distributions.credit_page(film_id, PERIOD, last["batch"], last["page"], checkpoint=kill)
        assert not distributions.finished(film_id, PERIOD)
        assert deliver(last) == {"batchItemFailures": []}  # the redelivery
    assert_exact(film_id, shares)


def test_the_film_message_again_resends_only_the_pages_not_done(queue):
    film_id, shares = crowd()
    with clock.frozen(RUN):
        pages = start(film_id, queue)
        for message in pages[:4]:
            deliver(message)
        queue.clear()
        deliver({"film_id": film_id, "period": PERIOD, "run_period": PERIOD, "films": [[film_id, PERIOD]]})
        assert sorted(m["page"] for m in queue) == sorted(m["page"] for m in pages[4:])
        for message in queue:
            deliver(message)
    assert_exact(film_id, shares)


def test_the_local_pump_credits_the_pages_with_four_workers_at_once(monkeypatch):
    """The real chunk queue (moto) and the event pump running the chunk handler 4 at once:
    pages finished at the same moment conflict on the batch's progress, and still count once."""
    import threading

    from chalicelib.adapters.channels import queue_url, send_to_queue
    from devstack.pump import Pump

    monkeypatch.setattr(distributions, "PAGE_SIZE", 5)
    film_id, shares = crowd()
    running, most = [0], [0]
    lock = threading.Lock()

    def chunk(event, context):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return royalty_runs.handle_chunks(event, context)
        finally:
            with lock:
                running[0] -= 1

    from chalicelib.adapters.clients import aws_client

    aws_client("sqs").purge_queue(QueueUrl=queue_url("distribution-chunks"))
    with clock.frozen(RUN):
        send_to_queue("distribution-chunks", {"film_id": film_id, "period": PERIOD, "run_period": PERIOD,
                                              "films": [[film_id, PERIOD]]})
        Pump({"distribute_royalties_chunk": chunk}, workers=4).drain()
    assert most[0] > 1  # pages did run at once
    assert_exact(film_id, shares)
