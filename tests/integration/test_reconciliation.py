"""Payment reconciliation against DynamoDB Local and localstripe: pledges whose webhook never
came, whose Stripe answer was lost, or that were abandoned, are settled from what Stripe says;
bounded and resumable; what it could not repair is recorded and counted."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from chalicelib import clock
from chalicelib.adapters import counters, payments
from chalicelib.adapters.tables import FilmRecord, PledgeRecord
from chalicelib.errors import ApiError, Unavailable
from chalicelib.observability import metrics
from chalicelib.services import campaigns, pledges, reconciliation, refunds
from tests import factories, stripe_faults, stripe_helpers as stripe
from tests.integration.payment_checks import IntentLog, assert_money_accounted


def _past(minutes: int):
    return clock.frozen(clock.now() - timedelta(minutes=minutes))


def _authenticate(pledge: dict) -> None:
    payments.client().raw_request("post", f"/v1/payment_intents/{pledge['payment_intent_id']}/_authenticate",
                                  client_secret=pledge["client_secret"], success="true")


def _entry(report: dict, pledge_id: str, kind: str = "repaired") -> dict | None:
    return next((e for e in report[kind] if e["pledge_id"] == pledge_id), None)


def test_a_payment_whose_webhook_never_came_is_counted():
    film = factories.make_film()
    with _past(20):
        made, _ = pledges.create(factories.member(), film["film_id"], uuid.uuid4().hex, 2000,
                                 stripe.card(stripe.THREE_D_SECURE))
    _authenticate(made)  # paid in the browser; Stripe's webhook is lost
    report = reconciliation.run()
    assert _entry(report, made["pledge_id"]) == {
        "pledge_id": made["pledge_id"], "film_id": film["film_id"], "status": "requires_action",
        "payment_intent_id": made["payment_intent_id"], "found": "succeeded", "action": "counted"}
    assert PledgeRecord.get(made["pledge_id"]).status == "confirmed"
    assert counters.read(counters.film_counter(film["film_id"]))["raised_cents"] == 2000
    # Settled pledges leave the index: the next run does not see it again.
    assert _entry(reconciliation.run(), made["pledge_id"]) is None


def test_a_charge_whose_answer_was_lost_is_counted_and_one_never_confirmed_is_canceled(monkeypatch):
    film = factories.make_film()
    charged_user, lost_user = factories.member(), factories.member()
    charged_key, lost_key = uuid.uuid4().hex, uuid.uuid4().hex
    log = IntentLog(monkeypatch, {"payment_intents.confirm": stripe_faults.timeout})
    with _past(20):
        with pytest.raises(ApiError):
            pledges.create(charged_user, film["film_id"], charged_key, 3000, stripe.card())
    charged_id = pledges.rules.pledge_id_for(charged_user.user_id, charged_key)
    # The create of the other one times out before the pledge could be written: nothing is
    # written, and its PaymentIntent stays unconfirmed (no client secret was given out).
    stripe_faults.after(monkeypatch, {"payment_intents.create": lambda r: (log.ids.append(r["id"]),
                                                                            stripe_faults.timeout())})
    with _past(20):
        with pytest.raises(ApiError):
            pledges.create(lost_user, film["film_id"], lost_key, 1500, stripe.card())
    lost_id = pledges.rules.pledge_id_for(lost_user.user_id, lost_key)
    with pytest.raises(PledgeRecord.DoesNotExist):
        PledgeRecord.get(lost_id, consistent_read=True)
    monkeypatch.undo()
    report = reconciliation.run()
    assert _entry(report, charged_id)["action"] == "counted"
    assert assert_money_accounted(charged_id, log.ids, film["film_id"]) == "confirmed"
    assert stripe.intent(log.ids[-1])["status"] in ("requires_confirmation", "requires_payment_method")


def test_an_abandoned_payment_is_canceled_at_stripe_first_and_a_late_one_refunded():
    film = factories.make_film()
    with _past(120):
        abandoned, _ = pledges.create(factories.member(), film["film_id"], uuid.uuid4().hex, 2000,
                                      stripe.card(stripe.THREE_D_SECURE))
    with _past(20):
        late, _ = pledges.create(factories.member(), film["film_id"], uuid.uuid4().hex, 2500,
                                 stripe.card(stripe.THREE_D_SECURE))
        recent, _ = pledges.create(factories.member(), film["film_id"], uuid.uuid4().hex, 2500,
                                   stripe.card(stripe.THREE_D_SECURE))
    campaigns._start(FilmRecord.get(film["film_id"]))  # the film stops taking money
    _authenticate(late)
    report = reconciliation.run()
    assert _entry(report, abandoned["pledge_id"])["action"] == "canceled"
    assert stripe.intent(abandoned["payment_intent_id"])["status"] == "canceled"
    assert PledgeRecord.get(abandoned["pledge_id"]).status == "canceled"
    assert _entry(report, late["pledge_id"])["action"] == "refunded"
    late_record = PledgeRecord.get(late["pledge_id"])
    assert late_record.status == "refunded" and late_record.failure_code == refunds.CAMPAIGN_CLOSED
    assert payments.refunded_cents(late["payment_intent_id"]) == 2500
    # Still within the hour: the customer may yet complete 3-D Secure.
    assert PledgeRecord.get(recent["pledge_id"]).status == "requires_action"
    assert stripe.intent(recent["payment_intent_id"])["status"] == "requires_action"
    assert report["waiting"] >= 1


def test_what_it_cannot_repair_is_recorded_counted_and_listed(monkeypatch):
    film = factories.make_film()
    with _past(20):
        made, _ = pledges.create(factories.member(), film["film_id"], uuid.uuid4().hex, 2000,
                                 stripe.card(stripe.THREE_D_SECURE))
    real = payments.retrieve_intent

    def unreachable(intent_id):
        if intent_id == made["payment_intent_id"]:
            raise Unavailable("the payment provider is unavailable; retry")
        return real(intent_id)

    monkeypatch.setattr(payments, "retrieve_intent", unreachable)
    metrics.clear_metrics()
    report = reconciliation.run()
    assert metrics.metric_set["ReconciliationUnrepaired"]["Value"][0] >= 1  # the alarm's metric
    entry = _entry(report, made["pledge_id"], "unrepaired")
    assert entry["found"] == "error" and "unavailable" in entry["action"]
    runs = reconciliation.list_admin(factories.admin(), limit=5, next_token=None)["items"]
    assert runs[0]["run_id"] == report["run_id"] and runs[0]["finished"]
    assert made["pledge_id"] in {e["pledge_id"] for e in runs[0]["unrepaired"]}
    monkeypatch.undo()
    _authenticate(made)
    assert _entry(reconciliation.run(), made["pledge_id"])["action"] == "counted"  # retried next run


def test_a_run_is_bounded_and_the_next_one_resumes(monkeypatch):
    film = factories.make_film()
    made = []
    with _past(20):
        for _ in range(5):
            pledge, _ = pledges.create(factories.member(), film["film_id"], uuid.uuid4().hex, 1000,
                                       stripe.card(stripe.THREE_D_SECURE))
            made.append(pledge)
    for pledge in made:
        _authenticate(pledge)
    monkeypatch.setattr(reconciliation, "PAGE_SIZE", 2)
    pages = {"n": 0}

    def one_page(name):
        if name == "reconcile.page_done":
            pages["n"] += 1

    monkeypatch.setattr(campaigns.Budget, "exhausted", lambda self: pages["n"] >= 1)
    seen = set()
    with refunds.faults(one_page):
        for _ in range(40):
            pages["n"] = 0
            report = reconciliation.run()
            assert report["examined"] <= 2  # one page a run
            seen |= {e["pledge_id"] for e in report["repaired"]}
            if {p["pledge_id"] for p in made} <= seen:
                break
    assert {p["pledge_id"] for p in made} <= seen
    assert {PledgeRecord.get(p["pledge_id"]).status for p in made} == {"confirmed"}
    assert counters.read(counters.film_counter(film["film_id"]))["raised_cents"] == 5000
