"""A film's daily funding counters, in the `counters` table next to its totals.

Key: `counter_id = funding#<film_id>`, `shard = YYYYMMDD * 1000 + shard index`, so that one
Query on the film's partition returns every day in date order, and the writers of one busy
day spread over shards as the film counter's do. Written only inside the transaction that
moves the film counter (services/contributions.py), so a day holds exactly what the totals
gained or lost that day: a replayed webhook fails that transaction's condition and adds nothing.
The `counters` stream sees these items too; the milestone watcher only reads `film#` ids.
"""

from __future__ import annotations

import random

from pynamodb.transactions import TransactWrite

from chalicelib.adapters.tables.films import CounterShard
from chalicelib.config import settings
from chalicelib.domain import funding

PREFIX = "funding#"
SHARDS_PER_DAY = 1000  # room in the sort key for each day's shard index


def counter_id(film_id: str) -> str:
    return PREFIX + film_id


def add_in(transaction: TransactWrite, film_id: str, moment_iso: str, raised_cents: int, coproducers: int) -> None:
    """Add a movement to the day of `moment_iso` (UTC), on one random shard, inside `transaction`."""
    actions = [attribute.add(delta) for attribute, delta in (
        (CounterShard.raised_cents, raised_cents), (CounterShard.coproducer_count, coproducers)) if delta]
    if not actions:
        return
    shard = random.randrange(min(settings().counter_shards, SHARDS_PER_DAY))
    key = funding.day_number(funding.day_of(moment_iso)) * SHARDS_PER_DAY + shard
    transaction.update(CounterShard(counter_id(film_id), key), actions=actions)


def movements(film_id: str) -> dict[str, tuple[int, int]]:
    """Every day's (cents, co-producers joined - left) of a film: one Query, shards summed."""
    return funding.merge(
        (funding.day_from_number(int(item.shard) // SHARDS_PER_DAY), int(item.raised_cents or 0),
         int(item.coproducer_count or 0))
        for item in CounterShard.query(counter_id(film_id), consistent_read=True))
