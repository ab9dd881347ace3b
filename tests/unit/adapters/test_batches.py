"""Lambda batches through Powertools' processor: a stream stops at its first failure, a queue
handles every message; both answer `batchItemFailures`, never raise for a failed record."""

from __future__ import annotations

import pytest

from chalicelib.adapters import batches


def stream(*sequence_numbers: str) -> dict:
    return {"Records": [{"eventName": "MODIFY", "eventSourceARN": "arn:aws:dynamodb:r:1:table/t/stream/x",
                         "dynamodb": {"SequenceNumber": n, "Keys": {"id": {"S": f"k{n}"}}}}
                        for n in sequence_numbers]}


def failing_on(*keys: str, seen: list) -> object:
    def handle(record):
        key = record["messageId"] if isinstance(record, dict) else record.keys["id"]
        seen.append(key)
        if key in keys:
            raise RuntimeError(f"{key} failed")
    return handle


def test_a_stream_batch_stops_at_its_first_failure_and_reports_that_record_alone():
    seen = []
    result = batches.in_order(stream("1", "2", "3", "4"), failing_on("k2", "k4", seen=seen))
    assert result == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    assert seen == ["k1", "k2"]  # 3 and 4 wait for the retry from 2: never handled before it


def test_a_stream_record_reaches_its_handler_as_plain_values():
    seen = []
    assert batches.in_order(stream("7"), lambda r: seen.append((r.sequence_number, r.keys, r.table))) == {
        "batchItemFailures": []}
    assert seen == [("7", {"id": "k7"}, "t")]


@pytest.mark.parametrize("event", [{"Records": []}, {}])
def test_an_empty_batch_reports_nothing(event):
    assert batches.in_order(event, lambda r: 1 / 0) == {"batchItemFailures": []}
    assert batches.each(event.get("Records", []), lambda r: 1 / 0, failed=lambda exc, item: None) == {
        "batchItemFailures": []}


def test_a_batch_whose_only_record_fails_is_reported_not_raised():
    assert batches.in_order(stream("9"), lambda r: 1 / 0) == {"batchItemFailures": [{"itemIdentifier": "9"}]}


def test_a_queue_batch_handles_every_message_and_reports_each_failure():
    seen, told = [], []
    records = [{"messageId": f"m{i}", "body": "{}"} for i in range(4)]
    result = batches.each(records, failing_on("m1", "m2", seen=seen),
                          failed=lambda exc, item: told.append((item, str(exc))))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]}
    assert seen == ["m0", "m1", "m2", "m3"] and told == [("m1", "m1 failed"), ("m2", "m2 failed")]


def test_a_queue_batch_hands_back_the_rest_untouched_when_told_to():
    seen = []
    records = [{"messageId": f"m{i}"} for i in range(4)]
    result = batches.each(records, failing_on("m1", seen=seen), failed=lambda exc, item: "stalled")
    assert result == {"batchItemFailures": [{"itemIdentifier": m} for m in ("m1", "m2", "m3")]}
    assert seen == ["m0", "m1"]


def test_the_same_processor_starts_each_batch_afresh():
    processor = batches.Batch(batches.EventType.DynamoDBStreams, report_rest=False, stop=lambda exc, item: "stop")
    for _ in range(2):
        with processor([dict(r) for r in stream("1", "2")["Records"]], lambda r: 1 / 0):
            processor.process()
        assert processor.response() == {"batchItemFailures": [{"itemIdentifier": "1"}]}
