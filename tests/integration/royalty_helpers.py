"""Co-producers with real confirmed pledges, receipts and runs, for the royalty tests."""

from __future__ import annotations

import uuid

from chalicelib import clock
from chalicelib.adapters.tables import LedgerRecord, PledgeRecord
from chalicelib.schemas import ReceiptCreate
from chalicelib.services import contributions, rights
from tests import factories


def back(film_id: str, user_id: str, cents: int) -> str:
    """A confirmed pledge of `cents` by `user_id` (counted like the pledge flow does)."""
    now = clock.iso()
    pledge_id = f"plg_{uuid.uuid4().hex}"
    record = PledgeRecord(pledge_id, film_id=film_id, user_id=user_id, amount_cents=cents, status="pending",
                          request_hash="test", created_at=now, updated_at=now, created_key=f"{now}#{pledge_id}")
    record.save()
    assert contributions.confirm(record)
    return pledge_id


def receipt(film_id: str, period: str, cents: int, reference: str | None = None, corrects: str | None = None) -> dict:
    body, _ = rights.record_receipt(factories.admin(), film_id, ReceiptCreate(
        period=period, rights_received_cents=cents, reference=reference or uuid.uuid4().hex, corrects=corrects))
    return body


def film_credits(film_id: str, period: str | None = None) -> list[LedgerRecord]:
    condition = LedgerRecord.film_entry.startswith(period) if period else None
    return list(LedgerRecord.by_film.query(film_id, condition))
