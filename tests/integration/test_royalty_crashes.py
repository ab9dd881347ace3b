"""A run killed at any write and started again credits nobody twice and finishes the rest."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from chalicelib import clock
from chalicelib.adapters.tables import DistributionRecord, LedgerRecord, PayoutRecord, UserRecord
from chalicelib.adapters import transfers
from chalicelib.services import distributions, payouts
from tests import factories
from tests.integration.royalty_helpers import back, film_credits, receipt

KILL_POINTS = 20
BACKED_AT = datetime(2023, 6, 1, tzinfo=timezone.utc)


class Killed(Exception):
    pass


class KillAt:
    """A checkpoint that raises at its `at`-th call (0: never) and counts every call."""

    def __init__(self, at: int = 0):
        self.at, self.calls = at, 0

    def __call__(self, step: str) -> None:
        self.calls += 1
        if self.calls == self.at:
            raise Killed(step)


def periods(count: int) -> list[str]:
    return [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(count)]


@pytest.fixture
def crowd(monkeypatch):
    """A film with 41 co-producers, snapshot pages of 5 (9 pages): many writes to die between."""
    monkeypatch.setattr(distributions, "PAGE_SIZE", 5)
    film_id = factories.make_film()["film_id"]
    amounts = [1000 + (i * 7919) % 9000 for i in range(41)]
    with clock.frozen(BACKED_AT):
        for i, cents in enumerate(amounts):
            back(film_id, f"c{i:02d}-{film_id[:6]}", cents)
    return film_id


def test_killed_at_20_random_points_then_rerun(crowd):
    film_id = crowd
    rng = random.Random(20261127)
    all_periods = periods(KILL_POINTS + 1)
    with clock.frozen(datetime(2025, 12, 15, tzinfo=timezone.utc)):
        for index, period in enumerate(all_periods):
            receipt(film_id, period, 123_457 + index * 1_013)
    with clock.frozen(datetime(2026, 1, 1, tzinfo=timezone.utc)):
        counting = KillAt()
        distributions.distribute_film(film_id, all_periods[0], checkpoint=counting)
        steps = counting.calls  # claim, snapshot pages, commit, 9 x (credits, page marker), close
        assert steps >= 20
        for period in all_periods[1:]:
            kill = KillAt(rng.randint(1, steps))
            with pytest.raises(Killed):
                distributions.distribute_film(film_id, period, checkpoint=kill)
            distributions.distribute_film(film_id, period)  # started again
    for index, period in enumerate(all_periods):
        record = DistributionRecord.get(film_id, period, consistent_read=True)
        pool = (123_457 + index * 1_013) * 8000 // 10_000
        credits = film_credits(film_id, period)
        assert record.status == "done" and int(record.pool_cents) == pool
        assert int(record.credited_cents) == sum(int(c.amount_cents) for c in credits) == pool
        assert len({c.user_id for c in credits}) == len(credits) == 41  # one credit each, nobody twice


def test_killed_again_during_a_late_batch(crowd):
    film_id = crowd
    with clock.frozen(datetime(2024, 1, 15, tzinfo=timezone.utc)):
        receipt(film_id, "2023-12", 100_000)
    with clock.frozen(datetime(2024, 1, 16, tzinfo=timezone.utc)):
        distributions.distribute_film(film_id, "2023-12")
        receipt(film_id, "2023-12", 33_333)
        for at in (3, 5, 4):
            with pytest.raises(Killed):
                distributions.distribute_film(film_id, "2023-12", checkpoint=KillAt(at))
        distributions.distribute_film(film_id, "2023-12")
    credits = film_credits(film_id, "2023-12")
    assert sum(int(c.amount_cents) for c in credits) == 80_000 + 26_666
    assert len(credits) == 2 * 41


def test_a_payout_killed_after_its_reservation_is_finished_once():
    fake = transfers.LocalTransfers()
    transfers.use(fake)
    try:
        film_id = factories.make_film()["film_id"]
        user = f"payee-{film_id[:8]}"
        UserRecord(user).update(actions=[UserRecord.stripe_account_id.set("acct_ok")])
        with clock.frozen(BACKED_AT):
            back(film_id, user, 5000)
        with clock.frozen(datetime(2024, 1, 15, tzinfo=timezone.utc)):
            receipt(film_id, "2023-11", 5000)
            distributions.distribute_film(film_id, "2023-11")
            with pytest.raises(Killed):
                payouts.settle_user(user, "2023-11", checkpoint=KillAt(1))
            assert payouts.balance(user) == 0  # reserved: the cents cannot be paid twice
            payouts.settle_user(user, "2023-11")
            payouts.settle_user(user, "2023-11")
        paid = [p for p in PayoutRecord.by_user.query(user)]
        assert [(p.status, int(p.amount_cents)) for p in paid] == [("paid", 4000)]
        assert len(fake.calls) == 1 and payouts.balance(user) == 0
        assert LedgerRecord.count(user) == 1
    finally:
        transfers.use(None)
