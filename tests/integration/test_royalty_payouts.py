"""Balances at or above the threshold are paid out once; a refused transfer comes back."""

from __future__ import annotations

from datetime import datetime, timezone

from chalicelib import clock
from chalicelib.adapters.tables import PayoutRecord, UserRecord
from chalicelib.services import distributions, payouts
from tests import factories
from tests.integration.royalty_helpers import back, receipt

BACKED = datetime(2025, 3, 3, tzinfo=timezone.utc)


def payee(film_id: str, name: str, cents: int, account: str | None = "acct_ok") -> str:
    user = f"{name}-{film_id[:8]}"
    if account:
        UserRecord(user).update(actions=[UserRecord.stripe_account_id.set(account)])
    with clock.frozen(BACKED):
        back(film_id, user, cents)
    return user


def distribute(film_id: str, period: str, cents: int) -> None:
    with clock.frozen(datetime(2025, 12, 2, tzinfo=timezone.utc)):
        receipt(film_id, period, cents)
        distributions.distribute_film(film_id, period)


def settle(users: list[str], period: str) -> dict:
    with clock.frozen(datetime(2025, 12, 2, 1, tzinfo=timezone.utc)):
        return {u: payouts.settle_user(u, period) for u in users}


def statuses(user: str) -> list[tuple[str, int]]:
    return [(p.status, int(p.amount_cents)) for p in PayoutRecord.by_user.query(user)]


def test_below_the_threshold_the_balance_carries_forward(fake):
    film_id = factories.make_film()["film_id"]
    small, big, no_account = payee(film_id, "small", 1000), payee(film_id, "big", 9000), payee(film_id, "none", 5000, None)
    distribute(film_id, "2025-04", 8000)  # pool 6400: 427 / 3840 / 2133
    settle([small, big, no_account], "2025-04")
    assert statuses(small) == [] and payouts.balance(small) == 427
    assert statuses(no_account) == [] and payouts.balance(no_account) == 2133
    assert statuses(big) == [("paid", 3840)] and payouts.balance(big) == 0
    distribute(film_id, "2025-05", 150_000)  # small gets 8000 more: over the threshold now
    settle([small, big, no_account], "2025-05")
    assert statuses(small) == [("paid", 427 + 8000)]
    assert len(fake.calls) == 3


def test_a_refused_transfer_returns_the_money_and_is_retried_on_the_next_run(fake):
    film_id = factories.make_film()["film_id"]
    user = payee(film_id, "flaky", 1000, account="acct_closed")
    fake.failing.add("acct_closed")
    distribute(film_id, "2025-06", 5000)
    settle([user], "2025-06")
    assert statuses(user) == [("failed", 4000)] and payouts.balance(user) == 4000
    failed = payouts.failed(factories.admin(), limit=100)["items"]
    mine = [p for p in failed if p["user_id"] == user]
    assert mine[0]["reason"].startswith("account_invalid") and mine[0]["amount_cents"] == 4000
    fake.failing.clear()
    with clock.frozen(datetime(2026, 1, 1, 3, tzinfo=timezone.utc)):
        assert user in payouts.retry_candidates()
        payouts.settle_user(user, "2025-12")  # the next run, with no new credit for this user
    assert sorted(statuses(user)) == [("failed", 4000), ("paid", 4000)] and payouts.balance(user) == 0


def test_the_threshold_is_configurable(fake, monkeypatch):
    from chalicelib import config

    film_id = factories.make_film()["film_id"]
    user = payee(film_id, "tiny", 1000)
    distribute(film_id, "2025-07", 200)
    monkeypatch.setenv("PAYOUT_THRESHOLD_CENTS", "100")
    config.settings.cache_clear()
    try:
        settle([user], "2025-07")
    finally:
        monkeypatch.delenv("PAYOUT_THRESHOLD_CENTS")
        config.settings.cache_clear()
    assert statuses(user) == [("paid", 160)]
