"""The earnings simulator: what a distribution of `rights_cents` would credit now. Pure.

It is the distribution's own arithmetic (domain/royalties.py), not an estimate: the pool is
`period_pool_cents` of one batch (the rights times the film's rate, rounded toward zero, the
platform keeping the fraction of a cent) and each co-producer's cents are `allocate` (largest
remainder, ties to the earlier first confirmed pledge, then the smaller user id) over the same
weights a run takes. Simulating with the current weights gives, to the cent, what a run of a
period with these receipts alone would credit now.

A new pledge is simulated by adding its cents to the weights: to the caller's own weight when
they already hold a share (their first confirmed pledge is unchanged), otherwise as a new
co-producer whose first pledge is the latest of all (it loses every tie, as it would).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from chalicelib.domain import royalties as rules
from chalicelib.domain.royalties import Share

MAX_RIGHTS_CENTS = 10**13  # 100 billion euros: beyond any film's rights
EXAMPLE_PLEDGE_CENTS = 10_000  # "what 100 EUR pledged earns": the per-cent figure, in whole cents
NEWCOMER = "~new-pledge"  # no user id has a `~` (ids are checked against [A-Za-z0-9_-])


@dataclass(frozen=True)
class Waterfall:
    rights_received_cents: int
    coproducer_rate_bps: int
    pool_cents: int
    platform_cents: int
    film_confirmed_cents: int
    coproducers: int
    allocation: dict[str, int]

    def per_pledged_cents(self, cents: int = EXAMPLE_PLEDGE_CENTS) -> int:
        """What `cents` of pledge earn of the pool, floored (the largest remainder may add a cent)."""
        if self.film_confirmed_cents <= 0:
            return 0
        return self.pool_cents * cents // self.film_confirmed_cents


def waterfall(rights_cents: int, rate_bps: int, shares: Iterable[Share]) -> Waterfall:
    """The rights, the co-producers' pool and every co-producer's cents, as one run would credit them."""
    if not 0 <= rights_cents <= MAX_RIGHTS_CENTS:
        raise ValueError(f"rights_cents must be from 0 to {MAX_RIGHTS_CENTS}")
    shares = [s for s in shares if s.weight_cents > 0]
    pool = rules.period_pool_cents([(rights_cents, rate_bps)])
    return Waterfall(rights_cents, rate_bps, pool, rights_cents - pool, sum(s.weight_cents for s in shares),
                     len(shares), rules.allocate(pool, shares))


def with_pledge(shares: Iterable[Share], user_id: str | None, pledge_cents: int, at: str) -> tuple[list[Share], str]:
    """The weights once a new pledge of `pledge_cents` by `user_id` (None: someone new) is
    confirmed at `at`, and the id its cents are credited under."""
    if pledge_cents <= 0:
        raise ValueError("pledge_cents must be positive")
    shares = list(shares)
    who = user_id or NEWCOMER
    for index, share in enumerate(shares):
        if share.user_id == who and share.weight_cents > 0:
            shares[index] = Share(who, share.weight_cents + pledge_cents, share.first_confirmed_at)
            return shares, who
    return [s for s in shares if s.user_id != who] + [Share(who, pledge_cents, at)], who


def simulate(rights_cents: int, rate_bps: int, shares: Iterable[Share], *, user_id: str | None = None,
             pledge_cents: int | None = None, at: str = "") -> dict[str, Any]:
    """The simulator's answer: the waterfall for everyone; the caller's cents when `user_id` is
    given; what a new pledge of `pledge_cents` would earn (with the weights including it)."""
    shares = list(shares)
    now = waterfall(rights_cents, rate_bps, shares)
    body: dict[str, Any] = {
        "rights_received_cents": now.rights_received_cents, "coproducer_rate_bps": rate_bps,
        "pool_cents": now.pool_cents, "platform_cents": now.platform_cents,
        "film_confirmed_cents": now.film_confirmed_cents, "coproducers": now.coproducers,
        "per_100_eur_pledged_cents": now.per_pledged_cents(),
        "distributed_cents": sum(now.allocation.values()),
    }
    weights = {s.user_id: s.weight_cents for s in shares if s.weight_cents > 0}
    if user_id is not None:
        body["yours"] = {"your_confirmed_cents": weights.get(user_id, 0),
                         "your_cents": now.allocation.get(user_id, 0)}
    if pledge_cents is not None:
        after_shares, who = with_pledge(shares, user_id, pledge_cents, at)
        after = waterfall(rights_cents, rate_bps, after_shares)
        before = now.allocation.get(who, 0)
        body["pledge"] = {
            "pledge_cents": pledge_cents, "your_confirmed_cents": weights.get(who, 0) + pledge_cents,
            "film_confirmed_cents": after.film_confirmed_cents, "coproducers": after.coproducers,
            "pool_cents": after.pool_cents, "your_cents": after.allocation[who],
            "pledge_earns_cents": after.allocation[who] - before,
        }
    return body
