"""The money aggregate's storage behind ports (pledges and backings, the counted totals,
refunds), with a unit of work: see ports.py. `store()` is DynamoDB's unless a test `use`s
the in-memory twin."""

from __future__ import annotations

from chalicelib.adapters.money import dynamodb
from chalicelib.adapters.money.ports import ANY, FilmTakes, Held, PledgeIf, Refused, RefundIf, Store, UnitOfWork, WaitingIf

__all__ = ["ANY", "FilmTakes", "Held", "PledgeIf", "Refused", "RefundIf", "Store", "UnitOfWork", "WaitingIf", "store", "use"]

_store: Store | None = None
_dynamodb = dynamodb.Store()


def store() -> Store:
    return _store or _dynamodb


def use(replacement: Store | None) -> None:
    """Put `replacement` (the in-memory twin) in DynamoDB's place; None puts DynamoDB back."""
    global _store
    _store = replacement
