"""Updates from the film team reach each co-producer's verified e-mail once, in their language,
through the outbox, the topic, the queue and the notifier, as `make run` pumps them."""

from __future__ import annotations

import uuid

from chalicelib.services import local_outbox, pledges, updates
from devstack.pump import Pump, app_handlers
from tests import factories, stripe_helpers as stripe
from tests.integration.test_notifications import coproducer, thrice


def _emails_to(address: str) -> list[dict]:
    return [m for m in local_outbox.messages(limit=10**9)["emails"] if m["to"] == address]


def test_each_update_is_emailed_once_to_each_coproducer_in_their_language(local_services):
    producer = factories.producer()
    film = factories.make_film(producer, title="Les Heures claires")["film_id"]
    fr = coproducer("fr", email=True, sms=True)
    en = coproducer("en", email=True, sms=True)
    opted_out = coproducer("fr", email=False, sms=True)
    unverified = coproducer("en", email=True, sms=True, verified=False)
    card = stripe.card()
    for user, _, _ in (fr, en, opted_out, unverified):
        pledges.create(user, film, uuid.uuid4().hex, 1_000, card)
    stranger = coproducer("fr", email=True, sms=True)  # backs nothing
    handlers = {name: thrice(h) for name, h in app_handlers().items() if name in ("relay_outbox", "send_notifications")}
    pump = Pump(handlers, from_latest=True)
    updates.create(producer, film, "Premier jour de tournage", "On commence lundi.\nÀ bientôt !", "coproducers")
    updates.create(producer, film, "Teaser online", "Share it: https://example.org/teaser", "public")
    pump.drain()
    fr_mail, en_mail = _emails_to(fr[1]), _emails_to(en[1])
    assert sorted(m["subject"] for m in fr_mail) == [
        "« Les Heures claires » : Premier jour de tournage", "« Les Heures claires » : Teaser online"]
    assert sorted(m["subject"] for m in en_mail) == [
        '"Les Heures claires": Premier jour de tournage', '"Les Heures claires": Teaser online']
    assert any("On commence lundi." in (m.get("body") or m.get("text") or "") + str(m) for m in fr_mail)
    for _, address, phone in (opted_out, unverified, stranger):
        assert _emails_to(address) == []
    sms = local_outbox.messages(limit=10**9)["sms"]
    assert not any(m["to"] in (fr[2], en[2], opted_out[2]) for m in sms)  # e-mail only
    pump.drain()  # nothing left to send: still once each
    assert len(_emails_to(fr[1])) == 2 and len(_emails_to(en[1])) == 2
