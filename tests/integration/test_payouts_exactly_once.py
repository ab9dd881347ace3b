"""Payouts are paid exactly once whatever fails around the transfer, even after Stripe has
forgotten the idempotency key (24 hours), and a failed payout is retried on a bounded schedule."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib import clock
from chalicelib.adapters.money import dynamodb as money_dynamodb
from chalicelib.adapters.tables import PayoutRecord, UserRecord
from chalicelib.services import distributions, payouts
from tests import factories
from tests.integration.royalty_helpers import back, receipt

BACKED = datetime(2025, 2, 3, tzinfo=timezone.utc)
RUN = datetime(2025, 4, 1, 3, tzinfo=timezone.utc)  # the run of 2025-03


def payee(name: str, cents: int = 5000, account: str = "acct_ok") -> tuple[str, str]:
    film_id = factories.make_film()["film_id"]
    user = f"{name}-{film_id[:8]}"
    UserRecord(user).update(actions=[UserRecord.stripe_account_id.set(account)])
    with clock.frozen(BACKED):
        back(film_id, user, cents)
    return film_id, user


def credit(film_id: str, period: str, cents: int, at: datetime) -> None:
    with clock.frozen(at):
        receipt(film_id, period, cents)
        distributions.distribute_film(film_id, period)


def settle(user: str, period: str, at: datetime) -> dict:
    with clock.frozen(at):
        return payouts.settle_user(user, period)


def credited(user: str) -> int:
    return sum(int(c.amount_cents) for c in payouts.credits_of(user))


def records(user: str) -> list[PayoutRecord]:
    return list(PayoutRecord.by_user.query(user))


def test_a_transfer_that_timed_out_is_found_and_recorded_not_sent_again_a_month_later(fake):
    film_id, user = payee("late")
    credit(film_id, "2025-03", 5000, RUN)
    fake.timeouts_after = 1  # Stripe transfers, the answer is lost
    assert settle(user, "2025-03", RUN)["paid_cents"] == 0
    assert [p.status for p in records(user)] == ["pending"]
    a_month_later = RUN + timedelta(days=31)  # Stripe has forgotten the idempotency key
    settle(user, "2025-04", a_month_later)
    settle(user, "2025-04", a_month_later + timedelta(hours=1))
    assert len(fake.sent) == 1 and fake.paid_to("acct_ok") == 4000 == credited(user)
    (payout,) = records(user)
    assert (payout.status, payout.transfer_id) == ("paid", fake.sent[0].transfer_id)
    assert payouts.balance(user) == 0


def test_a_crash_between_the_transfer_and_its_record_is_not_paid_twice_after_24_hours(fake, monkeypatch):
    film_id, user = payee("crash")
    credit(film_id, "2025-03", 5000, RUN)
    real, writes = money_dynamodb.transaction, []

    def dies_on_the_second_write():  # the reservation, then the transfer, then the record
        writes.append(1)
        if len(writes) == 2:
            raise RuntimeError("the Lambda died")
        return real()

    monkeypatch.setattr(money_dynamodb, "transaction", dies_on_the_second_write)
    with pytest.raises(RuntimeError):
        settle(user, "2025-03", RUN)
    monkeypatch.setattr(money_dynamodb, "transaction", real)
    assert len(fake.sent) == 1
    settle(user, "2025-04", RUN + timedelta(days=2))
    assert len(fake.sent) == 1 and [p.status for p in records(user)] == ["paid"]


def test_a_new_payout_never_replaces_a_pending_one(fake):
    film_id, user = payee("stuck")
    credit(film_id, "2025-03", 5000, RUN)
    fake.timeouts_before = 1  # outcome unknown: the payout stays pending
    settle(user, "2025-03", RUN)
    credit(film_id, "2025-04", 5000, RUN + timedelta(days=30))
    fake.timeouts_before = 1  # still down when the next run looks at the pending payout
    settle(user, "2025-04", RUN + timedelta(days=30, hours=1))
    later = RUN + timedelta(days=61)
    settle(user, "2025-05", later)
    settle(user, "2025-05", later + timedelta(hours=1))
    assert fake.paid_to("acct_ok") == credited(user) == 8000
    assert all(p.status == "paid" for p in records(user)) and payouts.balance(user) == 0
    guard = PayoutRecord.get(payouts.account_key(user), consistent_read=True)
    assert int(guard.paid_out_cents) == 8000 and guard.pending_payout is None


def retry_set(user: str) -> list[PayoutRecord]:
    return [p for p in PayoutRecord.failures.query(payouts.FAILED) if p.user_id == user]


def retry(at: datetime) -> dict:
    with clock.frozen(at):
        return payouts.retry_due()


def refused_until_given_up(user: str) -> datetime:
    """Settle, then run the hourly retries for 40 days: every attempt is refused."""
    settle(user, "2025-03", RUN)
    moment = RUN
    for _ in range(10):
        moment += timedelta(days=4)
        retry(moment)
    return moment


def test_a_failed_payout_is_retried_with_backoff_and_leaves_the_retry_set_once_paid(fake):
    film_id, user = payee("flaky", account="acct_closed")
    fake.failing.add("acct_closed")
    credit(film_id, "2025-03", 5000, RUN)
    assert settle(user, "2025-03", RUN)["failed"] == 1
    (entry,) = retry_set(user)
    assert (entry.attempt, entry.next_attempt_at) == (1, clock.iso(RUN + timedelta(hours=1)))
    retry(RUN + timedelta(minutes=30))  # not due yet
    assert [p.payout_id for p in retry_set(user)] == [entry.payout_id]
    retry(RUN + timedelta(hours=1))  # due, still refused: the next attempt replaces it in the set
    (second,) = retry_set(user)
    assert second.attempt == 2 and second.next_attempt_at == clock.iso(RUN + timedelta(hours=7))
    fake.failing.clear()  # the co-producer fixed their account
    assert retry(RUN + timedelta(hours=7))["paid_cents"] == 4000
    assert retry_set(user) == [] and payouts.balance(user) == 0
    assert sorted(p.status for p in records(user)) == ["failed", "failed", "paid"]
    assert fake.paid_to("acct_closed") == 4000 and len(fake.sent) == 1
    with clock.frozen(RUN + timedelta(days=40)):
        assert user not in payouts.retry_candidates()


def test_retries_stop_after_the_last_attempt_and_the_payout_stays_listed_for_admins(fake):
    film_id, user = payee("closed", account="acct_fail_closed")
    credit(film_id, "2025-03", 5000, RUN)
    moment = refused_until_given_up(user)
    attempts = sorted(int(p.attempt) for p in records(user))
    assert attempts == list(range(1, payouts.MAX_PAYOUT_ATTEMPTS + 1))
    (entry,) = retry_set(user)
    assert entry.next_attempt_at is None and entry.gave_up_at is not None
    with clock.frozen(moment):
        assert user not in payouts.retry_candidates()
    listed = [p for p in payouts.failed(factories.admin(), limit=100)["items"] if p["user_id"] == user]
    assert [(p["attempt"], p["next_attempt_at"]) for p in listed] == [(payouts.MAX_PAYOUT_ATTEMPTS, None)]
    assert payouts.balance(user) == 4000 and fake.sent == []


def test_a_new_payout_account_restarts_the_attempts_of_a_given_up_payout(fake):
    from chalicelib.services import payout_accounts

    film_id, user = payee("moved", account="acct_fail_old")
    credit(film_id, "2025-03", 5000, RUN)
    moment = refused_until_given_up(user)
    assert retry_set(user)[0].gave_up_at is not None
    UserRecord(user).update(actions=[UserRecord.connect_account_id.set("acct_new"),
                                     UserRecord.payouts_enabled.set(False)])
    with clock.frozen(moment):  # Stripe says the onboarding of the new account is complete
        payout_accounts.account_updated({"id": "acct_new", "payouts_enabled": True, "metadata": {"user_id": user}})
    assert retry(moment + timedelta(minutes=5))["paid_cents"] == 4000
    assert fake.paid_to("acct_new") == 4000 and retry_set(user) == [] and payouts.balance(user) == 0
