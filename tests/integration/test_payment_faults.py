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
    """The answer of the opening call is lost (nothing written: the client retries with the same
    key), then the charging call's; the co-producer cancels; Stripe's webhook comes."""
    film = factories.make_film()
    user, key, card = factories.member(), uuid.uuid4().hex, stripe.card()
    hooks = {"payment_intents.create": stripe_faults.once(stripe_faults.timeout),
             "payment_intents.confirm": stripe_faults.once(stripe_faults.timeout)}
    log = IntentLog(monkeypatch, hooks)
    pledge_id = _pledge_id(user, key)
    with pytest.raises(ApiError):
        pledges.create(user, film["film_id"], key, 2500, card)
    assert not _exists(pledge_id)
    with pytest.raises(ApiError):
        pledges.create(user, film["film_id"], key, 2500, card)
    _cancel_quietly(user, pledge_id)
    log.ids[:] = sorted(set(log.ids))
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
    assert contributions.move(made["pledge_id"], "canceled", user_id=user.user_id)
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
    assert len(set(log.ids)) == 1 and len(confirms) == 1  # one PaymentIntent, confirmed once
    assert assert_money_accounted(again["pledge_id"], sorted(set(log.ids)), film["film_id"]) == "confirmed"


class Crash(Exception):
    pass


def _crash_at(point: str):
    def hook(name: str) -> None:
        if name == point:
            raise Crash(name)
    return hook


def _exists(pledge_id: str) -> bool:
    try:
        PledgeRecord.get(pledge_id, consistent_read=True)
        return True
    except PledgeRecord.DoesNotExist:
        return False


def test_a_film_that_closes_while_stripe_opens_the_payment_gets_no_pledge_and_the_payment_is_canceled(monkeypatch):
    from chalicelib.adapters.tables import FilmRecord

    film = factories.make_film()
    user, key = factories.member(), uuid.uuid4().hex

    def close(_result) -> None:
        FilmRecord(film["film_id"]).update(actions=[FilmRecord.status.set("funded")])

    log = IntentLog(monkeypatch, {"payment_intents.create": stripe_faults.once(close)})
    with pytest.raises(ApiError) as refused:
        pledges.create(user, film["film_id"], key, 2500, stripe.card())
    assert refused.value.status == 409 and refused.value.code == "film_not_open"
    assert len(log.ids) == 1 and stripe.intent(log.ids[0])["status"] == "canceled"
    assert not _exists(_pledge_id(user, key))


def test_a_retry_after_stripe_forgot_the_key_cancels_the_new_payment_and_answers_the_pledge(monkeypatch):
    """Stripe keeps an idempotency key 24 hours: a retry after that makes a new PaymentIntent,
    which nobody records: it is canceled, and the retry gets the first pledge."""
    from chalicelib.adapters import payments

    film = factories.make_film()
    user, key, card = factories.member(), uuid.uuid4().hex, stripe.card()
    log = IntentLog(monkeypatch)
    first, _ = pledges.create(user, film["film_id"], key, 2500, card)
    real_open = payments.open_intent
    monkeypatch.setattr(payments, "open_intent",
                        lambda **kw: real_open(**dict(kw, idempotency_key=kw["idempotency_key"] + "-forgotten")))
    again, created_now = pledges.create(user, film["film_id"], key, 2500, card)
    assert not created_now and again == first and first["status"] == "confirmed"
    assert len(log.ids) == 2 and log.ids[0] == first["payment_intent_id"]
    assert stripe.intent(log.ids[1])["status"] == "canceled"
    assert assert_money_accounted(first["pledge_id"], log.ids, film["film_id"]) == "confirmed"


def test_a_crash_after_the_payment_is_opened_leaves_no_pledge_and_the_retry_uses_the_same_payment(monkeypatch):
    from chalicelib.services import refunds

    film = factories.make_film()
    user, key, card = factories.member(), uuid.uuid4().hex, stripe.card()
    log = IntentLog(monkeypatch)
    with refunds.faults(_crash_at("pledge.intent_opened")), pytest.raises(Crash):
        pledges.create(user, film["film_id"], key, 2500, card)
    assert not _exists(_pledge_id(user, key))
    assert stripe.intent(log.ids[0])["status"] in ("requires_confirmation", "requires_payment_method")
    again, created_now = pledges.create(user, film["film_id"], key, 2500, card)
    assert created_now and again["status"] == "confirmed" and again["payment_intent_id"] == log.ids[0]
    assert set(log.ids) == {log.ids[0]}  # Stripe answered the same PaymentIntent for the same key
    assert assert_money_accounted(again["pledge_id"], [log.ids[0]], film["film_id"]) == "confirmed"


def test_a_crash_after_the_pledge_is_written_is_finished_by_the_retry_once_the_lease_lapses(monkeypatch):
    from datetime import timedelta

    from chalicelib import clock
    from chalicelib.services import refunds

    film = factories.make_film()
    user, key, card = factories.member(), uuid.uuid4().hex, stripe.card()
    log = IntentLog(monkeypatch)
    with refunds.faults(_crash_at("pledge.opened")), pytest.raises(Crash):
        pledges.create(user, film["film_id"], key, 2500, card)
    written = PledgeRecord.get(_pledge_id(user, key), consistent_read=True)
    assert (written.status, written.payment_intent_id) == ("pending", log.ids[0]) and written.client_secret
    with clock.frozen(clock.now() + timedelta(seconds=pledges.LEASE_SECONDS + 1)):
        again, created_now = pledges.create(user, film["film_id"], key, 2500, card)
    assert not created_now and again["status"] == "confirmed" and again["payment_intent_id"] == log.ids[0]
    assert set(log.ids) == {log.ids[0]}
    assert assert_money_accounted(again["pledge_id"], [log.ids[0]], film["film_id"]) == "confirmed"


def test_a_key_stripe_refuses_for_other_parameters_gets_the_first_pledges_answer(monkeypatch):
    """Stripe answers 400 `idempotency_error` when a key comes back with other parameters (another
    amount): the pledge the key made answers (422 for another body), nothing else is written."""
    from chalicelib.adapters import payments

    film = factories.make_film()
    user, key, card = factories.member(), uuid.uuid4().hex, stripe.card()
    first, _ = pledges.create(user, film["film_id"], key, 2500, card)

    def refused(**kw):
        raise payments.KeyReused(kw["idempotency_key"])

    monkeypatch.setattr(payments, "open_intent", refused)
    with pytest.raises(ApiError) as reused:
        pledges.create(user, film["film_id"], key, 2600, card)
    assert (reused.value.status, reused.value.code) == (422, "idempotency_key_reused")
    assert pledges.create(user, film["film_id"], key, 2500, card) == (first, False)
    with pytest.raises(ApiError) as never_made:
        pledges.create(user, film["film_id"], uuid.uuid4().hex, 2500, card)
    assert never_made.value.code == "request_in_progress" and never_made.value.status == 409
