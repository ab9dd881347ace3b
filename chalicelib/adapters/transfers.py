"""Payouts of royalties to co-producers' connected accounts, behind a small interface.

`StripeTransfers` creates Stripe Connect transfers with idempotency key = transfer group =
metadata `payout_id` = the payout id. Stripe forgets idempotency keys after 24 hours, so a
payout whose outcome was not recorded is never simply sent again: `find` first asks Stripe
for a transfer of that group (`GET /v1/transfers?transfer_group=`) and the payout records it.

localstripe has neither transfers nor connected accounts, so the local stack uses
`LocalTransfers`, which behaves like Stripe does: a key is remembered for 24 hours of the
platform's clock, transfers can be listed by group, a destination starting with
``acct_fail`` is refused, and tests can make it time out after (or before) the transfer.
`PAYOUTS=stripe|local` chooses (default: local on stage `local`, stripe elsewhere).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib import clock
from chalicelib.adapters import payments
from chalicelib.config import settings
from chalicelib.errors import Unavailable
from chalicelib.lazy import stripe

FAILING_PREFIX = "acct_fail"
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)  # Stripe's


@dataclass(frozen=True)
class Transfer:
    ok: bool
    transfer_id: str | None = None
    reason: str | None = None  # why the transfer was refused (money returns to the balance)


class Transfers(Protocol):
    def transfer(self, *, payout_id: str, amount_cents: int, destination: str) -> Transfer:
        """Pay `amount_cents` EUR to `destination`. Raises Unavailable when the outcome is
        unknown (the payout stays pending; `find` is asked before it is sent again)."""

    def find(self, payout_id: str) -> Transfer | None:
        """The transfer already made for this payout (its transfer group), or None.
        Raises Unavailable when the provider cannot say."""


class StripeTransfers:
    def transfer(self, *, payout_id: str, amount_cents: int, destination: str) -> Transfer:
        try:
            obj = payments.client().v1.transfers.create(
                params={"amount": amount_cents, "currency": "eur", "destination": destination,
                        "transfer_group": payout_id, "metadata": {"payout_id": payout_id}},
                options={"idempotency_key": payout_id})
        except (stripe.InvalidRequestError, stripe.PermissionError, stripe.CardError) as exc:
            return Transfer(ok=False, reason=f"{exc.code or 'refused'}: {exc.user_message or str(exc)}"[:500])
        except stripe.StripeError as exc:
            raise Unavailable("the payment provider is unavailable; the payout is retried") from exc
        return Transfer(ok=True, transfer_id=obj["id"])

    def find(self, payout_id: str) -> Transfer | None:
        try:
            page = payments.client().v1.transfers.list(params={"transfer_group": payout_id, "limit": 10})
        except stripe.StripeError as exc:
            raise Unavailable("the payment provider is unavailable; the payout is retried") from exc
        for obj in page.data:
            if (obj.get("metadata") or {}).get("payout_id", payout_id) == payout_id and not obj.get("reversed"):
                return Transfer(ok=True, transfer_id=obj["id"])
        return None


@dataclass
class _Sent:
    transfer_id: str
    payout_id: str
    amount_cents: int
    destination: str
    created: datetime


@dataclass
class LocalTransfers:
    """Stands in for Stripe Connect locally and in tests; `failing` destinations are refused.

    `timeouts_after` / `timeouts_before`: how many next calls time out after performing the
    transfer / without performing it (a lost response, an outage)."""

    failing: set[str] = field(default_factory=set)
    timeouts_after: int = 0
    timeouts_before: int = 0
    sent: list[_Sent] = field(default_factory=list)
    keys: dict[str, tuple[datetime, Transfer]] = field(default_factory=dict)

    @property
    def calls(self) -> dict[str, Transfer]:
        """Transfers made, by payout id (the last one of each)."""
        return {s.payout_id: Transfer(ok=True, transfer_id=s.transfer_id) for s in self.sent}

    def transfer(self, *, payout_id: str, amount_cents: int, destination: str) -> Transfer:
        now = clock.now()
        if self.timeouts_before:
            self.timeouts_before -= 1
            raise Unavailable("the payment provider timed out")
        remembered = self.keys.get(payout_id)
        if remembered is not None and now - remembered[0] < IDEMPOTENCY_KEY_LIFETIME:
            result = remembered[1]
        else:
            result = self._perform(payout_id, amount_cents, destination, now)
            self.keys[payout_id] = (now, result)
        if self.timeouts_after:
            self.timeouts_after -= 1
            raise Unavailable("the payment provider timed out after the transfer")
        return result

    def _perform(self, payout_id: str, amount_cents: int, destination: str, now: datetime) -> Transfer:
        if destination.startswith(FAILING_PREFIX) or destination in self.failing:
            return Transfer(ok=False, reason="account_invalid: the connected account cannot receive transfers")
        number = len(self.sent)
        transfer_id = "tr_local_" + hashlib.sha256(f"{payout_id}#{number}".encode()).hexdigest()[:20]
        self.sent.append(_Sent(transfer_id, payout_id, amount_cents, destination, now))
        return Transfer(ok=True, transfer_id=transfer_id)

    def find(self, payout_id: str) -> Transfer | None:
        if self.timeouts_before:
            self.timeouts_before -= 1
            raise Unavailable("the payment provider timed out")
        mine = [s for s in self.sent if s.payout_id == payout_id]
        return Transfer(ok=True, transfer_id=mine[0].transfer_id) if mine else None

    def paid_to(self, destination: str) -> int:
        return sum(s.amount_cents for s in self.sent if s.destination == destination)


_override: Transfers | None = None
_local = LocalTransfers()


def current() -> Transfers:
    if _override is not None:
        return _override
    return StripeTransfers() if settings().payouts == "stripe" else _local


def use(transfers: Transfers | None) -> None:
    """Replace the configured implementation (tests); None restores it."""
    global _override
    _override = transfers
