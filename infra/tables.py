"""Every DynamoDB table of the platform, as data, read from the PynamoDB models of
``chalicelib/adapters/tables/``: a table's keys, GSIs, stream and TTL are declared once, on
its model; adding a model (to its context's MODELS) adds its table here.

Physical names are ``coprod-<stage>-<short>``, i.e. the app's ``TABLE_PREFIX`` plus the
short name its PynamoDB model passes to ``chalicelib.config.table_name``.
All tables: on-demand billing, point-in-time recovery, deletion protection in prod.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Attr:
    name: str
    type: str = "S"  # "S" | "N" | "B"


def S(name: str) -> Attr:
    return Attr(name, "S")


def N(name: str) -> Attr:
    return Attr(name, "N")


@dataclass(frozen=True)
class Gsi:
    name: str
    pk: Attr
    sk: Attr | None = None  # projection is always ALL (the models use AllProjection)


@dataclass(frozen=True)
class TableSpec:
    short: str
    pk: Attr
    sk: Attr | None = None
    gsis: tuple[Gsi, ...] = field(default_factory=tuple)
    stream: str | None = None  # NEW_IMAGE | NEW_AND_OLD_IMAGES | KEYS_ONLY | OLD_IMAGE
    ttl: str | None = None  # epoch-seconds attribute DynamoDB expires items on


def spec_of(model: Any) -> TableSpec:
    """A PynamoDB model's table: its keys and GSIs with their types, its stream and its TTL
    (`Meta.short_name`, `Meta.stream_view_type`, `Meta.ttl_attribute`: see tables/base.py `_meta`)."""
    def keys(attributes: Iterable[Any]) -> tuple[Attr, Attr | None]:
        attributes = list(attributes)
        (pk,) = [Attr(a.attr_name, a.attr_type) for a in attributes if a.is_hash_key]
        sk = [Attr(a.attr_name, a.attr_type) for a in attributes if a.is_range_key]
        return pk, (sk[0] if sk else None)

    # In the order the model declares them (PynamoDB's _indexes is sorted by name).
    indexes = [v for v in vars(model).values() if getattr(getattr(v, "Meta", None), "index_name", None)]
    if {i.Meta.index_name for i in indexes} != set(model._indexes):
        raise ValueError(f"{model.__name__}: indexes declared outside the model's class")
    gsis = []
    for index in indexes:
        if type(index).__name__ == "LocalSecondaryIndex" or type(index.Meta.projection).__name__ != "AllProjection":
            raise ValueError(f"{model.__name__}.{index.Meta.index_name}: the tables have only GSIs, projecting ALL")
        gsis.append(Gsi(index.Meta.index_name, *keys(index.Meta.attributes.values())))
    return TableSpec(model.Meta.short_name, *keys(model.get_attributes().values()), gsis=tuple(gsis),
                     stream=getattr(model.Meta, "stream_view_type", None), ttl=model.Meta.ttl_attribute)


def _models() -> list[Any]:
    from chalicelib.adapters.tables.registry import ALL_MODELS

    return ALL_MODELS


# Tables no model reads or writes: kept as they are so that a deployed stack does not drop them.
UNMODELLED: tuple[TableSpec, ...] = (
    TableSpec("idempotency", pk=S("key"), ttl="expires_at"),
)

TABLES: tuple[TableSpec, ...] = tuple(spec_of(model) for model in _models()) + UNMODELLED

BY_SHORT: dict[str, TableSpec] = {t.short: t for t in TABLES}


def physical_name(stage: str, short: str) -> str:
    return f"coprod-{stage}-{short}"
