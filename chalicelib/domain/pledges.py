"""Rules of a pledge: amounts, idempotency, and the status machine. Pure functions."""

from __future__ import annotations

import hashlib
import string

from chalicelib.domain.errors import InvalidValue, invalid, refused
from chalicelib.domain.films import PLATFORM_MIN_PLEDGE_CENTS

STATUSES = ("pending", "requires_action", "confirmed", "failed", "canceled", "refunded")

# Status moves only forward. `failed -> confirmed`: a PaymentIntent declined once can still
# succeed with another card in the browser; the money is then really there and counts.
# `-> refunded` from a status that never counted: money that reached Stripe after its film
# stopped taking pledges (the campaign was closing) is refunded without ever being counted.
TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"requires_action", "confirmed", "failed", "canceled", "refunded"}),
    "requires_action": frozenset({"confirmed", "failed", "canceled", "refunded"}),
    "failed": frozenset({"confirmed", "canceled", "refunded"}),
    "confirmed": frozenset({"refunded"}),
    "canceled": frozenset({"refunded"}),
    "refunded": frozenset(),
}
CANCELABLE = ("pending", "requires_action", "failed")
WAITING = ("pending", "requires_action")  # waiting for the payment: what the pledge limits count
# Who confirms a pledge's PaymentIntent (its metadata `confirmed_by`): the server, which counts
# the pledge itself (Stripe's webhook then reads the pledge first), or the browser with the
# client secret (the webhook counts it).
CONFIRMED_BY_SERVER, CONFIRMED_BY_BROWSER = "server", "browser"
COUNTED = ("confirmed", "refunded")  # statuses whose money went through the counters
UNCOUNTED = ("pending", "requires_action", "failed")  # may still be paid; nothing counted yet
# `canceled -> refunded`: a payment that succeeded on a canceled pledge's PaymentIntent (a
# cancel racing the charge) is never counted and never kept: it is refunded.
REFUNDABLE_UNCOUNTED = UNCOUNTED + ("canceled",)
SETTLED = ("confirmed", "failed", "canceled", "refunded")  # nothing left for reconciliation


def counted(status: str, confirmed_at: str | None) -> bool:
    """Whether a pledge's money went through the counters: confirmed, or refunded after it
    was confirmed (a refunded pledge that was never confirmed was never counted)."""
    return status == "confirmed" or (status == "refunded" and confirmed_at is not None)

PRINTABLE = frozenset(string.printable) - frozenset("\t\n\r\x0b\x0c")
MAX_KEY_LENGTH = 255


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def sources_of(target: str) -> tuple[str, ...]:
    """The statuses a pledge may move to `target` from (for conditional writes)."""
    return tuple(sorted(s for s, targets in TRANSITIONS.items() if target in targets))


def check_idempotency_key(key: str | None) -> str:
    if key is None or key == "":
        raise InvalidValue("Idempotency-Key: the header is required (1-255 printable characters)",
                           code="missing_idempotency_key", field="Idempotency-Key")
    if len(key) > MAX_KEY_LENGTH or not set(key) <= PRINTABLE:
        raise InvalidValue("Idempotency-Key: must be 1-255 printable characters",
                           code="invalid_idempotency_key", field="Idempotency-Key")
    return key


def check_amount(amount_cents: int, min_pledge_cents: int, max_pledge_cents: int) -> None:
    """Below the platform's minimum: malformed (400, as the OpenAPI document says); below the
    film's own minimum or above the platform's maximum (a setting): refused (422)."""
    if amount_cents < PLATFORM_MIN_PLEDGE_CENTS:
        raise invalid("amount_cents", f"must be at least {PLATFORM_MIN_PLEDGE_CENTS}")
    if amount_cents < min_pledge_cents:
        raise refused("amount_cents", f"must be at least {min_pledge_cents} (the film's minimum pledge)")
    if amount_cents > max_pledge_cents:
        raise refused("amount_cents", f"must be at most {max_pledge_cents}")


def pledge_id_for(user_id: str, idempotency_key: str) -> str:
    """The pledge a (user, Idempotency-Key) pair stands for: the same pair, the same pledge."""
    digest = hashlib.sha256(f"{len(user_id)}:{user_id}{idempotency_key}".encode()).hexdigest()
    return f"plg_{digest[:32]}"


def request_fingerprint(film_id: str, amount_cents: int, payment_method_id: str | None) -> str:
    return hashlib.sha256(f"{film_id}\x00{amount_cents}\x00{payment_method_id or ''}".encode()).hexdigest()


def status_for_intent(intent_status: str, has_error: bool = False) -> str:
    """Our status for a Stripe PaymentIntent status."""
    if intent_status == "succeeded":
        return "confirmed"
    if intent_status == "requires_action":
        return "requires_action"
    if intent_status == "canceled":
        return "canceled"
    if intent_status == "requires_payment_method" and has_error:
        return "failed"
    return "pending"  # requires_payment_method / requires_confirmation / processing


def refund_delta(amount_cents: int, already_refunded_cents: int, total_refunded_cents: int) -> int:
    """Cents newly refunded, given the charge's cumulative refunded amount (never negative,
    never more than what is left)."""
    total = min(max(total_refunded_cents, 0), amount_cents)
    return max(0, total - already_refunded_cents)
