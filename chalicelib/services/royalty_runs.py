"""A royalty run for a period: every film with receipts, then payouts and statements.

The monthly schedule, `POST /admin/distributions` and `make distribute` all call
`run_period`. Each film is distributed by services/distributions.py (exactly once, resumable),
then each of its co-producers is settled by services/payouts.py (payout if due, statement
event). A film with more co-producers than one invocation handles comfortably is sent as a
message to the `distribution-chunks` queue instead, when the queue is configured; its consumer
runs the same code for that film, and a redelivery is harmless.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol

from chalicelib import clock
from chalicelib.adapters import counters
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.domain import royalties as rules
from chalicelib.errors import invalid_field
from chalicelib.services import distributions, payouts, rights

if TYPE_CHECKING:  # request models: pydantic loads only with the routes that parse a body
    from chalicelib.schemas import DistributionRun

INLINE_COPRODUCERS = 200_000


class Reporter(Protocol):
    def start(self, label: str, total: int) -> None: ...

    def advance(self, count: int) -> None: ...


class Silent:
    def start(self, label: str, total: int) -> None:
        return None

    def advance(self, count: int) -> None:
        return None


def run_film(film_id: str, period: str, reporter: Reporter | None = None) -> dict[str, Any]:
    reporter = reporter or Silent()
    reporter.start(f"distribute {film_id}", counters.read(counters.film_counter(film_id))["coproducer_count"])
    record = distributions.distribute_film(film_id, period, progress=reporter.advance)
    users = list(distributions.snapshot_users(film_id, period))
    reporter.start(f"settle {film_id}", len(users))
    settled = payouts.settle(users, period, progress=reporter.advance)
    return {**distributions.view(record), "payouts": settled}


def run_period(period: str, *, reporter: Reporter | None = None, dispatch: bool = False) -> dict[str, Any]:
    results, queued = [], []
    for film_id in rights.films_with_receipts(period):
        size = counters.read(counters.film_counter(film_id))["coproducer_count"]
        if dispatch and size > INLINE_COPRODUCERS and settings().distribution_chunks_queue_url:
            _send({"film_id": film_id, "period": period})
            queued.append(film_id)
        else:
            results.append(run_film(film_id, period, reporter))
    if not results:  # failed payouts are retried on every run, even one with no film
        payouts.settle([], period)
    return {
        "period": period, "films": results, "queued_films": queued,
        "credited_cents": sum(r["credited_cents"] for r in results),
        "paid_out_cents": sum(r["payouts"]["paid_cents"] for r in results),
        "failed_payouts": sum(r["payouts"]["failed"] for r in results),
    }


def _send(message: dict[str, str]) -> None:
    from chalicelib.adapters.clients import aws_client

    aws_client("sqs").send_message(
        QueueUrl=settings().distribution_chunks_queue_url, MessageBody=json.dumps(message),
    )


def request(caller: Caller, data: DistributionRun) -> dict[str, Any]:
    caller.require("admin")
    if rules.is_future(data.period, clock.today()):
        raise invalid_field("period", "is in the future")
    return run_period(data.period, dispatch=True)


def scheduled() -> dict[str, Any]:
    """The 1st of the month: the previous month."""
    return run_period(rules.previous_period(clock.today()), dispatch=True)


def handle_chunks(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Each message: one film of a period. A message not done (a stalled table, the Lambda
    near its timeout) is handed back; the run resumes where it stopped when it comes again."""
    from chalicelib.services import handback

    def one(record: Any) -> None:
        message = json.loads(record["body"])
        run_film(message["film_id"], message["period"])

    return handback.each(event.get("Records", []), one, context=context, what="royalty chunk")
