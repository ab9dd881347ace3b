"""DynamoDB answers taken as the service wrote them, for the reads that decode items themselves.

botocore walks every attribute of every item of an answer through the service model's shapes
before handing it over. For items of string, number, boolean, null, list and map attributes
that walk changes nothing: DynamoDB's JSON already is the parsed form ({"S": ...}, {"N": "..."}).
So a read that asks for it here gets the JSON as `json.loads` reads it, and botocore an empty
body to parse (its headers still give the response metadata). Binary attributes would stay
base64 text: never ask so for items that hold one. Errors are left to botocore.
"""

from __future__ import annotations

import json
import threading
from typing import Any

_KEY = "raw-json-body"


class _Asked(threading.local):
    raw = False  # this thread's next answer is taken as JSON, unparsed by botocore


_ASKED = _Asked()


def _keep_raw_body(response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any) -> None:
    """botocore's before-parse: the answer's JSON decoded here and handed back under `_KEY`."""
    if _ASKED.raw and response_dict.get("status_code") == 200:
        customized_response_dict[_KEY] = json.loads(response_dict["body"])
        response_dict["body"] = b"{}"


def call(client: Any, method: str, **params: Any) -> dict[str, Any]:
    """`client.<method>(**params)` (a DynamoDB read), its answer the service's JSON as is."""
    operation = client.meta.method_to_api_mapping[method]
    client.meta.events.register(f"before-parse.dynamodb.{operation}", _keep_raw_body, unique_id=f"{_KEY}-{operation}")
    _ASKED.raw = True
    try:
        answer = getattr(client, method)(**params)
    finally:
        _ASKED.raw = False
    return dict(answer.get(_KEY) or answer)
