"""Royalties: periods, the co-producers' pool and its allocation in integer cents. Pure.

The pool of a batch of receipts is ``rights_received * rate_bps / 10000`` rounded toward
zero: a positive pool is floored (the platform keeps the fraction of a cent), and a negative
one (a correction) takes back exactly what the same positive amount gave, never more.

The pool is allocated pro rata to each co-producer's confirmed cents by the largest-remainder
method: everyone gets the floor of their exact share, and the cents left over (fewer than the
number of co-producers) go one each to the largest remainders; equal remainders go to the
earlier first confirmed pledge, then the smaller user id. A negative pool is allocated as
the negation of the allocation of its absolute value.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterable

BPS = 10_000
DEFAULT_RATE_BPS = 8_000
PERIOD_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


# --- Periods ---------------------------------------------------------------------------

def parse_period(text: str) -> tuple[int, int]:
    match = PERIOD_PATTERN.match(text or "")
    if not match:
        raise ValueError("must be a month written YYYY-MM")
    return int(match.group(1)), int(match.group(2))


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_period(day: date) -> str:
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def period_end(period: str) -> datetime:
    """The first instant after the period (UTC)."""
    year, month = parse_period(period)
    year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return datetime(year, month, 1, tzinfo=timezone.utc)


def is_future(period: str, today: date) -> bool:
    return parse_period(period) > (today.year, today.month)


def weights_as_of(period: str, run_started: datetime) -> datetime:
    """When the co-producers' totals are taken: the period's end, or the start of the run
    when the current period is distributed before it ends."""
    return min(period_end(period), run_started)


# --- The pool --------------------------------------------------------------------------

def pool_cents(rights_received_cents: int, coproducer_rate_bps: int) -> int:
    """The co-producers' part of `rights_received_cents`, rounded toward zero."""
    if not 0 <= coproducer_rate_bps <= BPS:
        raise ValueError("the rate is in basis points, from 0 to 10000")
    magnitude = abs(rights_received_cents) * coproducer_rate_bps // BPS
    return magnitude if rights_received_cents >= 0 else -magnitude


def period_pool_cents(batches: Iterable[tuple[int, int]]) -> int:
    """The co-producers' part of every receipt of a period so far, given as
    (rights_received_cents, coproducer_rate_bps) per batch: the exact sum of received x rate,
    rounded toward zero once, on the whole period (never batch by batch)."""
    scaled = 0
    for received, rate in batches:
        if not 0 <= rate <= BPS:
            raise ValueError("the rate is in basis points, from 0 to 10000")
        scaled += received * rate
    magnitude = abs(scaled) // BPS
    return magnitude if scaled >= 0 else -magnitude


# --- Allocation ------------------------------------------------------------------------

@dataclass(frozen=True)
class Share:
    user_id: str
    weight_cents: int  # confirmed, unrefunded cents in the film when the weights were taken
    first_confirmed_at: str  # ISO timestamp of the first confirmed pledge (tie-breaker)


def allocate(pool: int, shares: Iterable[Share]) -> dict[str, int]:
    """Each co-producer's cents of `pool`, by largest remainder.

    Co-producers with no weight get nothing and are left out. The amounts sum to `pool`
    exactly unless nobody has any weight (then the result is empty). User ids must be unique.
    The cents left after the whole parts go to the largest remainders; equal remainders go
    to the earlier first confirmed pledge, then the smaller user id.

    Pledge amounts repeat (many co-producers put in 10, 25 or 50 EUR), so each distinct weight's
    whole part and remainder are computed once, and the smallest remainder that still earns a
    cent is found among the distinct weights, not by sorting every share.
    """
    positive = [s for s in shares if s.weight_cents > 0]
    weights = [s.weight_cents for s in positive]
    total = sum(weights)
    if total == 0 or pool == 0:
        return {s.user_id: 0 for s in positive} if total else {}
    sign, magnitude = (1, pool) if pool > 0 else (-1, -pool)
    counts = Counter(weights)
    whole_of = {weight: magnitude * weight // total for weight in counts}
    remainder_of = {weight: magnitude * weight % total for weight in counts}
    amounts = list(map(whole_of.__getitem__, weights))
    left = magnitude - sum(whole_of[weight] * n for weight, n in counts.items())
    if left:
        for index in _largest_remainders(weights, remainder_of, counts, positive, left):
            amounts[index] += 1
    if sign < 0:
        amounts = [-amount for amount in amounts]
    return dict(zip([s.user_id for s in positive], amounts))


def _largest_remainders(weights: list[int], remainder_of: dict[int, int], counts: Counter[int],
                        shares: list[Share], count: int) -> list[int]:
    """Indexes of the `count` shares with the largest remainders, ties by (first_confirmed_at, user_id):
    the same order as sorting every (-remainder, first_confirmed_at, user_id)."""
    handed = 0
    threshold = 0
    for remainder, weight in sorted(((remainder_of[w], w) for w in counts), reverse=True):
        handed += counts[weight]
        if handed >= count:
            threshold = remainder  # > 0: the remainders add up to `count` x total
            break
    above = {w for w in counts if remainder_of[w] > threshold}
    tied_weights = {w for w in counts if remainder_of[w] == threshold}
    winners = [i for i, weight in enumerate(weights) if weight in above]
    tied = [i for i, weight in enumerate(weights) if weight in tied_weights]
    tied.sort(key=lambda i: (shares[i].first_confirmed_at, shares[i].user_id))
    return winners + tied[:count - len(winners)]


def share_ppm(part_cents: int, whole_cents: int) -> int:
    """`part / whole` in parts per million, floored (0 when the whole is 0)."""
    return part_cents * 1_000_000 // whole_cents if whole_cents > 0 else 0


def payout_due(balance_cents: int, threshold_cents: int, has_account: bool) -> bool:
    return has_account and balance_cents > 0 and balance_cents >= threshold_cents


def batch_credits(credited_pool: int, period_pool: int, shares: Iterable[Share]) -> dict[str, int]:
    """What a new batch of a period credits each co-producer: the allocation of the period's
    cumulative pool minus the allocation of the pool credited by the earlier batches (both over
    the period's frozen weights). Whatever the batching, the credits of a period then add up,
    per co-producer, to the allocation of the whole period in one batch; a co-producer whose
    tie-break cent moves to another is credited -1 cent. Zero credits are left out."""
    shares = list(shares)
    before = allocate(credited_pool, shares)
    after = allocate(period_pool, shares)
    credits = {}
    for share in shares:
        amount = after.get(share.user_id, 0) - before.get(share.user_id, 0)
        if amount:
            credits[share.user_id] = amount
    return credits
