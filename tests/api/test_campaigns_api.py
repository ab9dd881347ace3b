import json
import uuid

from chalicelib.adapters import payments
from tests import factories, stripe_helpers as stripe


def pledge(api, film_id, caller, amount, pm):
    return api.post(f"/films/{film_id}/pledges", {"amount_cents": amount, "payment_method_id": pm},
                    caller=caller, headers={"Idempotency-Key": uuid.uuid4().hex})


def test_admin_closes_a_film_now_and_co_producers_see_their_refunds(api):
    admin, alice, bob = factories.admin(), factories.member(), factories.member()
    film = factories.make_film(goal_cents=100_000)
    path = f"/films/{film['film_id']}"
    paid = pledge(api, film["film_id"], alice, 2_500, stripe.card()).data
    waiting = pledge(api, film["film_id"], bob, 2_000, stripe.card(stripe.THREE_D_SECURE)).data
    assert waiting["status"] == "requires_action"

    assert api.post(path + "/close", caller=alice).status_code == 403
    assert api.post(path + "/close").status_code == 401
    assert api.post("/films/nope/close", caller=admin).status_code == 404
    draft = factories.make_film(open_it=False)
    refused = api.post(f"/films/{draft['film_id']}/close", caller=admin)
    assert refused.status_code == 409 and refused.data["error"]["field"] == "film_id"

    closed = api.post(path + "/close", caller=admin)
    assert closed.status_code == 200, closed.data
    body = closed.data
    assert body["status"] == "failed" and body["raised_cents"] == 0 and body["closed_at"]
    assert body["close"]["state"] == "done" and body["close"]["outcome"] == "failed"
    assert body["close"]["raised_cents"] == 2_500 and body["close"]["refunded_pledges"] == 1
    assert body["close"]["canceled_pledges"] == 1  # the 3-D Secure payment never completed
    assert api.post(path + "/close", caller=admin).data["close"] == body["close"]  # idempotent

    mine = api.get("/me/pledges", caller=alice).data["items"]
    assert mine[0]["status"] == "refunded" and mine[0]["amount_refunded_cents"] == 2_500
    assert api.get("/me/pledges", caller=bob).data["items"][0]["status"] == "canceled"
    assert stripe.intent(waiting["payment_intent_id"])["status"] == "canceled"
    assert api.get(path).data["status"] == "failed"
    assert film["film_id"] in {f["film_id"] for f in api.get("/films?status=failed&limit=100").data["items"]}
    refused = pledge(api, film["film_id"], alice, 2_500, stripe.card())
    assert refused.status_code == 409 and refused.data["error"]["code"] == "film_not_open"
    # Stripe's charge.refunded for that refund, delivered twice, changes nothing.
    latest = stripe.intent(paid["payment_intent_id"])["latest_charge"]
    charge = payments.client().v1.charges.retrieve(latest["id"] if isinstance(latest, dict) else latest).to_dict()
    assert charge["amount_refunded"] == 2_500
    for _ in range(2):
        payload = json.dumps(stripe.event("charge.refunded", charge)).encode()
        delivered = api.call("POST", "/webhooks/stripe", raw=payload, headers={"Stripe-Signature": stripe.sign(payload)})
        assert delivered.status_code == 200
    assert api.get(path).data["raised_cents"] == 0
    assert api.get(f"/me/pledges/{paid['pledge_id']}", caller=alice).data["amount_refunded_cents"] == 2_500


def test_a_declined_co_producer_sees_the_reason_and_pays_again_with_another_card(api):
    film = factories.make_film()
    alice = factories.member()
    failed = pledge(api, film["film_id"], alice, 3_000, stripe.card(stripe.DECLINED)).data
    reason = api.get("/me/pledges", caller=alice).data["items"][0]
    assert reason["pledge_id"] == failed["pledge_id"] and reason["status"] == "failed"
    assert reason["failure_code"] and reason["failure_message"]
    again = pledge(api, film["film_id"], alice, 3_000, stripe.card())
    assert again.status_code == 201 and again.data["status"] == "confirmed"
    assert api.get(f"/films/{film['film_id']}").data["raised_cents"] == 3_000


def test_admin_lists_failed_refunds_page_by_page(api, monkeypatch):
    admin = factories.admin()
    film = factories.make_film(goal_cents=100_000)
    for _ in range(3):
        pledge(api, film["film_id"], factories.member(), 1_500, stripe.card())

    def reject(**kwargs):
        raise payments.RefundRejected("balance_insufficient", "The balance is too low for this refund.")

    monkeypatch.setattr(payments, "create_refund", reject)
    body = api.post(f"/films/{film['film_id']}/close", caller=admin).data
    assert body["close"]["state"] == "refunding" and body["close"]["outstanding_refunds"] == 3

    seen, token = [], None
    while True:
        query = "/admin/refunds?status=failed&limit=2" + (f"&next={token}" if token else "")
        page = api.get(query, caller=admin)
        assert page.status_code == 200, page.data
        seen += [item for item in page.data["items"] if item["film_id"] == film["film_id"]]
        token = page.data["next"]
        if token is None:
            break
    assert len(seen) == 3
    assert {(i["status"], i["failure_code"], i["failures"]) for i in seen} == {("failed", "balance_insufficient", 1)}
    assert api.get("/admin/refunds", caller=factories.member()).status_code == 403
    bad = api.get("/admin/refunds?status=succeeded", caller=admin)
    assert bad.status_code == 400 and bad.data["error"]["field"] == "status"
    assert api.get("/admin/refunds?next=forged", caller=admin).data["error"]["field"] == "next"


def test_an_admin_failing_a_film_by_patch_refunds_it_like_the_schedule(api):
    admin, alice = factories.admin(), factories.member()
    film = factories.make_film(goal_cents=100_000)
    paid = pledge(api, film["film_id"], alice, 4_000, stripe.card()).data
    patched = api.patch(f"/films/{film['film_id']}", {"status": "failed", "title": "Abandonné"}, caller=admin)
    assert patched.status_code == 200, patched.data
    assert (patched.data["status"], patched.data["title"], patched.data["raised_cents"]) == ("failed", "Abandonné", 0)
    assert api.get(f"/me/pledges/{paid['pledge_id']}", caller=alice).data["status"] == "refunded"
    closed = api.post(f"/films/{film['film_id']}/close", caller=admin).data["close"]
    assert (closed["outcome"], closed["state"], closed["refunded_pledges"]) == ("failed", "done", 1)
