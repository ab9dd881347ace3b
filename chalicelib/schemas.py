"""Request bodies as pydantic models: they validate input and will describe the API.

Strict: JSON types must match (no "10" for 10, no 10.0 for 10), unknown fields are
refused, strings are bounded.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from chalicelib.domain.films import KINDS, STAGES, STATUSES  # noqa: F401 (documented enums)

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def _email(value: str) -> str:
    if not EMAIL.match(value):
        raise ValueError("is not a valid email address")
    return value.lower()


def _phone(value: str | None) -> str | None:
    if value is not None and not E164.match(value):
        raise ValueError("must be in E.164 form, like +33612345678")
    return value


def _text(value: str) -> str:
    """One line of free text: the forum's rule (no control characters, no bidi overrides)."""
    from chalicelib.domain.perks import clean_text

    return clean_text(value, multiline=False)


def _block(value: str) -> str:
    """Free text over several lines, by the same rule."""
    from chalicelib.domain.perks import clean_text

    return clean_text(value, multiline=True)


def _paragraphs(value: str) -> str:
    """Like `_block`, and may be empty."""
    return _block(value) if value.strip() else ""


Title = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_text)]
Synopsis = Annotated[str, Field(max_length=5000), AfterValidator(_paragraphs)]
Cents = Annotated[int, Field(ge=0, le=10**13)]
Kind = Literal["feature", "short", "animation", "documentary"]
Status = Literal["draft", "open", "funded", "failed"]
Stage = Literal["development", "pre_production", "shooting", "post_production", "released"]
Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]
Phone = Annotated[Optional[str], Field(default=None, max_length=16), AfterValidator(_phone)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class FilmCreate(Body):
    title: Title
    kind: Kind
    synopsis: Synopsis = ""
    goal_cents: Cents
    min_pledge_cents: Cents = 1000
    deadline: date
    producer_id: Optional[Annotated[str, Field(min_length=1, max_length=128)]] = None


class FilmPatch(Body):
    title: Optional[Title] = None
    synopsis: Optional[Synopsis] = None
    status: Optional[Status] = None
    stage: Optional[Stage] = None
    goal_cents: Optional[Cents] = None
    min_pledge_cents: Optional[Cents] = None
    deadline: Optional[date] = None


class Profile(Body):
    display_name: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_text)]
    email: Email
    phone: Phone = None
    locale: Literal["fr", "en"] = "fr"
    notify_email: bool = True
    notify_sms: bool = False


class VerificationCode(Body):
    code: Annotated[str, Field(pattern=r"^[0-9]{6}$", description="The 6 digits received")]


class PledgeCreate(Body):
    amount_cents: Annotated[int, Field(ge=0, le=10**13)]
    payment_method_id: Optional[Annotated[str, Field(min_length=3, max_length=255, pattern=r"^[A-Za-z0-9_]+$")]] = None


# --- Co-producer services (perks) ------------------------------------------------------------

def _plain_line(value: str) -> str:
    return _text(value)


def _plain_text(value: str) -> str:
    return _block(value)


def _utc_minute(value: str) -> str:
    """2027-01-15T18:00Z (seconds allowed): a real moment, not just the right shape."""
    try:
        datetime.strptime(value.rstrip("Z")[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        raise ValueError("is not a valid UTC time like 2027-01-15T18:00Z") from None
    return value


def _https(value: str) -> str:
    if not re.match(r"^https://[^\s<>\"']+$", value):
        raise ValueError("must be an https:// link")
    return value


PerkKind = Literal["private_forum", "team_discussion", "extra_casting", "filming_invitation",
                   "preview_invitation", "other"]
Line = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_plain_line)]
Description = Annotated[str, Field(max_length=2000)]
PostBody = Annotated[str, Field(min_length=1, max_length=5000), AfterValidator(_plain_text)]
Note = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_plain_text)]
Capacity = Annotated[int, Field(ge=1, le=10_000)]
Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


def _description(value: str) -> str:
    return _plain_text(value) if value.strip() else ""


Text = Annotated[Description, AfterValidator(_description)]  # plain text, may be empty


class PerkCreate(Body):
    kind: PerkKind
    title: Line
    description: Text = ""
    min_pledge_cents: Cents = 0
    available_from_stage: Stage = "development"
    capacity: Optional[Capacity] = None


class PerkPatch(Body):
    title: Optional[Line] = None
    description: Optional[Text] = None
    min_pledge_cents: Optional[Cents] = None
    available_from_stage: Optional[Stage] = None
    capacity: Optional[Capacity] = None


class ThreadCreate(Body):
    title: Line
    body: PostBody


class PostCreate(Body):
    body: PostBody


class PostPatch(Body):
    body: Optional[PostBody] = None
    pinned: Optional[bool] = None
    hidden: Optional[bool] = None


class SessionCreate(Body):
    perk_id: Id
    title: Line
    description: Text = ""
    starts_at: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$"), AfterValidator(_utc_minute)]
    duration_minutes: Annotated[int, Field(ge=5, le=24 * 60)]
    capacity: Optional[Capacity] = None
    place: Optional[Line] = None
    join_link: Optional[Annotated[str, Field(max_length=500), AfterValidator(_https)]] = None


class CastingCallCreate(Body):
    perk_id: Id
    title: Line
    description: Text = ""


class CastingApplication(Body):
    note: Note


class CastingDecision(Body):
    selected: Annotated[list[Id], Field(max_length=500)]

# --- Royalties -------------------------------------------------------------------------

Period = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class Rights(Body):
    description: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_block)]
    coproducer_rate_bps: Annotated[int, Field(ge=0, le=10_000)] = 8000


class ReceiptCreate(Body):
    period: Period
    rights_received_cents: Annotated[int, Field(ge=-(10**13), le=10**13)]
    reference: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_text)]
    corrects: Optional[Annotated[str, Field(min_length=1, max_length=64)]] = None


class DistributionRun(Body):
    period: Period


class PayoutAccount(Body):
    stripe_account_id: Annotated[str, Field(pattern=r"^acct_[A-Za-z0-9_]{1,64}$")]


# --- Web client --------------------------------------------------------------------------

class DevToken(Body):
    """Stage `local` only: who to sign in as."""
    user_id: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.@-]+$")]
    groups: Annotated[list[Literal["admin", "producer"]], Field(max_length=2)] = []
