"""Every kind of Lambda flushes its metrics: an alarm on a metric that never leaves its Lambda is blind."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from chalicelib import clock, observability
from tests import factories
from tests.integration.royalty_helpers import receipt
from tests.integration.test_royalty_payouts import payee


@pytest.fixture
def flushed(monkeypatch):
    """The names of the metrics each flush sends, in order (the test stack disables the EMF output)."""
    sent: list[list[str]] = []

    def flush_metrics(raise_on_empty_metrics: bool = False) -> None:
        sent.append(sorted(observability.metrics.metric_set))
        observability.metrics.metric_set.clear()

    monkeypatch.setattr(observability.metrics, "flush_metrics", flush_metrics)
    return sent


def test_payout_failed_leaves_the_royalty_chunk_lambda(fake, flushed):
    import app

    film_id = factories.make_film()["film_id"]
    payee(film_id, "refused", 5000, account="acct_fail_closed")
    with clock.frozen(datetime(2025, 7, 20, tzinfo=timezone.utc)):
        receipt(film_id, "2025-07", 50_000)
    message = {"Records": [{"body": json.dumps({"film_id": film_id, "period": "2025-07"})}]}
    context = SimpleNamespace(aws_request_id="chunk-request-1", function_name="distribute_royalties_chunk")
    with clock.frozen(datetime(2025, 8, 1, 3, tzinfo=timezone.utc)):
        app.distribute_royalties_chunk(message, context)
    assert any("PayoutFailed" in names for names in flushed)
