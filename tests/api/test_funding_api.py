"""GET /films/{film_id}/funding: the film's funding day by day, through the API, on a frozen clock."""

from datetime import datetime, timezone

from chalicelib import clock
from tests import factories, stripe_helpers as stripe
from tests.api.test_pledges_api import film_totals, pledge, webhook


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2031, 5, day, hour, minute, second, tzinfo=timezone.utc)


def test_days_count_confirmed_money_and_take_refunds_off_the_day_they_are_applied(api):
    producer, alice, bob, carol = factories.producer(), factories.member(), factories.member(), factories.member()
    with clock.frozen(at(9)):
        film = factories.make_film(producer)
        film_id = film["film_id"]
        assert api.get(f"/films/{film_id}/funding").data == {"film_id": film_id, "days": []}
    with clock.frozen(at(10, 0, 0, 1)):
        paid_alice = pledge(api, film_id, alice, 2500, stripe.card()).data
        paid_bob = pledge(api, film_id, bob, 1000, stripe.card()).data
        assert paid_alice["status"] == paid_bob["status"] == "confirmed"
    # 11 May: nothing. 12 May, last second of the day (UTC): alice again; a declined card counts nothing.
    with clock.frozen(at(12, 23, 59, 59)):
        assert pledge(api, film_id, alice, 1500, stripe.card()).data["status"] == "confirmed"
        assert pledge(api, film_id, carol, 4000, stripe.card(stripe.DECLINED)).data["status"] == "failed"
    # 13 May, just after midnight: bob is refunded in full, alice in part; every webhook arrives twice.
    with clock.frozen(at(13, 0, 0, 1)):
        for event in (stripe.event("charge.refunded", stripe.refund(paid_bob["payment_intent_id"])),
                      stripe.event("charge.refunded", stripe.refund(paid_alice["payment_intent_id"], 700))):
            assert webhook(api, event).status_code == 200
            assert webhook(api, event).status_code == 200
        # a pledge confirmed by its webhook, delivered twice, counts once
        paid_carol = pledge(api, film_id, carol, 2000, stripe.card()).data
        assert paid_carol["status"] == "confirmed"
        succeeded = stripe.intent(paid_carol["payment_intent_id"])
        assert webhook(api, stripe.event("payment_intent.succeeded", succeeded)).status_code == 200

    response = api.get(f"/films/{film_id}/funding")
    assert response.status_code == 200
    assert response.data == {"film_id": film_id, "days": [
        {"date": "2031-05-10", "raised_cents": 3500, "total_cents": 3500, "coproducers": 2},
        {"date": "2031-05-11", "raised_cents": 0, "total_cents": 3500, "coproducers": 2},
        {"date": "2031-05-12", "raised_cents": 1500, "total_cents": 5000, "coproducers": 2},
        {"date": "2031-05-13", "raised_cents": 300, "total_cents": 5300, "coproducers": 2},
    ]}
    # The last day ends where the film's counters are.
    assert film_totals(api, film_id) == (5300, 2)


def test_a_draft_s_funding_is_seen_only_by_those_who_see_the_draft(api):
    producer = factories.producer()
    draft = factories.make_film(producer, open_it=False)["film_id"]
    assert api.get(f"/films/{draft}/funding").status_code == 404
    assert api.get(f"/films/{draft}/funding", caller=factories.member()).status_code == 404
    assert api.get(f"/films/{draft}/funding", caller=producer).data == {"film_id": draft, "days": []}
    assert api.get(f"/films/{draft}/funding", caller=factories.admin()).status_code == 200
    missing = api.get("/films/flm_missing/funding")
    assert missing.status_code == 404 and missing.data["error"]["field"] == "film_id"
    bad = api.get("/films/no%20such/funding")
    assert bad.status_code in (400, 404) and "error" in bad.data
