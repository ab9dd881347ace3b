"""A film's funding over time: one entry per UTC day, pure functions over plain values.

Money enters a day when its pledge is confirmed and leaves the day a refund (or a lost
dispute) takes it off the film's totals; the day of a movement is the UTC date of the moment
the platform counted it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable, Mapping


def day_of(moment_iso: str) -> str:
    """YYYY-MM-DD of an ISO 8601 UTC timestamp such as 2026-11-27T09:38:13.123456Z."""
    return date.fromisoformat(moment_iso[:10]).isoformat()


def day_number(day: str) -> int:
    """2026-11-27 -> 20261127: sortable as a number, as the day's sort key is."""
    return int(day.replace("-", ""))


def day_from_number(number: int) -> str:
    text = f"{number:08d}"
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def series(movements: Mapping[str, tuple[int, int]]) -> list[dict[str, int | str]]:
    """Each day from the first movement to the last, gaps included: the cents the day added
    (negative when refunds outweigh pledges), and the film's total and co-producer count at
    the end of the day. `movements` maps YYYY-MM-DD to (cents, co-producers joined - left)."""
    if not movements:
        return []
    days = sorted(movements)
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    total = coproducers = 0
    out: list[dict[str, int | str]] = []
    for offset in range((last - first).days + 1):
        day = (first + timedelta(days=offset)).isoformat()
        raised, joined = movements.get(day, (0, 0))
        total += raised
        coproducers += joined
        out.append({"date": day, "raised_cents": raised, "total_cents": total, "coproducers": coproducers})
    return out


def merge(parts: Iterable[tuple[str, int, int]]) -> dict[str, tuple[int, int]]:
    """Sum (day, cents, co-producers) parts, such as the shards of each day."""
    out: dict[str, tuple[int, int]] = {}
    for day, raised, joined in parts:
        before = out.get(day, (0, 0))
        out[day] = (before[0] + raised, before[1] + joined)
    return out
