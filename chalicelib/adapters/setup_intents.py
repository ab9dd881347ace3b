"""Stripe SetupIntents: the web client saves a card with Stripe.js (confirmCardSetup) before
pledging with it. No money moves on a SetupIntent; the pledge's PaymentIntent charges the card."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.adapters.payments import client
from chalicelib.errors import Unavailable
from chalicelib.lazy import stripe


@dataclass(frozen=True)
class CardSetup:
    id: str
    client_secret: str


def create(*, user_id: str) -> CardSetup:
    try:
        obj = client().v1.setup_intents.create(params={
            "usage": "on_session", "payment_method_types": ["card"], "metadata": {"user_id": user_id}})
    except stripe.StripeError as exc:
        raise Unavailable("the payment provider is unavailable; retry") from exc
    data = obj.to_dict() if hasattr(obj, "to_dict") else obj
    return CardSetup(id=data["id"], client_secret=data["client_secret"])
