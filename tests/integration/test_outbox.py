"""The outbox records each event once, alone or inside the transaction of its change."""

import uuid

import pytest
from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters.tables import OutboxRecord, UserRecord, transaction
from chalicelib.domain import events
from chalicelib.services import outbox


def _event(film_id, key="50", at="2026-11-27T10:00:00.000000Z"):
    return events.Event(events.FUNDING_MILESTONE, key, at, events.Audience(events.COPRODUCERS),
                        film_id=film_id, data={"title": "T", "percent": int(key), "raised_cents": 1, "goal_cents": 4})


def test_emit_records_an_event_once():
    film_id = f"flm_{uuid.uuid4().hex[:12]}"
    assert outbox.emit(_event(film_id)) is True
    assert outbox.emit(_event(film_id, at="2026-11-28T10:00:00.000000Z")) is False
    stored = OutboxRecord.get(f"milestone.funding#{film_id}#50", consistent_read=True)
    assert stored.occurred_at == "2026-11-27T10:00:00.000000Z"
    assert outbox.to_event(stored) == _event(film_id)


def test_add_in_commits_or_cancels_with_the_change():
    film_id = f"flm_{uuid.uuid4().hex[:12]}"
    user_id = f"usr_{uuid.uuid4().hex[:12]}"
    with transaction() as write:
        write.save(UserRecord(user_id, display_name="A"))
        outbox.add_in(write, _event(film_id, "25"))
    with pytest.raises(TransactWriteError):
        with transaction() as write:
            write.update(UserRecord(user_id), actions=[UserRecord.display_name.set("B")])
            outbox.add_in(write, _event(film_id, "25"))
    assert UserRecord.get(user_id, consistent_read=True).display_name == "A"
    outbox.emit(_event(film_id, "75", at="2026-11-29T10:00:00.000000Z"))
    assert [e.key for e in outbox.film_events(film_id, prefix="milestone.")] == ["25", "75"]
