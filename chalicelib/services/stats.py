"""Platform-wide figures for the public home page: one Query of the platform counter."""

from __future__ import annotations

from chalicelib.adapters import counters
from chalicelib.services import last_good


def platform() -> dict[str, int]:
    """While DynamoDB does not answer: the last good figures (services/last_good.py)."""
    return last_good.read("stats", _platform)


def _platform() -> dict[str, int]:
    totals = counters.read(counters.PLATFORM)
    return {
        "films": totals["films"],
        "open_films": totals["open_films"],
        "goal_cents": totals["goal_cents"],
        "raised_cents": totals["raised_cents"],
        "coproducers": totals["coproducers"],
    }
