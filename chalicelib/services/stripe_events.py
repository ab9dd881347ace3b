"""Stripe webhooks: verified, deduplicated by event id, applied in any order.

Every handler is idempotent on its own (status only moves forward, refunds are applied as
the charge's cumulative amount), so a duplicate that slips past the event-id check, or an
event that arrives before the one it follows, changes nothing twice.
"""

from __future__ import annotations

from typing import Any, Callable

from pynamodb.exceptions import DoesNotExist

from chalicelib import clock
from chalicelib.adapters import payments
from chalicelib.adapters.tables import PledgeRecord, StripeEventRecord
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
        contributions.move(pledge.pledge_id, "failed", intent=intent.get("id"), lease_until=0,
                           failure_code=error.get("code") or "payment_failed",
                           failure_message=error.get("message") or "the payment failed")


def _canceled(intent: dict[str, Any]) -> None:
    pledge = _intent_pledge(intent)
    if pledge is not None:
        contributions.move(pledge.pledge_id, "canceled", intent=intent.get("id"), lease_until=0)


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


def receive(payload: bytes, signature: str | None) -> dict[str, Any]:
    event = payments.verify_webhook(payload, signature)  # 400 before anything is written
    event_id, event_type = event["id"], str(event.get("type"))
    try:
        StripeEventRecord.get(event_id, consistent_read=True)
        return {"received": True, "duplicate": True}
    except DoesNotExist:
        pass
    handler = HANDLERS.get(event_type)
    obj = event["data"].get("object")
    if handler is None or not isinstance(obj, dict):
        return {"received": True, "ignored": True}
    handler(obj)
    StripeEventRecord(event_id, event_type=event_type, processed_at=clock.iso(),
                      expires_at=clock.epoch() + EVENT_RETENTION_SECONDS).save()
    return {"received": True}
