"""News from a film's team: who may read an update. Pure."""

from __future__ import annotations

PUBLIC, COPRODUCERS = "public", "coproducers"
AUDIENCES = (PUBLIC, COPRODUCERS)
MAX_TITLE = 200
MAX_BODY = 10_000


def readable(member: bool) -> tuple[str, ...]:
    """The audiences a reader sees: everyone sees public updates; the film's co-producers, its
    producer and admins see every update."""
    return AUDIENCES if member else (PUBLIC,)
