"""Platform-wide figures for the public home page: one Query of the platform counter."""

from __future__ import annotations

from chalicelib.adapters import counters


def platform() -> dict[str, int]:
    totals = counters.read(counters.PLATFORM)
    return {
        "films": totals["films"],
        "open_films": totals["open_films"],
        "goal_cents": totals["goal_cents"],
        "raised_cents": totals["raised_cents"],
        "coproducers": totals["coproducers"],
    }
