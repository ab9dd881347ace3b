"""Payouts of royalties to co-producers' connected accounts, behind a small interface.

`StripeTransfers` creates Stripe Connect transfers (idempotency key = payout id, so a retry
of the same payout never pays twice). localstripe has neither transfers nor connected
accounts, so the local stack uses `LocalTransfers`, which answers like Stripe would: the same
payout id gets the same answer, and a destination starting with ``acct_fail`` is refused.
`PAYOUTS=stripe|local` chooses (default: local on stage `local`, stripe elsewhere).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from chalicelib.config import settings
from chalicelib.errors import Unavailable

FAILING_PREFIX = "acct_fail"


@dataclass(frozen=True)
class Transfer:
    ok: bool
    transfer_id: str | None = None
    reason: str | None = None  # why the transfer was refused (money returns to the balance)


class Transfers(Protocol):
    def transfer(self, *, payout_id: str, amount_cents: int, destination: str) -> Transfer:
        """Pay `amount_cents` EUR to `destination`. Raises Unavailable when the outcome is
        unknown (the payout stays pending and is retried with the same id)."""


class StripeTransfers:
    def transfer(self, *, payout_id: str, amount_cents: int, destination: str) -> Transfer:
        import stripe

        from chalicelib.adapters.payments import client

        try:
            obj = client().v1.transfers.create(
                params={"amount": amount_cents, "currency": "eur", "destination": destination,
                        "metadata": {"payout_id": payout_id}},
                options={"idempotency_key": payout_id})
        except (stripe.InvalidRequestError, stripe.PermissionError, stripe.CardError) as exc:
            return Transfer(ok=False, reason=f"{exc.code or 'refused'}: {exc.user_message or str(exc)}"[:500])
        except stripe.StripeError as exc:
            raise Unavailable("the payment provider is unavailable; the payout is retried") from exc
        return Transfer(ok=True, transfer_id=obj["id"])


class LocalTransfers:
    """Stands in for Stripe Connect locally and in tests; `failing` destinations are refused."""

    def __init__(self, failing: set[str] | None = None):
        self.failing = set(failing or ())
        self.calls: dict[str, Transfer] = {}

    def transfer(self, *, payout_id: str, amount_cents: int, destination: str) -> Transfer:
        if payout_id in self.calls:
            return self.calls[payout_id]
        if destination.startswith(FAILING_PREFIX) or destination in self.failing:
            result = Transfer(ok=False, reason="account_invalid: the connected account cannot receive transfers")
        else:
            result = Transfer(ok=True, transfer_id="tr_local_" + hashlib.sha256(payout_id.encode()).hexdigest()[:20])
        self.calls[payout_id] = result
        return result


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
