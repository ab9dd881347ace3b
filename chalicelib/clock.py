"""The one source of 'now'. Tests and local tools move time with `frozen`, never by sleeping."""

from __future__ import annotations

import contextlib
import time
from datetime import date, datetime, timezone
from typing import Callable, Iterator

_now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)  # noqa: E731


def now() -> datetime:
    return _now()


def today() -> date:
    return _now().date()


def epoch() -> int:
    """Now in whole seconds since the epoch: leases and their expiry, on the same clock."""
    return int(_now().timestamp())


def iso(moment: datetime | None = None) -> str:
    """UTC timestamp with microseconds, sortable as text: 2026-11-27T09:38:13.123456Z."""
    return (moment or now()).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def wall_epoch() -> int:
    """The wall clock in whole seconds, never frozen: for times an outside party checks against
    its own clock (a signed token's iat and exp, which PyJWT verifies with the real time)."""
    return int(time.time())


@contextlib.contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    global _now
    previous = _now
    _now = lambda: moment  # noqa: E731
    try:
        yield
    finally:
        _now = previous
