"""Answers taken as DynamoDB wrote them: the JSON as is for a read that asked so, on this
thread; errors, and every other read, left to botocore."""

from __future__ import annotations

from chalicelib.adapters import raw_json

BODY = b'{"Items": [{"user_id": {"S": "u1"}, "confirmed_cents": {"N": "1000"}}], "Count": 1}'


def _before_parse(status: int, asked: bool) -> tuple[dict, dict]:
    response, custom = {"status_code": status, "body": BODY}, {}
    raw_json._ASKED.raw = asked
    try:
        raw_json._keep_raw_body(response_dict=response, customized_response_dict=custom)
    finally:
        raw_json._ASKED.raw = False
    return response, custom


def test_an_answer_asked_raw_is_the_json_as_is_and_errors_stay_with_botocore():
    response, custom = _before_parse(200, True)
    assert custom[raw_json._KEY]["Items"] == [{"user_id": {"S": "u1"}, "confirmed_cents": {"N": "1000"}}]
    assert response["body"] == b"{}"  # nothing left for botocore to walk
    for status, asked in ((400, True), (200, False)):  # an error, or a read that did not ask
        response, custom = _before_parse(status, asked)
        assert custom == {} and response["body"] == BODY
