"""`make run`'s community demo data, seeded on a fresh film: what a new user sees."""

from __future__ import annotations

import uuid

from chalicelib.auth import Caller
from chalicelib.services import credits, pledges, referrals, updates
from devstack import seed, seed_community
from tests import factories, stripe_helpers as stripe


def test_the_demo_shows_links_used_a_tag_credited_names_and_updates(local_services):
    producer = Caller(user_id=seed.PRODUCERS[0], groups=frozenset({"producer"}))
    film_id = factories.make_film(producer, goal_cents=2_000_000)["film_id"]
    card = stripe.card()
    for index in range(1, 6):
        pledges.create(seed.coproducer(index), film_id, uuid.uuid4().hex, 1_000 + index * 100, card)
    others = [factories.make_film(producer)["film_id"] for _ in range(seed_community.UPDATES_FILM)]
    film_ids = [*others, film_id] if seed_community.FILM > seed_community.UPDATES_FILM else [film_id, *others]
    updates_film = film_ids[seed_community.UPDATES_FILM]
    result = seed_community.seed_community(film_ids)
    assert result == {"referred_pledges": 4, "credited": 5, "updates": 2}
    camille = referrals.mine(seed.coproducer(1))["items"]
    assert [(i["film_id"], i["coproducers_brought"]) for i in camille if i["film_id"] == film_id] == [(film_id, 2)]
    report = referrals.report(producer, film_id)
    assert [(t["name"], t["confirmed_pledges"]) for t in report["tags"]] == [("Newsletter", 1)]
    assert sorted(p["coproducers_brought"] for p in report["coproducers"]) == [1, 2]
    assert [i["credit_name"] for i in credits.list_for(None, film_id)["items"]] == [
        "Adèle de Vries", "Camille Lefèvre", "Chloé d'Aubigné", "Étienne Durand", "Zoé Martin"]
    assert [u["audience"] for u in updates.list_for(None, updates_film, limit=20, next_token=None)["items"]] == [
        "public"]
    assert len(updates.list_for(producer, updates_film, limit=20, next_token=None)["items"]) == 2
