"""An in-process API client (chalice.test.Client) that speaks JSON."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

import app as application
from tests import factories


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
        response.data = json.loads(response.body) if response.body else None
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
