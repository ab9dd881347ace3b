"""GET /films/{film_id}/funding: a film's funding day by day, for its chart."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters import funding_days
from chalicelib.auth import Caller
from chalicelib.domain import funding
from chalicelib.services import films


def daily(film_id: str, caller: Caller | None) -> dict[str, Any]:
    """Same visibility as the film itself: drafts only to their producer and admins."""
    films.visible(film_id, caller)
    return {"film_id": film_id, "days": funding.series(funding_days.movements(film_id))}
