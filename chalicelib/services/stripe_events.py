"""Stripe webhooks: verified, deduplicated by event id, applied in any order.

Every handler is idempotent on its own (status only moves forward, refunds are applied as
the charge's cumulative amount), so a duplicate that slips past the event-id check, or an
event that arrives before the one it follows, changes nothing twice.

`payment_intent.succeeded` is one transaction: the confirmation, conditioned on the pledge
naming the event's PaymentIntent, amount, film and co-producer, with the event's record put if absent; only a
refused transaction reads (the pledge counted already, or the handler below decides).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from pynamodb.exceptions import DoesNotExist

from chalicelib import clock
from chalicelib.adapters import payments
from chalicelib.adapters.tables import PledgeRecord, StripeEventRecord, find
from chalicelib.domain import pledges as pledge_rules
from chalicelib.observability import logger, metrics
from chalicelib.services import contributions, disputes, payout_accounts, refunds

EVENT_RETENTION_SECONDS = 30 * 24 * 3600


def _pledge_for(intent_id: str | None, metadata: dict | None) -> PledgeRecord | None:
    pledge_id = (metadata or {}).get("pledge_id")
    if isinstance(pledge_id, str) and pledge_id:
        try:
            return PledgeRecord.get(pledge_id, consistent_read=True)
        except DoesNotExist:
            pass
    if isinstance(intent_id, str) and intent_id:
        return next(iter(PledgeRecord.by_payment_intent.query(intent_id, limit=1)), None)
    return None


def _intent_pledge(intent: dict[str, Any]) -> PledgeRecord | None:
    pledge = _pledge_for(intent.get("id"), intent.get("metadata"))
    if pledge is None:
        logger.warning("payment intent without a pledge", extra={"payment_intent_id": intent.get("id")})
        return None
    if intent.get("amount") != int(pledge.amount_cents) or str(intent.get("currency", "")).lower() != "eur":
        logger.error("payment intent does not match its pledge",
                     extra={"payment_intent_id": intent.get("id"), "pledge_id": pledge.pledge_id})
        return None
    return pledge


def _succeeded(intent: dict[str, Any]) -> None:
    pledge = _intent_pledge(intent)
    if pledge is None:
        return
    if pledge.payment_intent_id and pledge.payment_intent_id != intent.get("id"):
        # Money on a PaymentIntent the pledge does not name: never counted in its place.
        # (It cannot happen: PaymentIntents are confirmed only once recorded.) Said loudly.
        logger.error("payment on a PaymentIntent the pledge does not name",
                     extra={"pledge_id": pledge.pledge_id, "payment_intent_id": intent.get("id")})
        metrics.add_metric(name="ReconciliationUnrepaired", unit="Count", value=1)
        return
    if pledge.status != "canceled" and not pledge_rules.can_move(pledge.status, "confirmed"):
        return  # counted already (the server's confirmation came first), or refunded: nothing moves
    contributions.confirm(pledge, payment_intent_id=intent.get("id"))


def _failed(intent: dict[str, Any]) -> None:
    pledge = _intent_pledge(intent)
    if pledge is not None:
        error = intent.get("last_payment_error") or {}
        contributions.move(pledge.pledge_id, "failed", user_id=pledge.user_id, intent=intent.get("id"), lease_until=0,
                           failure_code=error.get("code") or "payment_failed",
                           failure_message=error.get("message") or "the payment failed")


def _canceled(intent: dict[str, Any]) -> None:
    pledge = _intent_pledge(intent)
    if pledge is not None:
        contributions.move(pledge.pledge_id, "canceled", user_id=pledge.user_id, intent=intent.get("id"),
                           lease_until=0)


def _refunded(charge: dict[str, Any]) -> None:
    pledge = _pledge_for(charge.get("payment_intent"), charge.get("metadata"))
    refunded = charge.get("amount_refunded")
    if pledge is None or not isinstance(refunded, int) or isinstance(refunded, bool):
        logger.warning("refund without a pledge", extra={"charge_id": charge.get("id")})
        return
    contributions.refund(pledge.pledge_id, refunded)


def _account_updated(account: dict[str, Any]) -> None:
    payout_accounts.account_updated(account)


def _refund_failed(refund: dict[str, Any]) -> None:
    """A Refund Stripe accepted, then failed (the bank returned it): owed again."""
    if refund.get("object") != "refund" or refund.get("status") != "failed":
        return  # charge.refund.updated also reports refunds that are fine
    intent_id = refund.get("payment_intent")
    pledge = _pledge_for(intent_id if isinstance(intent_id, str) else None, refund.get("metadata"))
    amount = refund.get("amount")
    if pledge is None or not (intent_id or pledge.payment_intent_id) or not isinstance(amount, int):
        logger.error("failed refund without a pledge", extra={"refund_id": refund.get("id")})
        return
    reason = str(refund.get("failure_reason") or "refund_failed")
    refunds.reopen(pledge, intent_id or pledge.payment_intent_id, amount, reason,
                   f"Stripe could not complete refund {refund.get('id')}: {reason}")


def _dispute_created(dispute: dict[str, Any]) -> None:
    disputes.opened(dispute)


def _dispute_closed(dispute: dict[str, Any]) -> None:
    disputes.closed(dispute)


HANDLERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "payment_intent.succeeded": _succeeded,
    "payment_intent.payment_failed": _failed,
    "payment_intent.canceled": _canceled,
    "charge.refunded": _refunded,
    "account.updated": _account_updated,
    "charge.refund.updated": _refund_failed,
    "refund.failed": _refund_failed,
    "refund.updated": _refund_failed,
    "charge.dispute.created": _dispute_created,
    "charge.dispute.closed": _dispute_closed,
}


@dataclass(frozen=True)
class PaidIntent:
    """What confirming a pledge needs, as the signed event's PaymentIntent says it (its metadata
    names the pledge, film and user the platform opened it for)."""

    pledge_id: str
    film_id: str
    user_id: str
    amount_cents: int
    payment_intent_id: str


def _paid(intent: dict[str, Any]) -> PaidIntent | None:
    metadata = intent.get("metadata") or {}
    names = [metadata.get(key) if isinstance(metadata, dict) else None for key in ("pledge_id", "film_id", "user_id")]
    amount, intent_id = intent.get("amount"), intent.get("id")
    if (not all(isinstance(name, str) and name for name in names) or not isinstance(amount, int)
            or isinstance(amount, bool) or not isinstance(intent_id, str) or not intent_id
            or str(intent.get("currency", "")).lower() != "eur"):
        return None
    pledge_id, film_id, user_id = (str(name) for name in names)
    return PaidIntent(pledge_id, film_id, user_id, amount, intent_id)


def _record(event_id: str, event_type: str) -> StripeEventRecord:
    return StripeEventRecord(event_id, event_type=event_type, processed_at=clock.iso(),
                             expires_at=clock.epoch() + EVENT_RETENTION_SECONDS)


def _succeeded_at_once(event_id: str, event_type: str, intent: dict[str, Any]) -> dict[str, Any] | None:
    """A payment counted in one transaction: the pledge's confirmation with the event's record,
    the pledge not read first. None: the pledge is not a waiting one for this payment, and the
    handler that reads it decides (a canceled pledge refunded, an unknown one said loudly)."""
    paid = _paid(intent)
    if paid is None:
        return None
    if (intent.get("metadata") or {}).get("confirmed_by") == pledge_rules.CONFIRMED_BY_SERVER:
        # The server confirmed it and counts it itself, almost always before this arrives: one
        # read says so, cheaper than a refused transaction. Not counted yet (the server died
        # after Stripe's answer): the transaction below counts it.
        if _counted_already(find(PledgeRecord, paid.pledge_id), paid):
            return {"received": True}
    try:
        counted = contributions.confirm(paid, payment_intent_id=paid.payment_intent_id,
                                        event=_record(event_id, event_type))
    except contributions.EventApplied:
        return {"received": True, "duplicate": True}
    except contributions.PledgeDiffers as differs:
        if _counted_already(differs.current, paid):  # as the refused transaction found it: no read
            return {"received": True}
        return None
    if counted is None:  # the film no longer takes money: its refund is recorded
        _record(event_id, event_type).save()
    return {"received": True}


def _counted_already(current: Any | None, paid: PaidIntent) -> bool:
    """The pledge of this payment was counted (the server's confirmation came first)."""
    return (current is not None and current.payment_intent_id == paid.payment_intent_id
            and int(current.amount_cents) == paid.amount_cents and current.status != "canceled"
            and not pledge_rules.can_move(current.status, "confirmed"))


def receive(payload: bytes, signature: str | None) -> dict[str, Any]:
    event = payments.verify_webhook(payload, signature)  # 400 before anything is written
    event_id, event_type = event["id"], str(event.get("type"))
    obj = event["data"].get("object")
    if event_type == "payment_intent.succeeded" and isinstance(obj, dict):
        answer = _succeeded_at_once(event_id, event_type, obj)
        if answer is not None:
            return answer
    try:
        StripeEventRecord.get(event_id, consistent_read=True)
        return {"received": True, "duplicate": True}
    except DoesNotExist:
        pass
    handler = HANDLERS.get(event_type)
    if handler is None or not isinstance(obj, dict):
        return {"received": True, "ignored": True}
    handler(obj)
    _record(event_id, event_type).save()
    return {"received": True}
