"""Bulk reads and writes of the royalty run, on the low-level client (no per-item objects).

A film may have 100,000 co-producers or more: their backings are streamed page by page and
their credits written 25 at a time with BatchWriteItem. Batch writes cannot be conditional;
credit items have deterministic keys and contents, so writing one again is a no-op.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Iterator

from chalicelib import retry
from chalicelib.adapters import raw_json
from chalicelib.adapters.tables.base import connection
from chalicelib.config import table_name
from chalicelib.errors import Unavailable

BATCH = 25
MAX_ATTEMPTS = 10
IN_FLIGHT = 4  # BatchWriteItem calls at once (botocore's pool keeps 10 connections)
UNPROCESSED_BACKOFF_SECONDS, UNPROCESSED_BACKOFF_CAP_SECONDS = 0.02, 1.0  # waits before asking again for unprocessed keys


def _client() -> Any:
    return connection().client


def _query_raw(params: dict[str, Any]) -> dict[str, Any]:
    """One Query whose answer is the service's JSON as is (string, number and map attributes
    only): walking 10,000 items through botocore's shapes costs more than the Query itself."""
    return raw_json.call(_client(), "query", **params)


def stream_backings(film_id: str, *, consistent: bool = True) -> Iterator[tuple[str, int, str | None, str | None]]:
    """(user_id, confirmed_cents, first_confirmed_at, updated_at) of every backing of a
    film, in user id order."""
    params: dict[str, Any] = {
        "TableName": table_name("backings"), "ConsistentRead": consistent,
        "KeyConditionExpression": "film_id = :f", "ExpressionAttributeValues": {":f": {"S": film_id}},
        "ProjectionExpression": "user_id, confirmed_cents, first_confirmed_at, updated_at",
    }
    while True:
        page = _query_raw(params)
        for item in page.get("Items", []):
            yield (item["user_id"]["S"], int(item.get("confirmed_cents", {}).get("N", "0")),
                   item.get("first_confirmed_at", {}).get("S"), item.get("updated_at", {}).get("S"))
        if "LastEvaluatedKey" not in page:
            return
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _put_batch(name: str, items: list[dict[str, Any]]) -> None:
    """One BatchWriteItem of up to 25 items, asked again for the unprocessed ones."""
    pending = [{"PutRequest": {"Item": item}} for item in items]
    for attempt in range(MAX_ATTEMPTS):
        response = _client().batch_write_item(RequestItems={name: pending})
        pending = response.get("UnprocessedItems", {}).get(name, [])
        if not pending:
            return
        retry.pause(attempt, base=UNPROCESSED_BACKOFF_SECONDS, cap=UNPROCESSED_BACKOFF_CAP_SECONDS)
    raise Unavailable("DynamoDB kept items unprocessed; the run resumes where it stopped")


def put_all(short: str, items: list[dict[str, Any]], after_call: Callable[[], None] = lambda: None, *,
            in_flight: int = IN_FLIGHT) -> None:
    """Put `items` (DynamoDB JSON) 25 per BatchWriteItem, retrying unprocessed ones, with up to
    `in_flight` calls sent at once (see `put_groups`)."""
    put_groups(short, [items], after_call, in_flight=in_flight)


def put_groups(short: str, groups: list[list[dict[str, Any]]], after_call: Callable[[], None] = lambda: None,
               after_group: Callable[[int], None] = lambda _: None, *, in_flight: int = IN_FLIGHT) -> None:
    """Put every group's items (DynamoDB JSON) 25 per BatchWriteItem (a call never mixes two
    groups), retrying unprocessed ones, with up to `in_flight` calls sent at once: while DynamoDB
    writes one batch, the next ones are already serialised and on their way, instead of waiting
    for each answer in turn, across the groups' boundaries too.

    `after_call` runs in the caller's thread once per call, in the order of the items, after
    that call and every earlier one are written; `after_group(i)` right after the last call of
    group i (an empty group: once the groups before it are written), while the next group's
    calls are in flight (they are sent before the callbacks run). When a call fails, no further
    call is sent (when a callback raises, none beyond those already on their way), and the error
    is raised once the calls already sent are answered: what they wrote is what a crash at that
    moment leaves, which callers must bear anyway (batch writes are idempotent
    only when their items have deterministic keys and contents)."""
    name = table_name(short)
    calls: list[tuple[int, list[dict[str, Any]] | None, bool]] = []  # (group, items or None for none, last of group)
    for number, items in enumerate(groups):
        chunks = [items[start:start + BATCH] for start in range(0, len(items), BATCH)]
        calls += [(number, chunk, i == len(chunks) - 1) for i, chunk in enumerate(chunks)] or [(number, None, True)]
    workers = max(1, min(in_flight, len(calls)))
    sent: deque[tuple[Future[None] | None, int, bool]] = deque()
    waiting = iter(calls)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="put-all") as pool:

        def fill() -> None:  # up to `workers` calls in flight
            while sum(1 for future, _, _ in sent if future is not None) < workers:
                number, chunk, last = next(waiting, (-1, None, False))
                if number < 0:
                    return
                sent.append((pool.submit(_put_batch, name, chunk) if chunk is not None else None, number, last))

        try:
            fill()
            while sent:
                future, number, last = sent.popleft()
                if future is not None:
                    future.result()
                fill()  # the next calls go out before the callbacks run (a page marker's transaction)
                if future is not None:
                    after_call()
                if last:
                    after_group(number)
        finally:
            for future, _, _ in sent:
                if future is not None:
                    future.cancel()


def credit_item(*, user_id: str, film_id: str, period: str, batch: int, amount_cents: int,
                your_confirmed_cents: int, created_at: str, run_period: str | None = None) -> dict[str, Any]:
    """A ledger credit (LedgerRecord) as DynamoDB JSON; its key says what it is for."""
    return {
        "user_id": {"S": user_id},
        "entry_key": {"S": credit_key(period, film_id, batch)},
        "kind": {"S": "credit"},
        "period": {"S": period},
        "film_id": {"S": film_id},
        "film_entry": {"S": f"{period}#{batch:03d}#{user_id}"},
        "batch": {"N": str(batch)},
        "amount_cents": {"N": str(amount_cents)},
        "your_confirmed_cents": {"N": str(your_confirmed_cents)},
        "created_at": {"S": created_at},
        "run_period": {"S": run_period or period},  # the run (statement) that credited it
    }


def credit_key(period: str, film_id: str, batch: int) -> str:
    return f"{period}#credit#{film_id}#{batch:03d}"


def snapshot_page_item(snapshot_id: str, page: int, entries: bytes) -> dict[str, Any]:
    """A page of weights (SnapshotPage) as DynamoDB JSON."""
    return {"snapshot_id": {"S": snapshot_id}, "page": {"N": str(page)}, "entries": {"B": entries}}
