"""Payout accounts belong to their owner: a co-producer's Stripe Connect Express account is
created by the platform and completed by them on Stripe's onboarding (`POST
/me/payout-account/onboarding`); Stripe's `account.updated` events say whether it can be paid.
Royalties are paid only to an account whose payouts are enabled (`users.stripe_account_id`
is set from the event, never from what a caller types).
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action

from chalicelib import clock, signing
from chalicelib.adapters import connect
from chalicelib.adapters.conditions import written
from chalicelib.adapters.tables import UserRecord, find, transaction
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.domain import events
from chalicelib.errors import ApiError, BadRequest, NotFound, invalid_credential, invalid_field
from chalicelib.observability import logger
from chalicelib.services import outbox, payouts


class Gone(ApiError):
    status = 410
    code = "gone"


def view(user: UserRecord | None) -> dict[str, Any]:
    account = user.connect_account_id if user else None
    enabled = bool(user and user.payouts_enabled and user.stripe_account_id == account)
    state = "not_started" if not account else ("complete" if enabled else "pending")
    return {"onboarding": state, "account_id": account, "payouts_enabled": enabled,
            "updated_at": user.payout_account_updated_at if user else None}


def get(caller: Caller) -> dict[str, Any]:
    return view(find(UserRecord, caller.user_id))


def start_onboarding(caller: Caller, base_url: str) -> dict[str, Any]:
    """The co-producer's account (created once), and a fresh link to complete it."""
    adapter = connect.current()
    user = find(UserRecord, caller.user_id)
    account = user.connect_account_id if user else None
    if not account:
        account = adapter.create_account(user_id=caller.user_id, email=(user.email if user else None) or caller.email)
        actions: list[Action] = [UserRecord.connect_account_id.set(account),
                                 UserRecord.payout_account_updated_at.set(clock.iso())]
        if not written(lambda: UserRecord(caller.user_id).update(
                actions=actions, condition=UserRecord.connect_account_id.does_not_exist())):
            # a concurrent request recorded one: it stands (same idempotency key, same account)
            account = find(UserRecord, caller.user_id).connect_account_id
    return {"url": adapter.onboarding_url(account_id=account, user_id=caller.user_id, base_url=base_url), "account_id": account}


def account_updated(account: dict[str, Any]) -> None:
    """Stripe's `account.updated`: record whether payouts to that account are enabled."""
    user_id = (account.get("metadata") or {}).get("user_id")
    user = find(UserRecord, user_id) if isinstance(user_id, str) and user_id else None
    if user is None or user.connect_account_id != account.get("id"):
        logger.warning("account.updated for an account no co-producer owns", extra={"account_id": account.get("id")})
        return
    enabled = account.get("payouts_enabled") is True
    destination = UserRecord.stripe_account_id.set(account["id"]) if enabled else UserRecord.stripe_account_id.remove()
    now = clock.iso()
    changed = ((UserRecord.payouts_enabled.does_not_exist() | (UserRecord.payouts_enabled != True)) if enabled  # noqa: E712
               else (UserRecord.payouts_enabled == True))  # noqa: E712 (conditions, not comparisons)
    try:  # the change and the e-mail telling its owner, together; no change, no e-mail
        with transaction() as write:
            write.update(UserRecord(user.user_id), actions=[
                UserRecord.payouts_enabled.set(enabled), destination, UserRecord.payout_account_updated_at.set(now)],
                condition=(UserRecord.connect_account_id == account["id"]) & changed)
            outbox.add_in(write, events.Event(
                events.PAYOUT_ACCOUNT_CHANGED, f"{user.user_id}#{now}", now,
                events.Audience(events.USER, user_id=user.user_id), data={"payouts_enabled": enabled}))
    except TransactWriteError:
        return
    if enabled:  # a failed payout, even one given up, is tried again on the new account
        payouts.rearm(user.user_id)


def complete_local(token: str | None) -> dict[str, Any]:
    """Stage `local`: the onboarding page of the stand-in, which completes the account."""
    if not settings().is_local:
        raise NotFound("no local onboarding on this stage")
    if not token:
        raise BadRequest("token: is required", code="missing_field", field="token")
    if not signing.well_formed(token):
        raise invalid_field("token", "is not a link the platform sends (copy it whole)")
    try:
        payload = signing.unseal(token)
        if payload.get("p") != "connect" or not payload.get("a") or not payload.get("u"):
            raise ValueError("not an onboarding link")
    except (ValueError, TypeError):
        raise invalid_credential("token", "is not a valid onboarding link")
    account_updated({"id": payload["a"], "payouts_enabled": True, "metadata": {"user_id": payload.get("u")}})
    return get(Caller(str(payload.get("u"))))


def retired_put() -> None:
    raise Gone("PUT /me/payout-account is retired: complete your payout account with POST "
               "/me/payout-account/onboarding", code="gone")
