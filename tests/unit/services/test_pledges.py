"""Pledges (services/pledges.py) following their PaymentIntent, on the in-memory twin: the id
recorded before money moves, the outcome Stripe reports applied once, a cancel that races a
payment refunded rather than lost."""

from __future__ import annotations

import pytest

from chalicelib.adapters import payments
from chalicelib.auth import Caller
from chalicelib.errors import Conflict
from chalicelib.services import contributions, pledges
from tests.unit.services.conftest import FILM, pledge

ALICE = Caller("u1")


def test_a_payment_intent_is_recorded_once_and_never_on_a_canceled_pledge(store):
    made = pledge(store, payment_intent_id=None)
    assert pledges.record_intent(made, payments.Intent("pi_1", "requires_confirmation", "secret_1"))
    assert pledges.record_intent(made, payments.Intent("pi_1", "requires_confirmation", "secret_1"))  # a retry
    assert not pledges.record_intent(made, payments.Intent("pi_2", "requires_confirmation", None))
    other = pledge(store, "p2", payment_intent_id=None)
    contributions.move("p2", "canceled", user_id="u1", intent=None)
    assert not pledges.record_intent(other, payments.Intent("pi_3", "requires_confirmation", None))
    assert (store.pledges.get("p1").payment_intent_id, store.pledges.get("p2").payment_intent_id) == ("pi_1", None)


def test_a_succeeded_payment_intent_confirms_and_counts_the_pledge(store, goals):
    settled = pledges.settle_intent(pledge(store), payments.Intent("pi_1", "succeeded", "secret_1"))
    assert (settled.status, settled.client_secret) == ("confirmed", "secret_1")
    assert store.totals.counter(f"film#{FILM}")["raised_cents"] == 2500
    again = pledges.settle_intent(store.pledges.get("p1"), payments.Intent("pi_1", "succeeded", "secret_1"))
    assert again.status == "confirmed" and store.totals.counter(f"film#{FILM}")["raised_cents"] == 2500


def test_a_declined_payment_fails_the_pledge_and_leaves_reconciliation(store):
    declined = payments.Intent("pi_1", "requires_payment_method", None, "card_declined", "Your card was declined.")
    failed = pledges.settle_intent(pledge(store), declined)
    assert (failed.status, failed.failure_code, failed.unsettled, int(failed.lease_until)) == (
        "failed", "card_declined", None, 0)


def test_a_payment_waiting_for_the_customer_keeps_the_pledge_in_reconciliation(store):
    waiting = pledges.settle_intent(pledge(store), payments.Intent("pi_1", "requires_action", "secret_2"))
    assert (waiting.status, waiting.client_secret, waiting.unsettled) == ("requires_action", "secret_2", "1")


def test_a_pledge_canceled_before_its_payment_is_settled_stays_canceled(store, stripe):
    made = pledge(store)
    contributions.move("p1", "canceled", user_id="u1", intent="pi_1")
    settled = pledges.settle_intent(made, payments.Intent("pi_1", "requires_action", None))
    assert settled.status == "canceled" and stripe.canceled == ["pi_1"]


def test_a_cancel_that_finds_the_payment_through_counts_it_and_refuses(store, monkeypatch, goals):
    pledge(store)
    monkeypatch.setattr(payments, "cancel_intent", lambda intent_id: payments.Intent(intent_id, "succeeded", None))
    with pytest.raises(Conflict):
        pledges.cancel(ALICE, "p1")
    assert store.pledges.get("p1").status == "confirmed"
    assert store.totals.counter(f"film#{FILM}")["raised_cents"] == 2500


def test_a_cancel_cancels_the_payment_intent_then_the_pledge(store, stripe):
    pledge(store)
    assert pledges.cancel(ALICE, "p1")["status"] == "canceled"
    assert stripe.canceled == ["pi_1"]
    with pytest.raises(Conflict):
        pledges.cancel(ALICE, "p1")


def test_a_users_pledges_are_listed_newest_first_page_by_page(store):
    for n in (1, 2, 3):
        created = pledge(store, f"p{n}")
        store.pledges.update(created.pledge_id, {"created_key": f"2026-03-0{n}#p{n}"})
    pledge(store, "other", user_id="u2")
    first = pledges.list_own(ALICE, limit=2, next_token=None)
    assert [p["pledge_id"] for p in first["items"]] == ["p3", "p2"]
    rest = pledges.list_own(ALICE, limit=2, next_token=first["next"])
    assert [p["pledge_id"] for p in rest["items"]] == ["p1"] and rest["next"] is None
