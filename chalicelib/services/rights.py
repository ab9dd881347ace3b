"""Profit rights of a film and the money received from them (receipts). Admins only.

Receipts are append-only: a correction is a new receipt (negative allowed) naming the one it
corrects. A receipt's id is derived from (film, reference), so posting the same receipt
again is harmless: the same body answers the stored receipt, another body is a 409.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import DoesNotExist

from chalicelib import clock
from chalicelib.adapters.conditions import written
from chalicelib.adapters.tables import FilmRecord, ReceiptRecord, RightsRecord, find
from chalicelib.auth import Caller
from chalicelib.domain import royalties as rules
from chalicelib.errors import Conflict, refused
from chalicelib.services import films

UNDISTRIBUTED = "pending"

if TYPE_CHECKING:  # request models: pydantic loads only with the routes that parse a body
    from chalicelib.schemas import ReceiptCreate, Rights


def find_rights(film_id: str) -> RightsRecord | None:
    return find(RightsRecord, film_id)


def rate_bps(film_id: str) -> int:
    record = find_rights(film_id)
    return int(record.coproducer_rate_bps) if record else rules.DEFAULT_RATE_BPS


def rights_view(film_id: str, record: RightsRecord | None) -> dict[str, Any]:
    return {
        "film_id": film_id,
        "description": record.description if record else None,
        "coproducer_rate_bps": int(record.coproducer_rate_bps) if record else rules.DEFAULT_RATE_BPS,
        "updated_at": record.updated_at if record else None,
    }


ROYALTY_STATUSES = ("open", "funded")  # a draft or failed film has no co-producer to hold a share


def load_royalty_film(film_id: str) -> FilmRecord:
    """The film, if it can receive rights: open or funded. 409 film_not_funded otherwise."""
    film = films.load(film_id)
    if film.status not in ROYALTY_STATUSES:
        raise Conflict(f"film_id: the film is {film.status}; rights and receipts are for open or funded films, "
                       "whose co-producers hold shares", code="film_not_funded", field="film_id")
    return film


def put_rights(caller: Caller, film_id: str, data: Rights) -> dict[str, Any]:
    caller.require("admin")
    load_royalty_film(film_id)
    record = RightsRecord(film_id, description=data.description, coproducer_rate_bps=data.coproducer_rate_bps,
                          updated_at=clock.iso(), updated_by=caller.user_id)
    record.save()
    return rights_view(film_id, record)


def receipt_id(film_id: str, reference: str) -> str:
    return "rcp_" + hashlib.sha256(f"{film_id}\n{reference}".encode()).hexdigest()[:32]


def receipt_view(record: ReceiptRecord) -> dict[str, Any]:
    return {
        "receipt_id": record.receipt_id, "film_id": record.film_id, "period": record.period,
        "rights_received_cents": int(record.rights_received_cents), "reference": record.reference,
        "corrects": record.corrects, "recorded_at": record.recorded_at,
        "distributed": record.batch is not None, "batch": int(record.batch) if record.batch is not None else None,
    }


def _same(record: ReceiptRecord, data: ReceiptCreate) -> bool:
    return (record.period, int(record.rights_received_cents), record.corrects) == (
        data.period, data.rights_received_cents, data.corrects)


def record_receipt(caller: Caller, film_id: str, data: ReceiptCreate) -> tuple[dict[str, Any], bool]:
    """The receipt, and whether this call recorded it (False: the same one existed)."""
    caller.require("admin")
    load_royalty_film(film_id)
    if rules.is_future(data.period, clock.today()):
        raise refused("period", "is in the future: receipts are for the current month or earlier")
    if data.corrects is not None:
        try:
            ReceiptRecord.get(film_id, data.corrects)
        except DoesNotExist:
            raise refused("corrects", "is not a receipt of this film")
    rid = receipt_id(film_id, data.reference)
    record = ReceiptRecord(film_id, rid, period=data.period, film_receipt=f"{film_id}#{rid}",
                           rights_received_cents=data.rights_received_cents, reference=data.reference,
                           corrects=data.corrects, recorded_at=clock.iso(), recorded_by=caller.user_id,
                           undistributed=UNDISTRIBUTED)
    if written(lambda: record.save(condition=ReceiptRecord.receipt_id.does_not_exist())):
        return receipt_view(record), True
    existing = ReceiptRecord.get(film_id, rid, consistent_read=True)
    if not _same(existing, data):
        raise Conflict("reference: a different receipt with this reference exists; a correction is a new receipt",
                       code="receipt_exists", field="reference")
    return receipt_view(existing), False


def receipts_of(film_id: str) -> list[ReceiptRecord]:
    """Every receipt of a film, oldest period first (a film has a few per month at most)."""
    records = list(ReceiptRecord.query(film_id, consistent_read=True))
    return sorted(records, key=lambda r: (r.period, r.recorded_at, r.receipt_id))


def list_receipts(caller: Caller, film_id: str) -> dict[str, Any]:
    caller.require("admin")
    films.load(film_id)
    return {"items": [receipt_view(r) for r in reversed(receipts_of(film_id))], "next": None}


def films_with_receipts(period: str) -> list[str]:
    return sorted({r.film_id for r in ReceiptRecord.by_period.query(period)})


def undistributed_through(period: str) -> list[tuple[str, str]]:
    """(film, period) of every receipt of `period` or earlier that no distribution has taken,
    oldest period first: a late receipt or correction of a distributed period waits for no one."""
    pairs = {(r.film_id, r.period) for r in ReceiptRecord.undistributed_receipts.query(
        UNDISTRIBUTED, ReceiptRecord.period <= period)}
    return sorted(pairs, key=lambda pair: (pair[1], pair[0]))
