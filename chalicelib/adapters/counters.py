"""Sharded additive counters in the `counters` table (see CounterShard)."""

from __future__ import annotations

import random
from typing import Iterable

from pynamodb.transactions import TransactWrite

from chalicelib.adapters.tables import CounterShard
from chalicelib.config import settings

PLATFORM = "platform"
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
