"""Closing campaigns against DynamoDB Local and localstripe: funded, failed and refunded once,
resumable after a crash at any point, with races and Stripe errors."""

from __future__ import annotations

import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib import clock
from chalicelib.adapters import counters, payments
from chalicelib.adapters.tables import CampaignCloseRecord, FilmRecord, OutboxRecord, PledgeRecord, UserRecord
from chalicelib.domain import events
from chalicelib.observability import metrics
from chalicelib.services import campaigns, milestones, pledges, refunds, stripe_events
from tests import factories, stripe_helpers as stripe

PAST = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=60)
CARD = None


class Killed(BaseException):
    """A crash: not an Exception, so nothing in the job catches it."""


def card() -> str:
    global CARD
    CARD = CARD or stripe.card()
    return CARD


def ended_film(goal_cents: int = 500_000, **overrides) -> dict:
    """An open film whose deadline passed a month ago (created two months ago)."""
    with clock.frozen(PAST):
        return factories.make_film(goal_cents=goal_cents, **overrides)


def pay(film_id: str, amounts: list[int], users=None, pm: str | None = None, threads: int = 1) -> list[dict]:
    users = users or [factories.member() for _ in amounts]

    def one(item):
        user, amount = item
        return pledges.create(user, film_id, uuid.uuid4().hex, amount, pm or card())[0]

    with clock.frozen(PAST + timedelta(days=1)):
        with ThreadPoolExecutor(max_workers=threads) as pool:
            made = list(pool.map(one, zip(users, amounts)))
    assert {p["status"] for p in made} == {"confirmed"}
    return made


def refunds_in_stripe(film_id: str) -> dict[str, int]:
    """pledge_id -> number of Refunds localstripe holds for it."""
    found: dict[str, int] = {}
    for refund in payments.client().v1.refunds.list(params={"limit": 100}).auto_paging_iter():
        metadata = refund.to_dict().get("metadata") or {}
        if metadata.get("film_id") == film_id:
            found[metadata["pledge_id"]] = found.get(metadata["pledge_id"], 0) + 1
    return found


def film_pledges(film_id: str) -> list[PledgeRecord]:
    return list(PledgeRecord.by_film.query(film_id))


def totals(film_id: str) -> dict[str, int]:
    return counters.read(counters.film_counter(film_id))


def outcome_event(film_id: str, event_type: str):
    try:
        return OutboxRecord.get(events.event_id(event_type, film_id, "closed"), consistent_read=True)
    except OutboxRecord.DoesNotExist:
        return None


def later(minutes: int) -> datetime:
    return datetime.now(timezone.utc) + timedelta(minutes=minutes)


@pytest.mark.slow
def test_a_failed_film_with_500_pledges_is_refunded_once_even_when_run_again():
    film = ended_film(goal_cents=10_000_000)
    film_id = film["film_id"]
    made = pay(film_id, [1000 + 100 * (i % 30) for i in range(500)], threads=8)
    raised = sum(p["amount_cents"] for p in made)
    assert totals(film_id)["raised_cents"] == raised
    stats_before = counters.read(counters.PLATFORM)
    open_before = {f.film_id for f in FilmRecord.scan(FilmRecord.status == "open")}

    report = campaigns.run()
    assert film_id in report["closed"] and report["finished"]
    # Other tests' ended films share the table: the run closes them too.
    left_open = {f.film_id for f in FilmRecord.scan(FilmRecord.status == "open")}

    assert FilmRecord.get(film_id).status == "failed"
    assert totals(film_id)["raised_cents"] == 0 and totals(film_id)["coproducer_count"] == 0
    statuses = {p.status for p in film_pledges(film_id)}
    assert statuses == {"refunded"}
    counted = refunds_in_stripe(film_id)
    assert len(counted) == 500 and set(counted.values()) == {1}
    platform = counters.read(counters.PLATFORM)
    assert platform["raised_cents"] == stats_before["raised_cents"] - raised
    assert platform["open_films"] == stats_before["open_films"] - len(open_before - left_open)
    event = outcome_event(film_id, events.CAMPAIGN_FAILED)
    assert event.data == {"title": film["title"], "raised_cents": raised, "goal_cents": 10_000_000,
                          "refunded_pledges": 500}
    assert event.audience["kind"] == events.BACKERS

    # Run again, and close the film again: nothing more goes back.
    campaigns.run()
    assert campaigns.close(film_id)["close"]["refunded_pledges"] == 500
    assert refunds_in_stripe(film_id) == counted
    assert totals(film_id)["raised_cents"] == 0


def test_killed_at_ten_random_points_then_run_to_the_end_refunds_each_pledge_once(monkeypatch):
    monkeypatch.setattr(campaigns, "PAGE_SIZE", 7)  # several pages, several cursors
    film = ended_film()
    film_id = film["film_id"]
    users = [factories.member() for _ in range(8)]
    made = pay(film_id, [1500 + 100 * i for i in range(24)], users=users * 3, threads=4)
    raised = sum(p["amount_cents"] for p in made)
    rng = random.Random(2024)
    kills, minutes, points = 0, 0, set()
    for _ in range(10):
        calls = {"n": 0, "at": rng.randint(1, 12), "where": None}

        def crash(name, calls=calls):
            calls["n"] += 1
            if calls["n"] == calls["at"]:
                calls["where"] = name
                raise Killed(name)

        minutes += 10  # past every lease the crashed run held
        with clock.frozen(later(minutes)), refunds.faults(crash):
            try:
                campaigns.run()
            except Killed:
                kills += 1
                points.add(calls["where"])
        # Never more than one Refund per pledge, whatever point the crash hit.
        assert set(refunds_in_stripe(film_id).values()) <= {1}, calls["where"]
    assert kills == 10
    # Between the close's steps, before and after Stripe, before the pledge and the totals follow.
    assert {"refund.leased", "refund.stripe_done", "refund.applied"} <= points, points
    with clock.frozen(later(minutes + 10)):
        report = campaigns.run()
    assert film_id in report["closed"]
    assert refunds_in_stripe(film_id) == {p["pledge_id"]: 1 for p in made}
    assert {p.status for p in film_pledges(film_id)} == {"refunded"}
    assert totals(film_id)["raised_cents"] == 0 and totals(film_id)["coproducer_count"] == 0
    for user in users:
        assert int(UserRecord.get(user.user_id).confirmed_cents) == 0
    close = CampaignCloseRecord.get(film_id)
    assert (close.state, int(close.refunded_pledges), int(close.outstanding)) == ("done", 24, 0)
    assert outcome_event(film_id, events.CAMPAIGN_FAILED).data["raised_cents"] == raised


def test_funded_film_reaches_its_goal_early_stays_open_then_closes_funded():
    film = ended_film(goal_cents=5_000)
    film_id = film["film_id"]
    first = pay(film_id, [2_000, 2_000])
    milestones.check(film_id)  # the counters stream delivers each change of the film's counter
    assert FilmRecord.get(film_id).goal_reached_at is None
    crossing = PAST + timedelta(days=2)
    with clock.frozen(crossing):
        pledges.create(factories.member(), film_id, uuid.uuid4().hex, 1_500, card())
        milestones.check(film_id)
    record = FilmRecord.get(film_id, consistent_read=True)
    assert record.status == "open" and record.goal_reached_at == clock.iso(crossing)
    with clock.frozen(crossing + timedelta(hours=1)):  # over-funding is welcome until the deadline
        pledges.create(factories.member(), film_id, uuid.uuid4().hex, 1_000, card())
        milestones.check(film_id)
    assert FilmRecord.get(film_id, consistent_read=True).goal_reached_at == clock.iso(crossing)

    campaigns.run()
    campaigns.run()
    record = FilmRecord.get(film_id, consistent_read=True)
    assert record.status == "funded" and record.closed_at and record.goal_reached_at == clock.iso(crossing)
    assert {p.status for p in film_pledges(film_id)} == {"confirmed"}
    assert refunds_in_stripe(film_id) == {}
    assert totals(film_id)["raised_cents"] == 6_500 and totals(film_id)["coproducer_count"] == 4
    event = outcome_event(film_id, events.CAMPAIGN_FUNDED)
    assert event.data == {"title": film["title"], "raised_cents": 6_500, "goal_cents": 5_000, "coproducer_count": 4}
    assert event.audience["kind"] == events.COPRODUCERS
    assert outcome_event(film_id, events.CAMPAIGN_FAILED) is None
    # Stripe's webhook for a payment counted before the close, replayed after it: nothing moves.
    stripe_events._succeeded(stripe.intent(first[0]["payment_intent_id"]))
    assert PledgeRecord.get(first[0]["pledge_id"]).status == "confirmed"
    assert refunds_in_stripe(film_id) == {} and totals(film_id)["raised_cents"] == 6_500


def test_the_close_job_records_a_goal_reached_without_a_record_and_ignores_films_not_due():
    due = ended_film(goal_cents=2_000)
    pay(due["film_id"], [2_000])
    FilmRecord(due["film_id"]).update(actions=[FilmRecord.goal_reached_at.remove()])
    running = factories.make_film()  # deadline in a month
    campaigns.run()
    assert FilmRecord.get(due["film_id"]).goal_reached_at == FilmRecord.get(due["film_id"]).closed_at
    assert FilmRecord.get(running["film_id"]).status == "open"


def test_a_payment_racing_the_close_is_refunded_and_a_later_pledge_is_refused():
    film = factories.make_film(goal_cents=100_000)  # still running: an admin closes it now
    film_id = film["film_id"]
    early = pay(film_id, [3_000])[0]
    pending = pledges.create(factories.member(), film_id, "3ds", 2_000, stripe.card(stripe.THREE_D_SECURE))[0]
    assert pending["status"] == "requires_action"
    raced = {}

    def pledge_meanwhile(name):
        # The film takes no money any more, but the request already passed its checks.
        if name == "close.started" and not raced:
            raced["pledge"] = pledges.create(factories.member(), film_id, "racer", 4_000, card())[0]

    with refunds.faults(pledge_meanwhile):
        summary = campaigns.close_now(factories.admin(), film_id)
    assert summary["status"] == "failed" and summary["close"]["state"] == "done"
    late = raced["pledge"]
    assert late["status"] == "refunded" and late["failure_code"] == "campaign_closed"
    assert late["amount_refunded_cents"] == 4_000
    # The money never counted: the decision saw only the early pledge.
    assert summary["close"]["raised_cents"] == 3_000 and summary["raised_cents"] == 0
    assert refunds_in_stripe(film_id) == {early["pledge_id"]: 1, late["pledge_id"]: 1}
    assert PledgeRecord.get(pending["pledge_id"]).status == "canceled"
    assert stripe.intent(pending["payment_intent_id"])["status"] == "canceled"
    # Stripe's own word on the late payment, replayed, changes nothing.
    for _ in range(2):
        stripe_events._succeeded(stripe.intent(late["payment_intent_id"]))
    assert PledgeRecord.get(late["pledge_id"]).status == "refunded"
    assert totals(film_id)["raised_cents"] == 0 and refunds_in_stripe(film_id)[late["pledge_id"]] == 1
    # A pledge that arrives after the close is refused.
    with pytest.raises(Exception) as refused:
        pledges.create(factories.member(), film_id, "after", 2_000, card())
    assert getattr(refused.value, "status", None) == 409


def test_a_refund_stripe_rejects_is_recorded_retried_with_backoff_then_done(monkeypatch):
    film = ended_film()
    film_id = film["film_id"]
    made = pay(film_id, [2_500, 3_500])
    real_create = payments.create_refund
    rejected = []

    def reject_first(**kwargs):
        if not rejected:
            rejected.append(kwargs)
            raise payments.RefundRejected("balance_insufficient", "The balance is too low for this refund.")
        return real_create(**kwargs)

    monkeypatch.setattr(payments, "create_refund", reject_first)
    now = datetime.now(timezone.utc)
    metrics.clear_metrics()
    with clock.frozen(now):
        campaigns.run()
    assert metrics.metric_set["RefundFailed"]["Value"] == [1.0]  # the alarm's metric
    failed_pledge = rejected[0]["metadata"]["pledge_id"]
    record = refunds.get(failed_pledge)
    assert (record.status, record.failure_code, int(record.failures)) == ("failed", "balance_insufficient", 1)
    assert record.next_attempt_at == clock.iso(now + timedelta(minutes=15))
    close = CampaignCloseRecord.get(film_id)
    assert close.state == "refunding" and int(close.outstanding) == 1
    assert outcome_event(film_id, events.CAMPAIGN_FAILED) is None
    listed = refunds.list_admin(factories.admin(), status="failed", limit=100, next_token=None)["items"]
    assert failed_pledge in {item["pledge_id"] for item in listed}

    with clock.frozen(now + timedelta(minutes=5)):  # not due yet: left alone
        campaigns.run()
    assert refunds.get(failed_pledge).status == "failed"
    with clock.frozen(now + timedelta(minutes=16)):
        campaigns.run()
    record = refunds.get(failed_pledge)
    assert record.status == "succeeded" and int(record.attempts) == 2
    assert rejected[0]["idempotency_key"] == f"refund-{failed_pledge}"
    assert refunds_in_stripe(film_id) == {p["pledge_id"]: 1 for p in made}
    assert CampaignCloseRecord.get(film_id).state == "done"
    assert outcome_event(film_id, events.CAMPAIGN_FAILED).data["refunded_pledges"] == 2
    listed = refunds.list_admin(factories.admin(), status="failed", limit=100, next_token=None)["items"]
    assert failed_pledge not in {item["pledge_id"] for item in listed}
