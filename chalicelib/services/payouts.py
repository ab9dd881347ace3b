"""Balances and payouts of royalties, and the statement event of each period.

A co-producer's balance is the sum of their ledger credits minus what was paid out to them.
What was paid out is kept on one guard item per user (`account#<user_id>`, `paid_out_cents`):
a payout is recorded `pending` in the same transaction that adds its amount to the guard,
conditioned on the guard's value when the balance was read and on no other payout of the
user being pending, so two runs can never pay the same cents and a new payout never takes
the place of an unfinished one. The transfer then goes out with idempotency key = transfer
group = payout id; a refusal marks the payout `failed` with its reason and gives the amount
back to the guard (the balance) in one transaction.

An unknown outcome (timeout, crash before the outcome is written) leaves the payout `pending`.
Stripe forgets idempotency keys after 24 hours, so a pending payout is never simply sent
again: the next run (or retry) first asks Stripe for a transfer of its group and records it
if it exists; only then is it sent, after claiming the attempt on the record (`sent_at`) so
two runs cannot both send it.

A failed payout is in the retry set (the sparse `failures` index) with `attempt` and
`next_attempt_at`: `retry_due` (scheduled every hour) pays the balance again under a new
payout id after 1 h, 6 h, 24 h then 72 h; after MAX_PAYOUT_ATTEMPTS consecutive failures it
stops (`gave_up_at`) and the payout stays listed for admins (`GET /admin/payouts`). A paid
payout takes the user's failed payout out of the retry set. The guard names the user's
current retry-set entry (`failed_payout`) and how many attempts failed in a row.

One payout per (user, period, attempt): its id is derived from them.
"""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

from aws_lambda_powertools.metrics import MetricUnit
from chalicelib import clock, paging
from chalicelib.adapters import transfers as transfer_adapter
from chalicelib.adapters import money
from chalicelib.adapters.money import Refused
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.domain import events
from chalicelib.domain import royalties as rules
from chalicelib.errors import Unavailable
from chalicelib.observability import logger, metrics
from chalicelib.services import outbox

FAILED = "failed"
PENDING = "pending"
MAX_ATTEMPTS = 8  # contention on the guard
SETTLE_WORKERS = 8
MAX_PAYOUT_ATTEMPTS = 5  # consecutive failed transfers of a user's balance before giving up
RETRY_BACKOFF = (timedelta(hours=1), timedelta(hours=6), timedelta(hours=24), timedelta(hours=72))


def payout_id(period: str, user_id: str, attempt: int = 1, series: int = 0) -> str:
    """The payout of (user, period); a retry of a failed one gets the attempt's number (and the
    series of attempts, once the co-producer changed their account)."""
    base = f"pyt_{period.replace('-', '')}_{hashlib.sha256(user_id.encode()).hexdigest()[:24]}"
    if attempt <= 1 and not series:
        return base
    return f"{base}_r{attempt}" + (f"s{series}" if series else "")


def account_key(user_id: str) -> str:
    return f"account#{user_id}"


def credits_of(user_id: str) -> list[Any]:
    return money.store().payouts.credits(user_id)


def paid_out(user_id: str) -> int:
    guard = money.store().payouts.guard(user_id)
    return int(guard.paid_out_cents or 0) if guard else 0


def balance(user_id: str) -> int:
    return sum(int(c.amount_cents) for c in credits_of(user_id)) - paid_out(user_id)


def payouts_of(user_id: str) -> list[Any]:
    return money.store().payouts.of_user(user_id)


def next_attempt_at(failed_at: datetime, attempt: int) -> datetime | None:
    """When a payout that failed at its `attempt`-th consecutive attempt is tried again; None:
    never (given up, listed for admins)."""
    if attempt >= MAX_PAYOUT_ATTEMPTS:
        return None
    return failed_at + RETRY_BACKOFF[min(attempt, len(RETRY_BACKOFF)) - 1]


def _reserve(user_id: str, period: str, destination: str, threshold: int, credited: int,
             guard: Any | None) -> Any | None:
    """Record a pending payout of the whole balance, if one is due and no other payout of the
    user is pending. None otherwise."""
    store = money.store().payouts
    for _ in range(MAX_ATTEMPTS):
        if guard is not None and guard.pending_payout:
            return None  # finish that one first: never two pending payouts, never one replaced
        already = int(guard.paid_out_cents or 0) if guard else 0
        amount = credited - already
        if not rules.payout_due(amount, threshold, bool(destination)):
            return None
        now = clock.iso()
        attempt = int(guard.failed_attempts or 0) + 1 if guard else 1
        pid = payout_id(period, user_id, attempt, int(guard.retry_series or 0) if guard else 0)
        payout = store.new(pid, user_id=user_id, period=period, amount_cents=amount, status=PENDING,
                              destination=destination, created_at=now, created_key=f"{now}#{pid}", updated_at=now,
                              attempt=attempt, retry_of=guard.failed_payout if guard else None, sent_at=now)
        try:
            store.reserve(payout, already if guard else None)
            return payout
        except Refused as refused:
            if "payout" in refused.names:
                return None  # this payout exists already
            guard = store.guard(user_id)  # the guard moved: read it again
            credited = sum(int(c.amount_cents) for c in credits_of(user_id))
    raise Unavailable("too much contention on this balance; the payout is retried on the next run")


def _claim_resend(payout: Any) -> bool:
    """Claim the right to send a pending payout again (one run at a time)."""
    return money.store().payouts.claim_resend(payout.payout_id, payout.sent_at or None, clock.iso())


def _complete(payout: Any, transfers: transfer_adapter.Transfers, *, first_send: bool) -> str:
    """Send a pending payout's transfer and record the outcome: paid, failed or pending.

    A payout that may have been sent before (`first_send` False) is first looked for at Stripe."""
    try:
        result = None if first_send else transfers.find(payout.payout_id)
        if result is None:
            if not first_send and not _claim_resend(payout):
                return PENDING  # another run is sending it
            result = transfers.transfer(payout_id=payout.payout_id, amount_cents=int(payout.amount_cents),
                                        destination=payout.destination)
    except Unavailable:
        logger.warning("payout outcome unknown, looked up and retried later", extra={"payout_id": payout.payout_id})
        return PENDING
    return _record_outcome(payout, result)


def _record_outcome(payout: Any, result: transfer_adapter.Transfer) -> str:
    now = clock.now()
    stamp = clock.iso(now)
    attempt = int(payout.attempt or 1)
    store = money.store().payouts
    if result.ok:
        recorded = store.record_paid(payout, result.transfer_id or "", stamp)
    else:
        retry_at = next_attempt_at(now, attempt)
        recorded = store.record_failed(payout, result.reason or "refused", stamp,
                                       clock.iso(retry_at) if retry_at else None)
    if not recorded:
        return "paid" if result.ok else FAILED  # recorded by another run
    if not result.ok:
        metrics.add_metric(name="PayoutFailed", unit=MetricUnit.Count, value=1)
        logger.warning("payout failed", extra={"payout_id": payout.payout_id, "reason": result.reason,
                                               "attempt": attempt})
        return FAILED
    return "paid"


def pay_balance(user_id: str, period: str, *, checkpoint: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Finish the user's pending payout (looked up at Stripe first), then pay the balance if due.

    Costs one Query (the user's credits) and two GetItems, plus the payout when one is due."""
    transfers = transfer_adapter.current()
    outcome: dict[str, Any] = {"paid_cents": 0, "failed": 0}
    store = money.store()
    guard = store.payouts.guard(user_id)
    if guard is not None and guard.pending_payout:
        pending = store.payouts.get(guard.pending_payout)
        if pending is not None and pending.status == PENDING:
            if _complete(pending, transfers, first_send=False) == "paid":
                outcome["paid_cents"] += int(pending.amount_cents)
        guard = store.payouts.guard(user_id)
    credits = credits_of(user_id)
    credited = sum(int(c.amount_cents) for c in credits)
    user = store.totals.user(user_id)
    destination = (user.stripe_account_id if user else None) or ""
    payout = _reserve(user_id, period, destination, settings().payout_threshold_cents, credited, guard)
    if payout is not None:
        checkpoint("payout-reserved")
        status = _complete(payout, transfers, first_send=True)
        outcome["paid_cents"] += int(payout.amount_cents) if status == "paid" else 0
        outcome["failed"] = int(status == FAILED)
        guard = store.payouts.guard(user_id)
    outcome["credits"] = credits
    outcome["balance_cents"] = credited - (int(guard.paid_out_cents or 0) if guard else 0)
    outcome["pending"] = bool(guard is not None and guard.pending_payout)
    return outcome


def settle_user(user_id: str, period: str, *, checkpoint: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Finish a pending payout, pay the balance if due, tell the co-producer their statement:
    every credit of the run of `period` (every film, and earlier periods' late receipts)."""
    outcome = pay_balance(user_id, period, checkpoint=checkpoint)
    in_run = [c for c in outcome.pop("credits") if (c.run_period or c.period) == period]
    balance_cents = outcome.pop("balance_cents")
    if in_run:
        outbox.emit(events.Event(
            events.ROYALTY_STATEMENT, f"{period}#{user_id}", clock.iso(), events.Audience(events.USER, user_id=user_id),
            data={"period": period, "credited_cents": sum(int(c.amount_cents) for c in in_run),
                  "balance_cents": balance_cents, "paid_out_cents": outcome["paid_cents"],
                  "films": sorted({c.film_id for c in in_run}), "periods": sorted({c.period for c in in_run})}))
    return outcome


def _retry_set() -> Iterable[Any]:
    return money.store().payouts.retry_set()


def retry_candidates() -> Iterable[str]:
    """Users whose failed payout is due for another attempt: paid again by any run."""
    now = clock.iso()
    return {p.user_id for p in _retry_set() if p.next_attempt_at and p.next_attempt_at <= now}


def retry_due() -> dict[str, int]:
    """Every failed payout whose next attempt is due: the user's balance is paid again under the
    next attempt's id (scheduled every hour). A user with nothing to pay any more (no account,
    below the threshold) leaves the schedule and stays listed for admins."""
    now = clock.iso()
    totals = {"retried": 0, "paid_cents": 0, "failed": 0, "gave_up": 0}
    for entry in list(_retry_set()):
        if not entry.next_attempt_at or entry.next_attempt_at > now:
            continue
        outcome = pay_balance(entry.user_id, entry.period)
        totals["retried"] += 1
        totals["paid_cents"] += outcome["paid_cents"]
        totals["failed"] += outcome["failed"]
        if outcome["pending"]:
            continue  # a payout whose outcome is unknown: looked up again on the next hour
        current = money.store().payouts.get(entry.payout_id)
        if current is not None and current.failed and current.next_attempt_at == entry.next_attempt_at:
            if money.store().payouts.give_up(entry.payout_id, entry.next_attempt_at, now):
                totals["gave_up"] += 1
    return totals


def settle(user_ids: Iterable[str], period: str, *, progress: Callable[[int], None] = lambda _: None,
           workers: int = SETTLE_WORKERS, outcomes: dict[str, dict[str, Any]] | None = None) -> dict[str, int]:
    """Settle every user once, `workers` at a time (each user's money is guarded by their own
    item, so users are independent). `outcomes` receives each user's."""
    totals = {"users": 0, "paid_cents": 0, "failed": 0}
    lock = threading.Lock()

    def one(user_id: str) -> None:
        outcome = settle_user(user_id, period)
        with lock:
            if outcomes is not None:
                outcomes[user_id] = outcome
            totals["users"] += 1
            totals["paid_cents"] += outcome["paid_cents"]
            totals["failed"] += outcome["failed"]
            progress(1)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in pool.map(one, dict.fromkeys([*user_ids, *retry_candidates()])):
            pass
    return totals


def rearm(user_id: str) -> None:
    """A co-producer changed their payout account: their failed payout, even one given up,
    is tried again on the next hour, as a new series of attempts."""
    store = money.store().payouts
    guard = store.guard(user_id)
    if guard is None or not guard.failed_payout:
        return
    if not store.rearm(user_id, guard.failed_payout, clock.iso()):
        logger.info("the failed payout was paid or replaced meanwhile", extra={"user_id": user_id})


# --- Views and settings ----------------------------------------------------------------

def payout_view(p: Any, *, admin: bool = False) -> dict[str, Any]:
    view = {"payout_id": p.payout_id, "period": p.period, "amount_cents": int(p.amount_cents or 0),
            "status": p.status, "reason": p.reason, "transfer_id": p.transfer_id, "created_at": p.created_at,
            "updated_at": p.updated_at}
    if admin:
        view.update(attempt=int(p.attempt or 1), next_attempt_at=p.next_attempt_at, gave_up_at=p.gave_up_at)
        view.update(user_id=p.user_id, destination=p.destination)
    return view


def failed(caller: Caller, *, limit: int, next_token: str | None = None) -> dict[str, Any]:
    """Failed payouts, newest first (admins)."""
    caller.require("admin")
    scope = "payouts:failed"
    results = money.store().payouts.retry_set(newest_first=True, limit=limit + 1,
                                              last_key=paging.decode(next_token, scope))
    items, resume = paging.take_page(results, limit)
    return {"items": [payout_view(p, admin=True) for p in items], "next": paging.encode(resume, scope)}


