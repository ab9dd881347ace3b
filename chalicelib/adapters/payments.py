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
from chalicelib.config import settings
from chalicelib.errors import BadRequest, Unavailable

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


def _secret_key() -> str:
    return parameters.secret(settings().stripe_secret_key, settings().stripe_secret_key_param, "payments")


def webhook_secret() -> str:
    return parameters.secret(settings().stripe_webhook_secret, settings().stripe_webhook_secret_param, "payments")


@lru_cache(maxsize=1)
def client() -> Any:
    import stripe

    from chalicelib.adapters.clients import stripe_options

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


def create_intent(*, amount_cents: int, metadata: dict[str, str], payment_method_id: str | None,
                  idempotency_key: str) -> Intent:
    """Create (and with a payment method, confirm) a PaymentIntent in EUR.

    A decline is not an error here: it comes back as an Intent with the reason.
    """
    import stripe

    params: dict[str, Any] = {"amount": amount_cents, "currency": "eur", "metadata": metadata,
                              "payment_method_types": ["card"]}
    if payment_method_id:
        params.update(payment_method=payment_method_id, confirm=True)
    try:
        obj = client().v1.payment_intents.create(params=params, options={"idempotency_key": idempotency_key})
    except stripe.CardError as exc:
        error = exc.error
        intent = getattr(error, "payment_intent", None) if error else None
        intent = intent.to_dict() if hasattr(intent, "to_dict") else intent
        return Intent(id=intent.get("id") if intent else None, status="requires_payment_method",
                      client_secret=intent.get("client_secret") if intent else None,
                      error_code=exc.code or "card_declined", error_message=exc.user_message or str(exc))
    except stripe.InvalidRequestError as exc:
        # Amount, currency and metadata are ours and checked; the one input Stripe can refuse
        # is the caller's payment method (localstripe does not always name the parameter).
        if payment_method_id and exc.param in (None, "payment_method") or exc.http_status == 404:
            raise BadRequest("payment_method_id: is not a payment method Stripe knows",
                             code="invalid_field", field="payment_method_id")
        raise Unavailable("the payment provider refused the request; retry with the same Idempotency-Key")
    except stripe.StripeError as exc:
        raise Unavailable("the payment provider is unavailable; retry with the same Idempotency-Key") from exc
    return _intent(obj)


def cancel_intent(payment_intent_id: str) -> Intent:
    import stripe

    try:
        return _intent(client().v1.payment_intents.cancel(payment_intent_id))
    except stripe.InvalidRequestError:
        return retrieve_intent(payment_intent_id)  # not cancelable any more: say what it is
    except stripe.StripeError as exc:
        raise Unavailable("the payment provider is unavailable; retry") from exc


def retrieve_intent(payment_intent_id: str) -> Intent:
    import stripe

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
    import stripe

    if isinstance(exc, stripe.StripeError) and not isinstance(exc, (stripe.APIConnectionError,)):
        code = getattr(exc, "code", None) or type(exc).__name__
        return RefundRejected(str(code), exc.user_message or str(exc) or "refused by Stripe")
    return RefundRejected("unavailable", "the payment provider is unavailable")


def refunded_cents(payment_intent_id: str) -> int:
    """What Stripe has already refunded on the PaymentIntent's charge (0 when not charged).

    Asked before every new Refund: Stripe, not our records, knows what really went back.
    """
    import stripe

    try:
        intent = client().v1.payment_intents.retrieve(payment_intent_id).to_dict()
        charge = intent.get("latest_charge")
        if not charge:
            return 0
        if isinstance(charge, dict) and isinstance(charge.get("amount_refunded"), int):
            return int(charge["amount_refunded"])
        charge_id = charge["id"] if isinstance(charge, dict) else charge
        return int(client().v1.charges.retrieve(charge_id).to_dict().get("amount_refunded") or 0)
    except stripe.StripeError as exc:
        raise _rejected(exc) from exc


def create_refund(*, payment_intent_id: str, amount_cents: int, metadata: dict[str, str],
                  idempotency_key: str) -> str:
    """Refund `amount_cents` of the PaymentIntent's charge; returns the Refund id.

    Always with an explicit amount: a Refund without one refunds the whole charge again on
    some Stripe emulators, even when it was refunded already.
    """
    import stripe

    try:
        refund = client().v1.refunds.create(
            params={"payment_intent": payment_intent_id, "amount": amount_cents, "metadata": metadata},
            options={"idempotency_key": idempotency_key})
    except stripe.StripeError as exc:
        raise _rejected(exc) from exc
    return str(refund["id"])


def verify_webhook(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event, if `Stripe-Signature` proves it came from Stripe recently; else 400."""
    import stripe

    if not signature:
        raise BadRequest("Stripe-Signature: the header is required", code="invalid_signature",
                         field="Stripe-Signature")
    try:
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), signature, webhook_secret(),
                                              WEBHOOK_TOLERANCE_SECONDS)
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError):
        raise BadRequest("Stripe-Signature: the signature does not match or is too old",
                         code="invalid_signature", field="Stripe-Signature")
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("data"), dict):
        raise BadRequest("the event is not a Stripe event", code="invalid_event", field="body")
    return event
