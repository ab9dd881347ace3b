"""Updates from the film team through the HTTP API: who posts, who reads what, in which order."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from chalicelib import clock
from tests import factories, stripe_helpers as stripe


def _coproducer(api, film_id):
    user = factories.member()
    response = api.post(f"/films/{film_id}/pledges", {"amount_cents": 1_000, "payment_method_id": stripe.card()},
                        caller=user, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert response.data["status"] == "confirmed"
    return user


def test_public_updates_for_anyone_coproducer_ones_for_the_film_newest_first(api):
    producer = factories.producer()
    film = factories.make_film(producer)["film_id"]
    start = datetime(2027, 1, 10, 9, 0, tzinfo=timezone.utc)
    posted = []
    for minutes, audience in enumerate(("public", "coproducers", "public", "coproducers")):
        with clock.frozen(start + timedelta(minutes=minutes)):
            made = api.post(f"/films/{film}/updates", {"title": f"News {minutes}", "body": "Line one.\nLine two.",
                                                       "audience": audience}, caller=producer)
        assert made.status_code == 201 and made.data["audience"] == audience
        posted.append(made.data["update_id"])
    newest_first = list(reversed(posted))
    public = [u for u in newest_first if u in (posted[0], posted[2])]
    member = _coproducer(api, film)
    for caller, expected in ((None, public), (factories.member(), public), (member, newest_first),
                             (producer, newest_first), (factories.admin(), newest_first)):
        page = api.get(f"/films/{film}/updates", caller=caller).data
        assert [u["update_id"] for u in page["items"]] == expected and page["next"] is None
    first = api.get(f"/films/{film}/updates?limit=1", caller=None).data
    second = api.get(f"/films/{film}/updates?limit=1&next={first['next']}", caller=None).data
    assert [u["update_id"] for u in first["items"] + second["items"]] == public
    # A token handed to an anonymous reader is no page of a co-producer's list: 404 unknown_page.
    other = api.get(f"/films/{film}/updates?limit=1&next={first['next']}", caller=member)
    assert (other.status_code, other.data["error"]["code"]) == (404, "unknown_page")


def test_only_the_producer_and_admins_post_and_the_text_rule_applies(api):
    producer = factories.producer()
    film = factories.make_film(producer)["film_id"]
    body = {"title": "News", "body": "From the set.", "audience": "public"}
    assert api.post(f"/films/{film}/updates", body, caller=_coproducer(api, film)).status_code == 403
    assert api.post(f"/films/{film}/updates", body, caller=factories.producer()).status_code == 403
    assert api.post(f"/films/{film}/updates", body, caller=factories.admin()).status_code == 201
    for bad, field in (({**body, "audience": "everyone"}, "audience"), ({**body, "title": "x" * 201}, "title"),
                       ({**body, "body": "a\x07b"}, "body"), ({**body, "title": "a\u202eb"}, "title"),
                       ({**body, "body": "   "}, "body"), ({**body, "body": "y" * 10_001}, "body")):
        refused = api.post(f"/films/{film}/updates", bad, caller=producer)
        assert refused.status_code == 400 and refused.data["error"]["field"] == field, bad
    draft = factories.make_film(producer, open_it=False)["film_id"]
    assert api.get(f"/films/{draft}/updates").status_code == 404
