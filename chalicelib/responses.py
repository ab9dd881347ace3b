"""Response bodies as pydantic models. They are never used to build responses (services
return plain dicts); they document them in GET /openapi.json, and the contract tests and
the fuzzer check every response against them.

A field typed `X | None` with no default is always present and may be null; a field with a
default may be absent (only some callers see it).
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.schemas import Kind, Stage, Status

PledgeStatus = Literal["pending", "requires_action", "confirmed", "failed", "canceled", "refunded"]
Timestamp = str  # ISO 8601 UTC, e.g. 2026-11-27T10:00:00.000000Z


class View(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(View):
    code: str = Field(description="Stable, machine-readable: invalid_field, not_found, illegal_transition...")
    message: str = Field(description="For people: names the offending field and what is wrong")
    field: Optional[str] = Field(default=None, description="The body field, query parameter or header at fault")


class Error(View):
    """Every 4xx and 5xx response has this body."""

    error: ErrorDetail


class Page(View):
    next: Optional[str] = Field(description="Pass as `next` for the following page; null on the last page")


class Film(View):
    film_id: str
    title: str
    kind: Kind
    synopsis: str
    status: Status
    stage: Stage
    goal_cents: int
    min_pledge_cents: int
    raised_cents: int
    coproducer_count: int
    percent_funded: int
    deadline: str = Field(description="YYYY-MM-DD; the campaign ends at the end of that day, UTC")
    producer_id: Optional[str]
    created_at: Timestamp
    updated_at: Timestamp
    published_at: Optional[Timestamp]
    goal_reached_at: Optional[Timestamp]
    closed_at: Optional[Timestamp]


class FilmPage(Page):
    items: list[Film]


class Pledge(View):
    pledge_id: str
    film_id: str
    amount_cents: int
    currency: Literal["eur"]
    status: PledgeStatus
    payment_intent_id: Optional[str]
    client_secret: Optional[str] = Field(description="For Stripe.js when the status is requires_action")
    amount_refunded_cents: int
    failure_code: Optional[str]
    failure_message: Optional[str]
    created_at: Timestamp
    updated_at: Timestamp
    confirmed_at: Optional[Timestamp]


class PledgePage(Page):
    items: list[Pledge]


class Coproducer(View):
    user_id: str
    display_name: Optional[str]
    confirmed_cents: int
    first_confirmed_at: Optional[Timestamp]
    email: Optional[str] = Field(default=None, description="Admins only")
    phone: Optional[str] = Field(default=None, description="Admins only")


class CoproducerPage(Page):
    items: list[Coproducer]


class Me(View):
    user_id: str
    display_name: Optional[str]
    email: Optional[str]
    phone: Optional[str]
    locale: Literal["fr", "en"]
    notify_email: bool
    notify_sms: bool
    roles: list[str]
    created_at: Optional[Timestamp]
    updated_at: Optional[Timestamp]


class Stats(View):
    films: int
    open_films: int
    goal_cents: int
    raised_cents: int
    coproducers: int


class WebhookReceipt(View):
    received: Literal[True]
    duplicate: bool = False
    ignored: bool = False


class OpenApiDocument(BaseModel):
    model_config = ConfigDict(extra="allow")
    openapi: str
