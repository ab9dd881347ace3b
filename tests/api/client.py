"""An in-process API client (chalice.test.Client) that speaks JSON."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

import app as application
from chalicelib import contract, responses
from tests import factories


def operation_for(method: str, path: str) -> contract.Operation:
    """The documented operation a request path falls under (literal segments win)."""
    segments = path.split("?", 1)[0].rstrip("/").split("/")
    best = None
    for op in contract.OPERATIONS:
        pattern = op.path.split("/")
        if op.method != method or len(pattern) != len(segments):
            continue
        if all(p == s or (p.startswith("{") and s) for p, s in zip(pattern, segments)):
            literal = sum(not p.startswith("{") for p in pattern)
            if best is None or literal > best[0]:
                best = (literal, op)
    assert best is not None, f"{method} {path} is not in chalicelib/contract.py"
    return best[1]


def check_conformance(method: str, path: str, status: int, data: Any) -> None:
    """Every response a test sees must match what GET /openapi.json documents."""
    if status >= 400:
        responses.Error.model_validate(data)
        return
    op = operation_for(method, path)
    assert status in (op.status, *op.also), f"{method} {path} answered {status}; the contract says {op.status}"
    if op.response is not None and not (op.csv and isinstance(data, str)):
        op.response.model_validate(data)


class Api:
    def __init__(self, client: Client):
        self.client = client

    def call(self, method: str, path: str, body: Any = None, *, caller=None, headers=None,
             raw: str | bytes | None = None):
        all_headers = {"Content-Type": "application/json"}
        if caller is not None:
            all_headers["Authorization"] = f"Bearer {factories.token(caller)}"
        all_headers.update(headers or {})
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = getattr(self.client.http, method.lower())(path, headers=all_headers, body=payload)
        text_csv = response.headers.get("Content-Type", "").startswith("text/csv")
        response.data = (response.body.decode() if text_csv else json.loads(response.body)) if response.body else None
        check_conformance(method.upper(), path, response.status_code, response.data)
        return response

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


def make_client() -> Client:
    return Client(application.app, stage_name="local")
