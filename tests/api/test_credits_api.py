"""Credits through the HTTP API: opting in and out, French collation, the producer's CSV, and a
name leaving the credits with a refund below the minimum or an erased account."""

from __future__ import annotations

import csv
import io
import json
import uuid

from chalicelib.services import credits
from tests import factories, stripe_helpers as stripe


def _back(api, film_id, amount=1_000, user=None):
    user = user or factories.member()
    response = api.post(f"/films/{film_id}/pledges", {"amount_cents": amount, "payment_method_id": stripe.card()},
                        caller=user, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert response.data["status"] == "confirmed"
    return user, response.data


def _credit(api, film_id, user, name, credited=True):
    return api.put(f"/me/films/{film_id}/credit", {"credited": credited, "credit_name": name}, caller=user)


def _names(api, film_id):
    return [i["credit_name"] for i in api.get(f"/films/{film_id}/credits").data["items"]]


def test_only_opted_in_coproducers_are_named_in_french_order(api):
    producer = factories.producer()
    film = factories.make_film(producer)["film_id"]
    people = {name: _back(api, film)[0] for name in ("Zoé Roux", "Émile Durand", "Œdipe Roi", "Oscar Petit")}
    _back(api, film)  # a co-producer who does not opt in
    for name, user in people.items():
        made = _credit(api, film, user, name)
        assert made.status_code == 200 and made.data["credited"] is True and made.data["credit_name"] == name
    assert _names(api, film) == ["Émile Durand", "Œdipe Roi", "Oscar Petit", "Zoé Roux"]
    listed = api.get(f"/films/{film}/credits").data
    assert listed["count"] == 4 and all(set(i) == {"credit_name"} for i in listed["items"])
    renamed = _credit(api, film, people["Oscar Petit"], "Oscar P.")
    assert renamed.data["credit_name"] == "Oscar P."
    out = _credit(api, film, people["Zoé Roux"], None, credited=False)
    assert out.status_code == 200 and out.data == {**out.data, "credited": False, "credit_name": None}
    assert _names(api, film) == ["Émile Durand", "Œdipe Roi", "Oscar P."]


def test_the_rules_of_a_name_and_who_may_be_named(api):
    film = factories.make_film()["film_id"]
    user, _ = _back(api, film)
    for bad, field in (({"credited": True, "credit_name": "x" * 81}, "credit_name"),
                       ({"credited": True, "credit_name": "a\u202eb"}, "credit_name"),
                       ({"credited": True}, "credit_name"), ({"credited": "yes"}, "credited")):
        refused = api.put(f"/me/films/{film}/credit", bad, caller=user)
        assert refused.status_code == 400 and refused.data["error"]["field"] == field, bad
    assert _credit(api, film, user, "x" * 80).status_code == 200
    stranger = _credit(api, film, factories.member(), "Intruder")
    assert stranger.status_code == 403 and stranger.data["error"]["code"] == "not_a_coproducer"
    assert "Intruder" not in _names(api, film)


def test_the_producer_downloads_the_credits_as_csv_with_formulas_made_text(api):
    producer = factories.producer()
    film = factories.make_film(producer)["film_id"]
    for name in ("=HYPERLINK(\"http://x\")", "Béatrice", "Alain"):
        _credit(api, film, _back(api, film)[0], name)
    sheet = api.get(f"/films/{film}/credits?format=csv", caller=producer)
    assert sheet.status_code == 200 and sheet.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(sheet.data)))
    assert rows == [["credit_name"], ["'=HYPERLINK(\"http://x\")"], ["Alain"], ["Béatrice"]]
    assert api.get(f"/films/{film}/credits?format=csv", caller=factories.member()).status_code == 403
    assert api.get(f"/films/{film}/credits?format=csv").status_code == 401


def test_a_refund_below_the_minimum_takes_the_name_out_and_the_stream_deletes_the_choice(api):
    from tests.api.test_pledges_api import webhook

    film = factories.make_film(min_pledge_cents=1_000)["film_id"]
    user, paid = _back(api, film, 1_500)
    _credit(api, film, user, "Paul Refund")
    charge = stripe.refund(paid["payment_intent_id"], 400)  # 1,100 left: still at the minimum
    assert webhook(api, stripe.event("charge.refunded", charge)).status_code == 200
    assert _names(api, film) == ["Paul Refund"]
    charge = stripe.refund(paid["payment_intent_id"], 200)  # 900 left: below it
    assert webhook(api, stripe.event("charge.refunded", charge)).status_code == 200
    assert _names(api, film) == []
    assert credits.on_backing_change(film, user.user_id, 1_100, 900) is True  # the backings stream's record
    assert credits.on_backing_change(film, user.user_id, 1_100, 900) is False  # redelivered: nothing left
    _back(api, film, 1_000, user=user)  # back above the minimum: the choice was deleted, not hidden
    assert _names(api, film) == []


def test_an_erased_account_leaves_the_credits_and_the_export_lists_its_names(api):
    film = factories.make_film()["film_id"]
    user, _ = _back(api, film)
    assert api.put("/me", {"display_name": "Inès", "email": "ines@example.org"}, caller=user).status_code == 200
    _credit(api, film, user, "Inès Leroy")
    exported = api.get("/me/export", caller=user).data
    assert [(c["film_id"], c["credit_name"]) for c in exported["film_credits"]] == [(film, "Inès Leroy")]
    assert api.delete("/me", caller=user).status_code == 200
    assert _names(api, film) == [] and "Inès Leroy" not in json.dumps(api.get(f"/films/{film}/credits").data)
    assert api.get("/me/export", caller=user).data["film_credits"] == []
