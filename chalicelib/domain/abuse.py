"""Limits on what one co-producer may start at once: pure rules, plain values in and out.

- At most MAX_PENDING pledges waiting for their payment at once (a pledge whose payment
  needs the co-producer, 3-D Secure or a card to add, holds nothing but still costs a
  PaymentIntent).
- Card testing: MAX_DECLINES declined payments within DECLINE_WINDOW block new pledges for
  BLOCK after the decline that made them that many.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

MAX_PENDING = 5
MAX_DECLINES = 5
DECLINE_WINDOW = timedelta(hours=1)
BLOCK = timedelta(hours=1)
LOOK_BACK = DECLINE_WINDOW + BLOCK  # how far back declines can still block now


def blocked_until(declined_at: Iterable[datetime], now: datetime) -> datetime | None:
    """The end of the block `declined_at` put on new pledges, if it is still on at `now`."""
    times = sorted(t for t in declined_at if t <= now)
    until = None
    for i in range(MAX_DECLINES - 1, len(times)):
        if times[i] - times[i - MAX_DECLINES + 1] <= DECLINE_WINDOW:
            end = times[i] + BLOCK
            if end > now and (until is None or end > until):
                until = end
    return until
