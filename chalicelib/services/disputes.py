"""Disputes (chargebacks): money Stripe takes back from the platform while the bank decides.

`charge.dispute.created` takes the disputed cents out of the film's counted total, the
co-producer's backing (their perk level and royalty weight) and the platform's totals;
`charge.dispute.closed` puts them back when the platform `won`, and leaves them out when it
`lost`. Each step is a new `disputes` record (`<dispute_id>#opened|won|lost`), put in the same
transaction as the totals it moves, conditionally: a replayed or reordered event moves nothing
twice. A disputed charge cannot be refunded (Stripe refuses): a failed campaign's close
treats it as settled (services/refunds.py).
"""

from __future__ import annotations

from typing import Any

from chalicelib import clock, paging
from chalicelib.adapters import payments
from chalicelib.adapters.tables import DisputeRecord, PledgeRecord, find
from chalicelib.auth import Caller
from chalicelib.domain import pledges as pledge_rules
from chalicelib.observability import logger
from chalicelib.services import contributions

OPENED, WON, LOST = "opened", "won", "lost"
WON_STATUSES = ("won", "warning_closed")  # the money stays with the platform


def _pledge_of(dispute: dict[str, Any]) -> PledgeRecord | None:
    intent_id = dispute.get("payment_intent")
    if not isinstance(intent_id, str) and isinstance(dispute.get("charge"), str):
        intent_id = payments.charge_intent(dispute["charge"])
    if not isinstance(intent_id, str):
        return None
    return next(iter(PledgeRecord.by_payment_intent.query(intent_id, limit=1)), None)


def _entry(pledge: PledgeRecord, dispute: dict[str, Any], kind: str) -> DisputeRecord:
    now = clock.iso()
    return DisputeRecord(
        pledge.pledge_id, f"{dispute['id']}#{kind}", dispute_id=dispute["id"], kind=kind, film_id=pledge.film_id,
        user_id=pledge.user_id, payment_intent_id=pledge.payment_intent_id,
        charge_id=dispute.get("charge") if isinstance(dispute.get("charge"), str) else None,
        disputed_cents=int(dispute.get("amount") or 0), counted_delta_cents=0,
        reason=str(dispute.get("reason") or "") or None, recorded_at=now,
        listed="dispute", listed_key=f"{now}#{dispute['id']}#{kind}",
    )


def opened(dispute: dict[str, Any]) -> None:
    pledge = _pledge_of(dispute)
    if pledge is None or not isinstance(dispute.get("id"), str) or not isinstance(dispute.get("amount"), int):
        logger.error("dispute without a pledge", extra={"dispute_id": dispute.get("id")})
        return
    if find(DisputeRecord, pledge.pledge_id, f"{dispute['id']}#{OPENED}") is not None:
        return
    counted = pledge_rules.counted(pledge.status, pledge.confirmed_at)
    held = int(pledge.amount_cents) - int(pledge.amount_refunded_cents or 0) if counted else 0
    contributions.shift(pledge, -min(int(dispute["amount"]), max(0, held)), _entry(pledge, dispute, OPENED))
    logger.warning("charge disputed", extra={"pledge_id": pledge.pledge_id, "dispute_id": dispute["id"]})


def closed(dispute: dict[str, Any]) -> None:
    pledge = _pledge_of(dispute)
    if pledge is None or not isinstance(dispute.get("id"), str):
        logger.error("dispute without a pledge", extra={"dispute_id": dispute.get("id")})
        return
    opening = find(DisputeRecord, pledge.pledge_id, f"{dispute['id']}#{OPENED}")
    if opening is None:  # the closing arrived first: open it, then close it
        opened(dispute)
        opening = find(DisputeRecord, pledge.pledge_id, f"{dispute['id']}#{OPENED}")
        if opening is None:
            return
    won = dispute.get("status") in WON_STATUSES
    kind = WON if won else LOST
    if find(DisputeRecord, pledge.pledge_id, f"{dispute['id']}#{WON}") or \
            find(DisputeRecord, pledge.pledge_id, f"{dispute['id']}#{LOST}"):
        return  # closed already
    back = -int(opening.counted_delta_cents or 0) if won else 0
    contributions.shift(pledge, back, _entry(pledge, dispute, kind))


def holds(pledge_id: str) -> bool:
    """Whether a dispute holds the pledge's charge (open, or lost): Stripe refuses its refund."""
    entries = {e.entry_key for e in DisputeRecord.query(pledge_id, consistent_read=True)}
    return any(key.endswith(f"#{OPENED}") and f"{key[:-len(OPENED)]}{WON}" not in entries for key in entries)


def view(record: DisputeRecord) -> dict[str, Any]:
    return {
        "dispute_id": record.dispute_id, "kind": record.kind, "pledge_id": record.pledge_id,
        "film_id": record.film_id, "user_id": record.user_id, "payment_intent_id": record.payment_intent_id,
        "charge_id": record.charge_id, "disputed_cents": int(record.disputed_cents),
        "counted_delta_cents": int(record.counted_delta_cents), "reason": record.reason,
        "recorded_at": record.recorded_at,
    }


def list_admin(caller: Caller, *, limit: int, next_token: str | None) -> dict[str, Any]:
    """Dispute records, newest first (admins): each opening, win and loss."""
    caller.require("admin")
    scope = "admin-disputes"
    results = DisputeRecord.recent.query("dispute", scan_index_forward=False, limit=limit + 1,
                                         last_evaluated_key=paging.decode(next_token, scope))
    items, resume = paging.take_page(results, limit)
    return {"items": [view(r) for r in items], "next": paging.encode(resume, scope)}
