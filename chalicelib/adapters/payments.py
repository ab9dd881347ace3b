"""Stripe, behind a small interface. `stripe` is imported only when money moves.

On stage `local` the official client talks to localstripe (STRIPE_API_BASE); on AWS the
secret key and webhook secret are read from SSM Parameter Store by name and cached.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalicelib.adapters import parameters
from chalicelib.adapters.clients import stripe_options
from chalicelib.config import settings
from chalicelib.errors import BadRequest, Unauthorized, Unavailable, Unprocessable
from chalicelib.lazy import stripe

WEBHOOK_TOLERANCE_SECONDS = 300


@dataclass(frozen=True)
class Intent:
    id: str | None
    status: str  # Stripe's PaymentIntent status, or "requires_payment_method" on a decline
    client_secret: str | None
    error_code: str | None = None
    error_message: str | None = None


class PaymentDeclined(Exception):
    pass


class KeyReused(Exception):
    """Stripe refused the request: its idempotency key was used with other parameters."""


def _secret_key() -> str:
    return parameters.secret(settings().stripe_secret_key, settings().stripe_secret_key_param, "payments")


def webhook_secret() -> str:
    return parameters.secret(settings().stripe_webhook_secret, settings().stripe_webhook_secret_param, "payments")


@lru_cache(maxsize=1)
def client() -> Any:
    base = settings().stripe_api_base
    return stripe.StripeClient(
        _secret_key(),
        base_addresses={"api": base} if base else None,
        **stripe_options(),  # connect/read timeouts and network retries: STRIPE_* settings
    )


def _intent(obj: Any) -> Intent:
    obj = obj.to_dict() if hasattr(obj, "to_dict") else obj
    error = obj.get("last_payment_error") or {}
    return Intent(id=obj["id"], status=obj["status"], client_secret=obj.get("client_secret"),
                  error_code=error.get("code"), error_message=error.get("message"))


def open_intent(*, amount_cents: int, metadata: dict[str, str], payment_method_id: str | None,
                idempotency_key: str) -> Intent:
    """Create a PaymentIntent in EUR, never confirmed: no money can move on it until its id is
    recorded and `confirm_intent` is called (or the browser confirms it with the client secret)."""
    params: dict[str, Any] = {"amount": amount_cents, "currency": "eur", "metadata": metadata,
                              "payment_method_types": ["card"]}
    if payment_method_id:
        params["payment_method"] = payment_method_id
    try:
        obj = client().v1.payment_intents.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.IdempotencyError as exc:
        raise KeyReused(idempotency_key) from exc
    except stripe.InvalidRequestError as exc:
        if payment_method_id and exc.param in (None, "payment_method") or exc.http_status == 404:
            raise Unprocessable("payment_method_id: is not a payment method Stripe knows",
                                code="invalid_field", field="payment_method_id")
        raise Unavailable("the payment provider refused the request; retry with the same Idempotency-Key")
    except stripe.StripeError as exc:
        raise Unavailable("the payment provider is unavailable; retry with the same Idempotency-Key") from exc
    return _intent(obj)


def confirm_intent(payment_intent_id: str, *, idempotency_key: str) -> Intent:
    """Confirm a recorded PaymentIntent with its payment method. A decline comes back as an
    Intent with the reason; an intent that cannot be confirmed any more (canceled, paid)
    comes back as it is."""
    try:
        obj = client().v1.payment_intents.confirm(payment_intent_id, options={"idempotency_key": idempotency_key})
    except stripe.CardError as exc:
        current = retrieve_intent(payment_intent_id)
        return Intent(id=payment_intent_id, status="requires_payment_method", client_secret=current.client_secret,
                      error_code=exc.code or "card_declined", error_message=exc.user_message or str(exc))
    except stripe.InvalidRequestError:
        return retrieve_intent(payment_intent_id)  # not confirmable (canceled meanwhile, or done)
    except stripe.StripeError as exc:
        raise Unavailable("the payment provider is unavailable; retry with the same Idempotency-Key") from exc
    return _intent(obj)


def find_intents(pledge_id: str) -> list[Intent] | None:
    """PaymentIntents whose metadata names the pledge (Stripe's search); None when the search
    is not available (emulators)."""
    try:
        found = client().v1.payment_intents.search(params={"query": f"metadata['pledge_id']:'{pledge_id}'"})
    except stripe.StripeError:
        return None
    return [_intent(item) for item in found.to_dict().get("data") or []]


def charge_intent(charge_id: str) -> str | None:
    """The PaymentIntent of a charge (a dispute names the charge)."""
    try:
        intent = client().v1.charges.retrieve(charge_id).to_dict().get("payment_intent")
    except stripe.StripeError as exc:
        raise Unavailable("the payment provider is unavailable; retry") from exc
    return intent if isinstance(intent, str) else None


def cancel_intent(payment_intent_id: str) -> Intent:
    try:
        return _intent(client().v1.payment_intents.cancel(payment_intent_id))
    except stripe.InvalidRequestError:
        return retrieve_intent(payment_intent_id)  # not cancelable any more: say what it is
    except stripe.StripeError as exc:
        raise Unavailable("the payment provider is unavailable; retry") from exc


def retrieve_intent(payment_intent_id: str) -> Intent:
    try:
        return _intent(client().v1.payment_intents.retrieve(payment_intent_id))
    except stripe.StripeError as exc:
        raise Unavailable("the payment provider is unavailable; retry") from exc


class RefundRejected(Exception):
    """Stripe refused a refund, or could not be reached: the reason, to record and retry."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _rejected(exc: Any) -> RefundRejected:
    if isinstance(exc, stripe.StripeError) and not isinstance(exc, (stripe.APIConnectionError,)):
        code = getattr(exc, "code", None) or type(exc).__name__
        return RefundRejected(str(code), exc.user_message or str(exc) or "refused by Stripe")
    return RefundRejected("unavailable", "the payment provider is unavailable")


def refunded_cents(payment_intent_id: str) -> int:
    """What Stripe has already refunded on the PaymentIntent's charge (0 when not charged).

    Asked before every new Refund: Stripe, not our records, knows what really went back. The
    sum of the charge's Refunds that did not fail: a Refund Stripe accepted and the bank later
    returned (`failed`) gave nothing back.
    """
    try:
        intent = client().v1.payment_intents.retrieve(payment_intent_id).to_dict()
        if not intent.get("latest_charge"):
            return 0
        listed = client().v1.refunds.list(params={"payment_intent": payment_intent_id, "limit": 100})
        return sum(int(refund["amount"]) for refund in (r.to_dict() for r in listed.auto_paging_iter())
                   if refund.get("status") not in FAILED_REFUND_STATUSES)
    except stripe.StripeError as exc:
        raise _rejected(exc) from exc


FAILED_REFUND_STATUSES = ("failed", "canceled")


def create_refund(*, payment_intent_id: str, amount_cents: int, metadata: dict[str, str],
                  idempotency_key: str) -> str:
    """Refund `amount_cents` of the PaymentIntent's charge; returns the Refund id.

    Always with an explicit amount: a Refund without one refunds the whole charge again on
    some Stripe emulators, even when it was refunded already.
    """
    try:
        refund = client().v1.refunds.create(
            params={"payment_intent": payment_intent_id, "amount": amount_cents, "metadata": metadata},
            options={"idempotency_key": idempotency_key})
    except stripe.StripeError as exc:
        raise _rejected(exc) from exc
    return str(refund["id"])


def verify_webhook(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event, if `Stripe-Signature` proves it came from Stripe recently; else 400."""
    if not signature:
        raise BadRequest("Stripe-Signature: the header is required", code="invalid_signature",
                         field="Stripe-Signature")
    try:
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), signature, webhook_secret(),
                                              WEBHOOK_TOLERANCE_SECONDS)
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError):
        raise Unauthorized("Stripe-Signature: the signature does not match or is too old",
                           code="invalid_signature", field="Stripe-Signature")
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("data"), dict):
        raise BadRequest("the event is not a Stripe event", code="invalid_event", field="body")
    return event
