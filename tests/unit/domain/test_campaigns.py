from datetime import date, datetime, timedelta, timezone

from hypothesis import given, strategies as st

from chalicelib.domain import campaigns as rules


def test_a_campaign_is_due_once_its_deadline_day_has_ended():
    deadline = date(2026, 11, 27)
    assert not rules.is_due(deadline, date(2026, 11, 27))
    assert rules.is_due(deadline, date(2026, 11, 28))
    bound = rules.due_before_key(date(2026, 11, 28))
    assert "2026-11-27#abc" < bound < "2026-11-28#abc"


@given(st.integers(0, 10**12), st.integers(1, 10**12))
def test_outcome_is_funded_exactly_when_the_goal_is_reached(raised, goal):
    assert (rules.outcome(raised, goal) == rules.FUNDED) == (raised >= goal) == rules.goal_reached(raised, goal)


@given(st.integers(1, 10**9), st.integers(-10, 2 * 10**9))
def test_never_more_than_what_is_left_is_refunded(amount, already):
    remaining = rules.refund_remaining(amount, already)
    assert 0 <= remaining <= amount
    assert remaining == max(0, amount - max(0, already))


def test_backoff_doubles_from_one_period_up_to_a_day():
    assert [rules.retry_delay_seconds(n) for n in range(5)] == [0, 900, 1800, 3600, 7200]
    assert rules.retry_delay_seconds(50) == 24 * 3600
    now = datetime(2026, 11, 27, tzinfo=timezone.utc)
    assert rules.next_attempt_at(now, 1) == now + timedelta(minutes=15)


def test_a_new_stripe_key_only_after_a_recorded_rejection():
    assert rules.refund_idempotency_key("plg_x", 0) == "refund-plg_x"
    assert rules.refund_idempotency_key("plg_x", 2) == "refund-plg_x-2"
