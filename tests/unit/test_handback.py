"""A queue handler near its Lambda's timeout hands the rest of its batch back untouched."""

from __future__ import annotations

from types import SimpleNamespace

from chalicelib.services import handback


def test_near_the_timeout_the_rest_goes_back_untouched():
    left = iter([60_000, 60_000, 14_000, 60_000])  # milliseconds, as Lambda's context says
    context = SimpleNamespace(get_remaining_time_in_millis=lambda: next(left))
    handled = []
    records = [{"messageId": f"m{i}"} for i in range(4)]
    result = handback.each(records, lambda r: handled.append(r["messageId"]), context=context)
    assert handled == ["m0", "m1"]
    assert result == {"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}]}


def test_a_failing_message_goes_back_and_the_others_are_still_handled():
    def handle(record):
        if record["messageId"] == "m1":
            raise RuntimeError("a bug in one message")

    result = handback.each([{"messageId": f"m{i}"} for i in range(3)], handle)
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
