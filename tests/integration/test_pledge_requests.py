"""What one pledge costs in DynamoDB requests, counted at botocore's event hooks on DynamoDB
Local: the PaymentIntent recorded in the transaction that writes the pledge, and Stripe's
`payment_intent.succeeded` counted in one transaction with its dedup record, the pledge not
read first."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections import Counter
from datetime import timedelta
from typing import Iterator

import pytest

from chalicelib import clock
from chalicelib.adapters import tables
from chalicelib.adapters.tables import PledgeRecord, StripeEventRecord, UserRecord
from chalicelib.domain import abuse, pledges as pledge_rules
from chalicelib.errors import TooManyRequests
from chalicelib.adapters import payments
from chalicelib.services import pledges, refunds, stripe_events
from tests import factories, stripe_helpers as stripe


@contextlib.contextmanager
def counted() -> Iterator[Counter]:
    calls: Counter = Counter()

    def hook(model, **_):
        calls[model.name] += 1

    clients = {id(tables.connection().client): tables.connection().client}
    for model in tables.ALL_MODELS:
        client = model._get_connection().connection.client
        clients[id(client)] = client
    for client in clients.values():
        client.meta.events.register("before-call.dynamodb", hook)
    try:
        yield calls
    finally:
        for client in clients.values():
            client.meta.events.unregister("before-call.dynamodb", hook)


def _deliver(intent: dict, event_id: str | None = None) -> dict:
    event = stripe.event("payment_intent.succeeded", intent)
    if event_id:
        event["id"] = event_id
    payload = json.dumps(event).encode()
    return stripe_events.receive(payload, stripe.sign(payload))


def test_the_browsers_pledge_is_written_in_one_transaction_and_counted_by_the_webhook_in_one():
    film = factories.make_film()
    user = factories.member()
    with counted() as request:
        made, _ = pledges.create(user, film["film_id"], uuid.uuid4().hex, 2500, None)
    assert made["status"] == "pending" and made["payment_intent_id"] and made["client_secret"]
    assert dict(request) == {"TransactWriteItems": 1}  # the film, the pledge and the limits' hint
    paid = dict(stripe.intent(made["payment_intent_id"]), status="succeeded")
    event_id = f"evt_{uuid.uuid4().hex}"
    with counted() as webhook:
        assert _deliver(paid, event_id) == {"received": True}
    assert dict(webhook) == {"TransactWriteItems": 1}
    assert PledgeRecord.get(made["pledge_id"], consistent_read=True).status == "confirmed"
    assert StripeEventRecord.get(event_id, consistent_read=True).event_type == "payment_intent.succeeded"
    with counted() as again:
        assert _deliver(paid, event_id) == {"received": True, "duplicate": True}
    assert dict(again) == {"TransactWriteItems": 1}  # refused by the dedup record: nothing counted twice
    assert _raised(film["film_id"]) == 2500


def test_a_late_webhook_for_a_pledge_the_server_counted_is_one_read():
    """The server's PaymentIntent says the server confirms it (metadata `confirmed_by`): its
    webhook reads the pledge first, which says it was counted, cheaper than a refused transaction."""
    film = factories.make_film()
    made, _ = pledges.create(factories.member(), film["film_id"], uuid.uuid4().hex, 2500, stripe.card())
    assert made["status"] == "confirmed"
    intent = stripe.intent(made["payment_intent_id"])
    assert intent["metadata"]["confirmed_by"] == "server"
    with counted() as webhook:
        assert _deliver(intent) == {"received": True}
    assert dict(webhook) == {"GetItem": 1}
    assert _raised(film["film_id"]) == 2500


def test_a_payment_the_server_confirmed_but_never_counted_is_counted_by_its_webhook_once():
    film = factories.make_film()
    user, key = factories.member(), uuid.uuid4().hex

    def crash(name):
        if name == "pay.intent_confirmed":
            raise ConnectionError("the server stopped after Stripe's answer")

    with refunds.faults(crash), pytest.raises(ConnectionError):
        pledges.create(user, film["film_id"], key, 2500, stripe.card())
    (intent,) = stripe.intents_for(pledge_rules.pledge_id_for(user.user_id, key))
    assert intent["status"] == "succeeded" and _raised(film["film_id"]) == 0
    with counted() as webhook:
        assert _deliver(intent) == {"received": True}
    assert dict(webhook) == {"GetItem": 1, "TransactWriteItems": 1}
    assert _deliver(intent) == {"received": True}
    assert _raised(film["film_id"]) == 2500


def test_a_webhook_for_a_browser_payment_counted_meanwhile_is_one_refused_transaction():
    """The refused transaction hands the pledge back as it was (ALL_OLD): no read follows."""
    film = factories.make_film()
    made, _ = pledges.create(factories.member(), film["film_id"], uuid.uuid4().hex, 2500, None)
    paid = dict(stripe.intent(made["payment_intent_id"]), status="succeeded")
    assert paid["metadata"]["confirmed_by"] == "browser"
    counted_meanwhile = payments.Intent(id=paid["id"], status="succeeded", client_secret=paid["client_secret"])
    pledges.settle_intent(pledges._load(made["pledge_id"]), counted_meanwhile)  # as reconciliation does
    with counted() as webhook:
        assert _deliver(paid) == {"received": True}
    assert dict(webhook) == {"TransactWriteItems": 1}
    assert _raised(film["film_id"]) == 2500


def test_a_payment_of_another_amount_than_the_pledges_is_not_counted():
    film = factories.make_film()
    made, _ = pledges.create(factories.member(), film["film_id"], uuid.uuid4().hex, 2500, None)
    paid = dict(stripe.intent(made["payment_intent_id"]), status="succeeded", amount=9900)
    assert _deliver(paid) == {"received": True}
    assert PledgeRecord.get(made["pledge_id"], consistent_read=True).status == "pending"
    assert _raised(film["film_id"]) == 0


def test_a_payment_whose_metadata_names_another_film_or_user_is_not_counted_to_them():
    """The signed event's metadata says where the money goes: the one transaction counts it
    only if the pledge it names belongs to that film and co-producer as well."""
    film, other = factories.make_film(), factories.make_film()
    made, _ = pledges.create(factories.member(), film["film_id"], uuid.uuid4().hex, 2500, None)
    intent = stripe.intent(made["payment_intent_id"])
    for metadata in ({**intent["metadata"], "film_id": other["film_id"]},
                     {**intent["metadata"], "user_id": "someone-else"}):
        assert _deliver(dict(intent, status="succeeded", metadata=metadata)) == {"received": True}
        assert _raised(other["film_id"]) == 0
    assert _raised(film["film_id"]) == 2500  # counted once, to its own film, by the pledge's handler
    assert PledgeRecord.get(made["pledge_id"], consistent_read=True).status == "confirmed"


def _waiting(user) -> set:
    record = UserRecord.get(user.user_id, consistent_read=True)
    return set(record.waiting_pledges or ())


def test_the_pledge_limits_cost_a_query_only_when_their_hint_refuses():
    """The limits' hint is a condition of the transaction that writes the pledge: the precise
    Query runs only when it refuses, and a refused pledge's PaymentIntent is canceled."""
    film = factories.make_film()["film_id"]
    user = factories.member()
    made = []
    for _ in range(abuse.MAX_PENDING):
        with counted() as request:
            made.append(pledges.create(user, film, uuid.uuid4().hex, 1000, None)[0])
        assert dict(request) == {"TransactWriteItems": 1}
    assert _waiting(user) == {p["pledge_id"] for p in made}
    key = uuid.uuid4().hex
    with counted() as request, pytest.raises(TooManyRequests) as refused:
        pledges.create(user, film, key, 1000, None)
    assert refused.value.code == "too_many_pending"
    assert dict(request) == {"TransactWriteItems": 1, "Query": 1, "GetItem": 1}  # the Query, then "not a replay"
    assert [i["status"] for i in stripe.intents_for(pledge_rules.pledge_id_for(user.user_id, key))] == ["canceled"]
    assert PledgeRecord.count(pledge_rules.pledge_id_for(user.user_id, key)) == 0
    pledges.cancel(user, made[0]["pledge_id"])
    assert made[0]["pledge_id"] not in _waiting(user)
    with counted() as request:
        pledges.create(user, film, uuid.uuid4().hex, 1000, None)
    assert dict(request) == {"TransactWriteItems": 1}


def test_a_pledge_that_leaves_waiting_leaves_the_hint_and_a_stale_hint_is_written_again():
    film = factories.make_film()["film_id"]
    user = factories.member()
    paid, _ = pledges.create(user, film, uuid.uuid4().hex, 1000, stripe.card())
    assert paid["status"] == "confirmed" and _waiting(user) == set()
    stale = {f"gone-{i}" for i in range(abuse.MAX_PENDING)}  # pledges that left without being taken out
    UserRecord(user.user_id).update(actions=[UserRecord.waiting_pledges.set(stale)])
    with counted() as request:
        made, _ = pledges.create(user, film, uuid.uuid4().hex, 1000, None)
    assert made["status"] == "pending"
    assert dict(request) == {"TransactWriteItems": 2, "Query": 1}  # refused, checked, written again
    assert _waiting(user) == {made["pledge_id"]}
    with counted() as request:
        pledges.create(user, film, uuid.uuid4().hex, 1000, None)
    assert dict(request) == {"TransactWriteItems": 1}


def test_a_decline_makes_the_next_pledges_run_the_precise_check_until_it_can_no_longer_block():
    film = factories.make_film()["film_id"]
    user = factories.member()
    start = clock.now()
    with clock.frozen(start):
        declined, _ = pledges.create(user, film, uuid.uuid4().hex, 1000, stripe.card(stripe.DECLINED))
    assert declined["status"] == "failed" and _waiting(user) == set()
    assert UserRecord.get(user.user_id, consistent_read=True).declined_at >= declined["created_at"]
    with clock.frozen(start + abuse.LOOK_BACK - timedelta(minutes=1)), counted() as request:
        pledges.create(user, film, uuid.uuid4().hex, 1000, None)
    assert request["Query"] == 1
    with clock.frozen(start + abuse.LOOK_BACK + timedelta(minutes=1)), counted() as request:
        pledges.create(user, film, uuid.uuid4().hex, 1000, None)
    assert dict(request) == {"TransactWriteItems": 1}


def _raised(film_id: str) -> int:
    from chalicelib.adapters import counters

    return int(counters.read(counters.film_counter(film_id)).get("raised_cents", 0))
