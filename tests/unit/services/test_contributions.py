"""Where money is counted (services/contributions.py), on the in-memory twin: every webhook
order and replay counts a pledge's cents once, and money that can no longer count goes back."""

from __future__ import annotations

import pytest

from chalicelib import clock
from chalicelib.adapters.tables import DisputeRecord
from chalicelib.errors import Unavailable
from chalicelib.services import contributions, handlers, messagebus
from tests.unit.services.conftest import FILM, pledge


def totals(store, user_id="u1", film_id=FILM):
    backing, user = store.totals.backing(film_id, user_id), store.totals.user(user_id)
    film = store.totals.counter(f"film#{film_id}")
    return {
        "backing": int(backing.confirmed_cents) if backing else None,
        "user": int(user.confirmed_cents) if user else None,
        "raised": film["raised_cents"], "coproducers": film["coproducer_count"],
        "platform": store.totals.counter("platform")["raised_cents"],
        "platform_coproducers": store.totals.counter("platform")["coproducers"],
        "days": store.funding_days(film_id),
    }


def test_a_pledge_is_counted_once_however_often_its_payment_is_announced(store, stripe, goals):
    made = pledge(store)
    confirmed_at = contributions.confirm(made, payment_intent_id="pi_1")
    assert confirmed_at == clock.iso()
    for _ in range(3):  # the webhook replayed, the client's retry, reconciliation
        assert contributions.confirm(made, payment_intent_id="pi_1") is None
    assert totals(store) == {"backing": 2500, "user": 2500, "raised": 2500, "coproducers": 1, "platform": 2500,
                             "platform_coproducers": 1,
                             "days": {"2026-03-01": {"raised_cents": 2500, "coproducer_count": 1}}}
    counted = store.pledges.get("p1")
    assert (counted.status, counted.confirmed_at, counted.unsettled, int(counted.lease_until)) == (
        "confirmed", confirmed_at, None, 0)
    assert goals == [(FILM, confirmed_at)]  # the goal check follows the one counting, not the replays
    assert stripe.created == []


def test_a_failure_announced_after_the_success_changes_nothing(store, stripe, goals):
    made = pledge(store)
    contributions.confirm(made, payment_intent_id="pi_1")
    assert not contributions.move("p1", "failed", user_id="u1", intent="pi_1", failure_code="card_declined",
                                  lease_until=0)
    assert not contributions.move("p1", "canceled", user_id="u1", intent="pi_1", lease_until=0)
    assert store.pledges.get("p1").status == "confirmed"
    assert totals(store)["raised"] == 2500


def test_a_payment_that_waited_for_the_customer_counts_when_it_succeeds(store, stripe, goals):
    made = pledge(store)
    assert contributions.move("p1", "requires_action", user_id="u1", intent="pi_1")
    assert contributions.confirm(made, payment_intent_id="pi_1") is not None
    assert totals(store)["backing"] == 2500


def test_a_move_decided_on_another_payment_intent_does_not_happen(store):
    pledge(store, payment_intent_id="pi_new")
    assert not contributions.move("p1", "canceled", user_id="u1", intent=None)  # decided before pi_new was recorded
    assert not contributions.move("p1", "canceled", user_id="u1", intent="pi_old")
    assert store.pledges.get("p1").status == "pending"
    assert contributions.move("p1", "canceled", user_id="u1", intent="pi_new", lease_until=0)
    assert store.pledges.get("p1").unsettled is None


def test_a_second_pledge_adds_cents_but_not_a_coproducer(store, stripe, goals):
    contributions.confirm(pledge(store, "p1"))
    contributions.confirm(pledge(store, "p2", amount_cents=1000))
    contributions.confirm(pledge(store, "p3", user_id="u2", amount_cents=4000))
    seen = totals(store)
    assert (seen["backing"], seen["user"], seen["raised"], seen["coproducers"]) == (3500, 3500, 7500, 2)
    assert seen["platform_coproducers"] == 2


def test_a_payment_after_the_film_stopped_taking_money_is_refunded_never_counted(store, stripe, goals):
    store.put_film(FILM, closing_at=clock.iso())
    made = pledge(store)
    assert contributions.confirm(made, payment_intent_id="pi_1") is None
    assert contributions.confirm(made, payment_intent_id="pi_1") is None  # the webhook again
    assert stripe.created == [("pi_1", 2500, "refund-p1")]  # once
    refunded = store.pledges.get("p1")
    assert (refunded.status, int(refunded.amount_refunded_cents), refunded.failure_code) == (
        "refunded", 2500, "campaign_closed")
    assert store.refunds.get("p1").status == "succeeded"
    assert totals(store)["raised"] == 0 and totals(store)["backing"] is None
    assert goals == []


def test_money_on_a_pledge_canceled_meanwhile_is_refunded(store, stripe, goals):
    made = pledge(store)
    assert contributions.move("p1", "canceled", user_id="u1", intent="pi_1", lease_until=0)
    assert contributions.confirm(made, payment_intent_id="pi_1") is None
    assert stripe.created == [("pi_1", 2500, "refund-p1")]
    assert store.refunds.get("p1").reason == "pledge_canceled"
    assert store.pledges.get("p1").status == "refunded"
    assert totals(store)["raised"] == 0


def test_a_refund_takes_the_cents_off_once(store, stripe, goals):
    contributions.confirm(pledge(store))
    contributions.confirm(pledge(store, "p2", user_id="u2", amount_cents=1000))
    assert contributions.refund("p1", 2500) == 2500
    assert contributions.refund("p1", 2500) == 0  # charge.refunded replayed
    seen = totals(store)
    assert (seen["backing"], seen["user"], seen["raised"], seen["coproducers"], seen["platform_coproducers"]) == (
        0, 0, 1000, 1, 1)
    refunded = store.pledges.get("p1")
    assert (refunded.status, list(refunded.refund_history)) == ("refunded", [f"{clock.iso()}#2500"])


def test_partial_refunds_count_what_is_new_in_the_cumulative_amount(store, stripe, goals):
    contributions.confirm(pledge(store))
    assert contributions.refund("p1", 1000) == 1000
    assert contributions.refund("p1", 1000) == 0
    assert contributions.refund("p1", 2500) == 1500
    assert store.pledges.get("p1").status == "refunded"
    assert totals(store)["coproducers"] == 0


def test_a_refund_announced_before_the_success_counts_the_pledge_then_takes_it_off(store, stripe, goals):
    pledge(store)
    assert contributions.refund("p1", 2500) == 2500
    seen = totals(store)
    assert (seen["raised"], seen["coproducers"], seen["backing"]) == (0, 0, 0)
    assert store.pledges.get("p1").status == "refunded"
    assert contributions.confirm(store.pledges.get("p1")) is None  # the late success: nothing more


def test_a_pledge_that_lost_to_a_concurrent_transaction_backs_off_then_counts(store, goals, pauses):
    store.contend(2)
    assert contributions.confirm(pledge(store)) is not None
    assert pauses == [0, 1]  # retry.pause's attempts: one backoff for the money services
    assert totals(store)["raised"] == 2500


def test_endless_contention_answers_unavailable_and_counts_nothing(store, goals, pauses):
    store.contend(contributions.MAX_ATTEMPTS)
    with pytest.raises(Unavailable):
        contributions.confirm(pledge(store))
    assert pauses == list(range(contributions.MAX_ATTEMPTS))
    assert totals(store)["raised"] == 0 and store.pledges.get("p1").status == "pending"


def test_a_failed_goal_check_leaves_the_pledge_counted(store, monkeypatch):
    def broken(event):
        raise RuntimeError("films table unreachable")

    monkeypatch.setitem(handlers.EVENT_HANDLERS, messagebus.PledgeCounted, [broken])
    assert contributions.confirm(pledge(store)) is not None
    assert totals(store)["raised"] == 2500


def _dispute_step(made, kind="opened"):
    now = clock.iso()
    return DisputeRecord(made.pledge_id, f"dp_1#{kind}", dispute_id="dp_1", kind=kind, film_id=made.film_id,
                         user_id=made.user_id, disputed_cents=2500, counted_delta_cents=0, recorded_at=now,
                         listed="dispute", listed_key=f"{now}#dp_1#{kind}")


def test_a_dispute_step_moves_the_totals_once(store, stripe, goals):
    made = pledge(store)
    contributions.confirm(made)
    assert contributions.shift(made, -2500, _dispute_step(made)) == -2500
    assert contributions.shift(made, -2500, _dispute_step(made)) is None  # the webhook again
    assert (totals(store)["raised"], totals(store)["coproducers"]) == (0, 0)
    assert contributions.shift(made, 2500, _dispute_step(made, "won")) == 2500
    assert (totals(store)["raised"], totals(store)["coproducers"]) == (2500, 1)


def test_a_dispute_never_takes_out_more_than_the_totals_hold(store, stripe, goals):
    made = pledge(store)
    contributions.confirm(made)
    contributions.refund("p1", 2000)
    assert contributions.shift(made, -2500, _dispute_step(made)) == -500
    assert totals(store)["backing"] == 0


def test_counting_a_pledge_is_one_transaction(store, goals):
    contributions.confirm(pledge(store))
    assert store.state.commits == 1  # the pledge, its backing, its user, counters and day together
    contributions.confirm(pledge(store, "p2"))  # joined already: one refused guess, then one write
    assert store.state.commits == 2
