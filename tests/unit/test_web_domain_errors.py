"""A domain rule's refusal (a plain exception) becomes its HTTP error at the edge, in one place:
an invalid value 400, a well-formed value the state refuses 422, an illegal move 409, with the rule's code, message and field."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from chalice import Chalice
from chalice.test import Client

from chalicelib import web
from chalicelib.domain import films, pledges
from chalicelib.observability import logger

ROOT = Path(__file__).resolve().parents[2]


def make_app() -> Chalice:
    app = Chalice(app_name="refusals")
    app.register_middleware(web.error_middleware(logger), "http")

    @app.route("/amount")
    def amount():
        pledges.check_amount(500, 1000, 5_000_000)

    @app.route("/key")
    def key():
        pledges.check_idempotency_key(None)

    @app.route("/stage")
    def stage():
        films.check_stage_transition("shooting", "development")

    @app.route("/deadline")
    def deadline():
        films.check_campaign_terms(5000, 1000, date(2020, 1, 1), date(2026, 11, 27))

    web.answer_outages_on_every_route(app)
    return app


def test_each_kind_of_refusal_answers_its_status_with_the_rule_s_code_and_field():
    expected = {
        "/amount": (400, "invalid_field", "amount_cents"),
        "/key": (400, "missing_idempotency_key", "Idempotency-Key"),
        "/stage": (409, "illegal_transition", "stage"),
        "/deadline": (422, "invalid_field", "deadline"),  # well formed, but already past
    }
    with Client(make_app()) as client:
        for path, (status, code, field) in expected.items():
            response = client.http.get(path)
            body = json.loads(response.body)
            assert response.status_code == status, (path, body)
            assert (body["error"]["code"], body["error"]["field"]) == (code, field)
            assert body["error"]["message"].startswith(f"{field}:") or path == "/stage"


def test_the_domain_loads_without_chalice():
    """In a fresh interpreter: every domain module imports, and Chalice stays unloaded."""
    modules = sorted(p.stem for p in (ROOT / "chalicelib" / "domain").glob("*.py") if p.stem != "__init__")
    code = (f"import sys; [__import__('chalicelib.domain.' + m) for m in {modules!r}]; "
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(out.stdout.split())
    assert "chalicelib" in loaded
    assert loaded.isdisjoint({"chalice", "boto3", "botocore", "pynamodb", "stripe", "pydantic"}), loaded
