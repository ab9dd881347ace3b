"""A throttled or silent dependency answers 503 with Retry-After and the error shape; a bug is
still a bare 500. A tiny app with the platform's middleware and route guard."""

from __future__ import annotations

import json

from botocore.exceptions import ReadTimeoutError
from chalice import Chalice
from chalice.test import Client
from pynamodb.connection.base import VerboseClientError
from pynamodb.exceptions import PutError

from chalicelib import observability, web
from chalicelib.config import settings
from chalicelib.errors import Unavailable
from chalicelib.observability import logger


def make_app() -> Chalice:
    app = Chalice(app_name="outages")
    app.register_middleware(web.error_middleware(logger), "http")

    @app.route("/throttled")
    def throttled():
        raise PutError("put", VerboseClientError(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, "PutItem", {}))

    @app.route("/silent")
    def silent():
        raise ReadTimeoutError(endpoint_url="https://dynamodb.eu-west-3.amazonaws.com/")

    @app.route("/busy")
    def busy():
        raise Unavailable("too much contention on this film; retry")

    @app.route("/bug")
    def bug():
        raise KeyError("a bug")

    web.answer_outages_on_every_route(app)
    web.answer_outages_on_every_route(app)  # twice changes nothing
    return app


def test_throttled_and_silent_dynamodb_answer_503_naming_it(monkeypatch):
    recorded = []
    monkeypatch.setattr(observability.metrics, "add_metric", lambda **kw: recorded.append(kw["name"]))
    with Client(make_app()) as client:
        for path, metric in (("/throttled", "DynamoDBThrottles"), ("/silent", "DynamoDBTimeouts")):
            response = client.http.get(path)
            body = json.loads(response.body)
            assert response.status_code == 503, body
            assert response.headers["Retry-After"] == str(settings().retry_after_seconds)
            assert body["error"]["code"] == "unavailable" and body["error"]["dependency"] == "dynamodb"
            assert "retry" in body["error"]["message"] and "Traceback" not in body["error"]["message"]
            assert recorded[-1] == metric


def test_other_503s_say_when_to_come_back_and_bugs_stay_500():
    with Client(make_app()) as client:
        busy = client.http.get("/busy")
        assert busy.status_code == 503 and busy.headers["Retry-After"]
        assert "dependency" not in json.loads(busy.body)["error"]
        bug = client.http.get("/bug")
        assert bug.status_code == 500 and "Retry-After" not in bug.headers
        assert json.loads(bug.body) == {"error": {"code": "internal_error", "message": "an internal error occurred"}}


def test_the_contract_documents_the_503_and_its_retry_after_on_every_operation():
    from chalicelib import openapi

    for path, methods in openapi.document()["paths"].items():
        for method, operation in methods.items():
            documented = operation["responses"]["503"]
            assert "Retry-After" in documented["headers"], (method, path)
            assert documented["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
