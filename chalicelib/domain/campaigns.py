"""Rules of a campaign's end: when it is due, its outcome, and how refunds are retried. Pure.

A campaign is all-or-nothing: at the end of its deadline day (UTC) it is `funded` when the
money raised reaches the goal, otherwise `failed` and every co-producer is refunded.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from chalicelib.domain import backoff

FUNDED = "funded"
FAILED = "failed"

# Where a close stands (campaign_closes table).
CLOSING = "closing"  # the film takes no more money; the outcome is being decided
REFUNDING = "refunding"  # failed: pledges are being refunded or canceled, page by page
DONE = "done"
CLOSE_STATES = (CLOSING, REFUNDING, DONE)

# A refund of one pledge (refunds table).
REFUND_PENDING = "pending"  # recorded, Stripe not (yet) known to have refunded it
REFUND_FAILED = "failed"  # Stripe rejected it; retried with backoff
REFUND_SUCCEEDED = "succeeded"
REFUND_STATUSES = (REFUND_PENDING, REFUND_FAILED, REFUND_SUCCEEDED)
LISTED_REFUND_STATUSES = (REFUND_FAILED, REFUND_PENDING)  # GET /admin/refunds?status=

RETRY_BASE_SECONDS = 15 * 60  # one schedule period
RETRY_MAX_SECONDS = 24 * 3600


def is_due(deadline: date, today: date) -> bool:
    """The campaign ends at the end of its deadline day: due from the next day on."""
    return today > deadline


def due_before_key(today: date) -> str:
    """Upper bound (exclusive) of `status_key = <deadline>#<film_id>` for campaigns due today."""
    return f"{today.isoformat()}#"


def outcome(raised_cents: int, goal_cents: int) -> str:
    return FUNDED if raised_cents >= goal_cents else FAILED


def goal_reached(raised_cents: int, goal_cents: int) -> bool:
    return goal_cents > 0 and raised_cents >= goal_cents


def retry_delay_seconds(failures: int) -> int:
    """Backoff after the n-th rejected attempt: 15 min, 30 min, 1 h, ... at most a day."""
    if failures <= 0:
        return 0
    return int(backoff.ceiling(failures - 1, base=RETRY_BASE_SECONDS, cap=RETRY_MAX_SECONDS))


def next_attempt_at(now: datetime, failures: int) -> datetime:
    return now + timedelta(seconds=retry_delay_seconds(failures))


def refund_idempotency_key(pledge_id: str, failures: int) -> str:
    """One Stripe idempotency key per attempt that may create a Refund.

    A resumed attempt (after a crash) reuses its key; after a recorded rejection the next
    attempt takes a new key, since Stripe replays the stored answer of a key, errors included.
    """
    return f"refund-{pledge_id}" if failures == 0 else f"refund-{pledge_id}-{failures}"


def refund_remaining(amount_cents: int, already_refunded_cents: int) -> int:
    """Cents still to refund on a charge, given what Stripe says it already refunded."""
    return max(0, amount_cents - max(0, already_refunded_cents))
