"""Request bodies as pydantic models: they validate input and will describe the API.

Strict: JSON types must match (no "10" for 10, no 10.0 for 10), unknown fields are
refused, strings are bounded.
"""

from __future__ import annotations

import re
from datetime import date
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
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


Title = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_text)]
Synopsis = Annotated[str, Field(max_length=5000)]
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


class PledgeCreate(Body):
    amount_cents: Annotated[int, Field(ge=0, le=10**13)]
    payment_method_id: Optional[Annotated[str, Field(min_length=3, max_length=255, pattern=r"^[A-Za-z0-9_]+$")]] = None


# --- Royalties -------------------------------------------------------------------------

Period = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class Rights(Body):
    description: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_text)]
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
