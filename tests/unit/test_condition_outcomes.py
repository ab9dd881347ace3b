"""A write that DynamoDB throttled, or that failed for any reason but its condition, is never
taken for "someone else wrote first": it raises (the edge answers 503, a run is retried)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError
from pynamodb.exceptions import PutError, UpdateError

from chalicelib.adapters.tables import DistributionRecord, PerkRecord
from chalicelib.errors import Conflict
from chalicelib.services import distributions, perks

THROTTLED = "ProvisionedThroughputExceededException"
REFUSED = "ConditionalCheckFailedException"


def _raising(kind, code):
    def write(*args, **kwargs):
        raise kind("write failed", cause=ClientError({"Error": {"Code": code, "Message": "m"}}, "Write"))
    return write


def _running_distribution():
    batch = {"batch": 1, "status": "running", "rights_received_cents": 10_000, "pool_cents": 8_000}
    record = DistributionRecord("flm_1", "2026-11", status="running", version=3, batches=[batch],
                                created_at="t", updated_at="t")
    return record, batch


@pytest.mark.parametrize(("code", "closed_by_another_run"), [(REFUSED, True), (THROTTLED, False)])
def test_closing_a_batch_is_skipped_only_when_another_run_closed_it(code, closed_by_another_run):
    record, batch = _running_distribution()
    record.update = _raising(UpdateError, code)
    steps = []
    totals = {"credited_cents": 8_000, "unallocated_cents": 0, "credits": 2}
    if closed_by_another_run:
        distributions._close(record, batch, totals, steps.append)
        assert steps == ["closed"]
    else:
        with pytest.raises(UpdateError):
            distributions._close(record, batch, totals, steps.append)
        assert steps == []


@pytest.mark.parametrize(("code", "answer"), [(REFUSED, Conflict), (THROTTLED, PutError)])
def test_a_new_perk_is_a_conflict_only_when_its_id_is_taken(monkeypatch, code, answer):
    monkeypatch.setattr(perks, "managed_film", lambda caller, film_id: None)
    monkeypatch.setattr(perks, "catalogue_of", lambda film_id: [])
    monkeypatch.setattr(PerkRecord, "save", _raising(PutError, code))
    data = SimpleNamespace(model_dump=lambda: {"kind": "forum", "title": "Forum", "available_from_stage": "development"})
    with pytest.raises(answer):
        perks.create(SimpleNamespace(user_id="u"), "flm_1", data)
