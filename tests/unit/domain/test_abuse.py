from datetime import datetime, timedelta, timezone

from chalicelib.domain import abuse

T = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)


def minutes(*values):
    return [T + timedelta(minutes=m) for m in values]


def test_five_declines_within_an_hour_block_for_an_hour_after_the_fifth():
    declines = minutes(0, 10, 20, 30, 40)
    assert abuse.blocked_until(declines, T + timedelta(minutes=40)) == T + timedelta(minutes=100)
    assert abuse.blocked_until(declines, T + timedelta(minutes=99)) == T + timedelta(minutes=100)
    assert abuse.blocked_until(declines, T + timedelta(minutes=100)) is None


def test_four_declines_or_five_spread_over_more_than_an_hour_do_not_block():
    assert abuse.blocked_until(minutes(0, 1, 2, 3), T + timedelta(minutes=4)) is None
    assert abuse.blocked_until(minutes(0, 20, 40, 60, 61), T + timedelta(minutes=62)) is None


def test_a_later_decline_extends_the_block():
    declines = minutes(0, 1, 2, 3, 4, 30)
    assert abuse.blocked_until(declines, T + timedelta(minutes=31)) == T + timedelta(minutes=90)


def test_declines_in_the_future_of_now_are_ignored():
    assert abuse.blocked_until(minutes(0, 1, 2, 3, 4), T + timedelta(minutes=3)) is None
