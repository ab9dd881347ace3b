"""The royalty distribution against DynamoDB Local: exact, exactly once, append-only."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib import clock
from chalicelib.adapters.tables import DistributionRecord, OutboxRecord, PayoutRecord, ReceiptRecord, UserRecord
from chalicelib.domain import royalties as rules
from chalicelib.schemas import Rights
from chalicelib.services import contributions, distributions, payouts, rights, royalty_runs, statements
from tests import factories
from tests.integration.royalty_helpers import back, film_credits, receipt

SEPT = datetime(2026, 9, 10, 12, tzinfo=timezone.utc)
OCT_RUN = datetime(2026, 10, 1, 3, tzinfo=timezone.utc)


def coproducers(film_id: str, amounts: list[int], at: datetime = SEPT) -> list[str]:
    users = [f"u{i:03d}-{uuid.uuid4().hex[:6]}" for i in range(len(amounts))]
    with clock.frozen(at):
        for user, cents in zip(users, amounts):
            back(film_id, user, cents)
    return users


def credits_by_user(film_id: str, period: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for credit in film_credits(film_id, period):
        totals[credit.user_id] = totals.get(credit.user_id, 0) + int(credit.amount_cents)
    return totals


def run(film_id: str, period: str = "2026-09", at: datetime = OCT_RUN) -> dict:
    with clock.frozen(at):
        return royalty_runs.run_film(film_id, period)


def test_a_period_is_split_to_the_cent():
    film_id = factories.make_film()["film_id"]
    users = coproducers(film_id, [5000, 3000, 1500, 500, 1000])
    with clock.frozen(SEPT):
        receipt(film_id, "2026-09", 100_000)
    result = run(film_id)
    assert result["status"] == "done"
    assert (result["pool_cents"], result["credited_cents"], result["credits"]) == (80_000, 80_000, 5)
    assert credits_by_user(film_id, "2026-09") == dict(zip(users, [36_364, 21_818, 10_909, 3_636, 7_273]))
    line = statements.statement(factories.Caller(user_id=users[0]), "2026-09")["lines"][0]
    assert line | {"title": None} == {
        "film_id": film_id, "title": None, "batch": 1, "rights_received_cents": 100_000, "coproducer_rate_bps": 8000,
        "pool_cents": 80_000, "your_confirmed_cents": 5000, "film_confirmed_cents": 11_000, "amount_cents": 36_364}


def test_the_same_period_run_twice_changes_nothing():
    film_id = factories.make_film()["film_id"]
    coproducers(film_id, [1000, 2000, 3000])
    with clock.frozen(SEPT):
        receipt(film_id, "2026-09", 12_345)
    run(film_id)
    before = DistributionRecord.get(film_id, "2026-09").attribute_values
    ledger = sorted((c.user_id, c.entry_key, int(c.amount_cents)) for c in film_credits(film_id))
    run(film_id, at=datetime(2026, 10, 2, tzinfo=timezone.utc))
    assert DistributionRecord.get(film_id, "2026-09").attribute_values == before
    assert sorted((c.user_id, c.entry_key, int(c.amount_cents)) for c in film_credits(film_id)) == ledger


def test_a_late_receipt_is_distributed_once_with_the_same_weights():
    film_id = factories.make_film()["film_id"]
    users = coproducers(film_id, [1000, 3000])
    with clock.frozen(SEPT):
        receipt(film_id, "2026-09", 10_000)
    run(film_id)
    coproducers(film_id, [50_000], at=datetime(2026, 10, 5, tzinfo=timezone.utc))  # joins after the period
    with clock.frozen(datetime(2026, 10, 20, tzinfo=timezone.utc)):
        receipt(film_id, "2026-09", 1001)
    result = run(film_id, at=datetime(2026, 10, 20, 1, tzinfo=timezone.utc))
    run(film_id, at=datetime(2026, 10, 21, tzinfo=timezone.utc))
    assert [b["pool_cents"] for b in result["batches"]] == [8000, 800]
    assert result["pool_cents"] == result["credited_cents"] == 8800
    assert credits_by_user(film_id, "2026-09") == {users[0]: 2200, users[1]: 6600}
    assert all(r.batch is not None for r in ReceiptRecord.query(film_id))


def test_a_period_batched_receipt_by_receipt_credits_what_one_batch_would():
    film_id = factories.make_film()["film_id"]
    users = coproducers(film_id, [1000, 1000, 1000])  # equal weights: ties decide the odd cents
    for day in (2, 3, 4):
        at = datetime(2026, 10, day, tzinfo=timezone.utc)
        with clock.frozen(at):
            receipt(film_id, "2026-09", 3)  # 2.4 cents of pool each
        run(film_id, at=at + timedelta(hours=1))
    record = DistributionRecord.get(film_id, "2026-09")
    assert [b["pool_cents"] for b in record.batches] == [2, 2, 3]  # 4.8 then 7.2 on the period
    assert int(record.pool_cents) == int(record.credited_cents) == 7 == rules.pool_cents(9, 8000)
    one_batch = rules.allocate(7, [rules.Share(u, 1000, clock.iso(SEPT)) for u in users])
    assert credits_by_user(film_id, "2026-09") == one_batch == dict(zip(users, [3, 2, 2]))


def test_a_negative_receipt_takes_back_its_share():
    film_id = factories.make_film()["film_id"]
    users = coproducers(film_id, [1000, 1000, 1000])
    with clock.frozen(SEPT):
        first = receipt(film_id, "2026-09", 10_001)
    run(film_id)
    with clock.frozen(datetime(2026, 10, 10, tzinfo=timezone.utc)):
        receipt(film_id, "2026-10", -5_000, corrects=first["receipt_id"])
    result = run(film_id, "2026-10", at=datetime(2026, 11, 1, 3, tzinfo=timezone.utc))
    assert result["pool_cents"] == result["credited_cents"] == -4000
    assert sorted(credits_by_user(film_id, "2026-10").values()) == [-1334, -1333, -1333]
    assert sum(payouts.balance(u) for u in users) == 8000 - 4000


def test_a_period_nobody_held_a_share_of_is_refused_not_left_unallocated():
    film_id = factories.make_film()["film_id"]
    with clock.frozen(SEPT):
        receipt(film_id, "2026-09", 50_000)
    with pytest.raises(distributions.NobodyToCredit) as exc:
        run(film_id)
    assert (exc.value.status, exc.value.code) == (409, "nobody_to_credit")
    record = DistributionRecord.get(film_id, "2026-09")
    assert (record.status, int(record.pool_cents), int(record.unallocated_cents), record.batches) == ("refused", 0, 0, [])
    assert film_credits(film_id) == [] and all(r.batch is None for r in ReceiptRecord.query(film_id))
    with clock.frozen(OCT_RUN):
        result = royalty_runs.run_period("2026-09")
    assert {"film_id": film_id, "period": "2026-09"}.items() <= next(
        r for r in result["refused"] if r["film_id"] == film_id).items()
    assert film_id not in [f["film_id"] for f in result["films"]]


@pytest.mark.parametrize("status", ["draft", "failed"])
def test_rights_and_receipts_of_a_draft_or_failed_film_are_refused(status):
    from chalicelib.adapters.tables import FilmRecord
    from chalicelib.errors import Conflict

    film_id = factories.make_film(open_it=status != "draft")["film_id"]
    if status == "failed":
        FilmRecord(film_id).update(actions=[FilmRecord.status.set("failed")])
    for call in (lambda: receipt(film_id, "2026-09", 1000),
                 lambda: rights.put_rights(factories.admin(), film_id, Rights(description="50%", coproducer_rate_bps=5000))):
        with clock.frozen(SEPT), pytest.raises(Conflict) as exc:
            call()
        assert (exc.value.code, exc.value.field) == ("film_not_funded", "film_id")
    assert list(ReceiptRecord.query(film_id)) == []


def test_weights_are_taken_at_the_period_end_and_a_later_refund_is_never_an_edit():
    film_id = factories.make_film()["film_id"]
    a, b = coproducers(film_id, [3000, 1000])
    pledge = None
    with clock.frozen(SEPT):
        pledge = back(film_id, a, 4000)  # a: 7000 in total at the end of September
    with clock.frozen(datetime(2026, 10, 1, 1, tzinfo=timezone.utc)):
        contributions.refund(pledge, 4000)  # refunded after the period, before the run
        back(film_id, b, 9000)  # confirmed after the period: not in September's weights
        receipt(film_id, "2026-09", 10_000)
    result = run(film_id)
    assert result["film_confirmed_cents"] == 8000
    assert credits_by_user(film_id, "2026-09") == {a: 7000, b: 1000}
    with clock.frozen(datetime(2026, 10, 15, tzinfo=timezone.utc)):
        receipt(film_id, "2026-10", 10_000)
    run(film_id, "2026-10", at=datetime(2026, 11, 1, 3, tzinfo=timezone.utc))
    assert credits_by_user(film_id, "2026-09") == {a: 7000, b: 1000}  # untouched
    assert credits_by_user(film_id, "2026-10") == {a: 1846, b: 6154}  # 3000 : 10000


def test_a_refund_before_the_period_end_counts_even_when_another_follows_it():
    film_id = factories.make_film()["film_id"]
    a, b = coproducers(film_id, [1000, 1000])
    with clock.frozen(SEPT):
        pledge = back(film_id, a, 4000)  # a: 5000 in September
    with clock.frozen(datetime(2026, 9, 20, tzinfo=timezone.utc)):
        contributions.refund(pledge, 1000)  # in the period: a has 4000 at its end
    with clock.frozen(datetime(2026, 10, 1, 1, tzinfo=timezone.utc)):
        contributions.refund(pledge, 3000)  # after the period, before the run
        receipt(film_id, "2026-09", 10_000)
    result = run(film_id)
    assert result["film_confirmed_cents"] == 5000
    assert credits_by_user(film_id, "2026-09") == {a: 6400, b: 1600}


def test_a_dispute_before_the_period_end_counts_even_when_the_backing_changes_after_it():
    """The weight rebuilt from the pledge history (the backing moved after the period's end)
    leaves out what a dispute opened before that end took out, and puts back a dispute won."""
    from chalicelib.adapters.tables import PledgeRecord
    from chalicelib.services import disputes

    film_id = factories.make_film()["film_id"]
    a, b = coproducers(film_id, [1000, 1000])
    with clock.frozen(SEPT):
        disputed = back(film_id, a, 4000)  # a: 5000 in September
        won = back(film_id, b, 2000)  # b: 3000 in September
    for pledge_id, dispute_id in ((disputed, "dp_lost"), (won, "dp_won")):
        PledgeRecord(pledge_id).update(actions=[PledgeRecord.payment_intent_id.set(f"pi_{pledge_id}")])
        with clock.frozen(datetime(2026, 9, 20, tzinfo=timezone.utc)):
            disputes.opened({"id": f"{dispute_id}_{pledge_id}", "amount": 4000 if pledge_id == disputed else 2000,
                             "payment_intent": f"pi_{pledge_id}", "reason": "fraudulent"})
    with clock.frozen(datetime(2026, 9, 25, tzinfo=timezone.utc)):
        disputes.closed({"id": f"dp_won_{won}", "status": "won", "payment_intent": f"pi_{won}"})
    with clock.frozen(datetime(2026, 10, 1, 1, tzinfo=timezone.utc)):
        back(film_id, a, 1000)  # after the period, before the run: a's backing moves
        back(film_id, b, 1000)
        receipt(film_id, "2026-09", 10_000)
    result = run(film_id)
    assert result["film_confirmed_cents"] == 1000 + 3000
    assert credits_by_user(film_id, "2026-09") == {a: 2000, b: 6000}


def test_each_receipt_goes_to_exactly_one_batch_when_runs_race():
    film_id = factories.make_film()["film_id"]
    coproducers(film_id, [1000, 2000])
    with clock.frozen(SEPT):
        receipt(film_id, "2026-09", 999)
    with clock.frozen(OCT_RUN):
        distributions.distribute_film(film_id, "2026-09")
        distributions.distribute_film(film_id, "2026-09")
    record = DistributionRecord.get(film_id, "2026-09")
    assert len(record.batches) == 1 and int(record.credited_cents) == 799


def test_rights_set_the_rate_of_later_batches():
    film_id = factories.make_film()["film_id"]
    coproducers(film_id, [1000])
    rights.put_rights(factories.admin(), film_id, Rights(description="50% of net receipts", coproducer_rate_bps=5000))
    with clock.frozen(SEPT):
        receipt(film_id, "2026-09", 10_001)
    assert run(film_id)["pool_cents"] == 5000
    assert rules.pool_cents(10_001, 5000) == 5000


def test_one_statement_event_per_period_and_user():
    film_id = factories.make_film()["film_id"]
    user, = coproducers(film_id, [2000])
    with clock.frozen(SEPT):
        receipt(film_id, "2026-09", 500)
    run(film_id)
    run(film_id)
    event = OutboxRecord.get(f"royalty.statement#-#2026-09#{user}")
    assert event.audience == {"kind": "user", "user_id": user, "min_cents": 0}
    assert event.data == {"period": "2026-09", "credited_cents": 400, "balance_cents": 400, "paid_out_cents": 0,
                          "films": [film_id], "periods": ["2026-09"]}


@pytest.mark.parametrize("period", ["2026-12", "2027-01"])
def test_a_future_period_is_refused(period):
    """'Future' is measured against the frozen clock, never against the day the suite runs."""
    film_id = factories.make_film()["film_id"]
    with clock.frozen(datetime(2026, 11, 15, tzinfo=timezone.utc)):
        with pytest.raises(Exception) as exc:
            receipt(film_id, period, 100)
    assert getattr(exc.value, "field", None) == "period"


def test_the_schedule_and_the_chunk_queue_run_the_same_code():
    import json

    film_id = factories.make_film()["film_id"]
    users = coproducers(film_id, [1000, 1000], at=datetime(2026, 8, 2, tzinfo=timezone.utc))
    with clock.frozen(datetime(2026, 8, 20, tzinfo=timezone.utc)):
        receipt(film_id, "2026-08", 2_000)
    message = {"Records": [{"body": json.dumps({"film_id": film_id, "period": "2026-08"})}]}
    with clock.frozen(datetime(2026, 9, 1, 3, tzinfo=timezone.utc)):
        royalty_runs.handle_chunks(message)
        royalty_runs.handle_chunks(message)  # a redelivery
        result = royalty_runs.scheduled()  # the 1st of the month: the previous month, every film
    assert result["period"] == "2026-08" and film_id in [f["film_id"] for f in result["films"]]
    assert credits_by_user(film_id, "2026-08") == {users[0]: 800, users[1]: 800}


def test_a_coproducer_of_several_films_gets_one_statement_and_one_payout_per_run(fake):
    first, second = factories.make_film()["film_id"], factories.make_film()["film_id"]
    user = f"twofilms-{first[:8]}"
    UserRecord(user).update(actions=[UserRecord.stripe_account_id.set("acct_ok")])
    with clock.frozen(SEPT):
        back(first, user, 1000)
        back(second, user, 1000)
        receipt(first, "2026-09", 5000)
        receipt(second, "2026-09", 10_000)
    with clock.frozen(OCT_RUN):
        result = royalty_runs.run_period("2026-09")
    assert {f["film_id"] for f in result["films"]} >= {first, second}
    assert [(p.status, int(p.amount_cents)) for p in PayoutRecord.by_user.query(user)] == [("paid", 12_000)]
    assert fake.paid_to("acct_ok") >= 12_000 and payouts.balance(user) == 0
    event = OutboxRecord.get(f"royalty.statement#-#2026-09#{user}")
    assert event.data["credited_cents"] == 12_000 and event.data["paid_out_cents"] == 12_000
    assert event.data["films"] == sorted([first, second])


def test_the_monthly_run_also_distributes_receipts_left_from_earlier_periods():
    film_id = factories.make_film()["film_id"]
    users = coproducers(film_id, [1000, 3000])
    with clock.frozen(SEPT):
        first = receipt(film_id, "2026-09", 10_000)
    with clock.frozen(OCT_RUN):
        royalty_runs.run_period("2026-09")
    with clock.frozen(datetime(2026, 10, 20, tzinfo=timezone.utc)):  # after September was distributed
        receipt(film_id, "2026-09", 2_000)
        receipt(film_id, "2026-09", -1_000, corrects=first["receipt_id"])
    with clock.frozen(datetime(2026, 11, 1, 3, tzinfo=timezone.utc)):
        result = royalty_runs.run_period("2026-10")
    assert (film_id, "2026-09") in {(f["film_id"], f["period"]) for f in result["films"]}
    assert credits_by_user(film_id, "2026-09") == {users[0]: 2200, users[1]: 6600}  # 11,000 x 80%
    assert all(r.batch is not None for r in ReceiptRecord.query(film_id))
    event = OutboxRecord.get(f"royalty.statement#-#2026-10#{users[1]}")
    assert event.data["credited_cents"] == 600 and event.data["periods"] == ["2026-09"]


def test_films_sent_through_the_queue_are_settled_once_when_the_last_one_is_distributed(fake, monkeypatch):
    import json
    from types import SimpleNamespace

    first, second = factories.make_film()["film_id"], factories.make_film()["film_id"]
    user = f"queued-{first[:8]}"
    UserRecord(user).update(actions=[UserRecord.stripe_account_id.set("acct_ok")])
    with clock.frozen(datetime(2026, 7, 2, tzinfo=timezone.utc)):
        back(first, user, 1000)
        back(second, user, 1000)
        receipt(first, "2026-07", 5000)
        receipt(second, "2026-07", 10_000)
    sent = []
    monkeypatch.setattr(royalty_runs, "INLINE_COPRODUCERS", 0)
    monkeypatch.setattr(royalty_runs, "settings", lambda: SimpleNamespace(distribution_chunks_queue_url="queue"))
    monkeypatch.setattr(royalty_runs, "_send", sent.append)
    with clock.frozen(datetime(2026, 8, 1, 3, tzinfo=timezone.utc)):
        result = royalty_runs.run_period("2026-07", dispatch=True)
        assert set(result["queued_films"]) >= {first, second} and payouts.balance(user) == 0  # nothing credited yet
        mine = [m for m in sent if m["film_id"] in (first, second)]
        royalty_runs.handle_chunks({"Records": [{"body": json.dumps(mine[0])}]})
        assert payouts.payouts_of(user) == []  # the other film is not distributed yet: no payout
        for message in (mine[1], mine[0]):  # the last film, then a redelivery
            royalty_runs.handle_chunks({"Records": [{"body": json.dumps(message)}]})
    assert [(p.status, int(p.amount_cents)) for p in payouts.payouts_of(user)] == [("paid", 12_000)]
    assert OutboxRecord.get(f"royalty.statement#-#2026-07#{user}").data["credited_cents"] == 12_000
