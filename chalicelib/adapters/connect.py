"""Stripe Connect onboarding of co-producers' payout accounts, behind a small interface.

`StripeConnect` creates an Express account per co-producer (idempotency key per user) and an
account link (Stripe's hosted onboarding). localstripe has no connected accounts, so the local
stack uses `LocalConnect`: the same account id for the same user, and a link to a page of the
local API that completes the onboarding as Stripe's `account.updated` webhook would.
`PAYOUTS=stripe|local` chooses, as for transfers (chalicelib/adapters/transfers.py).
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from chalicelib import signing
from chalicelib.adapters import payments
from chalicelib.config import settings
from chalicelib.errors import Unavailable
from chalicelib.lazy import stripe


class Connect(Protocol):
    def create_account(self, *, user_id: str, email: str | None) -> str:
        """The id of a new (or, for a retried request, the same) Express account."""

    def onboarding_url(self, *, account_id: str, user_id: str, base_url: str) -> str:
        """Where the co-producer completes the account (a link that lasts minutes)."""


class StripeConnect:
    def create_account(self, *, user_id: str, email: str | None) -> str:
        params = {"type": "express", "country": "FR", "capabilities": {"transfers": {"requested": True}},
                  "metadata": {"user_id": user_id}, **({"email": email} if email else {})}
        try:
            return payments.client().v1.accounts.create(params=params, options={"idempotency_key": f"connect-{user_id}"})["id"]
        except stripe.StripeError as exc:
            raise Unavailable("the payment provider is unavailable; try again") from exc

    def onboarding_url(self, *, account_id: str, user_id: str, base_url: str) -> str:
        try:
            return payments.client().v1.account_links.create(params={
                "account": account_id, "type": "account_onboarding",
                "refresh_url": f"{base_url}/me/payout-account", "return_url": f"{base_url}/me/payout-account"})["url"]
        except stripe.StripeError as exc:
            raise Unavailable("the payment provider is unavailable; try again") from exc


class LocalConnect:
    def create_account(self, *, user_id: str, email: str | None) -> str:
        return "acct_local_" + hashlib.sha256(user_id.encode()).hexdigest()[:16]

    def onboarding_url(self, *, account_id: str, user_id: str, base_url: str) -> str:
        token = signing.seal({"p": "connect", "a": account_id, "u": user_id})
        return f"{base_url}/dev/connect/onboarding?token={token}"


def current() -> Connect:
    return StripeConnect() if settings().payouts == "stripe" else LocalConnect()
