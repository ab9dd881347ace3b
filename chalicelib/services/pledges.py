"""Pledges: a co-producer commits money to an open film and pays with Stripe.

Exactly once: the pledge id is derived from (user, Idempotency-Key), so the conditional put
that creates the pledge is the idempotency record. The PaymentIntent is opened unconfirmed
first (Stripe idempotency key `pledge-{pledge_id}`) and its id written with the pledge, in
the transaction that checks the film: it is confirmed (by the server, or by the browser that
gets its client secret) only after that. A PaymentIntent no pledge records is canceled.
The request that confirms it holds a short lease (set in the same put); duplicates arriving
meanwhile wait for its result and answer the same; a duplicate arriving after a crash takes
the lease over and carries on with the recorded PaymentIntent.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from chalicelib import clock, paging
from chalicelib.adapters import money, payments
from chalicelib.adapters.money import FilmTakes, PledgeIf, Refused
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.domain import pledges as rules
from chalicelib.domain.errors import RuleBroken
from chalicelib.domain.films import PLATFORM_MIN_PLEDGE_CENTS
from chalicelib.errors import ApiError, BadRequest, Conflict, Forbidden, NotFound, TooManyRequests, Unprocessable
from chalicelib.lazy import referrals  # loaded by the first pledge that comes through a share code
from chalicelib.observability import logger
from chalicelib.services import contributions, films, pledge_limits, refunds

LEASE_SECONDS = 30
WAIT_SECONDS = 4.0  # a duplicate waits this long for the first request: well within 10 s per request


def view(pledge: Any) -> dict[str, Any]:
    return {
        "pledge_id": pledge.pledge_id,
        "film_id": pledge.film_id,
        "amount_cents": int(pledge.amount_cents),
        "currency": pledge.currency,
        "status": pledge.status,
        "payment_intent_id": pledge.payment_intent_id,
        "client_secret": pledge.client_secret,
        "amount_refunded_cents": int(pledge.amount_refunded_cents or 0),
        "failure_code": pledge.failure_code,
        "failure_message": pledge.failure_message,
        "created_at": pledge.created_at,
        "updated_at": pledge.updated_at,
        "confirmed_at": pledge.confirmed_at,
        "referral_code": pledge.referral_code,
    }


def _load(pledge_id: str) -> Any | None:
    return money.store().pledges.get(pledge_id)


def _check_film_accepts(film_id: str, amount_cents: int, caller: Caller) -> None:
    film = films.visible(film_id, caller)
    if film.status != "open":
        raise Conflict(f"film {film_id} is {film.status}: it takes no pledges", code="film_not_open",
                       field="film_id")
    if clock.today() > date.fromisoformat(film.deadline):
        raise Conflict(f"film {film_id}'s campaign ended on {film.deadline}", code="campaign_ended",
                       field="film_id")
    rules.check_amount(amount_cents, int(film.min_pledge_cents), settings().max_pledge_cents)


def create(caller: Caller, film_id: str, idempotency_key: str | None, amount_cents: int,
           payment_method_id: str | None, referral_code: str | None = None) -> tuple[dict[str, Any], bool]:
    """Returns (pledge, created_now). `referral_code`: the share code the pledge came through,
    kept on the pledge when it is a known code of the film and not the pledger's own."""
    key = rules.check_idempotency_key(idempotency_key)
    pledge_id = rules.pledge_id_for(caller.user_id, key)
    fingerprint = rules.request_fingerprint(film_id, amount_cents, payment_method_id)
    now = clock.iso()
    fields = dict(
        film_id=film_id, user_id=caller.user_id, amount_cents=amount_cents, currency="eur",
        status="pending", request_hash=fingerprint, created_at=now, updated_at=now,
        created_key=f"{now}#{pledge_id}", amount_refunded_cents=0,
        lease_until=clock.epoch() + LEASE_SECONDS,
        unsettled="1", unsettled_key=f"{now}#{pledge_id}",
        referral_code=_attribution(caller, film_id, referral_code),
    )
    if not _within_platform_bounds(amount_cents):
        # No Stripe call for an amount no film takes: the film is read to say why.
        answer = _refusal(pledge_id, film_id, amount_cents, caller, fingerprint, payment_method_id, None)
        if answer is not None:
            return answer
    try:
        intent = _open_intent(pledge_id, film_id, caller.user_id, amount_cents, payment_method_id)
    except payments.KeyReused:  # the key was used for another request: that pledge answers
        return _duplicate(pledge_id, caller, fingerprint, payment_method_id)
    refunds.checkpoint("pledge.intent_opened")
    # The PaymentIntent is recorded with the pledge: it can be confirmed only after this write.
    fields.update(payment_intent_id=intent.id, client_secret=intent.client_secret)
    if not payment_method_id:
        fields["lease_until"] = 0  # the browser confirms it: nothing left for this request to do
    # The film's state, the pledge limits' hint and the idempotency record in one transaction
    # (one request when new). The hint refusing runs the precise check, then writes it again.
    waiting: list[str] | None = None
    while True:
        try:
            opened = _open(pledge_id, film_id, amount_cents, fields, waiting)
        except Refused as refused:
            if "pledge" in refused.names:  # a duplicate (whatever the film says now): its answer
                return _duplicate(pledge_id, caller, fingerprint, payment_method_id, intent)
            if "limits" in refused.names and waiting is None:
                waiting = _within_limits(caller, pledge_id, intent)  # too many: 429
                continue
            # The film refused it (its reason is read below), or a concurrent transaction on the
            # film won: the two requests below decide it alike.
            break
        refunds.checkpoint("pledge.opened")
        return view(_pay(opened, payment_method_id, intent)), True
    answer = _refusal(pledge_id, film_id, amount_cents, caller, fingerprint, payment_method_id, intent)
    if answer is not None:
        return answer
    if waiting is None:
        waiting = _within_limits(caller, pledge_id, intent)
    pledge = money.store().pledges.create(pledge_id, **fields)
    if pledge is not None:
        with money.store().unit_of_work() as uow:  # the hint, written again from the precise check
            uow.add_waiting(caller.user_id, pledge_id, waiting=waiting)
            uow.commit()
        return view(_pay(pledge, payment_method_id, intent)), True
    return _duplicate(pledge_id, caller, fingerprint, payment_method_id, intent)


def _within_limits(caller: Caller, pledge_id: str, intent: payments.Intent) -> list[str]:
    """The precise limits check (pledge_limits.py): the user's waiting pledges, or 429 with the
    PaymentIntent opened for the refused pledge canceled."""
    try:
        return pledge_limits.check(caller, pledge_id)
    except TooManyRequests:
        _drop_unrecorded(intent, None)
        raise


def _open_intent(pledge_id: str, film_id: str, user_id: str, amount_cents: int,
                 payment_method_id: str | None) -> payments.Intent:
    """The pledge's PaymentIntent, unconfirmed. Stripe refusing the request (4xx) or an unknown
    outcome (timeout) raises before anything is written: the client retries with the same key,
    and Stripe answers the same PaymentIntent for 24 hours."""
    return payments.open_intent(
        amount_cents=amount_cents,
        metadata={"film_id": film_id, "pledge_id": pledge_id, "user_id": user_id,
                  "confirmed_by": rules.CONFIRMED_BY_SERVER if payment_method_id else rules.CONFIRMED_BY_BROWSER},
        payment_method_id=payment_method_id,
        idempotency_key=f"pledge-{pledge_id}",
    )


def _refusal(pledge_id: str, film_id: str, amount_cents: int, caller: Caller, fingerprint: str,
             payment_method_id: str | None, intent: payments.Intent | None) -> tuple[dict[str, Any], bool] | None:
    """The film's reason to refuse the pledge (raised), or the answer of the pledge the key made
    before; None when the film takes it after all. A PaymentIntent no pledge records is canceled."""
    try:
        _check_film_accepts(film_id, amount_cents, caller)
    except (ApiError, RuleBroken):
        existing = _load(pledge_id)  # a replay after the film closed still gets its answer
        _drop_unrecorded(intent, existing)
        if existing is None:
            raise
        return _replay(existing, caller, fingerprint, payment_method_id)
    return None


def _drop_unrecorded(intent: payments.Intent | None, existing: Any | None) -> None:
    """Cancel a PaymentIntent that no pledge records (the film refused, or Stripe forgot the key
    after 24 hours and made a new one for a pledge that has its own): nobody can pay it then."""
    if intent is None or not intent.id or (existing is not None and existing.payment_intent_id == intent.id):
        return
    try:
        payments.cancel_intent(intent.id)
    except ApiError:  # unconfirmed, its client secret never given out: no money can move on it
        logger.warning("an unrecorded PaymentIntent could not be canceled", extra={"payment_intent_id": intent.id})


def _within_platform_bounds(amount_cents: int) -> bool:
    """The amount rules that need no film: outside them, the film is read to answer why."""
    return PLATFORM_MIN_PLEDGE_CENTS <= amount_cents <= settings().max_pledge_cents


def _open(pledge_id: str, film_id: str, amount_cents: int, fields: dict[str, Any],
          waiting: list[str] | None) -> Any:
    """The new pledge, written only if the film takes it (open, deadline not passed, amount at
    least its minimum), no pledge has its id and the user's limits' hint lets it wait for its
    payment: one TransactWriteItems, or Refused. `waiting`: the user's waiting pledges found
    by the precise check, written as the hint in place of its condition."""
    storage = money.store()
    pledge = storage.pledges.new(pledge_id, **fields)
    with storage.unit_of_work() as uow:
        uow.check_film_takes_pledge(film_id, FilmTakes(amount_cents=amount_cents, today=clock.today().isoformat()))
        uow.add_pledge(pledge)
        uow.add_waiting(pledge.user_id, pledge_id, pledge_limits.hint() if waiting is None else None, waiting)
        uow.commit()
    return pledge


def _duplicate(pledge_id: str, caller: Caller, fingerprint: str, payment_method_id: str | None,
               intent: payments.Intent | None = None) -> tuple[dict[str, Any], bool]:
    existing = _load(pledge_id)  # a duplicate: the first request's pledge
    _drop_unrecorded(intent, existing)
    if existing is None:  # removed meanwhile (Stripe refused the first request)
        raise Conflict("the first request with this Idempotency-Key failed; use a new key",
                       code="request_in_progress")
    return _replay(existing, caller, fingerprint, payment_method_id)


def _attribution(caller: Caller, film_id: str, referral_code: str | None) -> str | None:
    if not referral_code:
        return None
    return referrals.attribution_for(caller, film_id, referral_code)


def _replay(existing: Any, caller: Caller, fingerprint: str,
            payment_method_id: str | None) -> tuple[dict[str, Any], bool]:
    if existing.request_hash != fingerprint or existing.user_id != caller.user_id:
        raise Unprocessable("Idempotency-Key: already used for a different pledge",
                            code="idempotency_key_reused", field="Idempotency-Key")
    return view(_await_payment(existing, payment_method_id)), False


def _await_payment(pledge: Any, payment_method_id: str | None) -> Any:
    """A duplicate: wait for the request holding the lease, or take over a lapsed lease."""
    deadline = time.monotonic() + WAIT_SECONDS
    delay = 0.05
    while _unfinished(pledge, payment_method_id):
        if int(pledge.lease_until or 0) < clock.epoch() and _take_lease(pledge):
            return _pay(pledge, payment_method_id)
        if time.monotonic() > deadline:
            raise Conflict("this pledge is still being processed; retry with the same Idempotency-Key",
                           code="request_in_progress")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)
        pledge = _load(pledge.pledge_id) or pledge
    return pledge


def _unfinished(pledge: Any, payment_method_id: str | None) -> bool:
    """Still pending with something left to do: a PaymentIntent to open, a lease holder to wait
    for, or (a retry after a lost answer) a recorded PaymentIntent to confirm or read back."""
    if pledge.status != "pending":
        return False
    return pledge.payment_intent_id is None or int(pledge.lease_until or 0) > 0 or payment_method_id is not None


def _take_lease(pledge: Any) -> bool:
    lease = clock.epoch() + LEASE_SECONDS
    return money.store().pledges.update(pledge.pledge_id, {"lease_until": lease}, PledgeIf(
        statuses=("pending",), lease_until=int(pledge.lease_until or 0)))


def record_intent(pledge: Any, intent: payments.Intent) -> bool:
    """The PaymentIntent's id on the pledge before any money can move on it. Conditional: the
    pledge is still pending (not canceled meanwhile) and has no other PaymentIntent."""
    changes = {"payment_intent_id": intent.id, "updated_at": clock.iso()}
    if intent.client_secret:
        changes["client_secret"] = intent.client_secret
    return money.store().pledges.update(pledge.pledge_id, changes, PledgeIf(
        statuses=("pending",), intent=intent.id, intent_or_none=True))


def _pay(pledge: Any, payment_method_id: str | None, intent: payments.Intent | None = None) -> Any:
    """Confirm the pledge's recorded PaymentIntent (`intent`: as Stripe opened it, recorded with
    the pledge): money only ever moves on a PaymentIntent the pledge names. A resumed pledge
    (lease taken over) carries on with the PaymentIntent it recorded; a pledge written without
    one (before PaymentIntents were opened first) has it opened and recorded here."""
    if intent is None and pledge.payment_intent_id:
        intent = payments.retrieve_intent(pledge.payment_intent_id)
    elif intent is None:
        try:
            intent = payments.open_intent(
                amount_cents=int(pledge.amount_cents),
                metadata={"film_id": pledge.film_id, "pledge_id": pledge.pledge_id, "user_id": pledge.user_id},
                payment_method_id=payment_method_id,
                idempotency_key=f"pledge-{pledge.pledge_id}",
            )
        except (BadRequest, Unprocessable):
            # Stripe refused the request itself (no PaymentIntent exists): leave nothing behind.
            money.store().pledges.remove_unpaid(pledge.pledge_id)
            raise
        except Exception:
            # Unknown outcome (Stripe unreachable, timeout): nothing was confirmed, so no money
            # moved; a retry with the same key (or reconciliation) settles it. Free the lease now.
            _release_lease(pledge)
            raise
        refunds.checkpoint("pay.intent_opened")
        if not record_intent(pledge, intent):
            # Canceled meanwhile (or another PaymentIntent recorded): this one never charges.
            payments.cancel_intent(intent.id)
            return _load(pledge.pledge_id) or pledge
        pledge.payment_intent_id, pledge.client_secret = intent.id, intent.client_secret
        refunds.checkpoint("pay.intent_recorded")
    if payment_method_id and intent.status == "requires_confirmation":
        try:
            intent = payments.confirm_intent(intent.id, idempotency_key=f"pledge-confirm-{pledge.pledge_id}")
        except Exception:
            # Unknown outcome: the PaymentIntent is recorded, so the webhook, a retry or
            # reconciliation settles it from what Stripe says.
            _release_lease(pledge)
            raise
        refunds.checkpoint("pay.intent_confirmed")
    if _settled_already(pledge, intent):
        return pledge  # the browser's payment: the pledge as written waits for the webhook
    return settle_intent(pledge, intent)


def _settled_already(pledge: Any, intent: payments.Intent) -> bool:
    """Nothing to write: the pledge, pending with no lease, already says what the PaymentIntent says."""
    return (pledge.status == "pending" and not int(pledge.lease_until or 0)
            and pledge.payment_intent_id == intent.id and pledge.client_secret == intent.client_secret
            and rules.status_for_intent(intent.status, has_error=intent.error_code is not None) == "pending")


def settle_intent(pledge: Any, intent: payments.Intent) -> Any:
    """The pledge follows its recorded PaymentIntent: counted (or refunded) when it succeeded,
    failed, canceled, or waiting for the customer (3-D Secure, the browser's payment)."""
    status = rules.status_for_intent(intent.status, has_error=intent.error_code is not None)
    if status == "confirmed":
        # Counted money, or (film closed, pledge canceled) a refund: never a charge ignored.
        confirmed_at = contributions.confirm(pledge, payment_intent_id=intent.id, client_secret=intent.client_secret)
        if confirmed_at:
            pledge.status, pledge.payment_intent_id, pledge.client_secret = "confirmed", intent.id, intent.client_secret
            pledge.confirmed_at = pledge.updated_at = confirmed_at
            pledge.lease_until = 0
            return pledge
        return _load(pledge.pledge_id) or pledge
    if status == "canceled":
        contributions.move(pledge.pledge_id, "canceled", user_id=pledge.user_id, intent=intent.id, lease_until=0)
        return _load(pledge.pledge_id) or pledge
    changes: dict[str, Any] = {"lease_until": 0, "updated_at": clock.iso()}
    if intent.client_secret:
        changes["client_secret"] = intent.client_secret
    if status in ("failed", "requires_action"):
        changes["status"] = status
    if status == "failed":
        changes.update(contributions.SETTLED)
    if intent.error_code:
        changes.update(failure_code=intent.error_code, failure_message=intent.error_message or intent.error_code)
    if not contributions.update_waiting(pledge.user_id, pledge.pledge_id, changes,
                                        PledgeIf(statuses=("pending",), intent=intent.id)):
        # Canceled meanwhile (or settled by an early webhook): make Stripe agree.
        current = _load(pledge.pledge_id)
        if current is not None and current.status == "canceled" and intent.id:
            settled = payments.cancel_intent(intent.id)
            if settled.status == "succeeded":
                contributions.confirm(current, payment_intent_id=intent.id)
        return _load(pledge.pledge_id) or pledge
    return _load(pledge.pledge_id) or pledge


def _release_lease(pledge: Any) -> None:
    try:
        money.store().pledges.update(pledge.pledge_id, {"lease_until": 0})
    except Exception:  # the lease simply lapses
        pass


def get_own(caller: Caller, pledge_id: str) -> Any:
    pledge = _load(pledge_id)
    if pledge is None or pledge.user_id != caller.user_id:
        raise NotFound(f"pledge {pledge_id} not found", field="pledge_id")
    return pledge


def list_own(caller: Caller, *, limit: int, next_token: str | None) -> dict[str, Any]:
    scope = f"my-pledges:{caller.user_id}"
    results = money.store().pledges.of_user(caller.user_id, limit=limit + 1,
                                            last_key=paging.decode(next_token, scope))
    items, resume = paging.take_page(results, limit)
    return {"items": [view(p) for p in items], "next": paging.encode(resume, scope)}


def cancel(caller: Caller, pledge_id: str) -> dict[str, Any]:
    pledge = get_own(caller, pledge_id)
    if pledge.status not in rules.CANCELABLE:
        raise Conflict(f"pledge {pledge_id} is {pledge.status}: only a pledge not yet confirmed can be canceled",
                       code="not_cancelable", field="pledge_id")
    for _ in range(3):
        if pledge.payment_intent_id:
            # Stripe first: once it says canceled, no money can move on the intent any more.
            intent = payments.cancel_intent(pledge.payment_intent_id)
            if intent.status == "succeeded":
                contributions.confirm(pledge, payment_intent_id=pledge.payment_intent_id)
                raise Conflict(f"pledge {pledge_id} was paid meanwhile: it cannot be canceled",
                               code="not_cancelable", field="pledge_id")
            if intent.status != "canceled":
                raise Conflict(f"pledge {pledge_id}'s payment is {intent.status}: it cannot be canceled now",
                               code="not_cancelable", field="pledge_id")
        # Conditioned on the PaymentIntent read: one recorded meanwhile is canceled first.
        if contributions.move(pledge_id, "canceled", user_id=pledge.user_id, intent=pledge.payment_intent_id,
                             lease_until=0):
            break
        pledge = get_own(caller, pledge_id)
        if pledge.status == "canceled":
            break
        if pledge.status not in rules.CANCELABLE:
            raise Conflict(f"pledge {pledge_id} is {pledge.status}: it cannot be canceled",
                           code="not_cancelable", field="pledge_id")
    return view(get_own(caller, pledge_id))


def coproducers(caller: Caller | None, film_id: str, *, limit: int, next_token: str | None) -> dict[str, Any]:
    """The film's co-producers with their confirmed totals (its producer and admins)."""
    film = films.visible(film_id, caller)
    if not films.can_manage(caller, film):
        raise Forbidden("only the film's producer or an admin may list its co-producers")
    scope = f"coproducers:{film_id}"
    totals = money.store().totals
    results = totals.backers(film_id, limit=limit + 1, last_key=paging.decode(next_token, scope))
    backings, resume = paging.take_page(results, limit)
    users = {u.user_id: u for u in totals.users([b.user_id for b in backings])} if backings else {}
    items = []
    for backing in backings:
        user = users.get(backing.user_id)
        item = {"user_id": backing.user_id, "display_name": user.display_name if user else None,
                "confirmed_cents": int(backing.confirmed_cents), "first_confirmed_at": backing.first_confirmed_at}
        if caller is not None and caller.is_admin:
            item.update(email=user.email if user else None, phone=user.phone if user else None)
        items.append(item)
    return {"items": items, "next": paging.encode(resume, scope)}
