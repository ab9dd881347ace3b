"""The backings stream: a record that fails stops the batch and is reported; removals are skipped."""

from chalicelib.services import credits, perks
from tests.unit.services.streams import failing, record


def backing(seq, user_id, old, new, event_name="MODIFY"):
    keys = {"film_id": "flm_1", "user_id": user_id}
    image = {**keys, "confirmed_cents": new}
    return record(seq, keys, image, {**keys, "confirmed_cents": old} if old is not None else None,
                  event_name=event_name)


def test_a_failing_backing_record_stops_the_batch_and_is_reported(monkeypatch):
    told, credited = [], []
    on_backing_change = failing(told, when=lambda film_id, user_id, old, new: user_id == "u2", result=1)
    monkeypatch.setattr(perks, "on_backing_change", on_backing_change)
    monkeypatch.setattr(credits, "on_backing_change", lambda *change: credited.append(change[1]))
    batch = {"Records": [backing("10", "u1", None, 1_000, "INSERT"), backing("11", "u0", 1_000, 0, "REMOVE"),
                         backing("12", "u2", 1_000, 6_000), backing("13", "u3", None, 2_000, "INSERT")]}
    assert perks.watch_backings(batch) == {"batchItemFailures": [{"itemIdentifier": "12"}]}
    assert told == [("flm_1", "u1", 0, 1_000), ("flm_1", "u2", 1_000, 6_000)] and credited == ["u1"]
