"""Deleting the Cognito user has the effect of DELETE /me: the daily check against a user pool
on the local stack (moto's cognito-idp), through the app's scheduled handler."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from chalicelib import clock, observability
from chalicelib.adapters.clients import aws_client
from chalicelib.adapters.directory import CognitoDirectory
from chalicelib.adapters.tables import ConsentRecord, LedgerRecord, UserRecord, find
from chalicelib.services import departures

NOW = datetime(2026, 3, 2, 4, tzinfo=timezone.utc)


class PoolAndEveryoneElse(CognitoDirectory):
    """The test's pool for the users made here; everyone else in the shared test tables keeps
    their account (other tests' users are not in this pool)."""

    def __init__(self, pool_id: str, ours: set[str]):
        super().__init__(pool_id)
        self.ours = ours
        self.asked: list[str] = []

    def subs(self):
        yield from super().subs()
        yield from (u.user_id for u in UserRecord.scan() if u.user_id not in self.ours)

    def exists(self, sub: str) -> bool:
        self.asked.append(sub)
        return sub not in self.ours or super().exists(sub)


@pytest.fixture
def pool():
    client = aws_client("cognito-idp")
    pool_id = client.create_user_pool(PoolName=f"coprod-test-{uuid.uuid4().hex[:8]}")["UserPool"]["Id"]
    yield client, pool_id
    client.delete_user_pool(UserPoolId=pool_id)


def sign_up(client, pool_id: str, name: str) -> str:
    """A Cognito user and the profile the platform keeps for them: their sub is the user id."""
    email = f"{name}.{uuid.uuid4().hex[:6]}@example.org"
    user = client.admin_create_user(UserPoolId=pool_id, Username=email,
                                    UserAttributes=[{"Name": "email", "Value": email}])["User"]
    sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
    UserRecord(sub, display_name=name.title(), email=email, phone="+33612345678", email_verified_for=email,
               notify_email=True, notify_sms=True, created_at=clock.iso()).save()
    return email, sub


@pytest.fixture
def flushed(monkeypatch):
    sent: list[dict] = []
    observability.metrics.metric_set.clear()  # what earlier runs left unflushed

    def flush_metrics(raise_on_empty_metrics: bool = False) -> None:
        sent.append({k: v["Value"] for k, v in observability.metrics.metric_set.items()})
        observability.metrics.metric_set.clear()

    monkeypatch.setattr(observability.metrics, "flush_metrics", flush_metrics)
    return sent


def test_a_deleted_cognito_user_is_erased_like_delete_me_and_the_others_are_not(pool, monkeypatch, flushed):
    import app
    from devstack.schedules import LocalContext, scheduled_event

    client, pool_id = pool
    (gone_email, gone), (kept_email, kept) = sign_up(client, pool_id, "gone"), sign_up(client, pool_id, "kept")
    client.admin_delete_user(UserPoolId=pool_id, Username=gone_email)
    directory = PoolAndEveryoneElse(pool_id, {gone, kept})
    monkeypatch.setattr(departures, "user_directory", lambda: directory)

    with clock.frozen(NOW):
        report = app.erase_departed_users(scheduled_event("erase_departed_users"), LocalContext())
    assert report["erased"] == [gone] and report["held"] == []
    assert directory.asked == [gone]  # asked once more, for that one user, before erasing
    erased = find(UserRecord, gone)
    assert erased.erased_at == clock.iso(NOW) and erased.email is None and erased.display_name is None
    assert erased.phone is None and erased.notify_email is False and erased.notify_sms is False
    assert {(c.channel, c.granted, c.source) for c in ConsentRecord.query(gone)} == {
        ("email", False, "DELETE /me"), ("sms", False, "DELETE /me")}
    untouched = find(UserRecord, kept)
    assert untouched.email == kept_email and untouched.erased_at is None
    assert any(m.get("DepartedErased") == [1.0] for m in flushed)

    with clock.frozen(NOW):  # the next day's run: nothing more to do for them
        again = departures.erase_departed(directory)
    assert gone not in again["erased"] and kept not in again["erased"]


def test_a_deleted_user_still_owed_money_is_held_recorded_and_alarmed(pool, flushed):
    client, pool_id = pool
    email, owed = sign_up(client, pool_id, "owed")
    LedgerRecord(owed, "2026-01#credit#flm_x#000", kind="credit", period="2026-01", film_id="flm_x",
                 film_entry=f"2026-01#000#{owed}", batch=0, amount_cents=1234, your_confirmed_cents=1000,
                 created_at="2026-02-01T03:00:00.000000Z").save()
    client.admin_delete_user(UserPoolId=pool_id, Username=email)
    directory = PoolAndEveryoneElse(pool_id, {owed})

    with clock.frozen(NOW):
        report = departures.erase_departed(directory)
    observability.metrics.flush_metrics()
    assert report["held"] == [owed] and report["erased"] == []
    held = find(UserRecord, owed)
    assert held.email == email and held.erased_at is None  # kept until they are paid
    assert held.departed_at == clock.iso(NOW)
    assert any(m.get("ErasureHeld") == [1.0] for m in flushed)  # infra alarms on ErasureHeld > 0


def test_no_user_pool_no_check():
    assert departures.scheduled() == {"skipped": "no user pool on this stage"}
