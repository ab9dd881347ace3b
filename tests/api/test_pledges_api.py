import json
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests import factories, stripe_helpers as stripe


def pledge(api, film_id, caller, amount=2500, pm=None, key=None, **kw):
    body = {"amount_cents": amount}
    if pm:
        body["payment_method_id"] = pm
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    return api.post(f"/films/{film_id}/pledges", body, caller=caller, headers=headers, **kw)


def webhook(api, evt, signature=None):
    payload = json.dumps(evt).encode()
    return api.call("POST", "/webhooks/stripe", raw=payload, headers={
        "Stripe-Signature": signature or stripe.sign(payload)})


def film_totals(api, film_id):
    film = api.get(f"/films/{film_id}").data
    return film["raised_cents"], film["coproducer_count"]


def test_a_paid_pledge_moves_the_film_and_the_platform_once(api):
    producer, alice = factories.producer(), factories.member()
    film = factories.make_film(producer)
    stats_before = api.get("/stats").data
    response = pledge(api, film["film_id"], alice, 2500, stripe.card())
    assert response.status_code == 201, response.data
    body = response.data
    assert body["status"] == "confirmed" and body["amount_cents"] == 2500 and body["currency"] == "eur"
    assert body["payment_intent_id"].startswith("pi_") and body["film_id"] == film["film_id"]
    for key in ("pledge_id", "client_secret", "created_at"):
        assert key in body
    assert film_totals(api, film["film_id"]) == (2500, 1)
    stats = api.get("/stats").data
    assert stats["raised_cents"] == stats_before["raised_cents"] + 2500
    assert stats["coproducers"] == stats_before["coproducers"] + 1
    # A second pledge by the same co-producer adds money, not a co-producer.
    assert pledge(api, film["film_id"], alice, 1000, stripe.card()).data["status"] == "confirmed"
    assert film_totals(api, film["film_id"]) == (3500, 1)
    assert api.get("/stats").data["coproducers"] == stats_before["coproducers"] + 1
    # The webhook for the same payment changes nothing.
    intent = stripe.intent(body["payment_intent_id"])
    assert webhook(api, stripe.event("payment_intent.succeeded", intent)).status_code == 200
    assert film_totals(api, film["film_id"]) == (3500, 1)
    # The producer sees the co-producer's total; only admins see contact details.
    listed = api.get(f"/films/{film['film_id']}/pledges", caller=producer).data["items"]
    assert listed == [{"user_id": alice.user_id, "display_name": None, "confirmed_cents": 3500,
                       "first_confirmed_at": listed[0]["first_confirmed_at"]}]
    admin_view = api.get(f"/films/{film['film_id']}/pledges", caller=factories.admin()).data["items"]
    assert "email" in admin_view[0] and "phone" in admin_view[0]
    assert api.get(f"/films/{film['film_id']}/pledges", caller=alice).status_code == 403
    assert api.get(f"/films/{film['film_id']}/pledges").status_code == 401


def test_declined_card_fails_with_the_reason_and_counts_nothing(api):
    film = factories.make_film()
    alice = factories.member()
    response = pledge(api, film["film_id"], alice, 5000, stripe.card(stripe.DECLINED))
    assert response.status_code == 201, response.data
    assert response.data["status"] == "failed"
    assert response.data["failure_code"] and "declined" in response.data["failure_message"].lower()
    assert film_totals(api, film["film_id"]) == (0, 0)
    mine = api.get("/me/pledges", caller=alice).data["items"]
    assert mine[0]["status"] == "failed" and mine[0]["failure_message"]
    # Pledging again with another card works.
    again = pledge(api, film["film_id"], alice, 5000, stripe.card())
    assert again.data["status"] == "confirmed"
    assert film_totals(api, film["film_id"]) == (5000, 1)


def test_three_d_secure_requires_action(api):
    film = factories.make_film()
    response = pledge(api, film["film_id"], factories.member(), 2000, stripe.card(stripe.THREE_D_SECURE))
    assert response.data["status"] == "requires_action" and response.data["client_secret"]
    assert film_totals(api, film["film_id"]) == (0, 0)


def test_browser_flow_confirms_by_webhook_once(api):
    film = factories.make_film()
    alice = factories.member()
    created = pledge(api, film["film_id"], alice, 4200)
    assert created.data["status"] == "pending" and created.data["client_secret"].startswith(created.data["payment_intent_id"])
    intent = stripe.intent(created.data["payment_intent_id"])
    succeeded = dict(intent, status="succeeded")
    evt = stripe.event("payment_intent.succeeded", succeeded)
    for _ in range(3):
        assert webhook(api, evt).status_code == 200
    assert webhook(api, stripe.event("payment_intent.succeeded", succeeded)).status_code == 200  # new id, same payment
    assert webhook(api, stripe.event("payment_intent.payment_failed", dict(succeeded, status="requires_payment_method"))).status_code == 200
    assert film_totals(api, film["film_id"]) == (4200, 1)
    assert api.get(f"/me/pledges/{created.data['pledge_id']}", caller=alice).data["status"] == "confirmed"


def test_same_key_same_body_same_answer_different_body_422(api):
    film = factories.make_film()
    alice = factories.member()
    pm = stripe.card()
    first = pledge(api, film["film_id"], alice, 3000, pm, key="order-1")
    second = pledge(api, film["film_id"], alice, 3000, pm, key="order-1")
    assert second.status_code == 201 and second.data == first.data
    other = pledge(api, film["film_id"], alice, 3100, pm, key="order-1")
    assert other.status_code == 422 and other.data["error"]["field"] == "Idempotency-Key"
    # The same key from another user is another pledge.
    bob = pledge(api, film["film_id"], factories.member(), 3000, stripe.card(), key="order-1")
    assert bob.data["pledge_id"] != first.data["pledge_id"]
    assert film_totals(api, film["film_id"]) == (6000, 2)
    assert len(stripe.intents_for(first.data["pledge_id"])) == 1


def test_fifty_concurrent_requests_with_one_key(api):
    from tests.api.client import Api, make_client

    film = factories.make_film()
    alice = factories.member()
    pm = stripe.card()

    def attempt(_):
        with make_client() as client:
            return pledge(Api(client), film["film_id"], alice, 2000, pm, key="same-key")

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(attempt, range(50)))
    assert {r.status_code for r in responses} == {201}, [r.data for r in responses if r.status_code != 201]
    assert len({r.data["pledge_id"] for r in responses}) == 1
    assert {r.data["status"] for r in responses} == {"confirmed"}
    assert len(stripe.intents_for(responses[0].data["pledge_id"])) == 1
    assert len(api.get("/me/pledges", caller=alice).data["items"]) == 1
    assert film_totals(api, film["film_id"]) == (2000, 1)


def test_cancel_a_pledge_not_yet_confirmed(api):
    film = factories.make_film()
    alice = factories.member()
    pending = pledge(api, film["film_id"], alice, 2000).data
    canceled = api.delete(f"/me/pledges/{pending['pledge_id']}", caller=alice)
    assert canceled.status_code == 200 and canceled.data["status"] == "canceled"
    intent = stripe.intent(pending["payment_intent_id"])
    assert intent["status"] == "canceled"
    confirmed = pledge(api, film["film_id"], alice, 2000, stripe.card()).data
    refused = api.delete(f"/me/pledges/{confirmed['pledge_id']}", caller=alice)
    assert refused.status_code == 409 and refused.data["error"]["field"] == "pledge_id"
    assert api.delete(f"/me/pledges/{confirmed['pledge_id']}", caller=factories.member()).status_code == 404
    assert film_totals(api, film["film_id"]) == (2000, 1)


def test_partial_then_full_refund_by_webhook(api):
    film = factories.make_film()
    alice, bob = factories.member(), factories.member()
    paid = pledge(api, film["film_id"], alice, 5000, stripe.card()).data
    pledge(api, film["film_id"], bob, 1000, stripe.card())
    stats_before = api.get("/stats").data
    charge = stripe.refund(paid["payment_intent_id"], 1500)
    evt = stripe.event("charge.refunded", charge)
    assert webhook(api, evt).status_code == 200
    assert webhook(api, evt).status_code == 200
    assert webhook(api, stripe.event("charge.refunded", charge)).status_code == 200
    assert film_totals(api, film["film_id"]) == (4500, 2)
    mine = api.get(f"/me/pledges/{paid['pledge_id']}", caller=alice).data
    assert mine["status"] == "confirmed" and mine["amount_refunded_cents"] == 1500
    listed = {i["user_id"]: i["confirmed_cents"] for i in api.get(
        f"/films/{film['film_id']}/pledges", caller=factories.admin()).data["items"]}
    assert listed == {alice.user_id: 3500, bob.user_id: 1000}
    full = stripe.refund(paid["payment_intent_id"], 3500)  # the rest
    assert full["amount_refunded"] == 5000
    assert webhook(api, stripe.event("charge.refunded", full)).status_code == 200
    assert webhook(api, stripe.event("charge.refunded", charge)).status_code == 200  # older, smaller: no effect
    assert film_totals(api, film["film_id"]) == (1000, 1)
    assert api.get(f"/me/pledges/{paid['pledge_id']}", caller=alice).data["status"] == "refunded"
    stats = api.get("/stats").data
    assert stats["raised_cents"] == stats_before["raised_cents"] - 5000
    assert stats["coproducers"] == stats_before["coproducers"] - 1


def test_forged_missing_and_stale_signatures_write_nothing(api):
    film = factories.make_film()
    created = pledge(api, film["film_id"], factories.member(), 2000).data
    intent = dict(stripe.intent(created["payment_intent_id"]), status="succeeded")
    payload = json.dumps(stripe.event("payment_intent.succeeded", intent)).encode()
    cases = [
        {},
        {"Stripe-Signature": stripe.sign(payload, secret="whsec_forged")},
        {"Stripe-Signature": stripe.sign(payload, timestamp=1_000_000_000)},
        {"Stripe-Signature": "t=1,v1=deadbeef"},
        {"Stripe-Signature": "garbage"},
    ]
    for headers in cases:
        response = api.call("POST", "/webhooks/stripe", raw=payload, headers=headers)
        expected = 400 if not headers else 401  # missing: malformed; not Stripe's: not authenticated
        assert response.status_code == expected and response.data["error"]["field"] == "Stripe-Signature", headers
    tampered = payload.replace(b'"amount": 2000', b'"amount": 9000')
    response = api.call("POST", "/webhooks/stripe", raw=tampered, headers={"Stripe-Signature": stripe.sign(payload)})
    assert response.status_code == 401
    assert film_totals(api, film["film_id"]) == (0, 0)


def test_unknown_event_types_are_acknowledged_and_ignored(api):
    response = webhook(api, stripe.event("customer.created", {"id": "cus_1"}))
    assert response.status_code == 200 and response.data["ignored"] is True


def test_a_key_used_before_the_film_stopped_taking_pledges_still_gets_its_answer(api):
    from datetime import datetime, timedelta, timezone

    from chalicelib import clock

    film = factories.make_film(min_pledge_cents=2000)
    alice, pm = factories.member(), stripe.card()
    first = pledge(api, film["film_id"], alice, 3000, pm, key="before-the-end")
    assert first.status_code == 201
    with clock.frozen(datetime.now(timezone.utc) + timedelta(days=31)):  # after the deadline
        again = pledge(api, film["film_id"], alice, 3000, pm, key="before-the-end")
        other_body = pledge(api, film["film_id"], alice, 1500, pm, key="before-the-end")  # under the minimum too
        new_key = pledge(api, film["film_id"], alice, 3000, pm, key="after-the-end")
    assert again.status_code == 201 and again.data == first.data
    assert other_body.status_code == 422 and other_body.data["error"]["code"] == "idempotency_key_reused"
    assert new_key.status_code == 409 and new_key.data["error"]["code"] == "campaign_ended"
    under = pledge(api, film["film_id"], alice, 1500, pm, key="under-the-minimum")
    assert under.status_code == 422 and under.data["error"]["field"] == "amount_cents"
    assert film_totals(api, film["film_id"]) == (3000, 1)
