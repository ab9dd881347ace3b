"""The counters stream: films checked once each, in order; a failure stops the batch there."""

from chalicelib.services import milestones
from tests.unit.services.streams import failing, record


def test_a_film_that_fails_stops_the_batch_at_its_first_record(monkeypatch):
    checked = []
    monkeypatch.setattr(milestones, "check", failing(checked, when=lambda film_id: film_id == "b", result=[]))
    batch = {"Records": [record(str(n), {"counter_id": cid, "shard": 0})
                         for n, cid in enumerate(["film#a", "platform", "film#a", "film#b", "film#c"], start=1)]}
    assert milestones.watch(batch) == {"batchItemFailures": [{"itemIdentifier": "4"}]}
    assert checked == [("a",), ("b",)]  # a once; c waits for the retry from b's record
    checked.clear()
    monkeypatch.setattr(milestones, "check", failing(checked, when=lambda film_id: False, result=[]))
    assert milestones.watch(batch) == {"batchItemFailures": []}
    assert checked == [("a",), ("b",), ("c",)]
