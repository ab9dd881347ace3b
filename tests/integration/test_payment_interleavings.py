"""A property over random interleavings of one pledge's life: the create (with its Stripe
answer lost, or a cancel or a webhook arriving while Stripe charges), cancels, webhooks
(duplicated, reordered), the customer's 3-D Secure, and reconciliation runs. Whatever the
order, once Stripe's last word is in: the card is charged iff the pledge ends counted or
refunded, and the film counts exactly the counted pledge. DynamoDB Local and localstripe;
faults injected at the Stripe boundary."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from chalicelib import clock
from chalicelib.adapters import payments
from chalicelib.adapters.tables import PledgeRecord
from chalicelib.domain import pledges as rules
from chalicelib.errors import ApiError
from chalicelib.services import pledges, reconciliation
from tests import factories, stripe_faults, stripe_helpers as stripe
from tests.integration.payment_checks import assert_money_accounted

FAULTS = ("none", "timeout_create", "timeout_confirm", "cancel_in_create", "cancel_in_confirm",
          "webhook_in_confirm")
STEPS = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(FAULTS)),
    st.tuples(st.just("cancel"), st.none()),
    st.tuples(st.just("webhooks"), st.sampled_from(("once", "twice", "reversed"))),
    st.tuples(st.just("authenticate"), st.none()),
    st.tuples(st.just("reconcile"), st.none()),
)


class Life:
    """One pledge, its film, and every PaymentIntent Stripe made for it."""

    def __init__(self, patch: pytest.MonkeyPatch, card: str):
        self.film = factories.make_film()["film_id"]
        self.user, self.key, self.card = factories.member(), uuid.uuid4().hex, card
        self.pledge_id = rules.pledge_id_for(self.user.user_id, self.key)
        self.intents: list[str] = []
        self.faults: dict[str, object] = {}
        real = payments.client()
        patch.setattr(payments, "client", lambda: stripe_faults.FaultyStripe(real, {
            "payment_intents.create": self._created, "payment_intents.confirm": self._confirmed}))

    def _created(self, result) -> None:
        if result["id"] not in self.intents:  # a retry with the same key: Stripe's same answer
            self.intents.append(result["id"])
        self._fault("create", result)

    def _confirmed(self, result) -> None:
        self._fault("confirm", result)

    def _fault(self, call: str, result) -> None:
        fault = self.faults.pop(call, None)
        if fault == "timeout":
            stripe_faults.timeout()
        elif fault == "cancel":
            self.cancel()
        elif fault == "webhook":
            self.webhooks("once")

    def create(self, fault: str) -> None:
        if fault != "none":
            what, call = fault.split("_in_") if "_in_" in fault else fault.split("_")
            self.faults[call] = what
        try:
            pledges.create(self.user, self.film, self.key, 2000, self.card)
        except ApiError:
            pass  # 5xx/409 to the customer; the pledge stays for a retry or reconciliation
        finally:
            self.faults.clear()

    def cancel(self) -> None:
        try:
            pledges.cancel(self.user, self.pledge_id)
        except ApiError:
            pass  # 404 (never created) or 409 (paid meanwhile)

    def webhooks(self, how: str) -> None:
        events = []
        for intent_id in self.intents:
            intent = stripe.intent(intent_id)
            if intent["status"] == "succeeded":
                events.append(("payment_intent.succeeded", intent))
            elif intent["status"] == "canceled":
                events.append(("payment_intent.canceled", intent))
            elif intent.get("last_payment_error"):
                events.append(("payment_intent.payment_failed", intent))
        events = events * 2 if how == "twice" else events[::-1] if how == "reversed" else events
        for event_type, obj in events:
            stripe_faults.deliver(event_type, obj)

    def authenticate(self) -> None:
        for intent_id in self.intents:
            intent = stripe.intent(intent_id)
            if intent["status"] == "requires_action":
                payments.client().raw_request("post", f"/v1/payment_intents/{intent_id}/_authenticate",
                                              client_secret=intent["client_secret"], success="true")

    def reconcile(self, hours: int = 0) -> None:
        pledge = PledgeRecord.get(self.pledge_id, consistent_read=True) if self.exists() else None
        if pledge is not None and pledge.unsettled:
            with clock.frozen(clock.now() + timedelta(minutes=20, hours=hours)):
                reconciliation.settle(pledge)

    def exists(self) -> bool:
        try:
            PledgeRecord.get(self.pledge_id, consistent_read=True)
            return True
        except PledgeRecord.DoesNotExist:
            return False


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(card=st.sampled_from(("visa", "3ds")), steps=st.lists(STEPS, min_size=1, max_size=6))
def test_whatever_the_interleaving_a_charge_ends_counted_or_refunded(card, steps):
    with pytest.MonkeyPatch.context() as patch:
        life = Life(patch, stripe.card(stripe.VISA if card == "visa" else stripe.THREE_D_SECURE))
        life.create("none") if steps[0][0] != "create" else None
        for step, arg in steps:
            if step == "create":
                life.create(arg)
            elif step == "cancel":
                life.cancel()
            elif step == "webhooks":
                life.webhooks(arg)
            elif step == "authenticate":
                life.authenticate()
            else:
                life.reconcile()
        # Stripe's last word (its webhooks), then reconciliation once the customer has gone.
        life.webhooks("once")
        life.reconcile(hours=2)
        if not life.exists():
            # Never written (Stripe's answer to the opening call was lost): its PaymentIntent was
            # never confirmed, and nobody was given its client secret.
            assert not [i for i in life.intents if stripe.intent(i)["status"] == "succeeded"]
            return
        pledge = PledgeRecord.get(life.pledge_id, consistent_read=True)
        assert pledge.status in rules.SETTLED, pledge.status  # nothing left waiting
        status = assert_money_accounted(life.pledge_id, life.intents, life.film)
        # Money only ever moved on the PaymentIntent the pledge names.
        for intent_id in life.intents:
            if stripe.intent(intent_id)["status"] == "succeeded":
                assert intent_id == pledge.payment_intent_id, (status, intent_id)
