import pytest

from chalicelib.domain import pledges as rules
from chalicelib.errors import BadRequest, Unprocessable


def test_status_moves_only_forward():
    assert rules.can_move("pending", "confirmed")
    assert rules.can_move("failed", "confirmed")
    assert rules.can_move("confirmed", "refunded")
    for target in rules.STATUSES:
        assert not rules.can_move("refunded", target)
        # A canceled pledge is only ever refunded (its payment succeeded anyway), never counted.
        assert rules.can_move("canceled", target) == (target == "refunded")
    assert not rules.can_move("confirmed", "failed")
    assert not rules.can_move("confirmed", "pending")
    assert not rules.can_move("confirmed", "confirmed")


def test_sources_of():
    assert rules.sources_of("confirmed") == ("failed", "pending", "requires_action")
    # A payment that arrives after its film closed is refunded without being counted.
    assert rules.sources_of("refunded") == ("canceled", "confirmed", "failed", "pending", "requires_action")


@pytest.mark.parametrize("key", [None, "", "x" * 256, "tab\there", "new\nline", "é"])
def test_bad_idempotency_keys(key):
    with pytest.raises(BadRequest) as exc:
        rules.check_idempotency_key(key)
    assert exc.value.field == "Idempotency-Key"


def test_good_idempotency_keys():
    assert rules.check_idempotency_key("a") == "a"
    assert rules.check_idempotency_key("k" * 255) == "k" * 255
    assert rules.check_idempotency_key("order 42/#!") == "order 42/#!"


@pytest.mark.parametrize("amount,minimum,error", [
    (999, 1000, BadRequest), (0, 1000, BadRequest), (-5, 1000, BadRequest),  # under the platform's minimum
    (5_000_001, 1000, Unprocessable),  # over the platform's maximum, a setting
    (2_000, 2_500, Unprocessable),  # under the film's own minimum
])
def test_amount_bounds(amount, minimum, error):
    with pytest.raises(error) as exc:
        rules.check_amount(amount, minimum, 5_000_000)
    assert exc.value.field == "amount_cents"


def test_pledge_id_is_a_function_of_user_and_key():
    assert rules.pledge_id_for("alice", "k1") == rules.pledge_id_for("alice", "k1")
    assert rules.pledge_id_for("alice", "k1") != rules.pledge_id_for("bob", "k1")
    assert rules.pledge_id_for("alice", "k1") != rules.pledge_id_for("alice", "k2")
    assert rules.pledge_id_for("a\x00b", "c") != rules.pledge_id_for("a", "b\x00c")


def test_fingerprint_tells_bodies_apart():
    assert rules.request_fingerprint("f", 1000, None) == rules.request_fingerprint("f", 1000, None)
    assert rules.request_fingerprint("f", 1000, None) != rules.request_fingerprint("f", 1001, None)
    assert rules.request_fingerprint("f", 1000, None) != rules.request_fingerprint("f", 1000, "pm_x")


@pytest.mark.parametrize("intent,error,status", [
    ("succeeded", False, "confirmed"), ("requires_action", False, "requires_action"),
    ("requires_payment_method", True, "failed"), ("requires_payment_method", False, "pending"),
    ("processing", False, "pending"), ("canceled", False, "canceled"),
])
def test_status_for_intent(intent, error, status):
    assert rules.status_for_intent(intent, error) == status


@pytest.mark.parametrize("amount,already,total,delta", [
    (1000, 0, 300, 300), (1000, 300, 300, 0), (1000, 300, 1000, 700), (1000, 300, 200, 0),
    (1000, 0, 5000, 1000), (1000, 1000, 1000, 0),
])
def test_refund_delta(amount, already, total, delta):
    assert rules.refund_delta(amount, already, total) == delta


def test_counted_means_confirmed_or_refunded_after_a_confirm():
    assert rules.counted("confirmed", "2026-01-01T00:00:00Z")
    assert rules.counted("refunded", "2026-01-01T00:00:00Z")
    assert not rules.counted("refunded", None)  # late money, refunded without being counted
    assert not rules.counted("canceled", None)
