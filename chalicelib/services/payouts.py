"""Balances and payouts of royalties, and the statement event of each period.

A co-producer's balance is the sum of their ledger credits minus what was paid out to them.
What was paid out is kept on one guard item per user (`account#<user_id>`, `paid_out_cents`):
a payout is recorded `pending` in the same transaction that adds its amount to the guard,
conditioned on the guard's value when the balance was read, so two runs can never pay the
same cents. The transfer then goes out with idempotency key = payout id; a refusal marks the
payout `failed` with its reason and gives the amount back to the guard (the balance) in one
transaction; the next run pays it again under a new payout id. An unknown outcome leaves the
payout `pending`: the next run asks again with the same id, so Stripe answers the same.

One payout per (user, period): its id is derived from them.
"""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterable

from aws_lambda_powertools.metrics import MetricUnit
from pynamodb.exceptions import TransactWriteError

from chalicelib import clock, paging
from chalicelib.adapters import transfers as transfer_adapter
from chalicelib.adapters.tables import LedgerRecord, PayoutRecord, UserRecord, find, transaction
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.domain import events
from chalicelib.domain import royalties as rules
from chalicelib.errors import Unavailable
from chalicelib.observability import logger, metrics
from chalicelib.services import outbox

if TYPE_CHECKING:  # request models: pydantic loads only with the routes that parse a body
    from chalicelib.schemas import PayoutAccount

FAILED = "failed"
MAX_ATTEMPTS = 8
SETTLE_WORKERS = 8


def payout_id(period: str, user_id: str) -> str:
    return f"pyt_{period.replace('-', '')}_{hashlib.sha256(user_id.encode()).hexdigest()[:24]}"


def account_key(user_id: str) -> str:
    return f"account#{user_id}"


def credits_of(user_id: str) -> list[LedgerRecord]:
    return list(LedgerRecord.query(user_id, consistent_read=True, scan_index_forward=False))


def paid_out(user_id: str) -> int:
    guard = find(PayoutRecord, account_key(user_id))
    return int(guard.paid_out_cents or 0) if guard else 0


def balance(user_id: str) -> int:
    return sum(int(c.amount_cents) for c in credits_of(user_id)) - paid_out(user_id)


def payouts_of(user_id: str) -> list[PayoutRecord]:
    return list(PayoutRecord.by_user.query(user_id, scan_index_forward=False))


def _reserve(user_id: str, period: str, destination: str, threshold: int, credited: int,
             guard: PayoutRecord | None) -> PayoutRecord | None:
    """Record a pending payout of the whole balance, if one is due. None otherwise."""
    for _ in range(MAX_ATTEMPTS):
        already = int(guard.paid_out_cents or 0) if guard else 0
        amount = credited - already
        if not rules.payout_due(amount, threshold, bool(destination)):
            return None
        now = clock.iso()
        pid = payout_id(period, user_id)
        payout = PayoutRecord(pid, user_id=user_id, period=period, amount_cents=amount, status="pending",
                              destination=destination, created_at=now, created_key=f"{now}#{pid}", updated_at=now)
        guard_condition = (PayoutRecord.paid_out_cents == already) if guard else PayoutRecord.payout_id.does_not_exist()
        try:
            with transaction() as write:
                write.save(payout, condition=PayoutRecord.payout_id.does_not_exist())
                write.update(PayoutRecord(account_key(user_id)), actions=[
                    PayoutRecord.paid_out_cents.add(amount), PayoutRecord.pending_payout.set(pid),
                ], condition=guard_condition)
            return payout
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
                return None  # this period's payout exists already
            guard = find(PayoutRecord, account_key(user_id))  # the guard moved: read it again
            credited = sum(int(c.amount_cents) for c in credits_of(user_id))
    raise Unavailable("too much contention on this balance; the payout is retried on the next run")


def _complete(payout: PayoutRecord, transfers: transfer_adapter.Transfers) -> str:
    """Send a pending payout's transfer and record the outcome: paid, failed or pending."""
    try:
        result = transfers.transfer(payout_id=payout.payout_id, amount_cents=int(payout.amount_cents),
                                    destination=payout.destination)
    except Unavailable:
        logger.warning("payout outcome unknown, retried on the next run", extra={"payout_id": payout.payout_id})
        return "pending"
    now = clock.iso()
    guard = PayoutRecord(account_key(payout.user_id))
    done = [PayoutRecord.pending_payout.remove()]
    if not result.ok:
        done.append(PayoutRecord.paid_out_cents.add(-int(payout.amount_cents)))  # back in the balance
    try:
        with transaction() as write:
            if result.ok:
                write.update(payout, actions=[PayoutRecord.status.set("paid"),
                                              PayoutRecord.transfer_id.set(result.transfer_id),
                                              PayoutRecord.updated_at.set(now)],
                             condition=PayoutRecord.status == "pending")
            else:
                write.update(payout, actions=[
                    PayoutRecord.status.set(FAILED), PayoutRecord.reason.set(result.reason or "refused"),
                    PayoutRecord.failed.set(FAILED), PayoutRecord.failed_at.set(f"{now}#{payout.payout_id}"),
                    PayoutRecord.updated_at.set(now),
                ], condition=PayoutRecord.status == "pending")
            write.update(guard, actions=done)
    except TransactWriteError:
        return "paid" if result.ok else FAILED  # recorded by another run
    if not result.ok:
        metrics.add_metric(name="PayoutFailed", unit=MetricUnit.Count, value=1)
        logger.warning("payout failed", extra={"payout_id": payout.payout_id, "reason": result.reason})
        return FAILED
    return "paid"


def settle_user(user_id: str, period: str, *, checkpoint: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Finish a pending payout, pay the balance if due, tell the co-producer their statement.

    Costs one Query (the user's credits) and two GetItems, plus the payout when one is due."""
    transfers = transfer_adapter.current()
    outcome = {"paid_cents": 0, "failed": 0}
    guard = find(PayoutRecord, account_key(user_id))
    if guard is not None and guard.pending_payout:
        pending = find(PayoutRecord, guard.pending_payout)
        if pending is not None and pending.status == "pending":
            _complete(pending, transfers)
        guard = find(PayoutRecord, account_key(user_id))
    credits = credits_of(user_id)
    credited = sum(int(c.amount_cents) for c in credits)
    user = find(UserRecord, user_id)
    destination = (user.stripe_account_id if user else None) or ""
    payout = _reserve(user_id, period, destination, settings().payout_threshold_cents, credited, guard)
    if payout is not None:
        checkpoint("payout-reserved")
        status = _complete(payout, transfers)
        outcome["paid_cents"] = int(payout.amount_cents) if status == "paid" else 0
        outcome["failed"] = int(status == FAILED)
        guard = find(PayoutRecord, account_key(user_id))
    in_period = [c for c in credits if c.period == period]
    if in_period:
        balance_cents = credited - (int(guard.paid_out_cents or 0) if guard else 0)
        outbox.emit(events.Event(
            events.ROYALTY_STATEMENT, f"{period}#{user_id}", clock.iso(), events.Audience(events.USER, user_id=user_id),
            data={"period": period, "credited_cents": sum(int(c.amount_cents) for c in in_period),
                  "balance_cents": balance_cents, "paid_out_cents": outcome["paid_cents"]}))
    return outcome


def retry_candidates() -> Iterable[str]:
    """Users whose payout failed: their balance is paid again on the next run."""
    return {p.user_id for p in PayoutRecord.failures.query(FAILED)}


def settle(user_ids: Iterable[str], period: str, *, progress: Callable[[int], None] = lambda _: None,
           workers: int = SETTLE_WORKERS) -> dict[str, int]:
    """Settle every user once, `workers` at a time (each user's money is guarded by their own
    item, so users are independent)."""
    from concurrent.futures import ThreadPoolExecutor

    totals = {"users": 0, "paid_cents": 0, "failed": 0}
    lock = threading.Lock()

    def one(user_id: str) -> None:
        outcome = settle_user(user_id, period)
        with lock:
            totals["users"] += 1
            totals["paid_cents"] += outcome["paid_cents"]
            totals["failed"] += outcome["failed"]
            progress(1)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in pool.map(one, dict.fromkeys([*user_ids, *retry_candidates()])):
            pass
    return totals


# --- Views and settings ----------------------------------------------------------------

def payout_view(p: PayoutRecord, *, admin: bool = False) -> dict[str, Any]:
    view = {"payout_id": p.payout_id, "period": p.period, "amount_cents": int(p.amount_cents or 0),
            "status": p.status, "reason": p.reason, "transfer_id": p.transfer_id, "created_at": p.created_at,
            "updated_at": p.updated_at}
    if admin:
        view.update(user_id=p.user_id, destination=p.destination)
    return view


def failed(caller: Caller, *, limit: int, next_token: str | None = None) -> dict[str, Any]:
    """Failed payouts, newest first (admins)."""
    caller.require("admin")
    scope = "payouts:failed"
    results = PayoutRecord.failures.query(FAILED, scan_index_forward=False, limit=limit + 1,
                                          last_evaluated_key=paging.decode(next_token, scope))
    items, resume = paging.take_page(results, limit)
    return {"items": [payout_view(p, admin=True) for p in items], "next": paging.encode(resume, scope)}


def set_account(caller: Caller, data: PayoutAccount) -> dict[str, Any]:
    UserRecord(caller.user_id).update(actions=[UserRecord.stripe_account_id.set(data.stripe_account_id),
                                               UserRecord.updated_at.set(clock.iso())])
    return {"user_id": caller.user_id, "stripe_account_id": data.stripe_account_id}
