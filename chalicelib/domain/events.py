"""Domain events: what happened that co-producers should hear about. Pure: no AWS here.

An event is written once to the outbox (``services/outbox.py``), relayed to the events
topic and fanned out by the notifier. Its id is derived from what it is about, so the
conditional write that records it is what makes it happen exactly once: the 50% milestone
of a film, the close of a campaign, a statement for (user, period) each have one id.

Adding a kind of notification is adding an event type here and its templates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

# Funding milestones of a film (percent of its goal), co-producer counts.
FUNDING_MILESTONE = "milestone.funding"  # key: percent, e.g. "50"
COPRODUCER_MILESTONE = "milestone.coproducers"  # key: count, e.g. "250"
# Campaign outcome (issue: campaign lifecycle).
CAMPAIGN_FUNDED = "campaign.funded"  # key: "closed"
CAMPAIGN_FAILED = "campaign.failed"  # key: "closed"; told once the refunds are done
# Production stage changes.
STAGE_CHANGED = "film.stage_changed"  # key: the new stage
# Co-producer services (issue: perks).
PERK_UNLOCKED = "perk.unlocked"  # key: "<perk_id>#<user_id>" or "<perk_id>#<stage>"
CASTING_DECIDED = "casting.decided"  # key: "<call_id>#<user_id>"
# Royalties (issue: royalties).
ROYALTY_STATEMENT = "royalty.statement"  # key: "<period>#<user_id>"

EVENT_TYPES: tuple[str, ...] = (
    FUNDING_MILESTONE, COPRODUCER_MILESTONE, CAMPAIGN_FUNDED, CAMPAIGN_FAILED, STAGE_CHANGED,
    PERK_UNLOCKED, CASTING_DECIDED, ROYALTY_STATEMENT,
)

# What each event type carries in `data` (templates rely on it; film events also carry
# `title`, the film's title). Emitters may add more.
REQUIRED_DATA: dict[str, tuple[str, ...]] = {
    FUNDING_MILESTONE: ("title", "percent", "raised_cents", "goal_cents"),
    COPRODUCER_MILESTONE: ("title", "count"),
    CAMPAIGN_FUNDED: ("title", "raised_cents", "goal_cents", "coproducer_count"),
    CAMPAIGN_FAILED: ("title", "raised_cents", "goal_cents", "refunded_pledges"),
    STAGE_CHANGED: ("title", "stage", "previous_stage"),
    PERK_UNLOCKED: ("title", "perk_id", "kind", "perk_title"),
    CASTING_DECIDED: ("title", "call_id", "call_title", "selected"),
    ROYALTY_STATEMENT: ("period", "credited_cents", "balance_cents"),
}

# Payout accounts (Stripe Connect onboarding): the co-producer is told of every change.
PAYOUT_ACCOUNT_CHANGED = "payout.account_changed"  # key: "<user_id>#<changed_at>"
EVENT_TYPES = EVENT_TYPES + (PAYOUT_ACCOUNT_CHANGED,)
REQUIRED_DATA[PAYOUT_ACCOUNT_CHANGED] = ("payouts_enabled",)

# Yearly statements: each co-producer credited in a year is told, in January, that it is ready.
YEARLY_STATEMENT = "royalty.yearly_statement"  # key: "<year>#<user_id>"
EVENT_TYPES = EVENT_TYPES + (YEARLY_STATEMENT,)
REQUIRED_DATA[YEARLY_STATEMENT] = ("year", "credited_cents")
# News from the film team (POST /films/{film_id}/updates): e-mailed once to its co-producers.
FILM_UPDATE = "film.update"  # key: the update id
EVENT_TYPES = EVENT_TYPES + (FILM_UPDATE,)
REQUIRED_DATA[FILM_UPDATE] = ("title", "update_title", "body")

FUNDING_PERCENTS = (25, 50, 75, 100, 150, 200)
COPRODUCER_COUNTS = (100, 250, 500, 1_000)

# Who hears about an event.
COPRODUCERS = "coproducers"  # backers of the film with confirmed_cents >= max(1, min_cents)
BACKERS = "backers"  # everyone who ever had a confirmed pledge in the film (refunded included)
USER = "user"  # one user: `user_id`
AUDIENCES = (COPRODUCERS, BACKERS, USER)


@dataclass(frozen=True)
class Audience:
    kind: str
    user_id: str | None = None
    min_cents: int = 0

    def __post_init__(self) -> None:
        if self.kind not in AUDIENCES:
            raise ValueError(f"unknown audience {self.kind!r}")
        if (self.kind == USER) != (self.user_id is not None):
            raise ValueError("a user audience names exactly one user")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "user_id": self.user_id, "min_cents": self.min_cents}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Audience":
        return cls(raw["kind"], raw.get("user_id"), int(raw.get("min_cents") or 0))


@dataclass(frozen=True)
class Event:
    event_type: str
    key: str
    occurred_at: str
    audience: Audience
    film_id: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)  # JSON values; money as *_cents ints

    def __post_init__(self) -> None:
        if self.event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {self.event_type!r}")
        if not self.key:
            raise ValueError("an event needs a key")
        missing = [name for name in REQUIRED_DATA[self.event_type] if name not in self.data]
        if missing:
            raise ValueError(f"{self.event_type} needs data {', '.join(missing)}")

    @property
    def event_id(self) -> str:
        return event_id(self.event_type, self.film_id, self.key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id, "event_type": self.event_type, "key": self.key,
            "film_id": self.film_id, "occurred_at": self.occurred_at,
            "audience": self.audience.to_dict(), "data": dict(self.data),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "Event":
        return cls(
            event_type=raw["event_type"], key=raw["key"], occurred_at=raw["occurred_at"],
            audience=Audience.from_dict(raw["audience"]), film_id=raw.get("film_id"),
            data=dict(raw.get("data") or {}),
        )


def event_id(event_type: str, film_id: str | None, key: str) -> str:
    return f"{event_type}#{film_id or '-'}#{key}"


def funding_milestones_reached(raised_cents: int, goal_cents: int) -> tuple[int, ...]:
    """Every funding milestone (percent of the goal) that `raised_cents` has reached.

    Integer arithmetic only: 50% is reached when raised * 100 >= goal * 50.
    """
    if goal_cents <= 0:
        return ()
    return tuple(p for p in FUNDING_PERCENTS if raised_cents * 100 >= goal_cents * p)


def coproducer_milestones_reached(coproducer_count: int) -> tuple[int, ...]:
    return tuple(c for c in COPRODUCER_COUNTS if coproducer_count >= c)
