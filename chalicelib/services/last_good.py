"""The last good answer of a public read, served while DynamoDB does not answer.

GET /films (anonymous) and GET /stats keep, per Lambda container, their last successful
answer for each query. When DynamoDB then does not answer in time or throttles, the route
answers that copy (if it is at most STALE_READS_SECONDS old) instead of a 503. Every other
read and every write refuses with 503 (docs/architecture/api.md, "When a dependency stalls").
A normal answer is always read from DynamoDB: the copy only stands in during an outage.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, Callable, TypeVar

from chalicelib import clock
from chalicelib.adapters import outages
from chalicelib.config import settings
from chalicelib.observability import logger

T = TypeVar("T")
MAX_ANSWERS = 256  # per container; the oldest query is forgotten first

_answers: dict[str, tuple[datetime, Any]] = {}


def read(key: str, compute: Callable[[], T]) -> T:
    try:
        value = compute()
    except Exception as exc:
        outage = outages.classify(exc)
        kept = _answers.get(key)
        if outage is None or kept is None:
            raise
        age = (clock.now() - kept[0]).total_seconds()
        if age > settings().stale_reads_seconds:
            raise
        outages.record(outage)
        logger.warning("served the last good answer", extra={"key": key, "age_seconds": round(age, 1)})
        return copy.deepcopy(kept[1])
    _answers.pop(key, None)
    if len(_answers) >= MAX_ANSWERS:
        _answers.pop(next(iter(_answers)))
    _answers[key] = (clock.now(), copy.deepcopy(value))
    return value


def forget() -> None:
    """Drop every kept answer (tests)."""
    _answers.clear()
