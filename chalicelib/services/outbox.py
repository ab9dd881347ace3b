"""The outbox: domain events recorded exactly once, beside the state change they report.

`add_in` puts an event inside a caller's transaction (the event exists if and only if the
change committed); `emit` records one on its own. Both are conditional on the event's id,
which is derived from what the event is about (see chalicelib/domain/events.py).
"""

from __future__ import annotations

from typing import Iterator

from pynamodb.transactions import TransactWrite

from chalicelib.adapters.conditions import written
from chalicelib.adapters.tables.notifications import OutboxRecord
from chalicelib.domain.events import Event


def _record(event: Event) -> OutboxRecord:
    return OutboxRecord(
        event.event_id, event_type=event.event_type, key=event.key, film_id=event.film_id,
        occurred_at=event.occurred_at, occurred_key=f"{event.occurred_at}#{event.event_id}",
        audience=event.audience.to_dict(), data=dict(event.data),
    )


def add_in(write: TransactWrite, event: Event) -> None:
    """Record `event` in `write`; the transaction is cancelled if the event exists already."""
    write.save(_record(event), condition=OutboxRecord.event_id.does_not_exist())


def emit(event: Event) -> bool:
    """Record `event` unless it exists. True if this call recorded it."""
    return written(lambda: _record(event).save(condition=OutboxRecord.event_id.does_not_exist()))


def to_event(record: OutboxRecord) -> Event:
    return Event.from_dict({
        "event_type": record.event_type, "key": record.key, "film_id": record.film_id,
        "occurred_at": record.occurred_at, "audience": record.audience, "data": record.data or {},
    })


def film_events(film_id: str, *, prefix: str = "") -> Iterator[Event]:
    """A film's events, oldest first; `prefix` filters on the event type."""
    condition = OutboxRecord.event_type.startswith(prefix) if prefix else None
    for record in OutboxRecord.by_film.query(film_id, filter_condition=condition):
        yield to_event(record)
