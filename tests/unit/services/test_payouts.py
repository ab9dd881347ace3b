"""Payouts on the in-memory twin of their storage, with Stripe Connect played by a fake that
remembers every transfer it made (and its transfer group): paid once whatever fails around the
transfer."""

from __future__ import annotations

import pytest

from chalicelib.adapters import transfers as transfer_adapter
from chalicelib.adapters.tables import UserRecord
from chalicelib.errors import Unavailable
from chalicelib.services import payouts

USER = "u-payee"
PERIOD = "2025-03"


class FakeTransfers:
    """Stripe's transfers by group (= payout id). `refuse` refuses the next transfer;
    `lost` makes the next transfer go through with its answer lost (timeout); `down` makes
    the next n calls (either kind) time out before reaching Stripe."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, int, str]] = []  # every transfer made: (group, cents, destination)
        self.refuse: str | None = None
        self.lost = False
        self.down = 0

    def transfer(self, *, payout_id: str, amount_cents: int, destination: str) -> transfer_adapter.Transfer:
        if self.down:
            self.down -= 1
            raise Unavailable("stripe did not answer")
        if self.refuse:
            reason, self.refuse = self.refuse, None
            return transfer_adapter.Transfer(ok=False, reason=reason)
        self.sent.append((payout_id, amount_cents, destination))
        if self.lost:
            self.lost = False
            raise Unavailable("stripe did not answer")
        return transfer_adapter.Transfer(ok=True, transfer_id=f"tr_{len(self.sent)}")

    def find(self, payout_id: str) -> transfer_adapter.Transfer | None:
        if self.down:
            self.down -= 1
            raise Unavailable("stripe did not answer")
        if payout_id not in {group for group, _, _ in self.sent}:
            return None
        return transfer_adapter.Transfer(ok=True, transfer_id=f"tr_found_{payout_id}")

    def paid(self) -> int:
        return sum(cents for _, cents, _ in self.sent)


@pytest.fixture
def stripe(store):
    fake = FakeTransfers()
    store.state.users[USER] = UserRecord(USER, stripe_account_id="acct_ok")
    transfer_adapter.use(fake)
    yield fake
    transfer_adapter.use(None)


def credit(store, cents: int, period: str = PERIOD) -> None:
    store.credit(USER, f"{period}#credit#film-1#001", cents, period=period, film_id="film-1")


def test_a_payout_is_reserved_once_and_sent_once_after_a_crash(store, stripe):
    credit(store, 5000)

    def crash(step: str) -> None:
        raise RuntimeError(f"the Lambda died after {step}")

    with pytest.raises(RuntimeError):
        payouts.pay_balance(USER, PERIOD, checkpoint=crash)
    assert stripe.sent == [] and payouts.balance(USER) == 0  # reserved: nobody else pays these cents
    first = payouts.pay_balance(USER, PERIOD)
    again = payouts.pay_balance(USER, PERIOD)
    assert (first["paid_cents"], again["paid_cents"]) == (5000, 0)
    assert stripe.paid() == 5000 and len(stripe.sent) == 1
    assert [(p.status, int(p.amount_cents)) for p in payouts.payouts_of(USER)] == [("paid", 5000)]


def test_a_new_payout_never_replaces_a_pending_one(store, stripe):
    credit(store, 5000)
    stripe.down = 1  # the transfer's outcome is unknown: the payout stays pending
    assert payouts.pay_balance(USER, PERIOD)["pending"]
    credit(store, 3000, "2025-04")
    stripe.down = 1  # Stripe still cannot say whether the pending one was paid
    outcome = payouts.pay_balance(USER, "2025-04")
    assert outcome["pending"] and outcome["paid_cents"] == 0
    pending = payouts.payouts_of(USER)
    assert [(p.period, p.status, int(p.amount_cents)) for p in pending] == [(PERIOD, "pending", 5000)]
    assert store.payouts.guard(USER).pending_payout == pending[0].payout_id
    outcome = payouts.pay_balance(USER, "2025-04")  # the pending one is finished first, then the rest
    assert outcome["paid_cents"] == 8000 and stripe.paid() == 8000 and payouts.balance(USER) == 0


def test_a_refused_transfer_returns_the_money_to_the_balance(store, stripe):
    credit(store, 5000)
    stripe.refuse = "account_closed"
    outcome = payouts.pay_balance(USER, PERIOD)
    assert (outcome["failed"], outcome["paid_cents"], outcome["balance_cents"]) == (1, 0, 5000)
    assert payouts.balance(USER) == 5000 and stripe.sent == []
    failed = payouts.payouts_of(USER)[0]
    assert (failed.status, failed.reason, int(failed.attempt)) == ("failed", "account_closed", 1)
    assert [p.payout_id for p in store.payouts.retry_set()] == [failed.payout_id]
    guard = store.payouts.guard(USER)
    assert (guard.failed_payout, guard.pending_payout) == (failed.payout_id, None)


def test_a_timed_out_transfer_found_by_its_transfer_group_is_recorded_not_resent(store, stripe):
    credit(store, 5000)
    stripe.lost = True  # Stripe made the transfer, its answer never came
    assert payouts.pay_balance(USER, PERIOD)["pending"]
    [pending] = payouts.payouts_of(USER)
    assert stripe.sent == [(pending.payout_id, 5000, "acct_ok")]
    outcome = payouts.pay_balance(USER, PERIOD)
    assert outcome["paid_cents"] == 5000 and not outcome["pending"]
    assert len(stripe.sent) == 1 and stripe.paid() == 5000  # found by its group, not sent again
    [paid] = payouts.payouts_of(USER)
    assert (paid.status, paid.transfer_id) == ("paid", f"tr_found_{pending.payout_id}")
    assert payouts.balance(USER) == 0
