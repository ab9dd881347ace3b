"""Waiting before another attempt, with full jitter around domain.backoff's one formula.

Used where a loop retries at once (a transaction that lost to a concurrent writer, a send that
throttled); `sleep` and `uniform` are parameters so that tests replace them and never wait.
"""

from __future__ import annotations

import random
import time
from typing import Callable

from chalicelib.domain import backoff


def pause(attempt: int, *, base: float, cap: float,
          sleep: Callable[[float], None] = time.sleep,
          uniform: Callable[[float, float], float] = random.uniform) -> float:
    """Sleep a random time up to the backoff ceiling of `attempt`; return how long."""
    seconds = uniform(0.0, backoff.ceiling(attempt, base=base, cap=cap))
    sleep(seconds)
    return seconds
