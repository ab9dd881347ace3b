from chalicelib.domain import backoff


def test_the_ceiling_doubles_from_the_base_up_to_the_cap():
    assert [backoff.ceiling(a, base=0.01, cap=0.05) for a in range(5)] == [0.01, 0.02, 0.04, 0.05, 0.05]


def test_no_wait_before_a_first_attempt_and_no_overflow_after_many():
    assert backoff.ceiling(-1, base=1, cap=10) == 0.0
    assert backoff.ceiling(10_000, base=900, cap=86_400) == 86_400
