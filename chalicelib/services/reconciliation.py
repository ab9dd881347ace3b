"""Payment reconciliation: every pledge still waiting for Stripe's outcome after 15 minutes is
settled from what Stripe says, whether or not a webhook ever comes.

The pledges come from the sparse GSI `unsettled` (only pending and requires_action pledges
carry it; every write that settles a pledge removes it), oldest first, up to 15 minutes ago.
For each, the recorded PaymentIntent is retrieved:

- `succeeded`: counted, or refunded when its film or its pledge no longer takes money;
- `canceled`, or declined: the pledge follows;
- still waiting for the customer after an hour (3-D Secure never completed, a browser that
  never paid, a confirm whose answer was lost): the PaymentIntent is canceled at Stripe first,
  then the pledge (if Stripe says it was paid meanwhile, it is counted or refunded instead);
- `processing`: left for the next run.
A pledge with no PaymentIntent recorded has never had money move for it (the PaymentIntent is
recorded before it is confirmed): any PaymentIntent Stripe's search finds for it is canceled
(or, paid, recorded and settled), and the pledge is canceled.

Bounded and resumable like the campaign close: a run works for a bounded time, stores its
cursor after each page, and the next run carries on from there; each step is idempotent. Each
run is recorded with what it found, repaired and could not repair (`GET /admin/reconciliation`,
metric `ReconciliationUnrepaired`).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from chalicelib import clock, paging
from chalicelib.adapters import payments
from chalicelib.adapters.tables import PledgeRecord, ReconciliationRecord, find
from chalicelib.auth import Caller
from chalicelib.observability import logger, metrics
from chalicelib.services import contributions, pledges, refunds
from chalicelib.services.campaigns import SCHEDULE_BUDGET_SECONDS, Budget

DUE_AFTER = timedelta(minutes=15)
ABANDONED_AFTER = timedelta(hours=1)
PAGE_SIZE = 50
KEPT_IN_RUN = 100  # entries listed per run record (counts are complete)
RUN_RETENTION_SECONDS = 90 * 24 * 3600
WAITING = ("requires_action", "requires_payment_method", "requires_confirmation")
checkpoint = refunds.checkpoint


class Outcome:
    REPAIRED = "repaired"
    WAITING = "waiting"
    UNREPAIRED = "unrepaired"


def _cursor_item() -> ReconciliationRecord | None:
    return find(ReconciliationRecord, "cursor", "-")


def _abandoned(pledge: PledgeRecord) -> bool:
    return pledge.created_at <= clock.iso(clock.now() - ABANDONED_AFTER)


def _cancel(pledge: PledgeRecord, intent: payments.Intent) -> tuple[str, str]:
    """Stripe first, then the pledge: a payment that won the race is counted or refunded."""
    canceled = payments.cancel_intent(intent.id)
    checkpoint("reconcile.intent_canceled")
    if canceled.status == "canceled":
        contributions.move(pledge.pledge_id, "canceled", user_id=pledge.user_id, intent=intent.id, lease_until=0,
                           failure_code="abandoned", failure_message="the payment was never completed")
        return Outcome.REPAIRED, "canceled"
    return _follow(pledge, canceled)


def _follow(pledge: PledgeRecord, intent: payments.Intent) -> tuple[str, str]:
    settled = pledges.settle_intent(pledge, intent)
    if settled.status in ("confirmed", "refunded", "canceled", "failed"):
        return Outcome.REPAIRED, {"confirmed": "counted"}.get(settled.status, settled.status)
    if intent.status == "succeeded":
        return Outcome.UNREPAIRED, f"paid at Stripe but the pledge is {settled.status}"
    return Outcome.WAITING, intent.status


def _without_intent(pledge: PledgeRecord) -> tuple[str, str, str]:
    found = payments.find_intents(pledge.pledge_id) or []
    for intent in found:
        if intent.status == "succeeded":  # cannot happen since intents are recorded first; repair anyway
            if pledges.record_intent(pledge, intent):
                outcome, action = _follow(find(PledgeRecord, pledge.pledge_id) or pledge, intent)
                return outcome, "succeeded", action
            return Outcome.UNREPAIRED, "succeeded", "paid on a PaymentIntent the pledge does not name"
        if intent.status not in ("canceled",):
            payments.cancel_intent(intent.id)
    contributions.move(pledge.pledge_id, "canceled", user_id=pledge.user_id, intent=None, lease_until=0,
                       failure_code="abandoned", failure_message="the payment was never started")
    return Outcome.REPAIRED, "no payment intent", "canceled"


def settle(pledge: PledgeRecord) -> dict[str, Any]:
    """One pledge: what Stripe says, and what was done about it."""
    entry: dict[str, Any] = {"pledge_id": pledge.pledge_id, "film_id": pledge.film_id, "status": pledge.status,
                             "payment_intent_id": pledge.payment_intent_id}
    current = find(PledgeRecord, pledge.pledge_id)
    if current is None or current.status not in ("pending", "requires_action"):
        return dict(entry, outcome=Outcome.REPAIRED, found="settled meanwhile", action="none")
    if int(current.lease_until or 0) >= clock.epoch():
        return dict(entry, outcome=Outcome.WAITING, found="being paid", action="none")
    if not current.payment_intent_id:
        outcome, found, action = _without_intent(current)
        return dict(entry, outcome=outcome, found=found, action=action)
    intent = payments.retrieve_intent(current.payment_intent_id)
    if intent.status == "succeeded" or intent.status == "canceled" or intent.error_code:
        outcome, action = _follow(current, intent)
    elif intent.status in WAITING and _abandoned(current):
        outcome, action = _cancel(current, intent)
    else:
        outcome, action = _follow(current, intent)
    return dict(entry, outcome=outcome, found=intent.status, action=action)


def _due(cursor: dict | None, limit: int):
    before = clock.iso(clock.now() - DUE_AFTER)
    return PledgeRecord.unsettled_index.query("1", PledgeRecord.unsettled_key < before, limit=limit,
                                              last_evaluated_key=cursor)


def run(budget_seconds: float = SCHEDULE_BUDGET_SECONDS) -> dict[str, Any]:
    """Settle due pledges from Stripe for a bounded time; record the run."""
    budget = Budget(budget_seconds)
    started = clock.iso()
    run_id = uuid.uuid4().hex[:12]
    saved = _cursor_item()
    cursor = saved.cursor if saved is not None else None
    report: dict[str, Any] = {"run_id": run_id, "started_at": started, "examined": 0, "repaired": [],
                              "unrepaired": [], "waiting": 0, "repaired_count": 0, "unrepaired_count": 0}
    finished = False
    while not budget.exhausted():
        results = _due(cursor, PAGE_SIZE)
        page = list(results)
        for pledge in page:
            report["examined"] += 1
            try:
                entry = settle(pledge)
            except Exception as exc:  # Stripe or DynamoDB trouble: said, and tried again next run
                logger.exception("reconciling a pledge failed", extra={"pledge_id": pledge.pledge_id})
                entry = {"pledge_id": pledge.pledge_id, "film_id": pledge.film_id, "status": pledge.status,
                         "payment_intent_id": pledge.payment_intent_id, "outcome": Outcome.UNREPAIRED,
                         "found": "error", "action": f"{type(exc).__name__}: {exc}"[:300]}
            _count(report, entry)
        cursor = results.last_evaluated_key
        checkpoint("reconcile.page_done")
        ReconciliationRecord("cursor", "-", cursor=cursor, started_at=started).save()
        if cursor is None:
            finished = True
            break
    _record(report, finished)
    metrics.add_metric(name="ReconciliationUnrepaired", unit="Count", value=report["unrepaired_count"])
    metrics.add_metric(name="ReconciliationRepaired", unit="Count", value=report["repaired_count"])
    if report["unrepaired_count"]:
        logger.warning("payments left unrepaired", extra={"run_id": run_id, "count": report["unrepaired_count"]})
    return dict(report, finished=finished)


def _count(report: dict[str, Any], entry: dict[str, Any]) -> None:
    outcome = entry["outcome"]
    if outcome == Outcome.WAITING:
        report["waiting"] += 1
        return
    if outcome == Outcome.REPAIRED and entry.get("action") == "none":
        return
    key = "repaired" if outcome == Outcome.REPAIRED else "unrepaired"
    report[f"{key}_count"] += 1
    if len(report[key]) < KEPT_IN_RUN:
        report[key].append({k: v for k, v in entry.items() if k != "outcome"})


def _record(report: dict[str, Any], finished: bool) -> None:
    now = clock.iso()
    ReconciliationRecord(
        "run", f"{report['started_at']}#{report['run_id']}", run_id=report["run_id"],
        started_at=report["started_at"], finished_at=now, finished=finished, examined=report["examined"],
        repaired={"count": report["repaired_count"], "items": report["repaired"]},
        unrepaired={"count": report["unrepaired_count"], "items": report["unrepaired"]},
        waiting=report["waiting"],
        expires_at=clock.epoch() + RUN_RETENTION_SECONDS,
    ).save()


def view(record: ReconciliationRecord) -> dict[str, Any]:
    repaired = record.repaired or {}
    unrepaired = record.unrepaired or {}
    return {
        "run_id": record.run_id, "started_at": record.started_at, "finished_at": record.finished_at,
        "finished": bool(record.finished), "examined": int(record.examined or 0),
        "waiting": int(record.waiting or 0),
        "repaired_count": int(repaired.get("count", 0)), "repaired": repaired.get("items", []),
        "unrepaired_count": int(unrepaired.get("count", 0)), "unrepaired": unrepaired.get("items", []),
    }


def list_admin(caller: Caller, *, limit: int, next_token: str | None) -> dict[str, Any]:
    """The last reconciliation runs, newest first (admins)."""
    caller.require("admin")
    scope = "admin-reconciliation"
    results = ReconciliationRecord.query("run", scan_index_forward=False, limit=limit + 1,
                                         last_evaluated_key=paging.decode(next_token, scope))
    items, resume = paging.take_page(results, limit)
    return {"items": [view(r) for r in items], "next": paging.encode(resume, scope)}
