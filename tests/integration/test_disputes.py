"""Disputes: the disputed cents leave the film's total, the co-producer's backing and the
platform's totals as a new record; a won dispute puts them back, a lost one leaves them out;
a failed campaign's close treats a disputed charge as settled. Signed webhooks, DynamoDB Local,
localstripe."""

from __future__ import annotations

import uuid

from chalicelib.adapters import counters, payments
from chalicelib.adapters.tables import BackingRecord, CampaignCloseRecord, UserRecord
from chalicelib.services import campaigns, pledges, refunds
from tests import factories, stripe_faults, stripe_helpers as stripe


def _dispute(pledge: dict, amount: int | None = None, status: str = "needs_response") -> dict:
    intent = stripe.intent(pledge["payment_intent_id"])
    charge = intent["latest_charge"]
    charge = charge["id"] if isinstance(charge, dict) else charge
    return {"id": f"dp_{uuid.uuid4().hex[:14]}", "object": "dispute", "amount": amount or pledge["amount_cents"],
            "currency": "eur", "charge": charge, "payment_intent": pledge["payment_intent_id"],
            "reason": "fraudulent", "status": status}


def _totals(film_id: str, user) -> tuple[int, int, int, int]:
    film = counters.read(counters.film_counter(film_id))
    backing = BackingRecord.get(film_id, user.user_id, consistent_read=True)
    me = UserRecord.get(user.user_id, consistent_read=True)
    return film["raised_cents"], film["coproducer_count"], int(backing.confirmed_cents), int(me.confirmed_cents)


def test_a_dispute_takes_the_money_out_a_won_one_puts_it_back_a_lost_one_leaves_it_out():
    film = factories.make_film()
    alice, bob = factories.member(), factories.member()
    a = pledges.create(alice, film["film_id"], uuid.uuid4().hex, 3000, stripe.card())[0]
    b = pledges.create(bob, film["film_id"], uuid.uuid4().hex, 2000, stripe.card())[0]
    platform = counters.read(counters.PLATFORM)
    dispute = _dispute(a)
    for _ in range(2):  # a duplicate (new event id) moves nothing twice
        stripe_faults.deliver("charge.dispute.created", dispute)
    assert _totals(film["film_id"], alice) == (2000, 1, 0, 0)  # perk level and royalty weight gone
    from chalicelib.services import disputes

    after = counters.read(counters.PLATFORM)
    assert (after["raised_cents"], after["coproducers"]) == (platform["raised_cents"] - 3000,
                                                             platform["coproducers"] - 1)
    assert disputes.holds(a["pledge_id"])
    stripe_faults.deliver("charge.dispute.closed", dict(dispute, status="won"))
    stripe_faults.deliver("charge.dispute.closed", dict(dispute, status="won"))
    assert _totals(film["film_id"], alice) == (5000, 2, 3000, 3000)
    assert not disputes.holds(a["pledge_id"])
    # Closed before its opening arrived (reordered), and lost: out, once.
    lost = _dispute(b, amount=2000, status="lost")
    stripe_faults.deliver("charge.dispute.closed", lost)
    stripe_faults.deliver("charge.dispute.created", dict(lost, status="needs_response"))
    assert _totals(film["film_id"], bob) == (3000, 1, 0, 0)
    listed = disputes.list_admin(factories.admin(), limit=100, next_token=None)["items"]
    mine = [(i["dispute_id"], i["kind"], i["counted_delta_cents"]) for i in listed
            if i["film_id"] == film["film_id"]]
    assert sorted(mine) == sorted([(dispute["id"], "opened", -3000), (dispute["id"], "won", 3000),
                                   (lost["id"], "opened", -2000), (lost["id"], "lost", 0)])


def test_a_failed_campaign_closes_with_a_disputed_charge_instead_of_retrying_its_refund(monkeypatch):
    from tests.integration.test_campaign_close import ended_film, pay

    film = ended_film(goal_cents=1_000_000)
    disputed, kept = pay(film["film_id"], [4000, 2500])
    stripe_faults.deliver("charge.dispute.created", _dispute(disputed))
    real = payments.create_refund

    def stripe_refuses_disputed(**kwargs):
        if kwargs["payment_intent_id"] == disputed["payment_intent_id"]:
            raise payments.RefundRejected("charge_disputed", "Charge has been disputed: it cannot be refunded.")
        return real(**kwargs)

    monkeypatch.setattr(payments, "create_refund", stripe_refuses_disputed)
    campaigns.run()
    close = CampaignCloseRecord.get(film["film_id"], consistent_read=True)
    assert close.state == "done" and int(close.outstanding) == 0
    record = refunds.get(disputed["pledge_id"])
    assert record.status == "succeeded" and record.failure_code == "charge_disputed"
    assert payments.refunded_cents(kept["payment_intent_id"]) == 2500
    assert counters.read(counters.film_counter(film["film_id"]))["raised_cents"] == 0
