"""The pool and its largest-remainder allocation: exact to the cent, whatever the input.

The property tests below run 12,200 examples in total, on small inputs so that they stay fast.
"""

import random
from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain import royalties as rules
from chalicelib.domain.royalties import Share
from tests.unit.examples import examples

FIRST = ("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z")
FAST = dict(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


def shares_strategy(min_size=1, max_size=12, max_weight=10**7):
    """Co-producers with distinct ids, weights (some zero) and one of three first-pledge times."""
    rows = st.lists(st.tuples(st.integers(0, max_weight), st.integers(0, 2)), min_size=min_size, max_size=max_size)
    return rows.map(lambda rows: [Share(f"u{(i * 7919) % 1000:03d}", w, FIRST[f]) for i, (w, f) in enumerate(rows)])


def check_exact(pool, shares, result):
    total = sum(s.weight_cents for s in shares if s.weight_cents > 0)
    if total == 0:
        assert result == {}
        return
    assert sum(result.values()) == pool
    assert set(result) == {s.user_id for s in shares if s.weight_cents > 0}
    for share in shares:
        if share.weight_cents > 0:  # |amount - pool * weight / total| < 1, in integers
            assert abs(result[share.user_id] * total - pool * share.weight_cents) < total


@settings(max_examples=examples(2800), **FAST)
@given(pool=st.integers(-10**6, 10**6), shares=shares_strategy())
def test_sum_is_exact_and_each_within_one_cent(pool, shares):
    check_exact(pool, shares, rules.allocate(pool, shares))


@settings(max_examples=examples(1800), **FAST)
@given(pool=st.integers(0, 10**6), shares=shares_strategy(), seed=st.integers(0, 2**32))
def test_deterministic_and_independent_of_input_order(pool, shares, seed):
    shuffled = list(shares)
    random.Random(seed).shuffle(shuffled)
    assert rules.allocate(pool, shares) == rules.allocate(pool, shuffled) == rules.allocate(pool, list(shares))


@settings(max_examples=examples(1400), **FAST)
@given(shares=shares_strategy())
def test_zero_pool_gives_zero_to_everyone(shares):
    assert all(amount == 0 for amount in rules.allocate(0, shares).values())


@settings(max_examples=examples(1400), **FAST)
@given(pool=st.integers(-10**9, 10**9), weight=st.integers(1, 10**9))
def test_one_coproducer_gets_the_whole_pool(pool, weight):
    assert rules.allocate(pool, [Share("solo", weight, "2026-01-01T00:00:00Z")]) == {"solo": pool}


@settings(max_examples=examples(1400), **FAST)
@given(shares=shares_strategy(min_size=4, max_size=20), pool=st.integers(0, 19))
def test_pool_smaller_than_the_number_of_coproducers(shares, pool):
    pool = min(pool, max(0, sum(1 for s in shares if s.weight_cents > 0) - 1))
    result = rules.allocate(pool, shares)
    check_exact(pool, shares, result)
    assert sum(1 for amount in result.values() if amount) <= pool


@settings(max_examples=examples(900), **FAST)
@given(pool=st.integers(10**12, 10**15), shares=shares_strategy(max_weight=10**13))
def test_very_large_amounts(pool, shares):
    check_exact(pool, shares, rules.allocate(pool, shares))


def test_ties_go_to_the_earlier_first_pledge_then_the_user_id():
    shares = [Share("b", 1, "2026-01-02T00:00:00Z"), Share("a", 1, "2026-01-02T00:00:00Z"),
              Share("c", 1, "2026-01-01T00:00:00Z")]
    assert rules.allocate(1, shares) == {"a": 0, "b": 0, "c": 1}
    assert rules.allocate(2, shares) == {"a": 1, "b": 0, "c": 1}
    assert rules.allocate(-2, shares) == {"a": -1, "b": 0, "c": -1}


def test_a_known_split():
    shares = [Share("x", 5000, "t1"), Share("y", 3000, "t2"), Share("z", 2000, "t3")]
    assert rules.allocate(80_000, shares) == {"x": 40_000, "y": 24_000, "z": 16_000}
    assert rules.allocate(100, [Share("x", 1, "t"), Share("y", 1, "t"), Share("z", 1, "t")]) == {"x": 34, "y": 33, "z": 33}


def test_nobody_with_weight_gets_an_empty_allocation():
    assert rules.allocate(1000, []) == {}
    assert rules.allocate(1000, [Share("a", 0, "t")]) == {}


@pytest.mark.parametrize("received, rate, pool", [
    (100_000, 8000, 80_000), (1001, 8000, 800), (-1001, 8000, -800), (1, 8000, 0), (-1, 8000, 0),
    (0, 8000, 0), (99_999, 10_000, 99_999), (12_345, 0, 0),
])
def test_pool_rounds_toward_zero(received, rate, pool):
    assert rules.pool_cents(received, rate) == pool


@settings(max_examples=examples(300), **FAST)
@given(received=st.integers(-10**12, 10**12), rate=st.integers(0, 10_000))
def test_a_correction_takes_back_exactly_what_the_receipt_gave(received, rate):
    assert rules.pool_cents(received, rate) + rules.pool_cents(-received, rate) == 0
    assert abs(rules.pool_cents(received, rate)) <= abs(received) * rate / 10_000


def test_pool_rate_bounds():
    with pytest.raises(ValueError):
        rules.pool_cents(100, 10_001)


def test_periods():
    assert rules.parse_period("2026-11") == (2026, 11)
    for bad in ("2026-13", "2026-1", "26-11", "2026-00", ""):
        with pytest.raises(ValueError):
            rules.parse_period(bad)
    assert rules.previous_period(date(2026, 1, 1)) == "2025-12"
    assert rules.period_end("2026-12") == datetime(2027, 1, 1, tzinfo=timezone.utc)
    assert rules.is_future("2026-12", date(2026, 11, 27)) and not rules.is_future("2026-11", date(2026, 11, 27))
    started = datetime(2026, 11, 27, 10, tzinfo=timezone.utc)
    assert rules.weights_as_of("2026-11", started) == started
    assert rules.weights_as_of("2026-10", started) == datetime(2026, 11, 1, tzinfo=timezone.utc)


def test_payout_due_and_shares():
    assert rules.payout_due(1000, 1000, True) and not rules.payout_due(999, 1000, True)
    assert not rules.payout_due(5000, 1000, False) and not rules.payout_due(0, 0, True)
    assert rules.share_ppm(1, 3) == 333_333 and rules.share_ppm(5, 0) == 0


def reference_allocate(pool, shares):
    """The definition, written the slow way: floors, then one cent each to the largest remainders,
    every (-remainder, first_confirmed_at, user_id) sorted."""
    positive = [s for s in shares if s.weight_cents > 0]
    total = sum(s.weight_cents for s in positive)
    if total == 0:
        return {}
    magnitude = abs(pool)
    amounts, order = {}, []
    for share in positive:
        whole, remainder = divmod(magnitude * share.weight_cents, total)
        amounts[share.user_id] = whole
        order.append((-remainder, share.first_confirmed_at, share.user_id))
    for _, _, user_id in sorted(order)[:magnitude - sum(amounts.values())]:
        amounts[user_id] += 1
    return {user_id: (amount if pool >= 0 else -amount) for user_id, amount in amounts.items()}


@settings(max_examples=examples(1500), **FAST)
@given(pool=st.integers(-10**6, 10**6),
       shares=st.lists(st.tuples(st.sampled_from([0, 1000, 1000, 2500, 5000, 7, 10**6]), st.integers(0, 2)),
                       min_size=1, max_size=40)
       .map(lambda rows: [Share(f"u{(i * 7919) % 1000:03d}", w, FIRST[f]) for i, (w, f) in enumerate(rows)]))
def test_the_fast_allocation_is_the_definition_with_repeated_weights(pool, shares):
    """Weights repeat in real life (10, 25, 50 EUR); grouping them must not change who gets a cent."""
    assert rules.allocate(pool, shares) == reference_allocate(pool, shares)


@settings(max_examples=examples(700), **FAST)
@given(pool=st.integers(-10**9, 10**9), shares=shares_strategy(max_size=30))
def test_the_fast_allocation_is_the_definition(pool, shares):
    assert rules.allocate(pool, shares) == reference_allocate(pool, shares)


# --- A period's credits whatever the batching of its receipts -----------------------------

def batched_credits(batches: list[list[int]], rates: list[int], shares: list[Share]) -> dict[str, int]:
    """Credits of a period whose receipts arrive in `batches` (rate of each batch), added up."""
    totals: dict[str, int] = {}
    done: list[tuple[int, int]] = []
    for receipts, rate in zip(batches, rates):
        credited_pool = rules.period_pool_cents(done)
        done.append((sum(receipts), rate))
        for user_id, amount in rules.batch_credits(credited_pool, rules.period_pool_cents(done), shares).items():
            totals[user_id] = totals.get(user_id, 0) + amount
    return {user_id: amount for user_id, amount in totals.items() if amount}


@st.composite
def batchings(draw):
    """A period's receipts (some negative: corrections) cut into random consecutive batches."""
    receipts = draw(st.lists(st.integers(-5_000, 50_000), min_size=1, max_size=12))
    cuts = sorted(draw(st.sets(st.integers(1, len(receipts)), max_size=len(receipts))) | {len(receipts)})
    batches, start = [], 0
    for cut in cuts:
        if cut > start:
            batches.append(receipts[start:cut])
            start = cut
    return receipts, batches


@settings(max_examples=examples(1500), **FAST)
@given(drawn=batchings(), shares=shares_strategy(max_size=10, max_weight=10**5), rate=st.integers(0, 10_000))
def test_credits_per_coproducer_equal_the_one_batch_allocation_whatever_the_batching(drawn, shares, rate):
    receipts, batches = drawn
    one_batch = rules.allocate(rules.pool_cents(sum(receipts), rate), shares)
    expected = {user_id: amount for user_id, amount in one_batch.items() if amount}
    assert batched_credits(batches, [rate] * len(batches), shares) == expected


def test_small_receipts_add_up_before_rounding_and_ties_do_not_favour_the_same_coproducer():
    shares = [Share(user, 1000, FIRST[0]) for user in ("a", "b", "c")]
    batches = [[3], [3], [3]]  # each worth 2.4 cents of pool: 7 cents in all, not 2 + 2 + 2
    assert batched_credits(batches, [8000] * 3, shares) == {"a": 3, "b": 2, "c": 2}
    per_batch = [rules.allocate(rules.pool_cents(3, 8000), shares) for _ in batches]  # the old way
    assert sum(sum(a.values()) for a in per_batch) == 6 and sum(a["c"] for a in per_batch) == 0


def test_the_period_pool_is_rounded_once_with_each_batch_at_its_own_rate():
    assert rules.period_pool_cents([(3, 8000), (3, 8000), (3, 8000)]) == 7
    assert rules.period_pool_cents([(10_001, 8000), (-5_000, 8000)]) == 4000
    assert rules.period_pool_cents([(1001, 5000), (1001, 8000)]) == 1301  # 500.5 + 800.8
    assert rules.period_pool_cents([(-3, 8000)]) == -2
    with pytest.raises(ValueError):
        rules.period_pool_cents([(100, 10_001)])


# --- A batch credited page by page --------------------------------------------------------

REPEATED = st.lists(st.tuples(st.sampled_from([0, 1000, 1000, 2500, 5000, 7, 10**6]), st.integers(0, 2)),
                    min_size=1, max_size=40).map(
    lambda rows: [Share(f"u{(i * 7919) % 1000:03d}", w, FIRST[f]) for i, (w, f) in enumerate(rows)])


def split(shares, cuts):
    """`shares` cut at the given positions (pages of any sizes, some empty)."""
    bounds = sorted({0, len(shares), *(c % (len(shares) + 1) for c in cuts)})
    return [shares[a:b] for a, b in zip(bounds, bounds[1:])]


@settings(max_examples=examples(1200), **FAST)
@given(pool=st.integers(-10**6, 10**6), shares=st.one_of(REPEATED, shares_strategy(max_size=30)),
       cuts=st.lists(st.integers(0, 40), max_size=6), seed=st.integers(0, 2**32))
def test_each_page_allocated_under_the_whole_plan_is_the_whole_allocation(pool, shares, cuts, seed):
    """A page of co-producers allocated alone, under the plan of every share, gets exactly what
    the allocation of every share gives them, in any order of the pages."""
    decided = rules.plan(pool, shares)
    pages = split(shares, cuts)
    random.Random(seed).shuffle(pages)
    paged = {}
    for page in pages:
        cents = rules.amounts(decided, page)
        assert len(cents) == len(page)
        paged.update({s.user_id: c for s, c in zip(page, cents) if s.weight_cents > 0})
        assert all(c == 0 for s, c in zip(page, cents) if s.weight_cents <= 0)
    assert paged == reference_allocate(pool, shares)


@settings(max_examples=examples(800), **FAST)
@given(drawn=batchings(), shares=shares_strategy(max_size=10, max_weight=10**5), rate=st.integers(0, 10_000),
       cuts=st.lists(st.integers(0, 10), max_size=4))
def test_a_batch_credited_page_by_page_is_the_batch_credited_at_once(drawn, shares, rate, cuts):
    _, batches = drawn
    received = [(sum(b), rate) for b in batches]
    credited, period = rules.period_pool_cents(received[:-1]), rules.period_pool_cents(received)
    plans = rules.batch_plans(credited, period, shares)
    assert rules.Plan.from_dict(plans[0].as_dict()) == plans[0]  # what the run stores and reads back
    paged = {s.user_id: c for page in split(shares, cuts) for s, c in rules.page_credits(plans, page)}
    assert paged == rules.batch_credits(credited, period, shares)
    weighted = any(s.weight_cents > 0 for s in shares)
    assert sum(paged.values()) == (period - credited if weighted else 0)
