"""Rules of a film's campaign and production: pure functions over plain values."""

from __future__ import annotations

from datetime import date

from chalicelib.errors import Conflict, invalid_field, refused

KINDS = ("feature", "short", "animation", "documentary")

# Campaign status: a draft is published (open), then closed funded or failed.
STATUSES = ("draft", "open", "funded", "failed")
STATUS_TRANSITIONS = {
    "draft": ("open",),
    "open": ("funded", "failed"),
    "funded": (),
    "failed": (),
}

# Production stage: forward only, one or several steps at a time.
STAGES = ("development", "pre_production", "shooting", "post_production", "released")

PUBLISHED_STATUSES = ("open", "funded", "failed")
MIN_GOAL_CENTS = 1_000
PLATFORM_MIN_PLEDGE_CENTS = 1_000  # co-producers join from EUR 10
MAX_GOAL_CENTS = 100_000_000_000  # EUR 1 bn: anything above is a typing error


def check_status_transition(current: str, target: str) -> None:
    if target not in STATUS_TRANSITIONS.get(current, ()):
        raise Conflict(
            f"status cannot change from {current} to {target}",
            code="illegal_transition",
            field="status",
        )


def check_stage_transition(current: str, target: str) -> None:
    if STAGES.index(target) <= STAGES.index(current):
        raise Conflict(
            f"stage cannot change from {current} to {target} (stages only move forward)",
            code="illegal_transition",
            field="stage",
        )


def check_campaign_terms(goal_cents: int, min_pledge_cents: int, deadline: date, today: date) -> None:
    if goal_cents < MIN_GOAL_CENTS:
        raise invalid_field("goal_cents", f"must be at least {MIN_GOAL_CENTS}")
    if goal_cents > MAX_GOAL_CENTS:
        raise invalid_field("goal_cents", f"must be at most {MAX_GOAL_CENTS}")
    if min_pledge_cents < PLATFORM_MIN_PLEDGE_CENTS:
        raise invalid_field("min_pledge_cents", f"must be at least {PLATFORM_MIN_PLEDGE_CENTS}")
    if min_pledge_cents > goal_cents:
        raise refused("min_pledge_cents", "must not exceed goal_cents")
    if deadline <= today:
        raise refused("deadline", "must be a date in the future")


def percent_funded(raised_cents: int, goal_cents: int) -> int:
    """Whole percent of the goal raised, rounded down (100 means the goal is met)."""
    if goal_cents <= 0:
        return 0
    return max(0, raised_cents) * 100 // goal_cents


def is_published(status: str) -> bool:
    return status in PUBLISHED_STATUSES
