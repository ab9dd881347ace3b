"""Totals stay exact under concurrency and a storm of shuffled, duplicated, forged webhooks."""

from __future__ import annotations

import json
import random
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.adapters import counters
from chalicelib.adapters.tables import BackingRecord
from chalicelib.errors import BadRequest, Unauthorized
from chalicelib.services import pledges, stripe_events
from tests import factories, stripe_helpers as stripe

pytestmark = pytest.mark.slow


def test_a_thousand_confirmed_pledges_from_eight_threads(local_services):
    film = factories.make_film(goal_cents=10_000_000)
    users = [factories.member() for _ in range(400)]
    pm = stripe.card()
    rng = random.Random(7)
    plan = [(users[i % len(users)], 1000 + rng.randrange(0, 5000, 100)) for i in range(1000)]

    def pay(item):
        user, amount = item
        result, _ = pledges.create(user, film["film_id"], uuid.uuid4().hex, amount, pm)
        return result["status"], amount

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(pay, plan))
    assert {status for status, _ in results} == {"confirmed"}
    totals = counters.read(counters.film_counter(film["film_id"]))
    assert totals["raised_cents"] == sum(amount for _, amount in plan)
    assert totals["coproducer_count"] == 400
    per_user = {}
    for user, amount in plan:
        per_user[user.user_id] = per_user.get(user.user_id, 0) + amount
    backings = {b.user_id: int(b.confirmed_cents) for b in BackingRecord.query(film["film_id"])}
    assert backings == per_user


def test_webhook_storm(local_services):
    film = factories.make_film(goal_cents=10_000_000)
    rng = random.Random(11)
    created = [pledges.create(factories.member(), film["film_id"], uuid.uuid4().hex, 1000 + 100 * (i % 40), None)[0]
               for i in range(700)]
    intents = {p["pledge_id"]: stripe.intent(p["payment_intent_id"]) for p in created}
    events, expected = [], {}
    for p in created:
        intent = dict(intents[p["pledge_id"]], status="succeeded")
        events.append(stripe.event("payment_intent.succeeded", intent))
        expected[p["pledge_id"]] = p["amount_cents"]
    # A partial refund for every fifth pledge, delivered as the charge's cumulative amount.
    for p in created[::5]:
        refunded = p["amount_cents"] // 2
        charge = {"id": f"ch_{uuid.uuid4().hex[:12]}", "object": "charge", "payment_intent": p["payment_intent_id"],
                  "amount": p["amount_cents"], "amount_refunded": refunded, "metadata": {}}
        events.append(stripe.event("charge.refunded", charge))
        expected[p["pledge_id"]] -= refunded
    # Failures that arrive after (or before) success never undo it.
    for p in created[1::7]:
        failed = dict(intents[p["pledge_id"]], status="requires_payment_method",
                      last_payment_error={"code": "card_declined", "message": "declined"})
        events.append(stripe.event("payment_intent.payment_failed", failed))
    deliveries = [(e, "good") for e in events]
    deliveries += [(e, "good") for e in rng.sample(events, int(0.3 * len(events)))]
    forged = []
    while len(deliveries) + len(forged) < 2000:
        forged.append((stripe.event("payment_intent.succeeded", dict(rng.choice(list(intents.values())),
                                                                     status="succeeded", amount=999_999)),
                       rng.choice(["forged", "expired"])))
    deliveries += forged
    rng.shuffle(deliveries)
    assert len(deliveries) == 2000 and len(forged) >= 100

    def deliver(item):
        evt, kind = item
        payload = json.dumps(evt).encode()
        if kind == "forged":
            signature = stripe.sign(payload, secret="whsec_not_ours")
        elif kind == "expired":
            signature = stripe.sign(payload, timestamp=evt["created"] - 3600)
        else:
            signature = stripe.sign(payload)
        try:
            stripe_events.receive(payload, signature)
            return kind, 200
        except (BadRequest, Unauthorized) as exc:
            return kind, exc.status

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(deliver, deliveries))
    assert all(status == 401 for kind, status in outcomes if kind != "good")
    assert all(status == 200 for kind, status in outcomes if kind == "good")
    totals = counters.read(counters.film_counter(film["film_id"]))
    assert totals["raised_cents"] == sum(expected.values())
    assert totals["coproducer_count"] == 700
    backings = {b.user_id: int(b.confirmed_cents) for b in BackingRecord.query(film["film_id"])}
    assert sum(backings.values()) == sum(expected.values())
