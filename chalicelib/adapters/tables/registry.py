"""Every table's model, and what is done to all of them: reconnecting (tests, benchmarks) and
creating the missing tables (the local stack, tests). infra/tables.py builds the AWS tables
from ALL_MODELS."""

from __future__ import annotations

from pynamodb.models import Model

from chalicelib.adapters.clients import dynamodb_options
from chalicelib.adapters.tables import (
    campaigns,
    community,
    films,
    notifications,
    payments,
    perks,
    pledges,
    royalties,
    users,
)
from chalicelib.adapters.tables.base import connection
from chalicelib.config import settings
from chalicelib.lazy import boto3

ALL_MODELS: list[type[Model]] = [
    model for context in (films, users, pledges, payments, notifications, perks, campaigns, royalties, community)
    for model in context.MODELS]
# Models of items that live in another model's table (same keys): reconnected, never created.
SHARING_A_TABLE: list[type[Model]] = [
    model for context in (films, users, pledges, payments, notifications, perks, campaigns, royalties, community)
    for model in getattr(context, "SHARING_A_TABLE", ())]


def reconnect() -> None:
    """Point every model (and the low-level connection) at the current settings' endpoint and
    deadlines; the next call opens a new connection (tests, benchmarks: clients.rebuild)."""
    s = settings()
    connection.cache_clear()
    for model in [*ALL_MODELS, *SHARING_A_TABLE]:
        model.Meta.host = s.dynamodb_endpoint
        for name, value in dynamodb_options(s).items():
            setattr(model.Meta, name, value)
        model._connection = None


def create_missing_tables() -> list[str]:
    """Create every table that does not exist yet (local stack and tests)."""
    created = []
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
            created.append(model.Meta.table_name)
        else:
            _add_missing_indexes(model)
    return created


def _add_missing_indexes(model: type[Model]) -> None:
    """A table kept from an earlier version (a local data directory) gets the indexes added since."""
    client = boto3.client("dynamodb", region_name=model.Meta.region, endpoint_url=getattr(model.Meta, "host", None))
    described = client.describe_table(TableName=model.Meta.table_name)["Table"]
    present = {index["IndexName"] for index in described.get("GlobalSecondaryIndexes") or []}
    schema = model._get_schema()
    for index in schema.get("global_secondary_indexes") or []:
        if index["index_name"] in present:
            continue
        names = {key["AttributeName"] for key in index["key_schema"]}
        client.update_table(
            TableName=model.Meta.table_name,
            AttributeDefinitions=[a for a in schema["attribute_definitions"] if a["AttributeName"] in names],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": index["index_name"],
                "KeySchema": sorted(index["key_schema"], key=lambda k: k["KeyType"] != "HASH"),
                "Projection": {"ProjectionType": "ALL"}}}])
