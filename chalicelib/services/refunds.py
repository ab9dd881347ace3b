"""Refunds: each pledge of a failed film (or paid too late) is refunded exactly once.

Exactly once does not rest on Stripe's idempotency keys alone (they expire, and emulators
ignore them):

1. The refund is recorded in DynamoDB first (`refunds`, one item per pledge, conditional put).
2. An attempt takes a lease on that record, then asks Stripe what the charge already had
   refunded and creates a Refund only for the rest, with an explicit amount and the key
   `refund-<pledge_id>` (a new suffix only after a recorded rejection).
3. The pledge and every total follow (services/contributions.py, idempotent by itself), then
   the record is marked succeeded, in one transaction with its film's close progress.

A crash anywhere leaves the record pending; the next attempt (after the lease) starts again at
2 and finds the money already back. A rejection is recorded with Stripe's reason, counted in
the `RefundFailed` metric, and retried with backoff by the close job.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

from chalicelib import clock, paging
from chalicelib.adapters import money, payments
from chalicelib.adapters.money import Refused, RefundIf
from chalicelib.domain import campaigns as rules
from chalicelib.domain import pledges as pledge_rules
from chalicelib.errors import invalid_field
from chalicelib.observability import logger, metrics
from chalicelib.services import contributions, disputes

LEASE_SECONDS = 120
LISTED_STATUSES = rules.LISTED_REFUND_STATUSES
CAMPAIGN_FAILED = "campaign_failed"  # the film missed its goal
CAMPAIGN_CLOSED = "campaign_closed"  # the money arrived after the film stopped taking it
PLEDGE_CANCELED = "pledge_canceled"  # the money arrived on a pledge canceled meanwhile
REFUND_FAILED_LATER = "refund_failed"  # a Refund made outside the close failed after Stripe accepted it
CHARGE_DISPUTED = "charge_disputed"  # Stripe's code: a disputed charge cannot be refunded
SETTLED_BY = {CHARGE_DISPUTED: "the charge is disputed: the bank, not a refund, decides where the money goes"}
MESSAGES = {
    CAMPAIGN_FAILED: "the campaign did not reach its goal: the pledge was refunded",
    CAMPAIGN_CLOSED: "the payment arrived after the campaign closed: it was refunded",
    PLEDGE_CANCELED: "the payment arrived after the pledge was canceled: it was refunded",
}

# --- fault injection --------------------------------------------------------------------
# Named points between Stripe calls and DynamoDB writes. Tests install a hook that raises
# at one of them to play a crash; in production the hook is None.
_hook: Callable[[str], None] | None = None


def checkpoint(name: str) -> None:
    if _hook is not None:
        _hook(name)


@contextlib.contextmanager
def faults(hook: Callable[[str], None]) -> Iterator[None]:
    global _hook
    previous, _hook = _hook, hook
    try:
        yield
    finally:
        _hook = previous


# --- records -----------------------------------------------------------------------------

def get(pledge_id: str) -> Any | None:
    return money.store().refunds.get(pledge_id)


def owe(pledge: Any, payment_intent_id: str, reason: str) -> Any:
    """Record that this pledge's payment goes back (once: a second call returns the first)."""
    existing = get(pledge.pledge_id)
    if existing is not None:
        return existing
    storage = money.store()
    tracked = storage.refunds.close_exists(pledge.film_id)
    now = clock.iso()
    record = storage.refunds.new(
        pledge.pledge_id, film_id=pledge.film_id, user_id=pledge.user_id,
        payment_intent_id=payment_intent_id, amount_cents=int(pledge.amount_cents),
        status=rules.REFUND_PENDING, reason=reason, tracked=tracked, failures=0, attempts=0,
        refunded_cents=0, lease_until=0, next_attempt_at=now, created_at=now, updated_at=now,
        queue=rules.REFUND_PENDING, queue_key=f"{now}#{pledge.pledge_id}",
    )
    with storage.unit_of_work() as uow:
        uow.add_refund(record)
        if tracked:
            uow.count_on_close(pledge.film_id, outstanding=1)
        try:
            uow.commit()
        except Refused:
            existing = get(pledge.pledge_id)
            if existing is None:
                raise
            return existing
    return record


def _take_lease(record: Any) -> bool:
    now = clock.epoch()
    return money.store().refunds.update(
        record.pledge_id, {"lease_until": now + LEASE_SECONDS, "updated_at": clock.iso()}, {"attempts": 1},
        RefundIf(lease_before=now, status_not=rules.REFUND_SUCCEEDED))


def _record_failure(record: Any, exc: payments.RefundRejected) -> None:
    failures = int(record.failures or 0) + 1
    now = clock.now()
    due = clock.iso(rules.next_attempt_at(now, failures))
    money.store().refunds.update(record.pledge_id, {
        "status": rules.REFUND_FAILED, "failures": failures, "failure_code": exc.code,
        "failure_message": exc.message[:500], "next_attempt_at": due, "queue": rules.REFUND_FAILED,
        "queue_key": f"{due}#{record.pledge_id}", "lease_until": 0, "updated_at": clock.iso(now),
    }, when=RefundIf(status_not=rules.REFUND_SUCCEEDED))
    metrics.add_metric(name="RefundFailed", unit="Count", value=1)
    logger.warning("refund rejected", extra={"pledge_id": record.pledge_id, "film_id": record.film_id,
                                             "code": exc.code, "failures": failures})


def _apply(record: Any) -> None:
    """The pledge and the totals follow the money that went back (idempotent)."""
    amount = int(record.amount_cents)
    for _ in range(3):
        pledge = money.store().pledges.get(record.pledge_id)
        if pledge is None:
            return
        if pledge_rules.counted(pledge.status, pledge.confirmed_at) or pledge.status == "refunded":
            contributions.refund(record.pledge_id, amount)
            return
        if pledge.status not in pledge_rules.REFUNDABLE_UNCOUNTED:
            logger.warning("refunded a pledge that is %s", pledge.status, extra={"pledge_id": record.pledge_id})
            return
        if contributions.refund_uncounted(record.pledge_id, amount, record.payment_intent_id,
                                          record.reason, MESSAGES.get(record.reason, "refunded")):
            return


def _succeed(record: Any, settled_by: str | None = None) -> None:
    """The refund is through (or, `settled_by` a dispute, will never be: Stripe keeps nothing
    the platform could give back)."""
    now = clock.iso()
    extra = {"failure_code": settled_by, "failure_message": SETTLED_BY[settled_by]} if settled_by else {}
    with money.store().unit_of_work() as uow:
        uow.update_refund(record.pledge_id, {
            "status": rules.REFUND_SUCCEEDED, "refunded_cents": 0 if settled_by else int(record.amount_cents),
            "succeeded_at": now, "updated_at": now, "queue": None, "queue_key": None, "lease_until": 0, **extra,
        }, RefundIf(status_not=rules.REFUND_SUCCEEDED))
        if record.tracked:
            uow.count_on_close(record.film_id, outstanding=-1, refunded=1)
        try:
            uow.commit()
        except Refused:
            pass  # succeeded already (another attempt finished it)
    record.status = rules.REFUND_SUCCEEDED


def process(record: Any) -> str:
    """One attempt at a recorded refund: succeeded, failed (recorded, retried later) or busy."""
    if record.status == rules.REFUND_SUCCEEDED:
        return rules.REFUND_SUCCEEDED
    if not _take_lease(record):
        return "busy"
    checkpoint("refund.leased")
    if disputes.holds(record.pledge_id):
        _succeed(record, settled_by=CHARGE_DISPUTED)  # never retried: Stripe always refuses it
        return rules.REFUND_SUCCEEDED
    amount = int(record.amount_cents)
    try:
        remaining = rules.refund_remaining(amount, payments.refunded_cents(record.payment_intent_id))
        if remaining:
            payments.create_refund(
                payment_intent_id=record.payment_intent_id, amount_cents=remaining,
                metadata={"pledge_id": record.pledge_id, "film_id": record.film_id, "reason": record.reason},
                idempotency_key=rules.refund_idempotency_key(record.pledge_id, int(record.failures or 0)))
            checkpoint("refund.stripe_done")
    except payments.RefundRejected as exc:
        if exc.code == CHARGE_DISPUTED:  # disputed before the webhook told us
            _succeed(record, settled_by=CHARGE_DISPUTED)
            return rules.REFUND_SUCCEEDED
        _record_failure(record, exc)
        return rules.REFUND_FAILED
    _apply(record)
    checkpoint("refund.applied")
    _succeed(record)
    return rules.REFUND_SUCCEEDED


def reopen(pledge: Any, payment_intent_id: str, failed_cents: int, code: str, message: str) -> Any:
    """A Refund Stripe had accepted failed later (`refund.failed`, `charge.refund.updated`): the
    money is back with the platform, so the refund is owed again. The record goes back to
    `failed` (listed for admins, retried by the schedule from now on, with a new idempotency
    key); a refund the platform did not record (a part refunded elsewhere) gets a record for
    what the platform already took off the pledge."""
    refunds = money.store().refunds
    record = get(pledge.pledge_id)
    if record is None:
        owed = int(pledge.amount_refunded_cents or 0) or failed_cents
        record = owe(pledge, payment_intent_id, REFUND_FAILED_LATER)
        if int(record.amount_cents) != owed:
            refunds.update(record.pledge_id, {"amount_cents": min(int(pledge.amount_cents), owed)})
    now = clock.iso()
    changes = {
        "status": rules.REFUND_FAILED, "failure_code": code, "failure_message": message[:500],
        "next_attempt_at": now, "queue": rules.REFUND_FAILED, "queue_key": f"{now}#{record.pledge_id}",
        "lease_until": 0, "updated_at": now,
    }
    with money.store().unit_of_work() as uow:
        uow.update_refund(record.pledge_id, {**changes, "refunded_cents": 0}, RefundIf(status=rules.REFUND_SUCCEEDED),
                          adds={"failures": 1})
        if record.tracked:
            uow.count_on_close(record.film_id, outstanding=1, refunded=-1)
        try:
            uow.commit()
        except Refused:
            # Not succeeded (pending or failed already): it is owed and retried anyway; say why.
            refunds.update(record.pledge_id, changes, {"failures": 1})
    metrics.add_metric(name="RefundFailed", unit="Count", value=1)
    logger.warning("refund failed after Stripe accepted it: reopened",
                   extra={"pledge_id": record.pledge_id, "code": code})
    return get(record.pledge_id) or record


def refund(pledge: Any, payment_intent_id: str, reason: str) -> str:
    return process(owe(pledge, payment_intent_id, reason))


def refund_late(pledge: Any, payment_intent_id: str) -> str:
    """A payment that succeeded after its film stopped taking money."""
    logger.info("payment after the campaign closed: refunding", extra={"pledge_id": pledge.pledge_id})
    return refund(pledge, payment_intent_id, CAMPAIGN_CLOSED)


def due(queue: str, limit: int | None = None) -> Iterator[Any]:
    """Refunds in `queue` whose next attempt is due now, the most overdue first."""
    return iter(money.store().refunds.queued(queue, up_to=f"{clock.iso()}~", limit=limit))


# --- admin view --------------------------------------------------------------------------

def view(record: Any) -> dict[str, Any]:
    return {
        "pledge_id": record.pledge_id, "film_id": record.film_id, "user_id": record.user_id,
        "payment_intent_id": record.payment_intent_id, "amount_cents": int(record.amount_cents),
        "status": record.status, "reason": record.reason, "attempts": int(record.attempts or 0),
        "failures": int(record.failures or 0), "failure_code": record.failure_code,
        "failure_message": record.failure_message, "next_attempt_at": record.next_attempt_at,
        "refunded_cents": int(record.refunded_cents or 0), "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


def list_admin(caller: Any, *, status: str | None, limit: int, next_token: str | None) -> dict[str, Any]:
    """Refunds not yet through, for admins: `failed` (rejected, awaiting retry) or `pending`."""
    caller.require("admin")
    status = status or rules.REFUND_FAILED
    if status not in LISTED_STATUSES:
        raise invalid_field("status", f"must be one of {', '.join(LISTED_STATUSES)}")
    scope = f"admin-refunds:{status}"
    results = money.store().refunds.queued(status, limit=limit + 1, last_key=paging.decode(next_token, scope))
    items, resume = paging.take_page(results, limit)
    return {"items": [view(r) for r in items], "next": paging.encode(resume, scope)}
