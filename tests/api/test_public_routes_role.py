"""The public routes run under the `public_api` role (infra/functions.py): whatever they do, for
anyone who calls them, fits in it — DynamoDB operations on the tables it lists, no Stripe call."""

from __future__ import annotations

import pytest
from botocore.client import BaseClient

import app as application
from infra.functions import FUNCTIONS, PUBLIC_ROUTES
from tests import coproducers, factories

READ = {"GetItem", "BatchGetItem", "Query"}
WRITE = {"PutItem", "UpdateItem", "BatchWriteItem", "ConditionCheckItem"}


@pytest.fixture
def recorded(monkeypatch):
    """(operation, table short name) of every DynamoDB call, and every Stripe request."""
    from chalicelib.config import settings

    prefix = settings().table_prefix + "-"
    seen: dict[str, list] = {"dynamodb": [], "stripe": []}
    original = BaseClient._make_api_call

    def record(client, operation, params):
        if client.meta.service_model.service_name == "dynamodb":
            if "TableName" in params:
                seen["dynamodb"].append((operation, params["TableName"].removeprefix(prefix)))
            for table in params.get("RequestItems", {}):
                seen["dynamodb"].append((operation, table.removeprefix(prefix)))
            for item in params.get("TransactItems", []):  # IAM checks each item's own action
                (kind, detail), = item.items()
                action = "GetItem" if kind == "Get" else f"{kind}Item" if kind != "ConditionCheck" else "ConditionCheckItem"
                seen["dynamodb"].append((action, detail["TableName"].removeprefix(prefix)))
        return original(client, operation, params)

    import stripe

    def no_stripe(self, method, url, *args, **kwargs):
        seen["stripe"].append((method, url))
        raise AssertionError(f"a public route called Stripe: {method} {url}")

    monkeypatch.setattr(BaseClient, "_make_api_call", record)
    monkeypatch.setattr(stripe.RequestsClient, "request", no_stripe)
    return seen


def test_the_public_routes_are_the_ones_anyone_may_call():
    routes = {(m, p) for p, entries in application.app.routes.items() for m in entries}
    assert set(PUBLIC_ROUTES) <= routes
    assert ("POST", "/webhooks/stripe") not in PUBLIC_ROUTES  # signed with the webhook secret


def test_public_routes_need_nothing_beyond_the_public_role(api, recorded):
    from chalicelib.services import notifications

    producer, alice = factories.producer(), factories.member()
    film_id = factories.make_film(producer)["film_id"]
    coproducers.back(film_id, alice, 2_000)
    assert api.put("/me", {"display_name": "Alice", "email": "alice@example.org", "notify_email": True},
                   caller=alice).status_code == 200
    token = notifications.unsubscribe_token(alice.user_id, "email")
    paths = {"/films/{film_id}": f"/films/{film_id}", "/films/{film_id}/milestones": f"/films/{film_id}/milestones",
             "/unsubscribe": f"/unsubscribe?token={token}",
             "/films/{film_id}/funding": f"/films/{film_id}/funding",
             "/films/{film_id}/updates": f"/films/{film_id}/updates",
             "/films/{film_id}/credits": f"/films/{film_id}/credits",
             "/films/{film_id}/simulation": f"/films/{film_id}/simulation?rights_cents=100000&pledge_cents=2000"}
    recorded["dynamodb"].clear()
    for method, route in PUBLIC_ROUTES:
        for caller in (None, alice, producer, factories.admin()):
            response = api.call(method, paths.get(route, route), caller=caller)
            assert response.status_code < 300, (method, route, response.data)
    spec = FUNCTIONS["public_api"]
    allowed = {(op, t) for t in spec.reads for op in READ} | {(op, t) for t in spec.writes for op in WRITE}
    assert recorded["dynamodb"] and set(recorded["dynamodb"]) <= allowed, set(recorded["dynamodb"]) - allowed
    assert recorded["stripe"] == []
    assert not spec.deletes and spec.secrets == ("token_secret",)


def test_the_public_function_answers_api_gateway_like_the_api_handler(api):
    from types import SimpleNamespace

    event = {"resource": "/openapi.json", "path": "/openapi.json", "httpMethod": "GET", "headers": {},
             "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
             "pathParameters": None, "stageVariables": None, "body": None, "isBase64Encoded": False,
             "requestContext": {"resourcePath": "/openapi.json", "httpMethod": "GET", "path": "/api/openapi.json",
                                "stage": "api", "requestId": "public-1", "identity": {"sourceIp": "127.0.0.1"}}}
    context = SimpleNamespace(aws_request_id="public-1", function_name="public_api")
    response = application.public_api(event, context)
    assert response["statusCode"] == 200 and '"openapi"' in response["body"]
