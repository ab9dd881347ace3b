"""A stalled DynamoDB or Stripe: answers in seconds (503, JSON, Retry-After), nothing lost.

DynamoDB Local and localstripe are real; only a TCP proxy between them and the app stalls.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from datetime import timedelta

import pytest

from chalicelib import clock
from chalicelib.adapters import payments
from chalicelib.adapters.tables import PledgeRecord
from chalicelib.domain import pledges as rules
from chalicelib.services import last_good, pledges as pledges_service
from tests import factories, stalls, stripe_helpers as stripe


@pytest.fixture
def stalled():
    with stalls.proxied() as proxies:
        yield proxies


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def assert_unavailable(response, seconds, dependency):
    assert seconds < stalls.ANSWER_BOUND_SECONDS, f"answered after {seconds:.1f}s"
    assert response.status_code == 503, response.data
    assert response.data["error"]["code"] == "unavailable"
    assert response.data["error"]["dependency"] == dependency
    assert "Traceback" not in response.data["error"]["message"]
    assert response.headers["Retry-After"] == stalls.LOWERED["RETRY_AFTER_SECONDS"]
    assert response.headers["Content-Type"] == "application/json"


def pledge(api, film_id, caller, key, pm, amount=2500):
    return api.post(f"/films/{film_id}/pledges", {"amount_cents": amount, "payment_method_id": pm},
                    caller=caller, headers={"Idempotency-Key": key})


def exactly_one_pledge_and_payment(api, caller, key, film_id, amount=2500):
    pledge_id = rules.pledge_id_for(caller.user_id, key)
    mine = api.get("/me/pledges", caller=caller).data["items"]
    assert [p["pledge_id"] for p in mine] == [pledge_id]
    assert mine[0]["status"] == "confirmed"
    intents = stripe.intents_for(pledge_id)
    assert len(intents) == 1 and intents[0]["id"] == mine[0]["payment_intent_id"]
    film = api.get(f"/films/{film_id}").data
    assert (film["raised_cents"], film["coproducer_count"]) == (amount, 1)


@contextlib.contextmanager
def after_the_charge(monkeypatch, fault):
    """`fault` strikes the moment Stripe has confirmed (and charged) the recorded PaymentIntent."""
    charge = payments.confirm_intent

    def charge_then_fault(*args, **kwargs):
        intent = charge(*args, **kwargs)
        fault()
        return intent

    monkeypatch.setattr(payments, "confirm_intent", charge_then_fault)
    yield
    monkeypatch.setattr(payments, "confirm_intent", charge)


def test_a_paused_database_answers_503_in_seconds_and_the_retry_makes_one_pledge(api, stalled):
    alice, film_id = factories.member(), factories.make_film()["film_id"]
    pm, key = stripe.card(), uuid.uuid4().hex
    start = clock.now()
    stalled.dynamodb.stall()
    with clock.frozen(start):
        response, seconds = timed(lambda: api.get(f"/films/{film_id}"))
        assert_unavailable(response, seconds, "dynamodb")
        response, seconds = timed(lambda: pledge(api, film_id, alice, key, pm))
        assert_unavailable(response, seconds, "dynamodb")
    stalled.resume()
    # The pledge's write may have landed once the database answered again (its outcome was
    # unknown): its lease says so, and a retry within it answers "in progress" in seconds.
    with clock.frozen(start):
        busy, seconds = timed(lambda: pledge(api, film_id, alice, key, pm))
    assert seconds < stalls.ANSWER_BOUND_SECONDS, f"answered after {seconds:.1f}s"
    assert busy.status_code in (201, 409), busy.data
    with clock.frozen(start + timedelta(seconds=pledges_service.LEASE_SECONDS + 1)):
        retried = pledge(api, film_id, alice, key, pm)
    assert retried.status_code in (200, 201) and retried.data["status"] == "confirmed", retried.data
    exactly_one_pledge_and_payment(api, alice, key, film_id)


def test_the_database_pausing_after_stripe_charged_loses_nothing(api, stalled, monkeypatch):
    """The worst moment: Stripe took the money, the pledge cannot be counted yet."""
    alice, film_id = factories.member(), factories.make_film()["film_id"]
    pm, key = stripe.card(), uuid.uuid4().hex
    with after_the_charge(monkeypatch, stalled.dynamodb.stall):
        assert_unavailable(*timed(lambda: pledge(api, film_id, alice, key, pm)), "dynamodb")
    stalled.resume()
    retried = pledge(api, film_id, alice, key, pm)
    assert retried.status_code in (200, 201) and retried.data["status"] == "confirmed", retried.data
    exactly_one_pledge_and_payment(api, alice, key, film_id)


def test_a_database_cut_after_stripe_charged_is_completed_by_the_webhook(api, stalled, monkeypatch):
    """The first attempt's writes are lost with the connection: its lease stays, so a retry
    says "in progress" (in seconds); Stripe's webhook (or the reconciliation) counts the money."""
    from tests.api.test_pledges_api import webhook

    alice, film_id = factories.member(), factories.make_film()["film_id"]
    pm, key = stripe.card(), uuid.uuid4().hex
    with after_the_charge(monkeypatch, stalled.dynamodb.cut):
        assert_unavailable(*timed(lambda: pledge(api, film_id, alice, key, pm)), "dynamodb")
    stalled.resume()
    busy, seconds = timed(lambda: pledge(api, film_id, alice, key, pm))
    assert seconds < stalls.ANSWER_BOUND_SECONDS, f"answered after {seconds:.1f}s"
    assert (busy.status_code, busy.data["error"]["code"]) == (409, "request_in_progress")
    (intent,) = stripe.intents_for(rules.pledge_id_for(alice.user_id, key))
    assert webhook(api, stripe.event("payment_intent.succeeded", intent)).status_code == 200
    assert pledge(api, film_id, alice, key, pm).data["status"] == "confirmed"
    exactly_one_pledge_and_payment(api, alice, key, film_id)


def test_a_charge_taken_while_the_database_was_cut_is_counted_by_the_reconciliation(api, stalled, monkeypatch):
    """No webhook at all: the reconciliation, 15 minutes on, reads the recorded PaymentIntent
    from Stripe and counts the money once; the retry then answers the confirmed pledge."""
    from chalicelib.services import reconciliation

    alice, film_id = factories.member(), factories.make_film()["film_id"]
    pm, key = stripe.card(), uuid.uuid4().hex
    with clock.frozen(clock.now() - timedelta(minutes=16)), after_the_charge(monkeypatch, stalled.dynamodb.cut):
        assert_unavailable(*timed(lambda: pledge(api, film_id, alice, key, pm)), "dynamodb")
    stalled.resume()
    report = reconciliation.run()
    pledge_id = rules.pledge_id_for(alice.user_id, key)
    assert [(e["found"], e["action"]) for e in report["repaired"] if e["pledge_id"] == pledge_id] == [
        ("succeeded", "counted")]
    assert pledge(api, film_id, alice, key, pm).data["status"] == "confirmed"
    exactly_one_pledge_and_payment(api, alice, key, film_id)


@pytest.mark.parametrize("fault", ["stall", "cut"])
def test_a_paused_or_cut_stripe_answers_503_in_seconds_and_the_retry_makes_one_payment(api, stalled, fault):
    alice, film_id = factories.member(), factories.make_film()["film_id"]
    pm, key = stripe.card(), uuid.uuid4().hex
    getattr(stalled.stripe, fault)()
    response, seconds = timed(lambda: pledge(api, film_id, alice, key, pm))
    assert_unavailable(response, seconds, "stripe")
    with pytest.raises(PledgeRecord.DoesNotExist):  # nothing written: the retry starts afresh
        PledgeRecord.get(rules.pledge_id_for(alice.user_id, key), consistent_read=True)
    stalled.resume()  # a stalled request Stripe received meanwhile is handled now, as after a real pause
    retried = pledge(api, film_id, alice, key, pm)
    assert retried.status_code in (200, 201) and retried.data["status"] == "confirmed", retried.data
    exactly_one_pledge_and_payment(api, alice, key, film_id)


def test_the_public_film_list_and_stats_degrade_to_their_last_good_answer(api, stalled):
    last_good.forget()
    factories.make_film()
    with clock.frozen(clock.now()):
        films, stats = api.get("/films"), api.get("/stats")
        signed_in = factories.member()
        stalled.dynamodb.stall()
        response, seconds = timed(lambda: api.get("/films"))
        assert seconds < stalls.ANSWER_BOUND_SECONDS
        assert (response.status_code, response.data) == (200, films.data)
        assert api.get("/stats").data == stats.data
        # Anything else refuses: another query, a signed-in caller's list, a single film.
        assert api.get("/films?kind=short").status_code == 503
        assert api.get("/films", caller=signed_in).status_code == 503
        assert api.get(f"/films/{films.data['items'][0]['film_id']}").status_code == 503
    later = clock.now() + timedelta(seconds=int(stalls.LOWERED.get("STALE_READS_SECONDS", 300)) + 1)
    with clock.frozen(later):  # too old to stand in
        assert_unavailable(*timed(lambda: api.get("/stats")), "dynamodb")
