from decimal import Decimal

from chalicelib.adapters import streams

EVENT = {"Records": [{
    "eventName": "INSERT",
    "eventSourceARN": "arn:aws:dynamodb:eu-west-3:123:table/coprod-dev-outbox/stream/2026-11-27T10:00:00.000",
    "dynamodb": {
        "SequenceNumber": "100",
        "Keys": {"event_id": {"S": "e1"}},
        "NewImage": {
            "event_id": {"S": "e1"}, "raised_cents": {"N": "1250"}, "rate": {"N": "0.5"},
            "ok": {"BOOL": True}, "gone": {"NULL": True},
            "data": {"M": {"percent": {"N": "50"}, "tags": {"L": [{"S": "a"}]}}},
        },
    },
}]}


def test_records_are_plain_python_values():
    (record,) = list(streams.records(EVENT))
    assert record.event_name == "INSERT"
    assert record.table == "coprod-dev-outbox"
    assert record.keys == {"event_id": "e1"}
    assert record.old is None
    assert record.new == {"event_id": "e1", "raised_cents": 1250, "rate": Decimal("0.5"), "ok": True,
                          "gone": None, "data": {"percent": 50, "tags": ["a"]}}
    assert isinstance(record.new["raised_cents"], int)


def test_an_empty_event_has_no_records():
    assert list(streams.records({})) == []
    assert streams.table_of("not-an-arn") == ""
