"""Payout accounts by Stripe Connect onboarding: created by the platform, completed by their
owner, enabled by Stripe's account.updated; never an id pasted by a caller."""

from __future__ import annotations

import json
import urllib.parse

from chalicelib.adapters.tables import UserRecord
from tests import factories, stripe_helpers as stripe


def _path(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _webhook(api, account_id, user_id, enabled):
    event = stripe.event("account.updated", {"id": account_id, "object": "account", "payouts_enabled": enabled,
                                             "metadata": {"user_id": user_id}})
    payload = json.dumps(event).encode()
    return api.client.http.post("/webhooks/stripe", body=payload, headers={
        "Content-Type": "application/json", "Stripe-Signature": stripe.sign(payload)})


def test_onboarding_creates_one_account_and_its_completion_enables_payouts(api):
    user = factories.member()
    first = api.post("/me/payout-account/onboarding", caller=user)
    assert first.status_code == 200 and first.data["account_id"].startswith("acct_")
    again = api.post("/me/payout-account/onboarding", caller=user)
    assert again.data["account_id"] == first.data["account_id"]  # reused
    state = api.get("/me/payout-account", caller=user).data
    assert state["onboarding"] == "pending" and state["payouts_enabled"] is False
    assert UserRecord.get(user.user_id).stripe_account_id is None  # not paid until Stripe says so
    done = api.get(_path(first.data["url"]))  # the local stand-in of Stripe's onboarding page
    assert done.status_code == 200 and done.data["onboarding"] == "complete"
    assert api.get("/me/payout-account", caller=user).data["payouts_enabled"] is True
    assert UserRecord.get(user.user_id).stripe_account_id == first.data["account_id"]


def test_account_updated_webhooks_record_whether_payouts_are_enabled(api):
    user = factories.member()
    account = api.post("/me/payout-account/onboarding", caller=user).data["account_id"]
    assert _webhook(api, account, user.user_id, True).status_code == 200
    assert api.get("/me/payout-account", caller=user).data["onboarding"] == "complete"
    assert _webhook(api, account, user.user_id, False).status_code == 200
    assert api.get("/me/payout-account", caller=user).data == {
        **api.get("/me/payout-account", caller=user).data, "onboarding": "pending", "payouts_enabled": False}
    assert UserRecord.get(user.user_id).stripe_account_id is None


def test_an_account_the_user_does_not_own_is_ignored(api):
    victim, attacker = factories.member(), factories.member()
    api.post("/me/payout-account/onboarding", caller=victim)
    assert _webhook(api, "acct_attacker", victim.user_id, True).status_code == 200
    assert api.get("/me/payout-account", caller=victim).data["payouts_enabled"] is False
    forged = api.get("/dev/connect/onboarding?token=forged")
    assert forged.status_code == 401 and forged.data["error"]["field"] == "token"
    assert api.get("/me/payout-account", caller=attacker).data["onboarding"] == "not_started"


def test_the_owner_is_emailed_whenever_the_payout_account_changes(api):
    from datetime import datetime, timezone

    from chalicelib import clock
    from chalicelib.adapters.tables import OutboxRecord
    from chalicelib.domain import events
    from chalicelib.services import notifications, outbox, profiles

    user = factories.member()
    api.put("/me", {"display_name": "P", "email": "payee@example.org", "phone": "+33612340000",
                    "notify_sms": True}, caller=user)
    profiles.mark_verified(user.user_id, "email")
    profiles.mark_verified(user.user_id, "sms")
    account = api.post("/me/payout-account/onboarding", caller=user).data["account_id"]
    told = []
    for minute, enabled in ((1, True), (2, True), (3, False)):  # the second changes nothing
        moment = datetime(2026, 11, 27, 9, minute, tzinfo=timezone.utc)
        with clock.frozen(moment):
            _webhook(api, account, user.user_id, enabled)
        event_id = events.event_id(events.PAYOUT_ACCOUNT_CHANGED, None, f"{user.user_id}#{clock.iso(moment)}")
        record = next(iter(OutboxRecord.query(event_id)), None)
        told.append(record is not None)
        if record is not None:
            counts = notifications.handle(outbox.to_event(record).to_dict())
            assert (counts["sent"], counts["failed"]) == (1, 0)  # by e-mail only
    assert told == [True, False, True]
