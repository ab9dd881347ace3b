"""Word of mouth through the HTTP API: share links, tags, attribution through the whole path of a
pledge (create with a code, webhooks duplicated and reordered, refund, dispute), the reports and
perks that need referrals. Every response is checked against the contract by the client."""

from __future__ import annotations

import json
import uuid

from chalicelib.config import settings
from tests import factories, stripe_helpers as stripe


def _webhook(api, event_type: str, obj: dict, event: dict | None = None):
    payload = json.dumps(event or stripe.event(event_type, obj)).encode()
    response = api.call("POST", "/webhooks/stripe", raw=payload, headers={"Stripe-Signature": stripe.sign(payload)})
    assert response.status_code == 200, response.data
    return response


def _pledge(api, film_id, caller, amount, *, code=None, pm=True):
    body = {"amount_cents": amount}
    if pm:
        body["payment_method_id"] = stripe.card()
    if code is not None:
        body["referral_code"] = code
    response = api.post(f"/films/{film_id}/pledges", body, caller=caller, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.data
    return response.data


def _person(api, name: str):
    user = factories.member()
    email = f"{uuid.uuid4().hex[:8]}@private.example.org"
    assert api.put("/me", {"display_name": name, "email": email}, caller=user).status_code == 200
    return user, email


def _brought(api, caller, film_id) -> int:
    items = api.get("/me/referrals", caller=caller).data["items"]
    return next(i["coproducers_brought"] for i in items if i["film_id"] == film_id)


def test_a_share_link_is_personal_stable_and_for_coproducers_only(api):
    film = factories.make_film()["film_id"]
    alice, _ = _person(api, "Alice")
    _pledge(api, film, alice, 1_000)
    first = api.get(f"/me/films/{film}/share", caller=alice).data
    assert api.get(f"/me/films/{film}/share", caller=alice).data == first
    assert first["url"] == f"{settings().web_base_url}/#/films/{film}?ref={first['code']}"
    other_film = factories.make_film()["film_id"]
    _pledge(api, other_film, alice, 1_000)
    assert api.get(f"/me/films/{other_film}/share", caller=alice).data["code"] != first["code"]
    refused = api.get(f"/me/films/{film}/share", caller=factories.member())
    assert refused.status_code == 403 and refused.data["error"]["code"] == "not_a_coproducer"


def test_tags_are_named_once_per_film_by_its_producer(api):
    producer = factories.producer()
    film = factories.make_film(producer)["film_id"]
    made = api.post(f"/films/{film}/referral-tags", {"name": "Newsletter"}, caller=producer)
    assert made.status_code == 201 and made.data["url"].endswith(f"?ref={made.data['code']}")
    again = api.post(f"/films/{film}/referral-tags", {"name": " newsletter "}, caller=producer)
    assert again.status_code == 409 and again.data["error"]["field"] == "name"
    api.post(f"/films/{film}/referral-tags", {"name": "Festival"}, caller=producer)
    assert [t["name"] for t in api.get(f"/films/{film}/referral-tags", caller=producer).data["items"]] == [
        "Newsletter", "Festival"]
    bad = api.post(f"/films/{film}/referral-tags", {"name": "a\u202eb"}, caller=producer)
    assert bad.status_code == 400 and bad.data["error"]["field"] == "name"
    assert api.post(f"/films/{film}/referral-tags", {"name": "x"}, caller=factories.producer()).status_code == 403


def test_attribution_through_pledge_webhooks_refund_and_dispute_moves_the_counts_exactly(api):
    producer = factories.producer()
    film = factories.make_film(producer, goal_cents=10_000_000)["film_id"]
    alice, alice_email = _person(api, "Alice Martin")
    _pledge(api, film, alice, 1_000)
    link = api.get(f"/me/films/{film}/share", caller=alice).data["code"]
    tag = api.post(f"/films/{film}/referral-tags", {"name": "Newsletter"}, caller=producer).data["code"]

    # A friend pledges through Alice's link in the browser: pending until the webhook.
    bob, _ = _person(api, "Bob")
    pending = _pledge(api, film, bob, 4_000, code=link, pm=False)
    assert pending["status"] == "pending" and pending["referral_code"] == link
    assert _brought(api, alice, film) == 0  # not confirmed yet: does not count
    succeeded = dict(stripe.intent(pending["payment_intent_id"]), status="succeeded")
    event = stripe.event("payment_intent.succeeded", succeeded)
    for _ in range(3):
        _webhook(api, "", {}, event)  # the same event three times
    _webhook(api, "payment_intent.succeeded", succeeded)  # another event for the same payment
    assert _brought(api, alice, film) == 1

    carol, _ = _person(api, "Carol")
    by_tag = _pledge(api, film, carol, 2_500, code=tag)
    unknown = _pledge(api, film, factories.member(), 1_500, code="rnotacode12")
    own = _pledge(api, film, alice, 1_000, code=link)  # self-referral
    assert by_tag["referral_code"] == tag and unknown["referral_code"] is None and own["referral_code"] is None

    erin, _ = _person(api, "Erin")
    paid = _pledge(api, film, erin, 2_000, code=link)  # by card: confirmed at once
    assert _brought(api, alice, film) == 2

    report = api.get(f"/films/{film}/referrals", caller=producer).data
    assert report["total_cents"] == 12_000 and report["confirmed_pledges"] == 6
    assert [(t["name"], t["confirmed_pledges"], t["amount_cents"], t["share_bps"]) for t in report["tags"]] == [
        ("Newsletter", 1, 2_500, 2_083)]
    assert [(p["display_name"], p["confirmed_pledges"], p["amount_cents"], p["share_bps"], p["coproducers_brought"])
            for p in report["coproducers"]] == [("Alice Martin", 2, 6_000, 5_000, 2)]
    assert report["unattributed"] == {"confirmed_pledges": 3, "amount_cents": 3_500, "share_bps": 2_916}
    assert alice_email not in json.dumps(report) and alice.user_id not in json.dumps(report)

    # A refund (here a part of it) takes Erin's pledge off Alice's link; replays change nothing.
    partial = stripe.refund(paid["payment_intent_id"], 1_000)
    refunded = stripe.event("charge.refunded", partial)
    for _ in range(2):
        _webhook(api, "", {}, refunded)
    _webhook(api, "charge.refunded", partial)
    assert _brought(api, alice, film) == 1
    report = api.get(f"/films/{film}/referrals", caller=factories.admin()).data
    assert report["total_cents"] == 11_000
    assert [(p["confirmed_pledges"], p["amount_cents"], p["share_bps"]) for p in report["coproducers"]] == [
        (1, 4_000, 3_636)]
    assert report["unattributed"] == {"confirmed_pledges": 4, "amount_cents": 4_500, "share_bps": 4_090}

    # A dispute takes Carol's pledge off the tag; won, it comes back.
    dispute = {"id": f"dp_{uuid.uuid4().hex[:14]}", "object": "dispute", "amount": 2_500, "currency": "eur",
               "payment_intent": by_tag["payment_intent_id"], "reason": "fraudulent", "status": "needs_response"}
    _webhook(api, "charge.dispute.created", dispute)
    tags = api.get(f"/films/{film}/referrals", caller=producer).data["tags"]
    assert (tags[0]["confirmed_pledges"], tags[0]["amount_cents"]) == (0, 0)
    _webhook(api, "charge.dispute.closed", dict(dispute, status="won"))
    _webhook(api, "charge.dispute.created", dispute)  # late replay of the opening: already applied
    tags = api.get(f"/films/{film}/referrals", caller=producer).data["tags"]
    assert (tags[0]["confirmed_pledges"], tags[0]["amount_cents"]) == (1, 2_500)

    mine = api.get("/me/referrals", caller=alice).data["items"]
    assert [(i["film_id"], i["code"], i["coproducers_brought"], i["amount_cents"]) for i in mine] == [
        (film, link, 1, 4_000)]
    assert api.get(f"/films/{film}/referrals", caller=alice).status_code == 403


def test_a_perk_can_require_referrals_and_says_how_many_are_missing(api):
    producer = factories.producer()
    film = factories.make_film(producer)["film_id"]
    perk = api.post(f"/films/{film}/perks", {"kind": "other", "title": "Signed poster", "min_referrals": 2},
                    caller=producer)
    assert perk.status_code == 201 and perk.data["min_referrals"] == 2
    alice, _ = _person(api, "Alice")
    _pledge(api, film, alice, 1_000)
    code = api.get(f"/me/films/{film}/share", caller=alice).data["code"]

    def status():
        items = api.get(f"/me/films/{film}/perks", caller=alice).data["items"]
        mine = next(i for i in items if i["perk_id"] == perk.data["perk_id"])
        return mine["status"], mine["reason"]

    assert status() == ("locked", "2 more co-producers to bring")
    friend = factories.member()
    _pledge(api, film, friend, 1_000, code=code)
    _pledge(api, film, friend, 1_000, code=code)  # the same friend twice: one co-producer
    assert status() == ("locked", "1 more co-producer to bring")
    _pledge(api, film, factories.member(), 1_000, code=code)
    assert status() == ("unlocked", None)
    patched = api.patch(f"/films/{film}/perks/{perk.data['perk_id']}", {"min_referrals": 5}, caller=producer)
    assert patched.data["min_referrals"] == 5
    assert status() == ("locked", "3 more co-producers to bring")
