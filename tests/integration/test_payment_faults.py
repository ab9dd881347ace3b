"""No money moves on a PaymentIntent the platform has not recorded, and every charge ends
counted or refunded: cancels racing the charge, answers lost after Stripe charged, webhooks
for canceled pledges. Against DynamoDB Local and localstripe, with faults injected at the
Stripe boundary (tests/stripe_faults.py)."""

from __future__ import annotations

import uuid

import pytest

from chalicelib.adapters.tables import PledgeRecord
from chalicelib.errors import ApiError
from chalicelib.services import contributions, pledges
from tests import factories, stripe_faults, stripe_helpers as stripe
from tests.integration.payment_checks import IntentLog, assert_money_accounted


def _cancel_quietly(user, pledge_id: str) -> None:
    try:
        pledges.cancel(user, pledge_id)
    except ApiError:
        pass  # 409: paid meanwhile


def _pledge_id(user, key: str) -> str:
    from chalicelib.domain import pledges as rules

    return rules.pledge_id_for(user.user_id, key)


@pytest.mark.parametrize("during", ["payment_intents.create", "payment_intents.confirm"])
def test_a_pledge_canceled_while_stripe_charges_it_never_ends_canceled_with_the_money(monkeypatch, during):
    film = factories.make_film()
    user, key = factories.member(), uuid.uuid4().hex
    log = IntentLog(monkeypatch, {during: stripe_faults.once(lambda _: _cancel_quietly(user, _pledge_id(user, key)))})
    try:
        pledges.create(user, film["film_id"], key, 2500, stripe.card())
    except ApiError:
        pass
    assert log.ids, "Stripe was asked for a PaymentIntent"
    assert_money_accounted(_pledge_id(user, key), log.ids, film["film_id"])


def test_a_create_that_timed_out_after_the_charge_then_a_cancel_then_the_webhook(monkeypatch):
    """The answer of the charging call is lost; the co-producer cancels; Stripe's webhook comes."""
    film = factories.make_film()
    user, key = factories.member(), uuid.uuid4().hex
    hooks = {"payment_intents.create": stripe_faults.once(stripe_faults.timeout),
             "payment_intents.confirm": stripe_faults.once(stripe_faults.timeout)}
    log = IntentLog(monkeypatch, hooks)
    pledge_id = _pledge_id(user, key)
    with pytest.raises(ApiError):
        pledges.create(user, film["film_id"], key, 2500, stripe.card())
    _cancel_quietly(user, pledge_id)
    for intent_id in log.ids:
        intent = stripe.intent(intent_id)
        if intent["status"] == "succeeded":
            stripe_faults.deliver("payment_intent.succeeded", intent)
    assert_money_accounted(pledge_id, log.ids, film["film_id"])


def test_the_webhook_of_a_payment_on_a_canceled_pledge_refunds_it(monkeypatch):
    """A pledge canceled on the platform while its 3-D Secure payment went through at Stripe:
    the later `payment_intent.succeeded` refunds the charge instead of being swallowed."""
    film = factories.make_film()
    user = factories.member()
    log = IntentLog(monkeypatch)
    made, _ = pledges.create(user, film["film_id"], uuid.uuid4().hex, 2000, stripe.card(stripe.THREE_D_SECURE))
    assert made["status"] == "requires_action"
    # The platform's record says canceled (a cancel whose Stripe call was lost), while the
    # customer completes 3-D Secure in the browser: Stripe charges the card.
    assert contributions.move(made["pledge_id"], "canceled")
    from chalicelib.adapters import payments

    payments.client().raw_request("post", f"/v1/payment_intents/{made['payment_intent_id']}/_authenticate",
                                  client_secret=made["client_secret"], success="true")
    intent = stripe.intent(made["payment_intent_id"])
    assert intent["status"] == "succeeded"
    stripe_faults.deliver("payment_intent.succeeded", intent)
    stripe_faults.deliver("payment_intent.succeeded", intent)  # a duplicate (new event id)
    pledge = PledgeRecord.get(made["pledge_id"], consistent_read=True)
    assert pledge.status == "refunded" and pledge.failure_code == "pledge_canceled"
    assert assert_money_accounted(made["pledge_id"], log.ids, film["film_id"]) == "refunded"


def test_a_retry_after_a_lost_answer_reads_the_payment_back_and_charges_nothing_twice(monkeypatch):
    film = factories.make_film()
    user, key, card = factories.member(), uuid.uuid4().hex, stripe.card()
    confirms = []
    log = IntentLog(monkeypatch, {"payment_intents.confirm": lambda r: (confirms.append(r["id"]),
                                                                        len(confirms) == 1 and stripe_faults.timeout())})
    with pytest.raises(ApiError):
        pledges.create(user, film["film_id"], key, 2500, card)
    again, created_now = pledges.create(user, film["film_id"], key, 2500, card)
    assert again["status"] == "confirmed" and not created_now
    assert len(log.ids) == 1 and len(confirms) == 1  # one PaymentIntent, confirmed once
    assert assert_money_accounted(again["pledge_id"], log.ids, film["film_id"]) == "confirmed"
