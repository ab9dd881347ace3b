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
from itertools import compress
from operator import attrgetter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Iterable, Mapping

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


@dataclass(frozen=True)
class Plan:
    """What the allocation of `pool` over a whole set of weights decides, in a few integers:
    enough to allocate any part of the set on its own (a page of co-producers), exactly as the
    allocation of the whole set would. A share's cents are ``magnitude * weight // total``, plus
    one when its remainder ``magnitude * weight % total`` is above `threshold`, or equal to it
    with (first_confirmed_at, user_id) at or before `cutoff`; negated when the pool is negative."""

    pool: int
    total: int  # the sum of the positive weights (0: nobody, nothing allocated)
    threshold: int  # == total when no share earns a cent of the remainders
    cutoff: tuple[str, str] | None = None  # the last tied share that earns one

    def as_dict(self) -> dict[str, Any]:
        return {"pool": self.pool, "total": self.total, "threshold": self.threshold,
                "cutoff": list(self.cutoff) if self.cutoff else None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        cutoff = data.get("cutoff")
        return cls(int(data["pool"]), int(data["total"]), int(data["threshold"]),
                   (str(cutoff[0]), str(cutoff[1])) if cutoff else None)


_WEIGHT = attrgetter("weight_cents")
_USER = attrgetter("user_id")


def _positive(shares: Iterable[Share]) -> tuple[list[Share], list[int]]:
    """The shares with a weight, and their weights (in the same order)."""
    shares = shares if isinstance(shares, list) else list(shares)
    weights = list(map(_WEIGHT, shares))
    if weights and min(weights) <= 0:
        keep = [weight > 0 for weight in weights]
        shares, weights = list(compress(shares, keep)), list(compress(weights, keep))
    return shares, weights


def plan(pool: int, shares: Iterable[Share]) -> Plan:
    """The largest-remainder decisions of allocating `pool` over every share of `shares`."""
    positive, weights = _positive(shares)
    return _plan(pool, positive, weights, Counter(weights))


def _plan(pool: int, positive: list[Share], weights: list[int], counts: Counter[int]) -> Plan:
    total = sum(weights)
    magnitude = abs(pool)
    if total == 0 or magnitude == 0:
        return Plan(pool, total, total)
    remainders = sorted(((magnitude * weight % total, weight) for weight in counts), reverse=True)
    left = magnitude - sum(magnitude * weight // total * n for weight, n in counts.items())
    if left == 0:
        return Plan(pool, total, total)
    # Pledge amounts repeat (many co-producers put in 10, 25 or 50 EUR): the smallest remainder
    # that still earns a cent is found among the distinct weights, not by sorting every share.
    handed, threshold, above = 0, 0, 0
    for remainder, weight in remainders:  # the remainders add up to `left` x total: this stops
        if handed + counts[weight] >= left:
            threshold = remainder
            break
        handed += counts[weight]
    above = sum(counts[w] for r, w in remainders if r > threshold)
    tied_weights = {w for r, w in remainders if r == threshold}
    tied = [(s.first_confirmed_at, s.user_id)
            for s in compress(positive, map(tied_weights.__contains__, weights))]
    tied.sort()
    return Plan(pool, total, threshold, tied[left - above - 1])


def amounts(plan: Plan, shares: Iterable[Share]) -> list[int]:
    """Each share's cents under `plan` (the plan of these shares, or of a set they are part of),
    in the order of `shares` (0 for a share with no weight): what a page of the run credits."""
    shares = shares if isinstance(shares, list) else list(shares)
    positive, weights = _positive(shares)
    cents = _amounts(plan, positive, weights, set(weights))
    if len(positive) == len(shares):
        return cents
    of_user = dict(zip(map(_USER, positive), cents))
    return [of_user.get(share.user_id, 0) for share in shares]


def _amounts(plan: Plan, positive: list[Share], weights: list[int], distinct: Iterable[int]) -> list[int]:
    if plan.total == 0:
        return [0] * len(positive)
    magnitude, total, threshold = abs(plan.pool), plan.total, plan.threshold
    amount_of, tied_weights = {}, set()
    for weight in distinct:
        whole, remainder = divmod(magnitude * weight, total)
        amount_of[weight] = whole + (remainder > threshold)
        if remainder == threshold and plan.cutoff is not None:
            tied_weights.add(weight)
    cents = list(map(amount_of.__getitem__, weights))
    if tied_weights:
        cutoff = plan.cutoff
        for index in compress(range(len(weights)), map(tied_weights.__contains__, weights)):
            share = positive[index]
            if (share.first_confirmed_at, share.user_id) <= cutoff:  # type: ignore[operator]
                cents[index] += 1
    return [-amount for amount in cents] if plan.pool < 0 else cents


def allocate(pool: int, shares: Iterable[Share]) -> dict[str, int]:
    """Each co-producer's cents of `pool`, by largest remainder.

    Co-producers with no weight get nothing and are left out. The amounts sum to `pool`
    exactly unless nobody has any weight (then the result is empty). User ids must be unique.
    The cents left after the whole parts go to the largest remainders; equal remainders go
    to the earlier first confirmed pledge, then the smaller user id.
    """
    positive, weights = _positive(shares)
    counts = Counter(weights)
    decided = _plan(pool, positive, weights, counts)
    return dict(zip(map(_USER, positive), _amounts(decided, positive, weights, counts))) if decided.total else {}


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
    return {share.user_id: cents for share, cents in page_credits(batch_plans(credited_pool, period_pool, shares), shares)}


def batch_plans(credited_pool: int, period_pool: int, shares: Iterable[Share]) -> tuple[Plan, Plan]:
    """The plans of a batch (the pool credited before it, the period's pool with it) over the
    period's weights, from which each page of co-producers is credited on its own."""
    positive, weights = _positive(shares)
    counts = Counter(weights)
    return _plan(credited_pool, positive, weights, counts), _plan(period_pool, positive, weights, counts)


def page_credits(plans: tuple[Plan, Plan], shares: list[Share]) -> list[tuple[Share, int]]:
    """The non-zero credits of a page of the period's weights under its batch's plans: the
    same cents as `batch_credits` over the whole period gives these co-producers."""
    before, after = amounts(plans[0], shares), amounts(plans[1], shares)
    return [(share, a - b) for share, a, b in zip(shares, after, before) if a != b]
