"""DynamoDB Streams records as plain Python values.

Stream consumers are ``@app.lambda_function(name=...)`` handlers taking the raw Lambda event
(``{"Records": [...]}``); infra/functions.py wires each to the tables listed in its
``streams``, and on `make run` the local event pump feeds them the same records read from
DynamoDB Local's streams.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator, Mapping


@dataclass(frozen=True)
class StreamRecord:
    event_name: str  # INSERT | MODIFY | REMOVE
    table: str  # physical table name
    sequence_number: str
    keys: dict[str, Any]
    new: dict[str, Any] | None = None
    old: dict[str, Any] | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _number(text: str) -> int | Decimal:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else value


def value(attribute: Mapping[str, Any]) -> Any:
    """One DynamoDB attribute value ({"S": "x"}, {"N": "1"}, ...) as a Python value."""
    (kind, raw), = attribute.items()
    if kind == "S":
        return raw
    if kind == "N":
        return _number(raw)
    if kind == "BOOL":
        return bool(raw)
    if kind == "NULL":
        return None
    if kind == "M":
        return image(raw)
    if kind == "L":
        return [value(item) for item in raw]
    if kind == "SS":
        return set(raw)
    if kind == "NS":
        return {_number(item) for item in raw}
    if kind in ("B", "BS"):
        return raw
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def image(attributes: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if attributes is None:
        return None
    return {name: value(item) for name, item in attributes.items()}


def table_of(event_source_arn: str) -> str:
    """arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label> -> <name>."""
    parts = event_source_arn.split(":", 5)
    path = parts[5].split("/") if len(parts) == 6 else []
    return path[1] if len(path) >= 2 else ""


def record(raw: Mapping[str, Any]) -> StreamRecord:
    """One record of a stream event (an item of its "Records")."""
    dynamodb = raw["dynamodb"]
    return StreamRecord(
        event_name=raw["eventName"], table=table_of(raw.get("eventSourceARN", "")),
        sequence_number=dynamodb.get("SequenceNumber", ""), keys=image(dynamodb.get("Keys")) or {},
        new=image(dynamodb.get("NewImage")), old=image(dynamodb.get("OldImage")), raw=raw,
    )


def records(event: Mapping[str, Any]) -> Iterator[StreamRecord]:
    for raw in event.get("Records") or ():
        yield record(raw)
