"""A card set up for a pledge: the SetupIntent the web client confirms with Stripe.js, and the
publishable key Stripe.js is loaded with."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters import setup_intents
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.errors import Unavailable


def start(caller: Caller) -> dict[str, Any]:
    key = settings().stripe_publishable_key
    if not key:
        raise Unavailable("card payments are not configured on this stage (STRIPE_PUBLISHABLE_KEY)")
    setup = setup_intents.create(user_id=caller.user_id)
    return {"setup_intent_id": setup.id, "client_secret": setup.client_secret, "publishable_key": key}
