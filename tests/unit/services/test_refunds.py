"""Refunds (services/refunds.py) on the in-memory twin: recorded once, sent to Stripe once,
retried after a rejection or a crash without a second Refund, and counted in the close."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib import clock
from chalicelib.domain import campaigns as rules
from chalicelib.services import contributions, refunds
from tests.unit.services.conftest import FILM, T0, pledge


@pytest.fixture
def counted(store, stripe, goals):
    made = pledge(store)
    contributions.confirm(made, payment_intent_id="pi_1")
    return store.pledges.get("p1")


def test_a_refund_is_recorded_once_and_counted_once_in_the_close(store, counted):
    store.start_close(FILM)
    first = refunds.owe(counted, "pi_1", refunds.CAMPAIGN_FAILED)
    again = refunds.owe(counted, "pi_1", refunds.CAMPAIGN_FAILED)
    assert (first.pledge_id, again.pledge_id, again.status) == ("p1", "p1", rules.REFUND_PENDING)
    assert int(store.state.closes[FILM].outstanding) == 1


def test_a_pledge_is_refunded_once_however_often_it_is_processed(store, stripe, counted):
    store.start_close(FILM)
    assert refunds.refund(counted, "pi_1", refunds.CAMPAIGN_FAILED) == rules.REFUND_SUCCEEDED
    assert refunds.refund(counted, "pi_1", refunds.CAMPAIGN_FAILED) == rules.REFUND_SUCCEEDED
    assert refunds.process(store.refunds.get("p1")) == rules.REFUND_SUCCEEDED
    assert stripe.created == [("pi_1", 2500, "refund-p1")]
    assert store.pledges.get("p1").status == "refunded"
    assert store.totals.counter(f"film#{FILM}")["raised_cents"] == 0
    close = store.state.closes[FILM]
    assert (int(close.outstanding), int(close.refunded_pledges)) == (0, 1)
    assert list(refunds.due(rules.REFUND_PENDING)) == []


def test_a_rejected_refund_is_recorded_then_retried_with_a_new_key(store, stripe, counted):
    stripe.rejections.append(("card_expired", "the card expired"))
    assert refunds.refund(counted, "pi_1", refunds.CAMPAIGN_FAILED) == rules.REFUND_FAILED
    record = store.refunds.get("p1")
    assert (record.status, int(record.failures), record.failure_code, int(record.lease_until)) == (
        rules.REFUND_FAILED, 1, "card_expired", 0)
    assert store.pledges.get("p1").status == "confirmed"  # nothing went back yet
    assert list(refunds.due(rules.REFUND_FAILED)) == []  # not due before its backoff
    with clock.frozen(T0 + timedelta(days=2)):
        assert [r.pledge_id for r in refunds.due(rules.REFUND_FAILED)] == ["p1"]
        assert refunds.process(store.refunds.get("p1")) == rules.REFUND_SUCCEEDED
    assert stripe.created == [("pi_1", 2500, rules.refund_idempotency_key("p1", 1))]
    assert store.totals.counter(f"film#{FILM}")["raised_cents"] == 0


def test_a_crash_after_stripe_refunded_finds_the_money_back_and_refunds_nothing_more(store, stripe, counted):
    def crash(name):
        if name == "refund.stripe_done":
            raise RuntimeError("the Lambda died")

    with refunds.faults(crash), pytest.raises(RuntimeError):
        refunds.refund(counted, "pi_1", refunds.CAMPAIGN_FAILED)
    assert store.refunds.get("p1").status == rules.REFUND_PENDING
    assert refunds.process(store.refunds.get("p1")) == "busy"  # the crashed attempt's lease holds
    with clock.frozen(T0 + timedelta(seconds=refunds.LEASE_SECONDS + 1)):
        assert refunds.process(store.refunds.get("p1")) == rules.REFUND_SUCCEEDED
    assert stripe.created == [("pi_1", 2500, "refund-p1")]
    assert store.pledges.get("p1").status == "refunded"
    assert store.totals.counter(f"film#{FILM}")["raised_cents"] == 0


def test_a_disputed_charge_is_settled_without_a_refund(store, stripe, counted):
    stripe.disputed.add("p1")
    assert refunds.refund(counted, "pi_1", refunds.CAMPAIGN_FAILED) == rules.REFUND_SUCCEEDED
    record = store.refunds.get("p1")
    assert (record.failure_code, int(record.refunded_cents)) == (refunds.CHARGE_DISPUTED, 0)
    assert stripe.created == []


def test_a_refund_that_failed_after_stripe_accepted_it_is_owed_again(store, stripe, counted):
    store.start_close(FILM)
    refunds.refund(counted, "pi_1", refunds.CAMPAIGN_FAILED)
    reopened = refunds.reopen(store.pledges.get("p1"), "pi_1", 2500, "expired_or_canceled_card", "card closed")
    assert (reopened.status, int(reopened.failures), int(reopened.refunded_cents)) == (rules.REFUND_FAILED, 1, 0)
    close = store.state.closes[FILM]
    assert (int(close.outstanding), int(close.refunded_pledges)) == (1, 0)
    again = refunds.reopen(store.pledges.get("p1"), "pi_1", 2500, "expired_or_canceled_card", "card closed")
    assert int(again.failures) == 2 and int(store.state.closes[FILM].outstanding) == 1  # counted once
