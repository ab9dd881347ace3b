"""Closing campaigns: funded or failed at their deadline, failed ones refunded page by page.

The close of one film, the same for the schedule and for `POST /films/{film_id}/close`:

1. Start (one transaction): the film gets `closing_at`, and a close record is created
   (`campaign_closes`, `state=closing`). From then on no payment counts for the film: the
   confirm transaction checks the film (services/contributions.py), and a payment that
   succeeds anyway is refunded as arriving late. The film's totals can only go down.
2. Decide (one transaction, conditioned on the state read): `funded` when the money raised
   reaches the goal, otherwise `failed`; the film's status and `closed_at`, the platform's
   open films, the close record, and for a funded film the `campaign.funded` event.
3. Failed: the film's pledges are read in pages (GSI `by_film`) from a stored cursor. Each
   confirmed pledge is refunded (services/refunds.py); each pending one has its PaymentIntent
   canceled (or, if it succeeded meanwhile, refunded). The cursor is saved after each page.
4. Done when every page was handled, no refund is outstanding and the film's `raised_cents`
   is 0: the close record is finished with the `campaign.failed` event, in one transaction.

A run works for a bounded time and leaves the rest to the next run (every 15 minutes). A
crash anywhere repeats at most one page, and every step of a page is idempotent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib import clock
from chalicelib.adapters import counters, payments
from chalicelib.adapters.conditions import written
from chalicelib.adapters.tables import CampaignCloseRecord, FilmRecord, PledgeRecord, find, transaction
from chalicelib.auth import Caller
from chalicelib.domain import campaigns as rules
from chalicelib.domain import events
from chalicelib.domain import pledges as pledge_rules
from chalicelib.errors import Conflict
from chalicelib.observability import logger
from chalicelib.services import contributions, films, outbox, refunds

PAGE_SIZE = 100
SCHEDULE_BUDGET_SECONDS = 600.0  # of Lambda's 900 s: a page never starts after this
ADMIN_BUDGET_SECONDS = 20.0  # of API Gateway's 29 s; the schedule finishes the rest
checkpoint = refunds.checkpoint


@dataclass
class Budget:
    seconds: float
    started: float = field(default_factory=time.monotonic)

    def exhausted(self) -> bool:
        return time.monotonic() - self.started >= self.seconds


# --- goal reached early ------------------------------------------------------------------

def note_goal(film: FilmRecord, raised_cents: int, at: str) -> bool:
    """The counters stream saw the film's total at `raised_cents`: record `goal_reached_at`
    the first time an open film's goal is met (the close job is the backstop). No request
    while the goal is not met or once it is recorded; False when it was recorded already."""
    if film.status != "open" or film.goal_reached_at or not rules.goal_reached(raised_cents, int(film.goal_cents)):
        return False
    return written(lambda: FilmRecord(film.film_id).update(actions=[FilmRecord.goal_reached_at.set(at)],
                                                           condition=FilmRecord.goal_reached_at.does_not_exist()))


# --- one film ----------------------------------------------------------------------------

def _close_record(film_id: str) -> CampaignCloseRecord | None:
    return find(CampaignCloseRecord, film_id)


def _start(film: FilmRecord) -> None:
    now = clock.iso()
    record = CampaignCloseRecord(
        film.film_id, state=rules.CLOSING, title=film.title, goal_cents=int(film.goal_cents),
        outstanding=0, refunded_pledges=0, canceled_pledges=0, swept=False, sweeps=0,
        started_at=now, updated_at=now, active="1", active_key=f"{now}#{film.film_id}",
    )
    try:
        with transaction() as write:
            write.update(film, actions=[FilmRecord.closing_at.set(now), FilmRecord.updated_at.set(now)],
                         condition=(FilmRecord.status == "open") & FilmRecord.closing_at.does_not_exist())
            write.save(record, condition=CampaignCloseRecord.film_id.does_not_exist())
    except TransactWriteError:
        pass  # started by another run meanwhile: carry on from what it wrote


def _decide(film: FilmRecord, verdict: str | None = None) -> None:
    totals = counters.read(counters.film_counter(film.film_id))  # stable: nothing counts any more
    raised, goal = totals["raised_cents"], int(film.goal_cents)
    outcome = verdict or rules.outcome(raised, goal)
    now = clock.iso()
    film_actions = [FilmRecord.status.set(outcome), FilmRecord.closed_at.set(now), FilmRecord.updated_at.set(now)]
    close_actions = [
        CampaignCloseRecord.outcome.set(outcome), CampaignCloseRecord.raised_cents.set(raised),
        CampaignCloseRecord.coproducer_count.set(totals["coproducer_count"]),
        CampaignCloseRecord.decided_at.set(now), CampaignCloseRecord.updated_at.set(now),
    ]
    if rules.goal_reached(raised, goal):  # the backstop when no payment recorded it
        film_actions.append(FilmRecord.goal_reached_at.set(FilmRecord.goal_reached_at | now))
    if outcome == rules.FUNDED:
        close_actions += [CampaignCloseRecord.state.set(rules.DONE), CampaignCloseRecord.finished_at.set(now),
                          CampaignCloseRecord.active.remove(), CampaignCloseRecord.active_key.remove()]
    else:
        close_actions.append(CampaignCloseRecord.state.set(rules.REFUNDING))
    try:
        with transaction() as write:
            write.update(film, actions=film_actions,
                         condition=(FilmRecord.status == "open") & FilmRecord.closing_at.exists())
            write.update(CampaignCloseRecord(film.film_id), actions=close_actions,
                         condition=CampaignCloseRecord.state == rules.CLOSING)
            counters.add_in(write, counters.PLATFORM, open_films=-1)
            if outcome == rules.FUNDED:
                outbox.add_in(write, events.Event(
                    events.CAMPAIGN_FUNDED, "closed", now, events.Audience(events.COPRODUCERS),
                    film_id=film.film_id, data={"title": film.title, "raised_cents": raised, "goal_cents": goal,
                                                "coproducer_count": totals["coproducer_count"]}))
    except TransactWriteError:
        return  # decided by another run meanwhile
    logger.info("campaign closed", extra={"film_id": film.film_id, "outcome": outcome, "raised_cents": raised})


def _settle(pledge: PledgeRecord) -> None:
    """One pledge of a failed film: its money goes back, its pending payment is canceled."""
    if pledge.status == "confirmed":
        if not pledge.payment_intent_id:
            logger.error("confirmed pledge without a PaymentIntent", extra={"pledge_id": pledge.pledge_id})
            return
        refunds.refund(pledge, pledge.payment_intent_id, refunds.CAMPAIGN_FAILED)
    elif pledge.status in pledge_rules.UNCOUNTED and pledge.payment_intent_id:
        intent = payments.cancel_intent(pledge.payment_intent_id)
        checkpoint("close.intent_canceled")
        if intent.status == "succeeded":  # paid meanwhile: confirm sees the film closed and refunds it
            contributions.confirm(pledge, payment_intent_id=pledge.payment_intent_id)
        elif intent.status == "canceled" and contributions.move(pledge.pledge_id, "canceled", user_id=pledge.user_id,
                                                                intent=pledge.payment_intent_id, lease_until=0):
            CampaignCloseRecord(pledge.film_id).update(actions=[CampaignCloseRecord.canceled_pledges.add(1)])
    # A pending pledge without a PaymentIntent is still being created: if its payment ever
    # succeeds, the confirm transaction finds the film closed and the money is refunded.


def _sweep_page(close: CampaignCloseRecord, budget: Budget) -> bool:
    """Handle one page of the film's pledges; False if the budget ran out within it."""
    results = PledgeRecord.by_film.query(close.film_id, limit=PAGE_SIZE, last_evaluated_key=close.cursor)
    page = list(results)
    resume = results.last_evaluated_key
    for pledge in page:
        if budget.exhausted():
            return False  # the cursor stays before this page: it is handled again, idempotently
        _settle(pledge)
    checkpoint("close.page_done")
    now = clock.iso()
    close.update(actions=[CampaignCloseRecord.cursor.set(resume) if resume else CampaignCloseRecord.cursor.remove(),
                          CampaignCloseRecord.swept.set(resume is None), CampaignCloseRecord.updated_at.set(now)],
                 condition=CampaignCloseRecord.state == rules.REFUNDING)
    return True


def _finish(close: CampaignCloseRecord) -> None:
    raised = counters.read(counters.film_counter(close.film_id))["raised_cents"]
    now = clock.iso()
    if raised > 0:
        # Money still counted with no refund outstanding: a pledge the index had not shown
        # yet. Sweep again from the start (on the next run, to let the index catch up).
        logger.warning("failed film still holds money after its sweep: sweeping again",
                       extra={"film_id": close.film_id, "raised_cents": raised})
        close.update(actions=[CampaignCloseRecord.swept.set(False), CampaignCloseRecord.cursor.remove(),
                              CampaignCloseRecord.sweeps.add(1), CampaignCloseRecord.updated_at.set(now)],
                     condition=CampaignCloseRecord.state == rules.REFUNDING)
        return
    event = events.Event(
        events.CAMPAIGN_FAILED, "closed", now, events.Audience(events.BACKERS), film_id=close.film_id,
        data={"title": close.title, "raised_cents": int(close.raised_cents or 0),
              "goal_cents": int(close.goal_cents or 0), "refunded_pledges": int(close.refunded_pledges or 0)})
    try:
        with transaction() as write:
            write.update(close, actions=[
                CampaignCloseRecord.state.set(rules.DONE), CampaignCloseRecord.finished_at.set(now),
                CampaignCloseRecord.updated_at.set(now), CampaignCloseRecord.active.remove(),
                CampaignCloseRecord.active_key.remove(),
            ], condition=(CampaignCloseRecord.state == rules.REFUNDING) & (CampaignCloseRecord.outstanding == 0)
                & (CampaignCloseRecord.refunded_pledges == int(close.refunded_pledges or 0)))
            outbox.add_in(write, event)
    except TransactWriteError:
        return  # finished by another run, or a refund moved meanwhile: next time
    logger.info("failed campaign refunded", extra={"film_id": close.film_id,
                                                   "refunded_pledges": int(close.refunded_pledges or 0)})


def _refund_all(film_id: str, budget: Budget) -> None:
    while not budget.exhausted():
        close = _close_record(film_id)
        if close is None or close.state != rules.REFUNDING:
            return
        if not close.swept:
            if not _sweep_page(close, budget):
                return
            continue
        if int(close.outstanding or 0) == 0:
            _finish(close)
        return  # outstanding refunds are retried by the schedule, with backoff


def close(film_id: str, budget: Budget | None = None, outcome: str | None = None) -> dict[str, Any]:
    """Close one film's campaign now, or carry its close on. Idempotent.

    `outcome` (an admin's verdict through `PATCH /films/{id}`) overrides the money's.
    """
    budget = budget or Budget(SCHEDULE_BUDGET_SECONDS)
    film = films.load(film_id)
    if film.status == "draft":
        raise Conflict(f"film {film_id} is a draft: it has no campaign to close", code="film_not_open",
                       field="film_id")
    if film.status == "open":
        if not film.closing_at:
            _start(film)
            film = films.load(film_id)
        checkpoint("close.started")
        if film.status == "open":
            _decide(film, outcome)
            checkpoint("close.decided")
    close_record = _close_record(film_id)
    if close_record is not None and close_record.state == rules.REFUNDING:
        _refund_all(film_id, budget)
    return summary(film_id)


def close_now(caller: Caller, film_id: str) -> dict[str, Any]:
    """`POST /films/{film_id}/close` (admin): the schedule's code for one film, now."""
    caller.require("admin")
    return close(film_id, Budget(ADMIN_BUDGET_SECONDS))


def summary(film_id: str) -> dict[str, Any]:
    film = films.load(film_id)
    record = _close_record(film_id)
    totals = counters.read(counters.film_counter(film_id))
    return {
        "film_id": film_id, "status": film.status, "goal_cents": int(film.goal_cents),
        "raised_cents": totals["raised_cents"], "coproducer_count": totals["coproducer_count"],
        "goal_reached_at": film.goal_reached_at, "closed_at": film.closed_at,
        "close": None if record is None else {
            "state": record.state, "outcome": record.outcome,
            "raised_cents": None if record.raised_cents is None else int(record.raised_cents),
            "refunded_pledges": int(record.refunded_pledges or 0),
            "canceled_pledges": int(record.canceled_pledges or 0),
            "outstanding_refunds": int(record.outstanding or 0),
            "started_at": record.started_at, "finished_at": record.finished_at,
        },
    }


# --- the schedule ------------------------------------------------------------------------

def budget_for(context: Any) -> float:
    """Seconds a scheduled run may start work in: its Lambda's time left, minus a margin."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return SCHEDULE_BUDGET_SECONDS
    return max(1.0, min(SCHEDULE_BUDGET_SECONDS, remaining() / 1000 - 240))


def run(budget_seconds: float = SCHEDULE_BUDGET_SECONDS) -> dict[str, Any]:
    """Close every open film past its deadline, retry due refunds, carry unfinished closes on."""
    budget = Budget(budget_seconds)
    report: dict[str, Any] = {"closed": [], "refunds_retried": 0, "refunds_failed": 0, "errors": 0}

    def attempt(film_id: str) -> None:
        try:
            result = close(film_id, budget)
            if result["close"] and result["close"]["state"] == rules.DONE and film_id not in report["closed"]:
                report["closed"].append(film_id)
        except Exception:  # one film's trouble does not stop the others; the next run retries
            report["errors"] += 1
            logger.exception("closing a campaign failed", extra={"film_id": film_id})

    due = FilmRecord.by_status.query("open", FilmRecord.status_key < rules.due_before_key(clock.today()))
    for film in due:
        if budget.exhausted():
            break
        attempt(film.film_id)
    for queue in (rules.REFUND_FAILED, rules.REFUND_PENDING):
        for record in refunds.due(queue):
            if budget.exhausted():
                break
            try:
                outcome = refunds.process(record)
            except Exception:
                report["errors"] += 1
                logger.exception("refund attempt failed", extra={"pledge_id": record.pledge_id})
                continue
            report["refunds_retried"] += outcome == rules.REFUND_SUCCEEDED
            report["refunds_failed"] += outcome == rules.REFUND_FAILED
    for record in CampaignCloseRecord.active_index.query("1"):
        if budget.exhausted():
            break
        attempt(record.film_id)
    report["finished"] = not budget.exhausted()
    return report
