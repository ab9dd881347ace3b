"""Where money is counted: a pledge's status and the totals it feeds change together.

Every change is one DynamoDB transaction over the pledge, the co-producer's backing of the
film, the user's platform-wide total, one shard of the film counter and one shard of the
platform counter. The pledge's condition (its status, its refunded amount) makes a replay
a no-op; the backing and user conditions decide whether a co-producer joins or leaves.

Money counts only while its film is open and not closing: the confirm transaction checks
the film. A payment that succeeds after that (a 3-D Secure pledge completed as the campaign
closes) is refunded, never counted (`services/refunds.py`).
"""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.adapters import money
from chalicelib.adapters.money import ANY, Held, PledgeIf, Refused
from chalicelib.domain import pledges as rules
from chalicelib.errors import Unavailable
from chalicelib.observability import logger
from chalicelib.retry import pause
from chalicelib.services import messagebus

MAX_ATTEMPTS = 12
BACKOFF_BASE, BACKOFF_CAP = 0.01, 0.5  # seconds: a transaction that lost to a concurrent one
# A pledge leaves the reconciliation index once Stripe's outcome is known.
SETTLED: dict[str, Any] = {"unsettled": None, "unsettled_key": None}


class EventApplied(Exception):
    """`confirm(..., event=...)`: the event's record exists, it was applied already."""


class PledgeDiffers(Exception):
    """`confirm(..., event=...)`: the pledge is not a waiting one naming this PaymentIntent and
    amount (counted already, canceled, unknown, another PaymentIntent). `current`: the pledge
    as the refused transaction found it (None: there is none), to decide with no read."""

    def __init__(self, current: Any | None):
        self.current = current
        super().__init__("the pledge is not a waiting one for this payment")


def confirm(pledge: Any, *, payment_intent_id: str | None = None, client_secret: str | None = None,
            event: Any | None = None) -> str | None:
    """Count a pledge's money exactly once: the time it was confirmed if this call counted
    it, None if it was counted already (or can no longer be).

    `event`: the record of the Stripe event that reports the payment, put in the same
    transaction. The pledge is then not read first: the transaction's conditions (still
    waiting, naming `payment_intent_id`, of `pledge.amount_cents`, of `pledge.film_id` and
    `pledge.user_id`: the totals it moves are theirs) are the check, and a
    refusal raises EventApplied or PledgeDiffers."""
    amount = int(pledge.amount_cents)
    when = PledgeIf(statuses=rules.sources_of("confirmed"))
    if event is not None:
        when = PledgeIf(statuses=rules.sources_of("confirmed"), intent=payment_intent_id, amount_cents=amount,
                        owner=(pledge.film_id, pledge.user_id))
    joins_film, joins_platform = True, True  # the common case: a first pledge
    for attempt in range(MAX_ATTEMPTS):
        now = clock.iso()
        changes = {"status": "confirmed", "confirmed_at": now, "updated_at": now, "failure_code": None,
                   "failure_message": None, "lease_until": 0, **SETTLED}
        if payment_intent_id:
            changes["payment_intent_id"] = payment_intent_id
        if client_secret:
            changes["client_secret"] = client_secret
        with money.store().unit_of_work() as uow:
            uow.check_film_takes_money(pledge.film_id)
            uow.update_pledge(pledge.pledge_id, changes, when)
            if event is not None:
                uow.add_entry(event)
            uow.move_totals(pledge.film_id, pledge.user_id, amount, now, film=Held.joining(joins_film),
                            platform=Held.joining(joins_platform), film_members=int(joins_film),
                            platform_members=int(joins_platform), first_confirmed=True,
                            leaves_waiting=pledge.pledge_id)
            uow.add_event(messagebus.PledgeCounted(pledge.film_id, now))
            try:
                uow.commit()
            except Refused as refused:
                if "entry" in refused.names:
                    raise EventApplied() from refused
                if "pledge" in refused.names and event is not None:
                    raise PledgeDiffers(refused.items.get("pledge")) from refused
                if "pledge" in refused.names:
                    # Already confirmed, or in a status that cannot confirm: a charge on a canceled
                    # pledge is refunded, never ignored.
                    _paid_after_cancel(uow, pledge, payment_intent_id or pledge.payment_intent_id)
                    return None
                if "film" in refused.names:
                    _arrived_late(uow, pledge, payment_intent_id or pledge.payment_intent_id)
                    return None
                if refused.names & {"backing", "user"}:
                    joins_film ^= "backing" in refused.names
                    joins_platform ^= "user" in refused.names
                    continue
                pause(attempt, base=BACKOFF_BASE, cap=BACKOFF_CAP)  # a concurrent transaction on the same items
                continue
            _after_counting(uow, pledge.film_id)
            return now
    raise Unavailable("too much contention on this film; retry")


def _arrived_late(uow: money.UnitOfWork, pledge: Any, payment_intent_id: str | None) -> None:
    """A payment for a film that no longer takes money: refund it, count nothing."""
    current = money.store().pledges.get(pledge.pledge_id)
    if current is None or current.status not in rules.UNCOUNTED:
        return  # counted before the close (a replayed webhook), or refunded already
    if not payment_intent_id:
        logger.error("late payment without a PaymentIntent", extra={"pledge_id": pledge.pledge_id})
        return
    uow.add_event(messagebus.PaymentArrivedLate(current, payment_intent_id))
    messagebus.dispatch(uow)


def _paid_after_cancel(uow: money.UnitOfWork, pledge: Any, payment_intent_id: str | None) -> None:
    """A payment that succeeded on a pledge canceled meanwhile: refund it, count nothing."""
    current = money.store().pledges.get(pledge.pledge_id)
    if current is None or current.status != "canceled":
        return  # counted already (a replay), or refunded
    intent_id = current.payment_intent_id or payment_intent_id
    if not intent_id:
        logger.error("payment on a canceled pledge without a PaymentIntent", extra={"pledge_id": pledge.pledge_id})
        return
    logger.warning("payment on a canceled pledge: refunding", extra={"pledge_id": pledge.pledge_id})
    uow.add_event(messagebus.PaidAfterCancel(current, intent_id))
    messagebus.dispatch(uow)


def _after_counting(uow: money.UnitOfWork, film_id: str) -> None:
    """What follows a counted pledge (services/handlers.py): never undoes the counting."""
    try:
        messagebus.dispatch(uow)
    except Exception:  # the pledge is counted
        logger.exception("what follows a counted pledge failed", extra={"film_id": film_id})


def refund_uncounted(pledge_id: str, total_refunded_cents: int, payment_intent_id: str | None,
                     failure_code: str, failure_message: str) -> bool:
    """A pledge whose money was never counted is refunded: only its status changes."""
    pledges = money.store().pledges
    pledge = pledges.get(pledge_id)
    if pledge is None or pledge.status not in rules.REFUNDABLE_UNCOUNTED:
        return False
    now = clock.iso()
    amount = int(pledge.amount_cents)
    changes = {
        "status": "refunded", "updated_at": now,
        "amount_refunded_cents": min(amount, max(0, total_refunded_cents)), "lease_until": 0, **SETTLED,
        "failure_code": failure_code, "failure_message": failure_message,
    }
    if payment_intent_id:
        changes["payment_intent_id"] = payment_intent_id
    return update_waiting(pledge.user_id, pledge_id, changes, PledgeIf(statuses=tuple(rules.REFUNDABLE_UNCOUNTED)))


def move(pledge_id: str, target: str, *, user_id: str, intent: str | None = ANY, **attributes: Any) -> bool:
    """Move a pledge that carries no counted money (failed, canceled, requires_action).

    `user_id`: the pledge's co-producer, whose pledge limits' hint follows the move (a decline
    noted first, a pledge that no longer waits taken out after). `intent`: the PaymentIntent
    the move was decided on (None: none recorded); the move only happens if the pledge still
    names that one, so a PaymentIntent recorded meanwhile is never left uncanceled behind a
    canceled pledge. False when the status had moved on.
    """
    changes = {"status": target, "updated_at": clock.iso()}
    if target in rules.SETTLED:
        changes.update(SETTLED)
    changes.update(attributes)  # None removes
    return update_waiting(user_id, pledge_id, changes, PledgeIf(statuses=rules.sources_of(target), intent=intent))


def update_waiting(user_id: str, pledge_id: str, changes: dict[str, Any], when: PledgeIf) -> bool:
    """Write `changes` to a pledge that may be waiting for its payment (if `when` holds), its
    user's limits' hint following: a decline (status failed) noted before the pledge says so,
    the pledge taken out of the waiting ones once its status no longer waits."""
    pledges = money.store().pledges
    status = changes.get("status")
    if status == "failed":
        pledges.note_decline(user_id, changes.get("updated_at") or clock.iso())
    if not pledges.update(pledge_id, changes, when):
        return False
    if status is not None and status not in rules.WAITING:
        pledges.left_waiting(user_id, pledge_id)
    return True


def refund(pledge_id: str, total_refunded_cents: int) -> int:
    """Apply a charge's cumulative refunded amount. Returns the cents newly taken off."""
    storage = money.store()
    for attempt in range(MAX_ATTEMPTS):
        pledge = storage.pledges.get(pledge_id)
        if pledge is None:
            return 0
        if not rules.counted(pledge.status, pledge.confirmed_at):
            if pledge.status == "refunded":
                return 0  # refunded without ever being counted: nothing to take off the totals
            if not rules.can_move(pledge.status, "confirmed"):
                # Money that never counted (a canceled pledge paid meanwhile): the whole
                # payment goes back through its refund record, not a part of it.
                if pledge.status == "canceled" and pledge.payment_intent_id:
                    with storage.unit_of_work() as uow:
                        _paid_after_cancel(uow, pledge, pledge.payment_intent_id)
                else:
                    logger.warning("refund for a pledge that never counted", extra={"pledge_id": pledge_id})
                return 0
            if confirm(pledge) is None:  # the refund proves the payment succeeded: count it first
                current = storage.pledges.get(pledge_id)
                if current is not None and current.status in rules.REFUNDABLE_UNCOUNTED:
                    # The film no longer takes money: the confirm recorded a refund of the whole
                    # payment (services/refunds.py), which moves the pledge once Stripe has
                    # returned all of it. A part refunded elsewhere is not the end of it.
                    return 0
            continue
        amount = int(pledge.amount_cents)
        already = int(pledge.amount_refunded_cents or 0)
        delta = rules.refund_delta(amount, already, total_refunded_cents)
        if delta == 0:
            return 0
        film_total, user_total = _totals(pledge)
        now = clock.iso()
        changes: dict[str, Any] = {"amount_refunded_cents": already + delta, "updated_at": now}
        if already + delta >= amount:
            changes["status"] = "refunded"
        with storage.unit_of_work() as uow:
            uow.update_pledge(pledge_id, changes, PledgeIf(statuses=("confirmed",), refunded_cents=already),
                              history=f"{now}#{already + delta}")
            uow.move_totals(pledge.film_id, pledge.user_id, -delta, now, film=Held.at(film_total),
                            platform=Held.at(user_total), film_members=-int(film_total == delta),
                            platform_members=-int(user_total == delta))
            try:
                uow.commit()
            except Refused:
                pause(attempt, base=BACKOFF_BASE, cap=BACKOFF_CAP)  # something moved: read again
                continue
        return delta
    raise Unavailable("too much contention on this pledge; retry")


def _totals(pledge: Any) -> tuple[int, int]:
    """The co-producer's confirmed cents in the pledge's film and on the platform (0: none)."""
    totals = money.store().totals
    backing = totals.backing(pledge.film_id, pledge.user_id)
    user = totals.user(pledge.user_id)
    return (int(backing.confirmed_cents or 0) if backing else 0), (int(user.confirmed_cents or 0) if user else 0)


def shift(pledge: Any, delta_cents: int, entry: Any) -> int | None:
    """Move `delta_cents` of a counted pledge out of (negative) or back into (positive) the
    totals (the co-producer's backing of the film, their platform total, both counters), with
    `entry` put in the same transaction: a new record saying why, never an edit of the pledge.
    The cents taken out never exceed what the totals hold. Returns the cents moved (also set
    on `entry.counted_delta_cents`), or None when `entry` exists already (a replay)."""
    for attempt in range(MAX_ATTEMPTS):
        film_total, user_total = _totals(pledge)
        delta = max(delta_cents, -film_total, -user_total)
        entry.counted_delta_cents = delta
        now = clock.iso()
        with money.store().unit_of_work() as uow:
            uow.add_entry(entry)
            if delta:
                uow.move_totals(pledge.film_id, pledge.user_id, delta, now,
                                film=Held.at(film_total, missing_is_zero=True),
                                platform=Held.at(user_total, missing_is_zero=True),
                                film_members=_membership(film_total, delta),
                                platform_members=_membership(user_total, delta))
            try:
                uow.commit()
            except Refused as refused:
                if "entry" in refused.names:
                    return None  # recorded already
                pause(attempt, base=BACKOFF_BASE, cap=BACKOFF_CAP)  # a total moved meanwhile: read again
                continue
        return delta
    raise Unavailable("too much contention on this pledge; retry")


def _membership(total: int, delta: int) -> int:
    """+1 when a total goes from zero, -1 when it reaches zero, else 0."""
    if total == 0 and delta > 0:
        return 1
    if total > 0 and total + delta == 0:
        return -1
    return 0
