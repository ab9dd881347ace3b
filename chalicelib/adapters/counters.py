"""Sharded additive counters in the `counters` table (see CounterShard)."""

from __future__ import annotations

import random
from typing import Any, Iterable

from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib import retry
from chalicelib.adapters import raw_json
from chalicelib.adapters.tables.films import CounterShard
from chalicelib.config import settings
from chalicelib.errors import Unavailable

PLATFORM = "platform"
MAX_ATTEMPTS = 5
UNPROCESSED_BACKOFF_SECONDS, UNPROCESSED_BACKOFF_CAP_SECONDS = 0.02, 1.0  # waits before asking again for unprocessed keys
FIELDS = ("raised_cents", "coproducer_count", "films", "open_films", "goal_cents", "coproducers")


def film_counter(film_id: str) -> str:
    return f"film#{film_id}"


def add_in(transaction: TransactWrite, counter_id: str, **deltas: int) -> None:
    """Add `deltas` to one random shard of `counter_id`, inside `transaction`."""
    actions = [getattr(CounterShard, name).add(delta) for name, delta in deltas.items() if delta]
    if not actions:
        return
    shard = random.randrange(settings().counter_shards)
    transaction.update(CounterShard(counter_id, shard), actions=actions)


def _sum_into(totals: dict[str, int], shard: CounterShard) -> None:
    for name in FIELDS:
        totals[name] = totals.get(name, 0) + int(getattr(shard, name) or 0)


def _sum_raw_into(totals: dict[str, int], raw: dict[str, Any]) -> None:
    """A shard as DynamoDB returns it ({"raised_cents": {"N": "2500"}, ...}), added without
    building its model: on the film page's path, every shard of the counter is read."""
    for name in FIELDS:
        value = raw.get(name)
        if value is not None and "N" in value:
            totals[name] += int(value["N"])


def read(counter_id: str) -> dict[str, int]:
    """Sum of every shard: one Query."""
    totals = dict.fromkeys(FIELDS, 0)
    for shard in CounterShard.query(counter_id, consistent_read=True):
        _sum_into(totals, shard)
    return totals


def read_many(counter_ids: Iterable[str]) -> dict[str, dict[str, int]]:
    """Sums for several counters with BatchGetItem (100 keys a call)."""
    ids = list(dict.fromkeys(counter_ids))
    totals = {cid: dict.fromkeys(FIELDS, 0) for cid in ids}
    keys = [(cid, shard) for cid in ids for shard in range(settings().counter_shards)]
    for shard in CounterShard.batch_get(keys):
        _sum_into(totals[shard.counter_id], shard)
    return totals


def read_with(record: type[Model], key: dict[str, Any], counter_id: str) -> tuple[Any | None, dict[str, int]]:
    """An item of `record` by its key and the sum of `counter_id`'s shards, in one BatchGetItem
    (strongly consistent): the item, or None, and the totals. The answer is DynamoDB's JSON as is
    (adapters/raw_json.py): `record` must have no binary attribute."""
    client = record._get_connection().connection.client  # the model's cached client
    item_table, counter_table = record.Meta.table_name, CounterShard.Meta.table_name
    request: dict[str, Any] = {
        item_table: {"Keys": [_serialize(key)], "ConsistentRead": True},
        counter_table: {"Keys": [{"counter_id": {"S": counter_id}, "shard": {"N": str(shard)}}
                                 for shard in range(settings().counter_shards)], "ConsistentRead": True},
    }
    found: dict[str, list[dict[str, Any]]] = {item_table: [], counter_table: []}
    for attempt in range(MAX_ATTEMPTS):
        response = raw_json.call(client, "batch_get_item", RequestItems=request)  # no binary attribute
        for table, items in response.get("Responses", {}).items():
            found[table].extend(items)
        request = response.get("UnprocessedKeys") or {}
        if not request:
            break
        retry.pause(attempt, base=UNPROCESSED_BACKOFF_SECONDS, cap=UNPROCESSED_BACKOFF_CAP_SECONDS)
    else:
        raise Unavailable("DynamoDB kept keys unprocessed; try again")
    totals = dict.fromkeys(FIELDS, 0)
    for raw in found[counter_table]:
        _sum_raw_into(totals, raw)
    item = record.from_raw_data(found[item_table][0]) if found[item_table] else None
    return item, totals


def _serialize(key: dict[str, Any]) -> dict[str, Any]:
    return {name: {"N": str(value)} if isinstance(value, int) else {"S": str(value)} for name, value in key.items()}
