"""What every model shares: its Meta (stage-prefixed table name, region, endpoint, deadlines),
its indexes' Meta, the low-level connection, a strongly consistent read, and transactions.

Table names carry the stage prefix (``coprod-<stage>-<name>``); on stage `local` the
host is DynamoDB Local.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.indexes import AllProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.clients import dynamodb_options
from chalicelib.adapters import outages
from chalicelib.config import settings, table_name


def _meta(short: str, *, ttl: str | None = None, **extra) -> Any:  # a Meta class (PynamoDB types Meta as a protocol)
    """A table's settings. `short` is its name without the stage prefix, `ttl` the epoch-seconds
    attribute DynamoDB expires its items on; infra/tables.py builds the AWS table from these."""
    s = settings()
    attrs = {"table_name": table_name(short), "region": s.region, "billing_mode": "PAY_PER_REQUEST",
             "short_name": short, "ttl_attribute": ttl, **dynamodb_options(s), **extra}
    if s.dynamodb_endpoint:
        attrs["host"] = s.dynamodb_endpoint
    return type("Meta", (), attrs)


def _index_meta(name: str) -> Any:
    return type("Meta", (), {"index_name": name, "projection": AllProjection()})


@lru_cache(maxsize=1)
def connection() -> Connection:
    s = settings()
    return Connection(region=s.region, host=s.dynamodb_endpoint, **dynamodb_options(s))


def find(model: type[Model], *key: Any) -> Any:
    """One item by its key, read strongly consistent, or None."""
    try:
        return model.get(*key, consistent_read=True)
    except DoesNotExist:
        return None


class _TransactWrite(TransactWrite):
    """A transaction that DynamoDB did not answer in time, or throttled, raises
    outages.DependencyDown instead of TransactWriteError: the retry loops around
    transactions (conflicts, conditions) end at once instead of waiting on it again."""

    def _commit(self) -> Any:
        try:
            return super()._commit()
        except TransactWriteError as exc:
            outages.raise_if_down(exc)
            raise


def transaction(token: str | None = None) -> TransactWrite:
    """A TransactWrite on the tables' connection; `token` makes a retry idempotent for 10 min.
    No consumed capacity asked back (PynamoDB asks for it by default): nothing reads it."""
    return _TransactWrite(connection=connection(), client_request_token=token, return_consumed_capacity="NONE")
