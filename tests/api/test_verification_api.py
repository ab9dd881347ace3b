"""Contacts verified by a code before anything else is sent to them."""

from __future__ import annotations

import dataclasses
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib import clock
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.schemas import Profile
from chalicelib.services import local_outbox, profiles, sms_budget
from tests import factories

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)


def _person(api, **overrides):
    user = factories.member()
    tag = uuid.uuid4().hex[:10]
    body = {"display_name": "Alice", "email": f"alice.{tag}@example.org", "phone": f"+3361{int(tag, 16) % 10**7:07d}",
            "locale": "en", "notify_email": True, "notify_sms": True, **overrides}
    assert api.put("/me", body, caller=user).status_code == 200
    return user, body


def _last_code(to: str) -> str:
    sent = local_outbox.messages(to=to, limit=10**6)
    text = (sent["emails"][-1]["body"] if "@" in to else sent["sms"][-1]["body"])
    return re.search(r"\b(\d{6})\b", text).group(1)


def _ask(api, user, channel):
    return api.post(f"/me/verify/{channel}", caller=user)


def _confirm(api, user, channel, code):
    return api.post(f"/me/verify/{channel}/confirm", {"code": code}, caller=user)


@pytest.mark.parametrize("channel,field,contact", [("email", "email_verified", "email"),
                                                   ("sms", "phone_verified", "phone")])
def test_a_code_verifies_the_contact_it_was_sent_to(api, channel, field, contact):
    user, body = _person(api)
    me = api.get("/me", caller=user).data
    assert me["email_verified"] is False and me["phone_verified"] is False
    sent = _ask(api, user, channel)
    assert sent.status_code == 200 and sent.data["channel"] == channel and sent.data["codes_left_this_hour"] == 2
    code = _last_code(body[contact])
    confirmed = _confirm(api, user, channel, code)
    assert confirmed.status_code == 200, confirmed.data
    other = "phone_verified" if field == "email_verified" else "email_verified"
    assert confirmed.data[field] is True and confirmed.data[other] is False
    assert api.get("/me", caller=user).data[field] is True
    again = _confirm(api, user, channel, code)  # used once
    assert again.status_code == 409 and again.data["error"]["code"] == "no_code"
    assert _ask(api, user, channel).data["error"]["code"] == "already_verified"


def test_the_code_is_stored_hashed(api):
    from chalicelib.adapters.tables import VerificationRecord

    user, body = _person(api)
    _ask(api, user, "email")
    code = _last_code(body["email"])
    stored = VerificationRecord.get(user.user_id, "email", consistent_read=True)
    assert code not in str(stored.attribute_values) and len(stored.code_hash) == 64


def test_five_wrong_tries_burn_the_code(api):
    user, body = _person(api)
    _ask(api, user, "email")
    code = _last_code(body["email"])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    answers = [_confirm(api, user, "email", wrong) for _ in range(5)]
    assert [a.status_code for a in answers] == [422] * 5
    assert [a.data["error"]["code"] for a in answers] == ["wrong_code"] * 4 + ["code_burned"]
    assert all(a.data["error"]["field"] == "code" for a in answers)
    assert "1 tries left" in answers[3].data["error"]["message"]
    late = _confirm(api, user, "email", code)  # the right code, too late
    assert late.status_code == 409 and late.data["error"]["code"] == "no_code"
    assert api.get("/me", caller=user).data["email_verified"] is False


def test_a_code_expires_after_ten_minutes(api):
    user, body = _person(api)
    with clock.frozen(T0):
        _ask(api, user, "email")
    code = _last_code(body["email"])
    with clock.frozen(T0 + timedelta(minutes=10)):
        expired = _confirm(api, user, "email", code)
    assert expired.status_code == 409 and expired.data["error"]["code"] == "code_expired"
    with clock.frozen(T0):
        _ask(api, user, "email")
    with clock.frozen(T0 + timedelta(minutes=9, seconds=59)):
        assert _confirm(api, user, "email", _last_code(body["email"])).status_code == 200


def test_at_most_three_codes_per_channel_per_hour(api):
    user, body = _person(api)
    for minutes in (0, 10, 20):
        with clock.frozen(T0 + timedelta(minutes=minutes)):
            assert _ask(api, user, "email").status_code == 200
    with clock.frozen(T0 + timedelta(minutes=59)):
        refused = _ask(api, user, "email")
        assert _ask(api, user, "sms").status_code == 200  # per channel
    assert refused.status_code == 429 and refused.data["error"]["code"] == "too_many_codes"
    assert "2026-11-27T10:00:00Z" in refused.data["error"]["message"]
    with clock.frozen(T0 + timedelta(minutes=60, seconds=1)):
        assert _ask(api, user, "email").status_code == 200  # the first one left the hour


def test_changing_the_contact_clears_its_verification(api):
    user, body = _person(api)
    _ask(api, user, "email")
    assert _confirm(api, user, "email", _last_code(body["email"])).data["email_verified"] is True
    _ask(api, user, "sms")
    stale = _last_code(body["phone"])
    moved = api.put("/me", {**body, "email": "moved." + body["email"], "phone": "+33799999999"}, caller=user)
    assert moved.data["email_verified"] is False and moved.data["phone_verified"] is False
    back = api.put("/me", body, caller=user)  # the old address again: verified again only by a new code
    assert back.data["email_verified"] is False
    api.put("/me", {**body, "phone": "+33799999999"}, caller=user)
    refused = _confirm(api, user, "sms", stale)  # a code sent to the old number
    assert refused.status_code == 409 and refused.data["error"]["code"] == "no_code"


def test_a_channel_without_a_contact_and_an_unknown_channel(api):
    user, _ = _person(api, phone=None, notify_sms=False)
    none = _ask(api, user, "sms")
    assert none.status_code == 409 and none.data["error"] == {
        "code": "no_contact", "field": "channel", "message": none.data["error"]["message"]}
    unknown = _ask(api, user, "pigeon")
    assert unknown.status_code == 400 and unknown.data["error"]["field"] == "channel"
    bad = _confirm(api, user, "email", "12345")
    assert bad.status_code == 400 and bad.data["error"]["field"] == "code"


@pytest.mark.parametrize("phone", ["+12025550123", "+41791234567", "+447700900123", "+8613800138000"])
def test_phone_numbers_outside_the_eu_and_eea_are_refused(api, phone):
    response = api.put("/me", {"display_name": "A", "email": "a@example.org", "phone": phone},
                       caller=factories.member())
    assert response.status_code == 422 and response.data["error"]["field"] == "phone"


@pytest.mark.parametrize("phone", ["+33612345678", "+4915112345678", "+4712345678", "+262692123456"])
def test_phone_numbers_of_the_eu_and_eea_are_accepted(api, phone):
    response = api.put("/me", {"display_name": "A", "email": "a@example.org", "phone": phone},
                       caller=factories.member())
    assert response.status_code == 200


def test_the_country_codes_are_a_setting(api, monkeypatch):
    monkeypatch.setattr(profiles, "settings", lambda: dataclasses.replace(settings(), sms_country_codes=("1",)))
    user = factories.member()
    assert api.put("/me", {"display_name": "A", "email": "a@example.org", "phone": "+12025550123"},
                   caller=user).status_code == 200
    assert api.put("/me", {"display_name": "A", "email": "a@example.org", "phone": "+33612345678"},
                   caller=user).status_code == 422


def test_sms_codes_count_in_the_daily_sms_budget(api, monkeypatch):
    monkeypatch.setattr(sms_budget, "settings", lambda: dataclasses.replace(settings(), sms_daily_cap=4))
    user, body = _person(api)
    for minutes in (0, 1, 2, 70):
        with clock.frozen(T0 + timedelta(minutes=minutes)):
            assert _ask(api, user, "sms").status_code == 200
    with clock.frozen(T0 + timedelta(minutes=140)):
        refused = _ask(api, user, "sms")
    assert refused.status_code == 429 and refused.data["error"]["code"] == "sms_limit"
    with clock.frozen(T0 + timedelta(days=1)):
        assert _ask(api, user, "sms").status_code == 200


def test_cognitos_email_verified_claim_verifies_the_address_it_names(api):
    verified = Caller(f"cognito-{uuid.uuid4().hex[:8]}", email="claimed@example.org", email_verified=True)
    profile = {"display_name": "C", "email": "claimed@example.org"}
    assert api.put("/me", profile, headers=_bearer(verified)).data["email_verified"] is True
    other = api.put("/me", {**profile, "email": "other@example.org"}, headers=_bearer(verified)).data
    assert other["email_verified"] is False
    unclaimed = Caller(f"cognito-{uuid.uuid4().hex[:8]}", email="claimed@example.org")
    assert api.put("/me", profile, headers=_bearer(unclaimed)).data["email_verified"] is False
    # An address verified by Cognito after the profile was saved: adopted on the next GET /me.
    profiles.put(unclaimed, Profile(display_name="C", email="claimed@example.org"))
    later = dataclasses.replace(unclaimed, email_verified=True)
    assert api.get("/me", headers=_bearer(later)).data["email_verified"] is True
    assert profiles.find(unclaimed.user_id).email_verified_for == "claimed@example.org"


def _bearer(caller: Caller) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.token(caller, email_verified=caller.email_verified)}"}
