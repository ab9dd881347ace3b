"""localstripe as a test sees it: cards, PaymentIntents, and signed webhook events."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import uuid

from chalicelib.adapters import payments

VISA = "4242424242424242"
DECLINED = "4000000000000341"  # attaches, then the charge is declined
THREE_D_SECURE = "4000002500003155"


def card(number: str = VISA) -> str:
    pm = payments.client().v1.payment_methods.create(params={
        "type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}})
    return pm["id"]


def intent(payment_intent_id: str) -> dict:
    return payments.client().v1.payment_intents.retrieve(payment_intent_id).to_dict()


def intents_for(pledge_id: str) -> list[dict]:
    found = []
    page = payments.client().v1.payment_intents.list(params={"limit": 100})
    for item in page.auto_paging_iter():
        item = item.to_dict()
        if (item.get("metadata") or {}).get("pledge_id") == pledge_id:
            found.append(item)
    return found


def refund(payment_intent_id: str, amount_cents: int | None = None) -> dict:
    params = {"payment_intent": payment_intent_id}
    if amount_cents:
        params["amount"] = amount_cents
    payments.client().v1.refunds.create(params=params)
    latest = intent(payment_intent_id)["latest_charge"]
    latest = latest["id"] if isinstance(latest, dict) else latest
    return payments.client().v1.charges.retrieve(latest).to_dict()


def event(event_type: str, obj: dict) -> dict:
    return {"id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": event_type,
            "created": int(time.time()), "data": {"object": json.loads(json.dumps(obj))}}


def sign(payload: bytes, *, secret: str | None = None, timestamp: int | None = None) -> str:
    secret = secret or os.environ["STRIPE_WEBHOOK_SECRET"]
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"
