"""Abuse limits on new pledges: pledges waiting for their payment, and card testing."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from chalicelib import clock
from tests import factories, stripe_helpers as stripe

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)


def _pledge(api, film_id, user, payment_method_id=None, key=None):
    body = {"amount_cents": 1000, **({"payment_method_id": payment_method_id} if payment_method_id else {})}
    return api.post(f"/films/{film_id}/pledges", body, caller=user,
                    headers={"Idempotency-Key": key or uuid.uuid4().hex})


def test_at_most_five_pledges_wait_for_their_payment_at_once(api):
    film = factories.make_film()["film_id"]
    user = factories.member()
    keys = [uuid.uuid4().hex for _ in range(5)]
    waiting = [_pledge(api, film, user, key=k) for k in keys]
    assert [p.data["status"] for p in waiting] == ["pending"] * 5
    sixth = _pledge(api, film, user, stripe.card())
    assert sixth.status_code == 429 and sixth.data["error"]["code"] == "too_many_pending"
    assert set(sixth.data) == {"error"} and sixth.data["error"]["message"]
    replay = _pledge(api, film, user, key=keys[-1])  # a retry of a pledge made gets it back
    assert replay.status_code == 201 and replay.data["pledge_id"] == waiting[-1].data["pledge_id"]
    assert _pledge(api, factories.make_film()["film_id"], factories.member()).status_code == 201  # per co-producer
    assert api.delete(f"/me/pledges/{waiting[0].data['pledge_id']}", caller=user).status_code == 200
    assert _pledge(api, film, user, stripe.card()).data["status"] == "confirmed"


def test_five_declined_cards_in_an_hour_block_new_pledges_for_an_hour(api):
    film = factories.make_film()["film_id"]
    user = factories.member()
    for minute in (0, 10, 20, 30, 40):
        with clock.frozen(T0 + timedelta(minutes=minute)):
            assert _pledge(api, film, user, stripe.card(stripe.DECLINED)).data["status"] == "failed"
    with clock.frozen(T0 + timedelta(minutes=99)):
        blocked = _pledge(api, film, user, stripe.card())
    assert blocked.status_code == 429 and blocked.data["error"]["code"] == "too_many_declines"
    assert "2026-11-27T10:40:00Z" in blocked.data["error"]["message"]
    with clock.frozen(T0 + timedelta(minutes=100)):
        assert _pledge(api, film, user, stripe.card()).data["status"] == "confirmed"


def test_four_declines_do_not_block(api):
    film = factories.make_film()["film_id"]
    user = factories.member()
    with clock.frozen(T0):
        for _ in range(4):
            _pledge(api, film, user, stripe.card(stripe.DECLINED))
        assert _pledge(api, film, user, stripe.card()).data["status"] == "confirmed"
