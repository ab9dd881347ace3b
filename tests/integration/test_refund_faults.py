"""Refunds that Stripe takes back or refuses, and late money refunded in part: every charge
still ends refunded, exactly once. DynamoDB Local and localstripe, faults injected at the
Stripe adapter."""

from __future__ import annotations

import uuid

from chalicelib.adapters import payments
from chalicelib.adapters.tables import FilmRecord, PledgeRecord
from chalicelib.domain import campaigns as close_rules
from chalicelib.services import campaigns, pledges, refunds
from tests import factories, stripe_faults, stripe_helpers as stripe
from tests.integration.payment_checks import IntentLog, assert_money_accounted


def _authenticate(pledge: dict) -> dict:
    """The customer completes 3-D Secure in the browser: Stripe charges the card."""
    payments.client().raw_request("post", f"/v1/payment_intents/{pledge['payment_intent_id']}/_authenticate",
                                  client_secret=pledge["client_secret"], success="true")
    return stripe.intent(pledge["payment_intent_id"])


def _reject_refunds(monkeypatch, times: int = 1) -> list[int]:
    """Stripe refuses the next `times` Refunds (then accepts them again)."""
    real, calls = payments.create_refund, []

    def create_refund(**kwargs):
        calls.append(kwargs["amount_cents"])
        if len(calls) <= times:
            raise payments.RefundRejected("api_error", "Stripe could not process the refund")
        return real(**kwargs)

    monkeypatch.setattr(payments, "create_refund", create_refund)
    return calls


def test_a_late_payment_refunded_in_part_is_refunded_in_full_not_stuck(monkeypatch):
    film = factories.make_film()
    log = IntentLog(monkeypatch)
    made, _ = pledges.create(factories.member(), film["film_id"], uuid.uuid4().hex, 2500,
                             stripe.card(stripe.THREE_D_SECURE))
    campaigns._start(FilmRecord.get(film["film_id"]))  # the film stops taking money
    _authenticate(made)  # the payment arrives late
    charge = stripe.refund(made["payment_intent_id"], 500)  # a part goes back outside the platform
    _reject_refunds(monkeypatch, times=1)  # and the platform's own refund of the rest is refused once
    stripe_faults.deliver("charge.refunded", charge)
    record = refunds.get(made["pledge_id"])
    assert record is not None and record.status == close_rules.REFUND_FAILED
    # The retry refunds the rest and the pledge ends refunded: never an error forever.
    assert refunds.process(refunds.get(made["pledge_id"])) == close_rules.REFUND_SUCCEEDED
    pledge = PledgeRecord.get(made["pledge_id"], consistent_read=True)
    assert pledge.status == "refunded" and int(pledge.amount_refunded_cents) == 2500
    assert pledge.failure_code == refunds.CAMPAIGN_CLOSED
    assert payments.refunded_cents(made["payment_intent_id"]) == 2500
    assert assert_money_accounted(made["pledge_id"], log.ids, film["film_id"]) == "refunded"


def _refunds_of(payment_intent_id: str) -> list[dict]:
    listed = payments.client().v1.refunds.list(params={"payment_intent": payment_intent_id, "limit": 100})
    return [r.to_dict() for r in listed.auto_paging_iter()]


def test_a_refund_that_fails_after_stripe_accepted_it_is_reopened_listed_and_retried(monkeypatch):
    from datetime import timedelta

    from chalicelib import clock
    from tests.integration.test_campaign_close import PAST, ended_film, pay

    film = ended_film(goal_cents=1_000_000)
    made = pay(film["film_id"], [3000])[0]
    campaigns.run()
    assert PledgeRecord.get(made["pledge_id"]).status == "refunded"
    [accepted] = _refunds_of(made["payment_intent_id"])
    # The bank returns it: Stripe says so on the Refund and in the webhooks.
    failed = dict(accepted, status="failed", failure_reason="expired_or_canceled_card")

    def bank_returned(listed):
        for item in listed.data:
            if item["id"] == accepted["id"]:
                item["status"] = "failed"

    stripe_faults.after(monkeypatch, {"refunds.list": bank_returned})
    stripe_faults.deliver("charge.refund.updated", failed)
    record = refunds.get(made["pledge_id"])
    assert record.status == close_rules.REFUND_FAILED and record.failure_code == "expired_or_canceled_card"
    listed = refunds.list_admin(factories.admin(), status="failed", limit=100, next_token=None)["items"]
    assert made["pledge_id"] in {item["pledge_id"] for item in listed}
    # The schedule retries it: a new Refund for the whole amount, then the record is through.
    with clock.frozen(PAST + timedelta(days=90)):
        campaigns.run()
    assert refunds.get(made["pledge_id"]).status == close_rules.REFUND_SUCCEEDED
    assert sorted(r["amount"] for r in _refunds_of(made["payment_intent_id"])) == [3000, 3000]
    assert payments.refunded_cents(made["payment_intent_id"]) == 3000
    # The same failure told again (refund.failed): reopened, but nothing is refunded twice.
    stripe_faults.deliver("refund.failed", failed)
    with clock.frozen(PAST + timedelta(days=91)):
        campaigns.run()
    assert refunds.get(made["pledge_id"]).status == close_rules.REFUND_SUCCEEDED
    assert len(_refunds_of(made["payment_intent_id"])) == 2
    assert PledgeRecord.get(made["pledge_id"]).status == "refunded"
