"""A royalty run for a period: every film with receipts, then payouts and statements.

The monthly schedule, `POST /admin/distributions` and `make distribute` all call
`run_period`. The run for period P distributes, film by film (services/distributions.py,
exactly once, resumable), the receipts of P and every receipt of an earlier period that no
distribution has taken yet (a late receipt or correction). Then it settles the co-producers of
every film it distributed ONCE (services/payouts.py): one payout of each balance, one statement
event covering every film and period credited by the run. A (film, period) nobody held a share
of is refused and listed (`refused`), never credited to nobody.

A film with more co-producers than one invocation handles comfortably is sent as a message to
the `distribution-chunks` queue instead, when the queue is configured; the message names the
whole run, its consumer distributes that film, and the consumer that finds every film of the
run distributed settles the run (a redelivery, or two consumers settling, is harmless).

A film's message does not credit it: it takes the weights, claims the receipts, decides the
allocation and sends one message per page of the weights (distributions.PAGE_SIZE
co-producers, a few seconds of work) to the same queue, which as many chunk Lambdas as its
concurrency allows credit at once (distributions.credit_page: each page counted once, however
often it comes). The worker that counts the last page closes the batch and goes on with the
film (its next batch, or settling the run).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, Protocol

from chalicelib import clock, retry
from chalicelib.adapters import counters
from chalicelib.adapters.channels import queue_url
from chalicelib.adapters.clients import aws_client
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.domain import royalties as rules
from chalicelib.errors import refused
from chalicelib.services import distributions, handback, payouts, rights

if TYPE_CHECKING:  # request models: pydantic loads only with the routes that parse a body
    from chalicelib.schemas import DistributionRun

INLINE_COPRODUCERS = 20_000  # larger films: one message, then its pages, on the chunk queue


class Reporter(Protocol):
    def start(self, label: str, total: int) -> None: ...

    def advance(self, count: int) -> None: ...


class Silent:
    def start(self, label: str, total: int) -> None:
        return None

    def advance(self, count: int) -> None:
        return None


def run_film(film_id: str, period: str, reporter: Reporter | None = None) -> dict[str, Any]:
    """Distribute one (film, period) and settle its co-producers (a film on its own)."""
    reporter = reporter or Silent()
    record = _distribute(film_id, period, period, reporter)
    settled = settle_run(period, [(film_id, period)], reporter)
    return {**distributions.view(record), "payouts": settled["films"][(film_id, period)]}


def _distribute(film_id: str, period: str, run_period: str, reporter: Reporter) -> Any:
    reporter.start(f"distribute {film_id} {period}", counters.read(counters.film_counter(film_id))["coproducer_count"])
    return distributions.distribute_film(film_id, period, progress=reporter.advance, run_period=run_period)


def work_of(period: str) -> list[tuple[str, str]]:
    """(film, period) pairs a run for `period` distributes: the period's films with receipts,
    and every earlier period with receipts no distribution has taken yet."""
    pairs = {(film_id, period) for film_id in rights.films_with_receipts(period)}
    pairs.update(rights.undistributed_through(period))
    return sorted(pairs, key=lambda pair: (pair[1], pair[0]))


def settle_run(run_period: str, pairs: list[tuple[str, str]], reporter: Reporter | None = None) -> dict[str, Any]:
    """Settle every co-producer of the run's (film, period) pairs once, plus the failed payouts
    due again: one payout and one statement each. Returns the totals and, per pair, the
    outcomes of its co-producers."""
    reporter = reporter or Silent()
    members = {pair: list(distributions.snapshot_users(*pair)) for pair in pairs}
    users = list(dict.fromkeys(user for people in members.values() for user in people))
    reporter.start(f"settle {run_period}", len(users))
    outcomes: dict[str, dict[str, Any]] = {}
    totals = payouts.settle(users, run_period, progress=reporter.advance, outcomes=outcomes)
    films = {}
    for pair, people in members.items():
        mine = [outcomes[user] for user in people if user in outcomes]
        films[pair] = {"users": len(mine), "paid_cents": sum(o["paid_cents"] for o in mine),
                       "failed": sum(o["failed"] for o in mine)}
    return {"totals": totals, "films": films}


def run_period(period: str, *, reporter: Reporter | None = None, dispatch: bool = False) -> dict[str, Any]:
    reporter = reporter or Silent()
    work = work_of(period)
    results, queued, refused = [], [], []
    for film_id, film_period in work:
        size = counters.read(counters.film_counter(film_id))["coproducer_count"]
        if dispatch and size > INLINE_COPRODUCERS and settings().distribution_chunks_queue_url:
            queued.append((film_id, film_period))
            continue
        try:
            results.append(distributions.view(_distribute(film_id, film_period, period, reporter)))
        except distributions.NobodyToCredit as exc:
            refused.append({"film_id": film_id, "period": film_period, "reason": exc.message})
    if queued:  # the last film distributed through the queue settles the whole run
        for film_id, film_period in queued:
            _send({"film_id": film_id, "period": film_period, "run_period": period, "films": work})
        settled = {"totals": {"users": 0, "paid_cents": 0, "failed": 0}, "films": {}}
    else:
        settled = settle_run(period, [(r["film_id"], r["period"]) for r in results], reporter)
    nobody = {"users": 0, "paid_cents": 0, "failed": 0}
    films = [{**r, "payouts": settled["films"].get((r["film_id"], r["period"]), nobody)} for r in results]
    return {
        "period": period, "films": films, "queued_films": [film_id for film_id, _ in queued],
        "refused": refused,
        "credited_cents": sum(r["credited_cents"] for r in results),
        "paid_out_cents": settled["totals"]["paid_cents"],
        "failed_payouts": settled["totals"]["failed"],
    }


def _send(message: dict[str, Any]) -> None:
    _send_many([message])


def _send_many(messages: list[dict[str, Any]]) -> None:
    """Messages to the chunk queue, 10 per SendMessageBatch; what SQS did not take is sent again."""
    sqs = aws_client("sqs")
    url = settings().distribution_chunks_queue_url or queue_url("distribution-chunks")  # local: by name
    for start in range(0, len(messages), 10):
        entries = [{"Id": str(i), "MessageBody": json.dumps(m)} for i, m in enumerate(messages[start:start + 10])]
        for attempt in range(5):
            failed = {f["Id"] for f in sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed") or []}
            entries = [e for e in entries if e["Id"] in failed]
            if not entries:
                break
            retry.pause(attempt, base=0.1, cap=2.0)
        else:
            raise RuntimeError("the chunk queue kept refusing messages")  # handed back: sent again, harmless


def _pages_of(message: dict[str, Any]) -> Callable[[int, list[int]], None]:
    """Sends the pages of a film's batch, each its own message naming the run."""
    def send(batch: int, pages: list[int]) -> None:
        _send_many([{**message, "batch": batch, "page": page} for page in pages])
    return send


def request(caller: Caller, data: DistributionRun) -> dict[str, Any]:
    caller.require("admin")
    if rules.is_future(data.period, clock.today()):
        raise refused("period", "is in the future")
    return run_period(data.period, dispatch=True)


def scheduled() -> dict[str, Any]:
    """The 1st of the month: the previous month."""
    return run_period(rules.previous_period(clock.today()), dispatch=True)


def handle_chunks(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Each message: one film of a period. A message not done (a stalled table, the Lambda
    near its timeout) is handed back; the run resumes where it stopped when it comes again."""
    def one(record: Any) -> None:
        message = json.loads(record["body"])
        run = message.get("run_period")
        if run is None:  # a message sent before runs were settled as a whole: the film alone
            run_film(message["film_id"], message["period"])
            return
        film = {key: message[key] for key in ("film_id", "period", "run_period", "films")}
        if "page" in message and not distributions.credit_page(
                message["film_id"], message["period"], int(message["batch"]), int(message["page"])):
            return  # other pages of the batch are not counted yet
        try:  # the film's next step: its next batch, or done
            distributions.distribute_film(message["film_id"], message["period"], run_period=run,
                                          send_pages=_pages_of(film))
        except distributions.NobodyToCredit:
            pass
        pairs = [(film_id, period) for film_id, period in message["films"]]
        if all(distributions.finished(film_id, period) for film_id, period in pairs):
            settle_run(run, pairs)

    return handback.each(event.get("Records", []), one, context=context, what="royalty chunk")
