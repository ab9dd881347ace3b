"""`GET /films/{film_id}/simulation`: what a distribution of some rights would credit now,
over the weights a run started now would take (domain/simulation.py does the arithmetic)."""

from __future__ import annotations

import re
from typing import Any

from chalicelib import clock
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.domain import simulation
from chalicelib.domain.films import PLATFORM_MIN_PLEDGE_CENTS
from chalicelib.errors import invalid_field, refused
from chalicelib.services import distributions, films, rights

WHOLE_NUMBER = re.compile(r"^[0-9]{1,16}$")


def cents_param(name: str, raw: str | None, *, minimum: int, maximum: int) -> int | None:
    """An optional query parameter in integer cents (digits only: no sign, decimals or exponent)."""
    return None if raw is None else cents(name, raw, minimum=minimum, maximum=maximum)


def cents(name: str, raw: str, *, minimum: int, maximum: int) -> int:
    """A query parameter in integer cents, given."""
    if not WHOLE_NUMBER.match(raw):
        raise invalid_field(name, "must be a whole number of cents, like 100000")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise invalid_field(name, f"must be from {minimum} to {maximum}")
    return value


def simulate(caller: Caller | None, film_id: str, rights_raw: str | None, pledge_raw: str | None) -> dict[str, Any]:
    if rights_raw is None:
        raise invalid_field("rights_cents", "is required: the rights received, in cents")
    rights_cents = cents("rights_cents", rights_raw, minimum=0, maximum=simulation.MAX_RIGHTS_CENTS)
    # The document's bounds answer 400; the film's own minimum and the platform's maximum (a
    # setting) refuse a well-formed amount: 422, as a pledge does.
    pledge_cents = cents_param("pledge_cents", pledge_raw, minimum=PLATFORM_MIN_PLEDGE_CENTS,
                               maximum=simulation.MAX_RIGHTS_CENTS)
    if pledge_cents is not None and pledge_cents > settings().max_pledge_cents:
        raise refused("pledge_cents", f"must be at most {settings().max_pledge_cents} (the platform's maximum pledge)")
    film = films.visible(film_id, caller)
    if pledge_cents is not None and pledge_cents < int(film.min_pledge_cents or 0):
        raise refused("pledge_cents", f"is below the film's minimum pledge of {int(film.min_pledge_cents)} cents")
    now = clock.iso()
    body = simulation.simulate(rights_cents, rights.rate_bps(film_id), distributions.current_weights(film_id),
                               user_id=caller.user_id if caller else None, pledge_cents=pledge_cents, at=now)
    return {"film_id": film_id, "weights_as_of": now, **body}
