"""The outbox relay (a stream) and the notifier (a queue): their partial failures."""

import json

from chalicelib.adapters import channels
from chalicelib.domain import events
from chalicelib.services import notifications
from tests.unit.services.streams import record


def outbox_record(seq: str, event_id_key: str, event_name: str = "INSERT") -> dict:
    event = events.Event(events.STAGE_CHANGED, event_id_key, "2026-11-27T10:00:00Z",
                         events.Audience(events.COPRODUCERS), "flm_1",
                         {"title": "T", "stage": "shooting", "previous_stage": "development"})
    image = {**event.to_dict(), "audience": json.dumps(event.to_dict()["audience"]),
             "data": json.dumps(event.to_dict()["data"])}
    return record(seq, {"event_id": event.event_id}, image, event_name=event_name)


def test_the_relay_stops_at_the_first_event_it_cannot_publish(monkeypatch):
    published = []

    def publish(message, attributes):
        key = json.loads(message)["key"]
        published.append(key)
        if key == "k2":
            raise channels.SendError("SNS throttled", retryable=True)

    monkeypatch.setattr(channels, "publish_event", publish)
    batch = {"Records": [outbox_record("1", "k1"), outbox_record("2", "k0", "MODIFY"), outbox_record("3", "k2"),
                         outbox_record("4", "k3")]}
    assert notifications.relay(batch) == {"batchItemFailures": [{"itemIdentifier": "3"}]}
    assert published == ["k1", "k2"]  # k3 is published after k2, on the retry


def test_the_notifier_reports_each_message_that_failed_and_handles_the_others(monkeypatch):
    handled = []

    def handle(body):
        handled.append(body["n"])
        if body["n"] == 1:
            raise RuntimeError("a bug in one message")
        return {"sent": 1}

    monkeypatch.setattr(notifications, "handle", handle)
    batch = {"Records": [{"messageId": f"m{n}", "body": json.dumps({"n": n})} for n in range(3)]}
    assert notifications.notify(batch) == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert handled == [0, 1, 2]
