"""Demo data of the community features, written through the same services as the API.

On "Les Heures claires" (the demo's first film, produced by demo-producer-marie): a tag
"Newsletter"; four friends who pledged, two through demo-coproducer-001's link, one through
-002's and one through the tag; a perk that needs one co-producer brought; five co-producers
named in the credits. On "Marée basse" (also Marie's, with fewer co-producers, so that the
local outbox is not flooded at start): one public update and one for the co-producers, each
e-mailed to its co-producers.
"""

from __future__ import annotations

from chalicelib.auth import Caller
from chalicelib.schemas import PerkCreate, Profile
from chalicelib.services import credits, films, perks, pledges, profiles, referrals, updates

FILM = 0  # index in devstack.seed.FILMS
UPDATES_FILM = 3  # "Marée basse"
FRIENDS = (  # (display name, the coproducer index whose link they used, or None for the tag)
    ("Margaux Petit", 1), ("Rémi Laurent", 1), ("Anaïs Girard", 2), ("Bastien Moreau", None),
)
CREDITED = {1: "Camille Lefèvre", 2: "Étienne Durand", 3: "Zoé Martin", 4: "Chloé d'Aubigné", 5: "Adèle de Vries"}


def seed_community(film_ids: list[str]) -> dict[str, int]:
    from chalicelib.adapters import payments
    from devstack.seed import PRODUCERS, _verified, coproducer

    film_id = film_ids[FILM]
    producer = Caller(user_id=PRODUCERS[FILM % len(PRODUCERS)], groups=frozenset({"producer"}))
    tag = referrals.create_tag(producer, film_id, "Newsletter")["code"]
    perks.create(producer, film_id, PerkCreate(
        kind="other", title="Affiche dédicacée", description="Signed by the director, for who brings a friend.",
        min_referrals=1))
    card = payments.client().v1.payment_methods.create(params={
        "type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})["id"]
    brought = 0
    for number, (name, referrer) in enumerate(FRIENDS, start=1):
        friend = Caller(user_id=f"demo-friend-{number:02d}", email=f"friend{number:02d}@example.org")
        profiles.put(friend, Profile(display_name=name, email=friend.email, locale="fr", notify_email=True))
        _verified(friend, None)
        code = tag if referrer is None else referrals.share(coproducer(referrer), film_id)["code"]
        pledge, _ = pledges.create(friend, film_id, f"demo-seed-{film_id}", 2_000, card, code)
        brought += pledge["status"] == "confirmed" and pledge["referral_code"] == code
    for index, name in CREDITED.items():
        credits.put(coproducer(index), film_id, True, name)
    updates_film = film_ids[UPDATES_FILM]
    updates_producer = Caller(user_id=PRODUCERS[UPDATES_FILM % len(PRODUCERS)], groups=frozenset({"producer"}))
    updates.create(updates_producer, updates_film, "Le tournage approche",
                   "Nous avons trouvé notre port : le tournage commence au printemps à Audierne.", "public")
    updates.create(updates_producer, updates_film, "Merci aux coproducteurs",
                   "Le scénario final est prêt. Vous le recevrez avant tout le monde, avec le plan de tournage.",
                   "coproducers")
    assert films.get(film_id, producer)["coproducer_count"] > 0
    return {"referred_pledges": brought, "credited": len(CREDITED), "updates": 2}
