"""The earnings simulator is the distribution's own arithmetic: to the cent, whatever the weights."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain import royalties as rules
from chalicelib.domain import simulation
from chalicelib.domain.royalties import Share
from tests.unit.examples import examples
from tests.unit.domain.test_royalties import shares_strategy

FAST = dict(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
LATER = "2026-12-03T10:00:00.000000Z"  # after every first pledge of shares_strategy


def run_credits(rights_cents, rate, shares):
    """What a distribution run credits for a period whose receipts are `rights_cents` (the code path of
    services/distributions.py `_claim` then `_credit`: one batch, nothing credited before)."""
    return rules.batch_credits(rules.period_pool_cents([]), rules.period_pool_cents([(rights_cents, rate)]), shares)


@settings(max_examples=examples(1500), **FAST)
@given(rights=st.integers(0, 10**9), rate=st.integers(0, 10_000), shares=shares_strategy())
def test_every_coproducers_simulated_cents_are_what_the_run_credits(rights, rate, shares):
    credited = run_credits(rights, rate, shares)
    for share in shares:
        body = simulation.simulate(rights, rate, shares, user_id=share.user_id)
        assert body["yours"]["your_cents"] == credited.get(share.user_id, 0)
        assert body["yours"]["your_confirmed_cents"] == max(share.weight_cents, 0)
    body = simulation.simulate(rights, rate, shares)
    assert body["pool_cents"] + body["platform_cents"] == rights
    assert body["distributed_cents"] == sum(credited.values())
    assert body["distributed_cents"] == (body["pool_cents"] if body["film_confirmed_cents"] else 0)
    assert "yours" not in body and "pledge" not in body


@settings(max_examples=examples(1000), **FAST)
@given(rights=st.integers(0, 10**9), rate=st.integers(0, 10_000), shares=shares_strategy(min_size=0),
       pledge=st.integers(1, 10**6), existing=st.booleans())
def test_a_new_pledge_earns_what_the_run_would_credit_with_it_in_the_weights(rights, rate, shares, pledge,
                                                                               existing):
    holders = [s for s in shares if s.weight_cents > 0]
    user_id = holders[0].user_id if existing and holders else "u-new"
    body = simulation.simulate(rights, rate, shares, user_id=user_id, pledge_cents=pledge, at=LATER)
    mine = next((s for s in holders if s.user_id == user_id), None)
    weights = [s for s in holders if s.user_id != user_id]
    weights.append(Share(user_id, mine.weight_cents + pledge, mine.first_confirmed_at) if mine
                   else Share(user_id, pledge, LATER))
    credited = run_credits(rights, rate, weights)
    assert body["pledge"]["your_cents"] == credited.get(user_id, 0)
    assert body["pledge"]["film_confirmed_cents"] == sum(s.weight_cents for s in weights)
    assert body["pledge"]["pledge_earns_cents"] == credited.get(user_id, 0) - body["yours"]["your_cents"]


def test_an_anonymous_pledge_comes_last_in_every_tie():
    shares = [Share("a", 1000, "2026-01-01T00:00:00Z")]
    body = simulation.simulate(3, 10_000, shares, pledge_cents=1000, at=LATER)
    assert body["pledge"] == {"pledge_cents": 1000, "your_confirmed_cents": 1000, "film_confirmed_cents": 2000,
                              "coproducers": 2, "pool_cents": 3, "your_cents": 1, "pledge_earns_cents": 1}
    assert body["per_100_eur_pledged_cents"] == 30  # 3 cents over 10 EUR: 100 EUR earn 30


def test_a_known_waterfall():
    shares = [Share("a", 5000, "1"), Share("b", 2500, "2"), Share("c", 2500, "3"), Share("d", 3333, "4")]
    body = simulation.simulate(100_000, 8000, shares, user_id="a")
    assert (body["pool_cents"], body["platform_cents"], body["film_confirmed_cents"]) == (80_000, 20_000, 13_333)
    assert body["yours"] == {"your_confirmed_cents": 5000, "your_cents": 30_001}
    assert body["per_100_eur_pledged_cents"] == 80_000 * 10_000 // 13_333


def test_bounds():
    with pytest.raises(ValueError):
        simulation.waterfall(-1, 8000, [])
    with pytest.raises(ValueError):
        simulation.waterfall(simulation.MAX_RIGHTS_CENTS + 1, 8000, [])
    with pytest.raises(ValueError):
        simulation.with_pledge([], None, 0, LATER)
    assert simulation.simulate(10_000, 8000, [])["distributed_cents"] == 0  # nobody: nothing allocated
