"""How long to wait before the next attempt: one formula for every retry of the platform.

Exponential from `base`, capped at `cap`: attempt 0 waits at most `base`, each attempt doubles
it. Callers that retry in a loop wait a random time up to this ceiling (full jitter, so that
contending writers spread out); schedules that retry later (a refund Stripe refused) wait the
ceiling itself.
"""

from __future__ import annotations


def ceiling(attempt: int, *, base: float, cap: float) -> float:
    """The longest wait before attempt `attempt + 1` (attempt counts from 0)."""
    if attempt < 0:
        return 0.0
    return float(min(cap, base * 2.0 ** min(attempt, 32)))
