"""The routes the web client needs: a card set up with Stripe.js before a pledge, and stage
`local`'s "sign in as"."""

from __future__ import annotations

import dataclasses
import uuid

from chalicelib import auth
from chalicelib.adapters import payments
from chalicelib.config import settings
from chalicelib.services import card_setup, dev_tokens
from tests import factories


def test_a_card_set_up_with_a_setup_intent_pays_a_pledge(api):
    alice = factories.member()
    film = factories.make_film(factories.producer())
    started = api.post("/me/setup-intents", caller=alice)
    assert started.status_code == 201, started.data
    body = started.data
    assert body["setup_intent_id"].startswith("seti_") and body["client_secret"].startswith(body["setup_intent_id"])
    assert body["publishable_key"] == "pk_test_local"
    # What Stripe.js's confirmCardSetup does in the browser, with the publishable key only:
    confirmed = payments.client().v1.setup_intents.confirm(body["setup_intent_id"], params={
        "payment_method_data": {"type": "card", "card": {"number": "4242424242424242", "exp_month": 12,
                                                         "exp_year": 2030, "cvc": "123"}}}).to_dict()
    assert confirmed["status"] == "succeeded"
    assert payments.client().v1.setup_intents.retrieve(body["setup_intent_id"]).to_dict()["metadata"] == {
        "user_id": alice.user_id}
    pledge = api.post(f"/films/{film['film_id']}/pledges",
                      {"amount_cents": 2500, "payment_method_id": confirmed["payment_method"]},
                      caller=alice, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert pledge.status_code == 201 and pledge.data["status"] == "confirmed", pledge.data


def test_setup_intents_need_a_signed_in_caller_and_a_publishable_key(api, monkeypatch):
    assert api.post("/me/setup-intents").status_code == 401
    monkeypatch.setattr(card_setup, "settings", lambda: dataclasses.replace(settings(), stripe_publishable_key=None))
    unconfigured = api.post("/me/setup-intents", caller=factories.member())
    assert unconfigured.status_code == 503 and unconfigured.data["error"]["code"] == "unavailable"


def test_sign_in_as_gives_a_token_the_api_accepts_with_its_groups(api):
    issued = api.post("/dev/token", {"user_id": "web-alice", "groups": ["producer", "admin"]})
    assert issued.status_code == 200, issued.data
    caller = auth.verify(issued.data["token"])
    assert caller.user_id == "web-alice" and caller.groups == {"producer", "admin"}
    me = api.client.http.get("/me", headers={"Authorization": f"Bearer {issued.data['token']}"})
    assert me.status_code == 200


def test_sign_in_as_names_the_field_at_fault(api):
    bad_group = api.post("/dev/token", {"user_id": "web-alice", "groups": ["root"]})
    assert bad_group.status_code == 400 and bad_group.data["error"]["field"].startswith("groups")
    bad_user = api.post("/dev/token", {"user_id": "a b"})
    assert bad_user.status_code == 400 and bad_user.data["error"]["field"] == "user_id"


def test_sign_in_as_exists_on_stage_local_only(api, monkeypatch):
    monkeypatch.setattr(dev_tokens, "settings", lambda: dataclasses.replace(settings(), stage="dev"))
    refused = api.post("/dev/token", {"user_id": "web-alice"})
    assert refused.status_code == 404 and refused.data["error"]["code"] == "not_found"
    monkeypatch.setattr(dev_tokens, "settings", lambda: dataclasses.replace(settings(), cognito_user_pool_id="pool"))
    assert api.post("/dev/token", {"user_id": "web-alice"}).status_code == 404
