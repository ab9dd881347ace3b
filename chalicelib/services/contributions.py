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

import random
import time

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib import clock
from chalicelib.adapters import counters, funding_days
from chalicelib.adapters.tables import BackingRecord, FilmRecord, PledgeRecord, UserRecord, find, transaction
from chalicelib.domain import pledges as rules
from chalicelib.errors import Unavailable
from chalicelib.observability import logger

MAX_ATTEMPTS = 12


def _failed(reason) -> bool:
    return reason is not None and reason.code == "ConditionalCheckFailed"


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, min(0.5, 0.01 * 2 ** attempt)))


def _joins(attribute, joins: bool):
    """Condition for a total that goes from zero (joins) or was already above zero."""
    if joins:
        return attribute.does_not_exist() | (attribute == 0)
    return attribute > 0


def settled_actions() -> list:
    """A pledge leaves the reconciliation index once Stripe's outcome is known."""
    return [PledgeRecord.unsettled.remove(), PledgeRecord.unsettled_key.remove()]


def confirm(pledge: PledgeRecord, *, payment_intent_id: str | None = None,
            client_secret: str | None = None) -> str | None:
    """Count a pledge's money exactly once: the time it was confirmed if this call counted
    it, None if it was counted already (or can no longer be)."""
    amount = int(pledge.amount_cents)
    joins_film, joins_platform = True, True  # the common case: a first pledge
    for attempt in range(MAX_ATTEMPTS):
        now = clock.iso()
        pledge_actions = [
            PledgeRecord.status.set("confirmed"), PledgeRecord.confirmed_at.set(now),
            PledgeRecord.updated_at.set(now), PledgeRecord.failure_code.remove(),
            PledgeRecord.failure_message.remove(), PledgeRecord.lease_until.set(0), *settled_actions(),
        ]
        if payment_intent_id:
            pledge_actions.append(PledgeRecord.payment_intent_id.set(payment_intent_id))
        if client_secret:
            pledge_actions.append(PledgeRecord.client_secret.set(client_secret))
        try:
            with transaction() as write:
                write.condition_check(FilmRecord, pledge.film_id, condition=_FILM_TAKES_MONEY)
                write.update(PledgeRecord(pledge.pledge_id), actions=pledge_actions,
                             condition=PledgeRecord.status.is_in(*rules.sources_of("confirmed")))
                write.update(BackingRecord(pledge.film_id, pledge.user_id), actions=[
                    BackingRecord.confirmed_cents.add(amount),
                    BackingRecord.first_confirmed_at.set(BackingRecord.first_confirmed_at | now),
                    BackingRecord.updated_at.set(now),
                ], condition=_joins(BackingRecord.confirmed_cents, joins_film))
                write.update(UserRecord(pledge.user_id), actions=[UserRecord.confirmed_cents.add(amount)],
                             condition=_joins(UserRecord.confirmed_cents, joins_platform))
                counters.add_in(write, counters.film_counter(pledge.film_id), raised_cents=amount,
                                coproducer_count=int(joins_film))
                counters.add_in(write, counters.PLATFORM, raised_cents=amount, coproducers=int(joins_platform))
                funding_days.add_in(write, pledge.film_id, now, amount, int(joins_film))
            _goal_check(pledge.film_id, now)
            return now
        except TransactWriteError as exc:
            # Condition checks come first: film, then pledge, backing, user, counters.
            reasons = exc.cancellation_reasons or []
            if len(reasons) > 1 and _failed(reasons[1]):
                # Already confirmed, or in a status that cannot confirm: a charge on a canceled
                # pledge is refunded, never ignored.
                _paid_after_cancel(pledge, payment_intent_id or pledge.payment_intent_id)
                return None
            if reasons and _failed(reasons[0]):
                _arrived_late(pledge, payment_intent_id or pledge.payment_intent_id)
                return None
            if len(reasons) > 3 and (_failed(reasons[2]) or _failed(reasons[3])):
                joins_film ^= _failed(reasons[2])
                joins_platform ^= _failed(reasons[3])
                continue
            _backoff(attempt)  # a concurrent transaction on the same items
    raise Unavailable("too much contention on this film; retry")


_FILM_TAKES_MONEY = (FilmRecord.status == "open") & FilmRecord.closing_at.does_not_exist()


def _arrived_late(pledge: PledgeRecord, payment_intent_id: str | None) -> None:
    """A payment for a film that no longer takes money: refund it, count nothing."""
    from chalicelib.services import refunds

    current = find(PledgeRecord, pledge.pledge_id)
    if current is None or current.status not in rules.UNCOUNTED:
        return  # counted before the close (a replayed webhook), or refunded already
    if not payment_intent_id:
        logger.error("late payment without a PaymentIntent", extra={"pledge_id": pledge.pledge_id})
        return
    refunds.refund_late(current, payment_intent_id)


def _paid_after_cancel(pledge: PledgeRecord, payment_intent_id: str | None) -> None:
    """A payment that succeeded on a pledge canceled meanwhile: refund it, count nothing."""
    from chalicelib.services import refunds

    current = find(PledgeRecord, pledge.pledge_id)
    if current is None or current.status != "canceled":
        return  # counted already (a replay), or refunded
    intent_id = current.payment_intent_id or payment_intent_id
    if not intent_id:
        logger.error("payment on a canceled pledge without a PaymentIntent", extra={"pledge_id": pledge.pledge_id})
        return
    logger.warning("payment on a canceled pledge: refunding", extra={"pledge_id": pledge.pledge_id})
    refunds.refund(current, intent_id, refunds.PLEDGE_CANCELED)


def _goal_check(film_id: str, confirmed_at: str) -> None:
    """Record when a film first reaches its goal (the close job is the backstop)."""
    from chalicelib.services import campaigns

    try:
        campaigns.note_goal(film_id, confirmed_at)
    except Exception:  # the pledge is counted; the close records goal_reached_at anyway
        logger.exception("goal check failed", extra={"film_id": film_id})


def refund_uncounted(pledge_id: str, total_refunded_cents: int, payment_intent_id: str | None,
                     failure_code: str, failure_message: str) -> bool:
    """A pledge whose money was never counted is refunded: only its status changes."""
    pledge = find(PledgeRecord, pledge_id)
    if pledge is None or pledge.status not in rules.REFUNDABLE_UNCOUNTED:
        return False
    now = clock.iso()
    amount = int(pledge.amount_cents)
    actions = [
        PledgeRecord.status.set("refunded"), PledgeRecord.updated_at.set(now),
        PledgeRecord.amount_refunded_cents.set(min(amount, max(0, total_refunded_cents))),
        PledgeRecord.lease_until.set(0), *settled_actions(),
        PledgeRecord.failure_code.set(failure_code), PledgeRecord.failure_message.set(failure_message),
    ]
    if payment_intent_id:
        actions.append(PledgeRecord.payment_intent_id.set(payment_intent_id))
    try:
        PledgeRecord(pledge_id).update(actions=actions,
                                       condition=PledgeRecord.status.is_in(*rules.REFUNDABLE_UNCOUNTED))
        return True
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise


_ANY_INTENT = object()


def move(pledge_id: str, target: str, *, intent=_ANY_INTENT, **attributes) -> bool:
    """Move a pledge that carries no counted money (failed, canceled, requires_action).

    `intent`: the PaymentIntent the move was decided on (None: none recorded); the move only
    happens if the pledge still names that one, so a PaymentIntent recorded meanwhile is
    never left uncanceled behind a canceled pledge.
    """
    now = clock.iso()
    actions = [PledgeRecord.status.set(target), PledgeRecord.updated_at.set(now)]
    if target in rules.SETTLED:
        actions += settled_actions()
    for name, value in attributes.items():
        attribute = getattr(PledgeRecord, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    condition = PledgeRecord.status.is_in(*rules.sources_of(target))
    if intent is None:
        condition &= PledgeRecord.payment_intent_id.does_not_exist()
    elif intent is not _ANY_INTENT:
        condition &= PledgeRecord.payment_intent_id == intent
    try:
        PledgeRecord(pledge_id).update(actions=actions, condition=condition)
        return True
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False  # the status had moved on
        raise


def refund(pledge_id: str, total_refunded_cents: int) -> int:
    """Apply a charge's cumulative refunded amount. Returns the cents newly taken off."""
    for attempt in range(MAX_ATTEMPTS):
        pledge = find(PledgeRecord, pledge_id)
        if pledge is None:
            return 0
        if not rules.counted(pledge.status, pledge.confirmed_at):
            if pledge.status == "refunded":
                return 0  # refunded without ever being counted: nothing to take off the totals
            if not rules.can_move(pledge.status, "confirmed"):
                # Money that never counted (a canceled pledge paid meanwhile): the whole
                # payment goes back through its refund record, not a part of it.
                if pledge.status == "canceled" and pledge.payment_intent_id:
                    _paid_after_cancel(pledge, pledge.payment_intent_id)
                else:
                    logger.warning("refund for a pledge that never counted", extra={"pledge_id": pledge_id})
                return 0
            if confirm(pledge) is None:  # the refund proves the payment succeeded: count it first
                current = find(PledgeRecord, pledge_id)
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
        backing = find(BackingRecord, pledge.film_id, pledge.user_id)
        user = find(UserRecord, pledge.user_id)
        film_total = int(backing.confirmed_cents or 0) if backing else 0
        user_total = int(user.confirmed_cents or 0) if user else 0
        now = clock.iso()
        pledge_actions = [PledgeRecord.amount_refunded_cents.set(already + delta), PledgeRecord.updated_at.set(now)]
        pledge_actions.append(PledgeRecord.refund_history.set(
            (PledgeRecord.refund_history | []).append([f"{now}#{already + delta}"])))
        if already + delta >= amount:
            pledge_actions.append(PledgeRecord.status.set("refunded"))
        try:
            with transaction() as write:
                write.update(PledgeRecord(pledge_id), actions=pledge_actions, condition=(
                    (PledgeRecord.status == "confirmed") & (PledgeRecord.amount_refunded_cents == already)))
                write.update(BackingRecord(pledge.film_id, pledge.user_id),
                             actions=[BackingRecord.confirmed_cents.add(-delta), BackingRecord.updated_at.set(now)],
                             condition=BackingRecord.confirmed_cents == film_total)
                write.update(UserRecord(pledge.user_id), actions=[UserRecord.confirmed_cents.add(-delta)],
                             condition=UserRecord.confirmed_cents == user_total)
                counters.add_in(write, counters.film_counter(pledge.film_id), raised_cents=-delta,
                                coproducer_count=-int(film_total == delta))
                counters.add_in(write, counters.PLATFORM, raised_cents=-delta, coproducers=-int(user_total == delta))
                funding_days.add_in(write, pledge.film_id, now, -delta, -int(film_total == delta))
            return delta
        except TransactWriteError:
            _backoff(attempt)  # something moved: read again
    raise Unavailable("too much contention on this pledge; retry")


def _equals(attribute, value: int):
    """Condition: the total is still the value read (a missing total reads as 0)."""
    if value == 0:
        return attribute.does_not_exist() | (attribute == 0)
    return attribute == value


def shift(pledge: PledgeRecord, delta_cents: int, entry) -> int | None:
    """Move `delta_cents` of a counted pledge out of (negative) or back into (positive) the
    totals (the co-producer's backing of the film, their platform total, both counters), with
    `entry` put in the same transaction: a new record saying why, never an edit of the pledge.
    The cents taken out never exceed what the totals hold. Returns the cents moved (also set
    on `entry.counted_delta_cents`), or None when `entry` exists already (a replay)."""
    entry_model = type(entry)
    hash_key = entry_model._hash_keyname
    for attempt in range(MAX_ATTEMPTS):
        backing = find(BackingRecord, pledge.film_id, pledge.user_id)
        user = find(UserRecord, pledge.user_id)
        film_total = int(backing.confirmed_cents or 0) if backing else 0
        user_total = int(user.confirmed_cents or 0) if user else 0
        delta = max(delta_cents, -film_total, -user_total)
        entry.counted_delta_cents = delta
        now = clock.iso()
        try:
            with transaction() as write:
                write.save(entry, condition=getattr(entry_model, hash_key).does_not_exist())
                if delta:
                    write.update(BackingRecord(pledge.film_id, pledge.user_id), actions=[
                        BackingRecord.confirmed_cents.add(delta), BackingRecord.updated_at.set(now)],
                        condition=_equals(BackingRecord.confirmed_cents, film_total))
                    write.update(UserRecord(pledge.user_id), actions=[UserRecord.confirmed_cents.add(delta)],
                                 condition=_equals(UserRecord.confirmed_cents, user_total))
                    counters.add_in(write, counters.film_counter(pledge.film_id), raised_cents=delta,
                                    coproducer_count=_membership(film_total, delta))
                    counters.add_in(write, counters.PLATFORM, raised_cents=delta,
                                    coproducers=_membership(user_total, delta))
                    funding_days.add_in(write, pledge.film_id, now, delta, _membership(film_total, delta))
            return delta
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            if reasons and _failed(reasons[0]):
                return None  # recorded already
            _backoff(attempt)  # a total moved meanwhile: read again
    raise Unavailable("too much contention on this pledge; retry")


def _membership(total: int, delta: int) -> int:
    """+1 when a total goes from zero, -1 when it reaches zero, else 0."""
    if total == 0 and delta > 0:
        return 1
    if total > 0 and total + delta == 0:
        return -1
    return 0
