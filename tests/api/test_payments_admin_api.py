"""GET /admin/reconciliation and GET /admin/disputes through the HTTP API, with signed webhooks;
every response is checked against the OpenAPI contract by the client."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from chalicelib import clock
from chalicelib.services import pledges, reconciliation
from tests import factories, stripe_helpers as stripe


def _webhook(api, event_type: str, obj: dict):
    payload = json.dumps(stripe.event(event_type, obj)).encode()
    return api.call("POST", "/webhooks/stripe", raw=payload, headers={"Stripe-Signature": stripe.sign(payload)})


def test_admins_see_the_reconciliation_runs_newest_first(api):
    film = factories.make_film()
    with clock.frozen(clock.now() - timedelta(minutes=30)):
        made, _ = pledges.create(factories.member(), film["film_id"], uuid.uuid4().hex, 1500,
                                 stripe.card(stripe.THREE_D_SECURE))
    reconciliation.run()
    first = reconciliation.run()
    second = reconciliation.run()
    admin = factories.admin()
    page = api.get("/admin/reconciliation?limit=2", caller=admin)
    assert page.status_code == 200
    assert [r["run_id"] for r in page.data["items"]] == [second["run_id"], first["run_id"]]
    assert page.data["items"][1]["examined"] >= 1 and page.data["next"]
    assert api.get("/admin/reconciliation", caller=factories.member()).status_code == 403
    assert api.get("/admin/reconciliation?limit=0", caller=admin).status_code == 400


def test_a_dispute_webhook_is_listed_for_admins(api):
    film = factories.make_film()
    alice = factories.member()
    made, _ = pledges.create(alice, film["film_id"], uuid.uuid4().hex, 2000, stripe.card())
    dispute = {"id": f"dp_{uuid.uuid4().hex[:14]}", "object": "dispute", "amount": 2000, "currency": "eur",
               "payment_intent": made["payment_intent_id"], "reason": "fraudulent", "status": "needs_response"}
    assert _webhook(api, "charge.dispute.created", dispute).status_code == 200
    assert api.get(f"/films/{film['film_id']}").data["raised_cents"] == 0
    listed = api.get("/admin/disputes?limit=100", caller=factories.admin()).data["items"]
    entry = next(i for i in listed if i["dispute_id"] == dispute["id"])
    assert (entry["kind"], entry["pledge_id"], entry["counted_delta_cents"]) == ("opened", made["pledge_id"], -2000)
    assert _webhook(api, "charge.dispute.closed", dict(dispute, status="won")).status_code == 200
    assert api.get(f"/films/{film['film_id']}").data["raised_cents"] == 2000
    assert api.get("/admin/disputes", caller=alice).status_code == 403
