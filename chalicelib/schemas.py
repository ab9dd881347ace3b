"""Request bodies as pydantic models: they validate input and will describe the API.

Strict: JSON types must match (no "10" for 10, no 10.0 for 10), unknown fields are
refused, strings are bounded.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from chalicelib.domain.films import KINDS, STAGES, STATUSES  # noqa: F401 (documented enums)
from chalicelib.domain.films import MAX_GOAL_CENTS, MIN_GOAL_CENTS, PLATFORM_MIN_PLEDGE_CENTS

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


# The text rule above as JSON Schema patterns, for GET /openapi.json (clients validate forms
# with them; the validators keep their own messages): no control characters (tab allowed; line
# breaks in multi-line text), no bidirectional overrides, and something other than blanks.
_BIDI_CHARS = "\\u202a-\\u202e\\u2066-\\u2069"
_CONTROLS_LINE = "\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f"
_CONTROLS_BLOCK = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
_BLANKS = ("\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f"
           "\\u205f\\u3000")


def _text_pattern(controls: str, *, may_be_blank: bool = False) -> str:
    allowed = f"[^{controls}{_BIDI_CHARS}]"
    if may_be_blank:
        return f"^{allowed}*$"
    return f"^{allowed}*[^{controls}{_BIDI_CHARS}{_BLANKS}]{allowed}*$"


LINE_PATTERN = _text_pattern(_CONTROLS_LINE)
BLOCK_PATTERN = _text_pattern(_CONTROLS_BLOCK)
PARAGRAPHS_PATTERN = _text_pattern(_CONTROLS_BLOCK, may_be_blank=True)


def _documented(**schema) -> Field:
    """Constraints the document states while a validator (with its own message) enforces them."""
    return Field(json_schema_extra=schema)


def _whole(value):
    """JSON has one kind of number: 2500.0 is the integer 2500 (JSON Schema says so too); 25.5 is not."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2 ** 53:
        return int(value)
    return value


def Whole(ge: int, le: int):  # noqa: N802 (a type)
    """An integer of a request body within [ge, le]: 2500 or 2500.0, never "2500" or 25.5."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_whole)]

# A field a PATCH may leave out but not set to null (GET /openapi.json shows no default for it).
NOT_NULL = None


Title = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_text), _documented(pattern=LINE_PATTERN)]
Synopsis = Annotated[str, Field(max_length=5000), AfterValidator(_paragraphs), _documented(pattern=PARAGRAPHS_PATTERN)]
Cents = Whole(0, 10**13)
GoalCents = Annotated[Cents, _documented(minimum=MIN_GOAL_CENTS, maximum=MAX_GOAL_CENTS)]
MinPledgeCents = Annotated[Cents, _documented(minimum=PLATFORM_MIN_PLEDGE_CENTS, maximum=MAX_GOAL_CENTS)]
Kind = Literal["feature", "short", "animation", "documentary"]
Status = Literal["draft", "open", "funded", "failed"]
Stage = Literal["development", "pre_production", "shooting", "post_production", "released"]
Email = Annotated[str, Field(max_length=254), AfterValidator(_email), _documented(pattern=EMAIL.pattern)]
Phone = Annotated[Optional[Annotated[str, _documented(pattern=E164.pattern)]], Field(default=None, max_length=16),
                  AfterValidator(_phone)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)  # built on first use: one route, one model


class FilmCreate(Body):
    title: Title
    kind: Kind
    synopsis: Synopsis = ""
    goal_cents: GoalCents
    min_pledge_cents: MinPledgeCents = 1000
    deadline: Annotated[date, Field(description="After today (UTC); a date already past answers 422")]
    producer_id: Optional[Annotated[str, Field(min_length=1, max_length=128)]] = None


class FilmPatch(Body):
    title: Title = NOT_NULL
    synopsis: Synopsis = NOT_NULL
    status: Status = NOT_NULL
    stage: Stage = NOT_NULL
    goal_cents: GoalCents = NOT_NULL
    min_pledge_cents: MinPledgeCents = NOT_NULL
    deadline: date = NOT_NULL


class TaxDetails(Body):
    """Who a yearly statement is for: the name and postal address the co-producer gives (optional)."""

    full_name: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_text), _documented(pattern=LINE_PATTERN)]
    address_lines: Annotated[list[Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_text),
                                            _documented(pattern=LINE_PATTERN)]],
                             Field(min_length=1, max_length=3)]
    postal_code: Annotated[str, Field(min_length=1, max_length=20), AfterValidator(_text), _documented(pattern=LINE_PATTERN)]
    city: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_text), _documented(pattern=LINE_PATTERN)]
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2, like FR")]


class Profile(Body):
    display_name: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_text),
                            _documented(pattern=LINE_PATTERN)]
    email: Email
    phone: Phone = None
    locale: Literal["fr", "en"] = "fr"
    notify_email: bool = True
    notify_sms: bool = False
    tax_details: Optional[TaxDetails] = Field(
        default=None, description="For yearly statements; left as it is when absent, removed when null")


class VerificationCode(Body):
    code: Annotated[str, Field(pattern=r"^[0-9]{6}$", description="The 6 digits received")]


ReferralCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                    description="The `ref` of a share link; an unknown code is ignored")]


class PledgeCreate(Body):
    amount_cents: Annotated[Whole(0, 10**13), _documented(
        minimum=PLATFORM_MIN_PLEDGE_CENTS,
        description="At least the film's `min_pledge_cents` (422 below it) and at most the platform's maximum "
                    "(MAX_PLEDGE_CENTS, 5,000,000 by default: 422 above it)")]
    payment_method_id: Optional[Annotated[str, Field(min_length=3, max_length=255, pattern=r"^[A-Za-z0-9_]+$")]] = None
    referral_code: Optional[ReferralCode] = None


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


# A real date and time: months of 28-31 days (29 February in the leap years of 2000-2099), year 1 on.
_DAY = (r"((000[1-9]|00[1-9]\d|0[1-9]\d{2}|[1-9]\d{3})-((0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])|(0[13-9]|1[0-2])-(29|30)"
        r"|(0[13578]|1[02])-31)|20([02468][048]|[13579][26])-02-29)")
UTC_MINUTE_PATTERN = rf"^{_DAY}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?Z$"
HTTPS_PATTERN = r"^https://[^\s<>\"']+$"


def _https(value: str) -> str:
    if not re.match(HTTPS_PATTERN, value):
        raise ValueError("must be an https:// link")
    return value


PerkKind = Literal["private_forum", "team_discussion", "extra_casting", "filming_invitation",
                   "preview_invitation", "other"]
Line = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_plain_line), _documented(pattern=LINE_PATTERN)]
Description = Annotated[str, Field(max_length=2000), _documented(pattern=PARAGRAPHS_PATTERN)]
PostBody = Annotated[str, Field(min_length=1, max_length=5000), AfterValidator(_plain_text),
                     _documented(pattern=BLOCK_PATTERN)]
Note = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_plain_text), _documented(pattern=BLOCK_PATTERN)]
Capacity = Whole(1, 10_000)
Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


def _description(value: str) -> str:
    return _plain_text(value) if value.strip() else ""


Text = Annotated[Description, AfterValidator(_description)]  # plain text, may be empty


Referrals = Annotated[Whole(0, 10_000), Field(description="Co-producers the co-producer's share link must "
                                                            "have brought")]


class PerkCreate(Body):
    kind: PerkKind
    title: Line
    description: Text = ""
    min_pledge_cents: Cents = 0
    available_from_stage: Stage = "development"
    capacity: Optional[Capacity] = None
    min_referrals: Referrals = 0


class PerkPatch(Body):
    title: Line = NOT_NULL
    description: Text = NOT_NULL
    min_pledge_cents: Cents = NOT_NULL
    available_from_stage: Stage = NOT_NULL
    capacity: Optional[Capacity] = Field(default=None, description="null removes the limit")
    min_referrals: Referrals = NOT_NULL


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
    starts_at: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$"), AfterValidator(_utc_minute),
                         _documented(pattern=UTC_MINUTE_PATTERN, description="A real moment after now (a moment "
                                     "already past answers 422)")]
    duration_minutes: Whole(5, 24 * 60)
    capacity: Optional[Capacity] = None
    place: Optional[Line] = None
    join_link: Optional[Annotated[str, Field(max_length=500), AfterValidator(_https),
                                  _documented(pattern=HTTPS_PATTERN)]] = None


class CastingCallCreate(Body):
    perk_id: Id
    title: Line
    description: Text = ""


class CastingApplication(Body):
    note: Note


class CastingDecision(Body):
    selected: Annotated[list[Id], Field(max_length=500)]

# --- Royalties -------------------------------------------------------------------------

Period = Annotated[str, Field(pattern=r"^[1-9]\d{3}-(0[1-9]|1[0-2])$")]


class Rights(Body):
    description: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_block),
                           _documented(pattern=BLOCK_PATTERN)]
    coproducer_rate_bps: Whole(0, 10_000) = 8000


class ReceiptCreate(Body):
    period: Period = Field(description="The current month or earlier (a later one answers 422)")
    rights_received_cents: Whole(-(10**13), 10**13)
    reference: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_text), _documented(pattern=LINE_PATTERN)]
    corrects: Optional[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default=None, description="The receipt id this one corrects (422 when the film has no such receipt)")


class DistributionRun(Body):
    period: Period


class PayoutAccount(Body):
    stripe_account_id: Annotated[str, Field(pattern=r"^acct_[A-Za-z0-9_]{1,64}$")]


# --- Community: referral tags, updates from the film team, credits -------------------------

class ReferralTagCreate(Body):
    name: Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_text), _documented(pattern=LINE_PATTERN)]


class UpdateCreate(Body):
    title: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_text), _documented(pattern=LINE_PATTERN)]
    body: Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_block),
                    _documented(pattern=BLOCK_PATTERN)]
    audience: Literal["public", "coproducers"]


class CreditChoice(Body):
    credited: bool
    credit_name: Optional[Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_text),
                                    _documented(pattern=LINE_PATTERN)]] = None
# --- Web client --------------------------------------------------------------------------

class DevToken(Body):
    """Stage `local` only: who to sign in as."""
    user_id: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.@-]+$")]
    groups: Annotated[list[Literal["admin", "producer"]], Field(max_length=2)] = []
