"""Bulk reads and writes of the royalty run, on the low-level client (no per-item objects).

A film may have 100,000 co-producers or more: their backings are streamed page by page and
their credits written 25 at a time with BatchWriteItem. Batch writes cannot be conditional;
credit items have deterministic keys and contents, so writing one again is a no-op.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from chalicelib import retry
from chalicelib.adapters.tables.base import connection
from chalicelib.config import table_name
from chalicelib.errors import Unavailable

BATCH = 25
MAX_ATTEMPTS = 10
UNPROCESSED_BACKOFF_SECONDS, UNPROCESSED_BACKOFF_CAP_SECONDS = 0.02, 1.0  # waits before asking again for unprocessed keys


def _client() -> Any:
    return connection().client


def stream_backings(film_id: str, *, consistent: bool = True) -> Iterator[tuple[str, int, str | None, str | None]]:
    """(user_id, confirmed_cents, first_confirmed_at, updated_at) of every backing of a
    film, in user id order."""
    params: dict[str, Any] = {
        "TableName": table_name("backings"), "ConsistentRead": consistent,
        "KeyConditionExpression": "film_id = :f", "ExpressionAttributeValues": {":f": {"S": film_id}},
        "ProjectionExpression": "user_id, confirmed_cents, first_confirmed_at, updated_at",
    }
    while True:
        page = _client().query(**params)
        for item in page.get("Items", []):
            yield (item["user_id"]["S"], int(item.get("confirmed_cents", {}).get("N", "0")),
                   item.get("first_confirmed_at", {}).get("S"), item.get("updated_at", {}).get("S"))
        if "LastEvaluatedKey" not in page:
            return
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def put_all(short: str, items: list[dict[str, Any]], after_call: Callable[[], None] = lambda: None) -> None:
    """Put `items` (DynamoDB JSON) 25 per BatchWriteItem, retrying unprocessed ones."""
    name = table_name(short)
    for start in range(0, len(items), BATCH):
        pending = [{"PutRequest": {"Item": item}} for item in items[start:start + BATCH]]
        for attempt in range(MAX_ATTEMPTS):
            response = _client().batch_write_item(RequestItems={name: pending})
            pending = response.get("UnprocessedItems", {}).get(name, [])
            if not pending:
                break
            retry.pause(attempt, base=UNPROCESSED_BACKOFF_SECONDS, cap=UNPROCESSED_BACKOFF_CAP_SECONDS)
        else:
            raise Unavailable("DynamoDB kept items unprocessed; the run resumes where it stopped")
        after_call()


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
