"""PynamoDB models: one DynamoDB table per concept. Access patterns live in ARCHITECTURE.md.

Table names carry the stage prefix (``coprod-<stage>-<name>``); on stage `local` the
host is DynamoDB Local.
"""

from __future__ import annotations

from functools import lru_cache

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.connection import Connection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.config import settings, table_name


def _meta(short: str) -> type:
    s = settings()
    attrs = {"table_name": table_name(short), "region": s.region, "billing_mode": "PAY_PER_REQUEST"}
    if s.dynamodb_endpoint:
        attrs["host"] = s.dynamodb_endpoint
    return type("Meta", (), attrs)


def _index_meta(name: str) -> type:
    return type("Meta", (), {"index_name": name, "projection": AllProjection()})


class FilmsByStatus(GlobalSecondaryIndex):
    """status -> films ordered by deadline (the close job and `GET /films?status=`)."""

    Meta = _index_meta("by_status")
    status = UnicodeAttribute(hash_key=True)
    status_key = UnicodeAttribute(range_key=True)  # "<deadline>#<film_id>"


class FilmsCatalog(GlobalSecondaryIndex):
    """Sparse: only published films carry `catalog`; newest first for `GET /films`."""

    Meta = _index_meta("catalog")
    catalog = UnicodeAttribute(hash_key=True)  # always "film"
    catalog_key = UnicodeAttribute(range_key=True)  # "<published_at>#<film_id>"


class FilmsByProducer(GlobalSecondaryIndex):
    Meta = _index_meta("by_producer")
    producer_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class FilmRecord(Model):
    Meta = _meta("films")
    film_id = UnicodeAttribute(hash_key=True)
    title = UnicodeAttribute()
    kind = UnicodeAttribute()
    synopsis = UnicodeAttribute(default="")
    status = UnicodeAttribute()
    stage = UnicodeAttribute()
    goal_cents = NumberAttribute()
    min_pledge_cents = NumberAttribute()
    deadline = UnicodeAttribute()  # YYYY-MM-DD, campaign ends at the end of that day (UTC)
    producer_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    published_at = UnicodeAttribute(null=True)
    goal_reached_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    status_key = UnicodeAttribute()
    catalog = UnicodeAttribute(null=True)
    catalog_key = UnicodeAttribute(null=True)

    by_status = FilmsByStatus()
    catalog_index = FilmsCatalog()
    by_producer = FilmsByProducer()


class CounterShard(Model):
    """Additive counters split over shards: `film#<id>` and `platform`.

    A writer adds to one random shard; a reader sums every shard of the counter with
    one Query. Attributes absent on a shard count as zero.
    """

    Meta = _meta("counters")
    counter_id = UnicodeAttribute(hash_key=True)
    shard = NumberAttribute(range_key=True)
    raised_cents = NumberAttribute(null=True)
    coproducer_count = NumberAttribute(null=True)
    films = NumberAttribute(null=True)
    open_films = NumberAttribute(null=True)
    goal_cents = NumberAttribute(null=True)
    coproducers = NumberAttribute(null=True)


class UserRecord(Model):
    Meta = _meta("users")
    user_id = UnicodeAttribute(hash_key=True)
    display_name = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    locale = UnicodeAttribute(null=True)
    notify_email = BooleanAttribute(null=True)
    notify_sms = BooleanAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


@lru_cache(maxsize=1)
def connection() -> Connection:
    s = settings()
    return Connection(region=s.region, host=s.dynamodb_endpoint)


def transaction(token: str | None = None) -> TransactWrite:
    """A TransactWrite on the tables' connection; `token` makes a retry idempotent for 10 min."""
    return TransactWrite(connection=connection(), client_request_token=token)


ALL_MODELS: list[type[Model]] = [FilmRecord, CounterShard, UserRecord]


def create_missing_tables() -> list[str]:
    """Create every table that does not exist yet (local stack and tests)."""
    created = []
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
            created.append(model.Meta.table_name)
    return created
