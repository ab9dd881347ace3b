"""Response bodies as pydantic models. They are never used to build responses (services
return plain dicts); they document them in GET /openapi.json, and the contract tests and
the fuzzer check every response against them.

A field typed `X | None` with no default is always present and may be null; a field with a
default may be absent (only some callers see it).
"""

from __future__ import annotations

from typing import Any, Literal, Optional

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
    dependency: Optional[str] = Field(
        default=None, description="503 only: the outside service that did not answer in time or throttled "
        "(dynamodb, stripe, sns, ses, sqs, ssm); the response has a Retry-After header")


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
    referral_code: Optional[str] = Field(default=None, description="The share code the pledge came through, when "
                                         "it was a known code of the film and not the pledger's own")


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


class TaxDetails(View):
    full_name: str
    address_lines: list[str]
    postal_code: str
    city: str
    country: str


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
    email_verified: bool = Field(description="The e-mail address was verified (a code, or Cognito)")
    phone_verified: bool = Field(description="The phone number was verified by a code")
    tax_details: Optional[TaxDetails] = Field(
        default=None, description="Yearly statements' name and postal address (yours only; null until given)")


class ConsentRecord(View):
    channel: Literal["email", "sms"]
    granted: bool
    source: str = Field(description="PUT /me, unsubscribe link, DELETE /me")
    wording_version: str
    recorded_at: Timestamp


class PersonalDataExport(View):
    """Everything the platform holds about the caller (GDPR access and portability)."""

    user_id: str
    exported_at: Timestamp
    profile: Me
    consents: list[ConsentRecord]
    pledges: list[Pledge]
    refunds: list[dict[str, Any]]
    backings: list[dict[str, Any]]
    forum_threads: list[dict[str, Any]]
    forum_posts: list[dict[str, Any]]
    rsvps: list[dict[str, Any]]
    casting_applications: list[dict[str, Any]]
    balance_cents: int
    credits: list[dict[str, Any]]
    payouts: list[dict[str, Any]]
    statements: list[dict[str, Any]]
    messages_sent: list[dict[str, Any]]
    film_credits: list[dict[str, Any]] = Field(default=[], description="My names in films' credits")


class Erased(View):
    user_id: str
    erased_at: Timestamp
    kept: list[str] = Field(description="Records kept under the account id alone (the law requires them)")


class PayoutAccountState(View):
    onboarding: Literal["not_started", "pending", "complete"]
    account_id: Optional[str] = Field(description="The Stripe Connect Express account the platform created")
    payouts_enabled: bool = Field(description="Stripe says the account can receive royalties")
    updated_at: Optional[Timestamp]


class PayoutOnboarding(View):
    url: str = Field(description="Stripe's onboarding page for this account (a short-lived link)")
    account_id: str


class VerificationSent(View):
    channel: Literal["email", "sms"]
    expires_at: Timestamp = Field(description="The code works until then (10 minutes)")
    codes_left_this_hour: int = Field(description="At most 3 codes per channel per hour")


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


# --- Co-producer services --------------------------------------------------------------

PerkKind = Literal["private_forum", "team_discussion", "extra_casting", "filming_invitation",
                   "preview_invitation", "other"]


class Perk(View):
    perk_id: str
    kind: PerkKind
    title: str
    description: str
    min_pledge_cents: int
    available_from_stage: Stage
    capacity: Optional[int]
    min_referrals: int = Field(default=0, description="Co-producers the co-producer must have brought")


class PerkList(View):
    items: list[Perk]


class MyPerk(View):
    perk_id: str
    kind: PerkKind
    title: str
    status: Literal["unlocked", "locked"]
    reason: Optional[str] = Field(description="What is missing: the pledge level short by N cents, the stage, or "
                                  "N more co-producers to bring")


class MyPerkList(View):
    items: list[MyPerk]


class ForumThread(View):
    thread_id: str
    title: str
    author_id: str
    author_name: Optional[str]
    created_at: Timestamp
    last_post_at: Timestamp
    post_count: int


class ForumPost(View):
    post_id: str
    thread_id: str
    author_id: str
    author_name: Optional[str]
    author_role: Literal["coproducer", "producer", "admin"]
    body: Optional[str] = Field(description="Plain text, never HTML; null when hidden (except for its author "
                                            "and the film's managers)")
    hidden: bool
    pinned: bool
    created_at: Timestamp
    edited_at: Optional[Timestamp]


class ForumThreadPage(Page):
    items: list[ForumThread]


class NewForumThread(ForumThread):
    posts: list[ForumPost]


class ForumPostPage(Page):
    thread: ForumThread
    pinned: list[ForumPost] = Field(description="Pinned posts, on the first page only")
    items: list[ForumPost]


class Session(View):
    session_id: str
    perk_id: str
    kind: Literal["team_discussion", "filming_invitation", "preview_invitation"]
    title: str
    description: str
    starts_at: Timestamp
    duration_minutes: int
    place: Optional[str]
    capacity: int
    seats_taken: int
    seats_left: int
    waitlisted: int
    my_rsvp: Optional[Literal["going", "waitlisted"]]
    join_link: Optional[str] = Field(default=None, description="Online discussions: only for those with a seat "
                                                               "and the film's managers")


class SessionPage(Page):
    items: list[Session]


class Attendee(View):
    user_id: str
    display_name: Optional[str]
    status: Literal["going", "waitlisted"]
    rsvp_at: Timestamp


class AttendeePage(Page):
    items: list[Attendee]


class CastingCall(View):
    call_id: str
    perk_id: str
    title: str
    description: str
    status: Literal["open", "decided"]
    created_at: Timestamp
    decided_at: Optional[Timestamp]
    my_application: Optional[Literal["applied", "selected", "not_selected"]]


class CastingCallPage(Page):
    items: list[CastingCall]


class CastingDecided(CastingCall):
    selected: list[str]
    applicants: int


class Applicant(View):
    user_id: str
    display_name: Optional[str]
    note: str
    applied_at: Timestamp
    status: Literal["applied", "selected", "not_selected"]
    confirmed_cents: int
    first_confirmed_at: Optional[Timestamp]


class ApplicantPage(Page):
    items: list[Applicant]


# --- Campaign lifecycle ----------------------------------------------------------------

class CampaignClose(View):
    state: Literal["closing", "refunding", "done"]
    outcome: Optional[Literal["funded", "failed"]]
    raised_cents: Optional[int] = Field(description="What the campaign raised when it closed")
    refunded_pledges: int
    canceled_pledges: int
    outstanding_refunds: int
    started_at: Timestamp
    finished_at: Optional[Timestamp]


class CampaignSummary(View):
    film_id: str
    status: Status
    goal_cents: int
    raised_cents: int
    coproducer_count: int
    goal_reached_at: Optional[Timestamp]
    closed_at: Optional[Timestamp]
    close: Optional[CampaignClose]


class Refund(View):
    pledge_id: str
    film_id: str
    user_id: str
    payment_intent_id: Optional[str]
    amount_cents: int
    status: Literal["pending", "failed", "succeeded"]
    reason: str = Field(description="campaign_failed, or campaign_closed for money that arrived too late")
    attempts: int
    failures: int
    failure_code: Optional[str] = Field(description="Stripe's reason for the last rejection")
    failure_message: Optional[str]
    next_attempt_at: Timestamp
    refunded_cents: int
    created_at: Timestamp
    updated_at: Timestamp


class RefundPage(Page):
    items: list[Refund]


class ReconciledPledge(View):
    pledge_id: str
    film_id: str
    status: str = Field(description="The pledge's status when the run found it")
    payment_intent_id: Optional[str]
    found: str = Field(description="What Stripe said: the PaymentIntent's status, or `no payment intent`, `error`")
    action: str = Field(description="counted, refunded, canceled, failed; for an unrepaired pledge, why not")


class ReconciliationRun(View):
    run_id: str
    started_at: Timestamp
    finished_at: Optional[Timestamp]
    finished: bool = Field(description="The run reached the end of the due pledges (else the next run resumes)")
    examined: int
    waiting: int = Field(description="Pledges still waiting for the customer or for Stripe")
    repaired_count: int
    repaired: list[ReconciledPledge] = Field(description="The first 100 repaired")
    unrepaired_count: int
    unrepaired: list[ReconciledPledge] = Field(description="The first 100 it could not repair (retried next run)")


class ReconciliationPage(Page):
    items: list[ReconciliationRun]


class Dispute(View):
    dispute_id: str
    kind: Literal["opened", "won", "lost"]
    pledge_id: str
    film_id: str
    user_id: str
    payment_intent_id: Optional[str]
    charge_id: Optional[str]
    disputed_cents: int
    counted_delta_cents: int = Field(description="What this record moved in the counted totals: negative when "
                                     "opened, positive when won, 0 when lost")
    reason: Optional[str]
    recorded_at: Timestamp


class DisputePage(Page):
    items: list[Dispute]


# --- Notifications ---------------------------------------------------------------------

class Milestone(View):
    kind: Literal["funding", "coproducers"]
    milestone: int = Field(description="Percent of the goal (funding) or number of co-producers")
    event_id: str
    reached_at: Timestamp
    percent: Optional[int] = None
    raised_cents: Optional[int] = None
    goal_cents: Optional[int] = None
    count: Optional[int] = None


class MilestoneList(Page):
    items: list[Milestone]


class FundingDay(View):
    date: str = Field(description="YYYY-MM-DD, UTC")
    raised_cents: int = Field(description="Confirmed cents counted that day, less refunds and lost disputes "
                              "applied that day (may be negative)")
    total_cents: int = Field(description="The film's raised_cents at the end of that day")
    coproducers: int = Field(description="The film's co-producer count at the end of that day")


class FundingSeries(View):
    """One entry per UTC day from the first money counted to the last movement, gaps included."""

    film_id: str
    days: list[FundingDay]


class Unsubscribed(View):
    channel: Literal["email", "sms"]
    subscribed: Literal[False]


class UnsubscribePreview(View):
    """What the link would turn off; nothing changes until it is POSTed."""

    channel: Literal["email", "sms"]
    subscribed: bool = Field(description="Whether that channel is on now")
    method: Literal["POST"] = Field(description="POST the same link to turn the channel off")
    url: str


class FailedDelivery(View):
    event_id: str
    user_id: Optional[str]
    channel: Optional[Literal["email", "sms"]]
    status: str
    attempts: int
    error: Optional[str]
    updated_at: Optional[Timestamp]


class FailedDeliveryPage(Page):
    items: list[FailedDelivery]


class SentEmail(View):
    to: str
    subject: Any
    body: Any
    message_id: Optional[str]


class SentSms(View):
    to: Optional[str]
    body: Optional[str]
    message_id: Optional[str]


class LocalOutbox(View):
    emails: list[SentEmail]
    sms: list[SentSms]
    email_count: int
    sms_count: int


# --- Royalties -------------------------------------------------------------------------

class RightsTerms(View):
    film_id: str
    description: Optional[str]
    coproducer_rate_bps: int = Field(description="Share of the rights received paid to co-producers, in basis points")
    updated_at: Optional[Timestamp]


class Receipt(View):
    receipt_id: str
    film_id: str
    period: str
    rights_received_cents: int = Field(description="Negative for a correction")
    reference: str
    corrects: Optional[str]
    recorded_at: Timestamp
    distributed: bool
    batch: Optional[int]


class ReceiptPage(Page):
    items: list[Receipt]


class DistributionBatch(BaseModel):
    model_config = ConfigDict(extra="allow")
    batch: int
    receipts: list[str]
    rights_received_cents: int
    coproducer_rate_bps: int
    pool_cents: int
    status: Literal["running", "done"]
    started_at: Timestamp
    finished_at: Optional[Timestamp]
    credited_cents: Optional[int]
    credits: Optional[int]
    unallocated_cents: Optional[int]


class Distribution(View):
    film_id: str
    period: str
    status: Literal["running", "done", "refused"]
    weights_as_of: Optional[Timestamp]
    coproducers: int
    film_confirmed_cents: int
    rights_received_cents: int
    pool_cents: int
    credited_cents: int
    unallocated_cents: int
    credits: int
    batches: list[DistributionBatch]
    created_at: Timestamp
    updated_at: Timestamp


class Settlement(View):
    users: int
    paid_cents: int
    failed: int


class FilmDistribution(Distribution):
    payouts: Settlement


class RefusedDistribution(View):
    film_id: str
    period: str
    reason: str


class DistributionRunResult(View):
    period: str
    films: list[FilmDistribution]
    queued_films: list[str] = Field(description="Films too large to run inline: distributed through the queue")
    refused: list[RefusedDistribution] = Field(
        default=[], description="(film, period) nobody held a share of: receipts left undistributed, never unallocated")
    credited_cents: int
    paid_out_cents: int
    failed_payouts: int


class Payout(View):
    payout_id: str
    period: str
    amount_cents: int
    status: Literal["pending", "paid", "failed"]
    reason: Optional[str]
    transfer_id: Optional[str]
    created_at: Timestamp
    updated_at: Optional[Timestamp]
    user_id: Optional[str] = Field(default=None, description="Admins only")
    destination: Optional[str] = Field(default=None, description="Admins only")
    attempt: Optional[int] = Field(default=None, description="Admins only: consecutive attempt of the balance")
    next_attempt_at: Optional[Timestamp] = Field(
        default=None, description="Admins only: when a failed payout is tried again; null once given up or paid")
    gave_up_at: Optional[Timestamp] = Field(default=None, description="Admins only: retries stopped (act on it)")


class PayoutPage(Page):
    items: list[Payout]


class Credit(View):
    period: str
    film_id: str
    title: Optional[str]
    batch: int
    amount_cents: int
    your_confirmed_cents: int
    created_at: Timestamp


class Royalties(View):
    balance_cents: int
    credits: list[Credit]
    payouts: list[Payout]


class StatementLine(View):
    film_id: str
    title: Optional[str]
    batch: int
    rights_received_cents: int
    coproducer_rate_bps: int
    pool_cents: int
    your_confirmed_cents: int
    film_confirmed_cents: int
    amount_cents: int


class Statement(View):
    period: str
    lines: list[StatementLine]
    total_cents: int


class SimulationYours(View):
    your_confirmed_cents: int = Field(description="Your weight now: your confirmed, unrefunded cents in the film")
    your_cents: int = Field(description="What the run would credit you, to the cent")


class SimulationPledge(View):
    pledge_cents: int
    your_confirmed_cents: int = Field(description="Your weight with the new pledge")
    film_confirmed_cents: int = Field(description="Every co-producer's cents, the new pledge included")
    coproducers: int
    pool_cents: int
    your_cents: int = Field(description="What the run would credit you with the new pledge")
    pledge_earns_cents: int = Field(description="What the new pledge adds to your cents")


class Simulation(View):
    """The waterfall of a distribution of `rights_cents` run now: the same arithmetic as a run."""

    film_id: str
    weights_as_of: Timestamp
    rights_received_cents: int
    coproducer_rate_bps: int
    pool_cents: int = Field(description="The co-producers' pool: the rights x the rate, rounded toward zero")
    platform_cents: int = Field(description="What the platform keeps of the rights")
    film_confirmed_cents: int = Field(description="Every co-producer's confirmed cents (the weights' total)")
    coproducers: int
    per_100_eur_pledged_cents: int = Field(
        description="What 100 EUR pledged earns of the pool, floored (the largest remainder may add a cent)")
    distributed_cents: int = Field(description="The pool, allocated; 0 when nobody holds a share yet")
    yours: Optional[SimulationYours] = Field(default=None, description="Signed-in callers only")
    pledge: Optional[SimulationPledge] = Field(default=None, description="With `pledge_cents` only")


class YearlyMonth(View):
    month: str = Field(description="YYYY-MM: the month the rights were received for")
    rights_received_cents: Optional[int] = Field(description="The film's rights that month; null: nothing credited to you")
    pool_cents: Optional[int]
    your_confirmed_cents: Optional[int] = Field(description="Your weight when the month's weights were taken")
    film_confirmed_cents: Optional[int] = Field(description="Every co-producer's weight then")
    credited_cents: int
    clawback_cents: int = Field(description="What corrections took back (negative credits), as a positive amount")
    net_cents: int


class YearlyFilmTotals(View):
    rights_received_cents: int
    pool_cents: int
    credited_cents: int
    clawback_cents: int
    net_cents: int


class YearlyFilm(View):
    film_id: str
    title: Optional[str]
    months: list[YearlyMonth] = Field(description="January to December")
    totals: YearlyFilmTotals


class YearlyPayout(View):
    payout_id: str
    date: str = Field(description="YYYY-MM-DD (UTC)")
    amount_cents: int
    reference: str = Field(description="The transfer's id (the payout's id until it has one)")


class YearlyTotals(View):
    credited_cents: int
    clawback_cents: int
    net_cents: int
    paid_out_cents: int
    opening_balance_cents: int = Field(description="Credited for earlier months, less what was paid out before")
    closing_balance_cents: int = Field(description="The balance carried into the next year")


class PlatformIdentity(View):
    name: str
    registration_number: str
    address_lines: list[str]


class CoproducerIdentity(View):
    user_id: str
    name: Optional[str] = Field(description="The tax details' full name, else the display name")
    address_lines: list[str]
    postal_code: Optional[str]
    city: Optional[str]
    country: Optional[str]


class YearlyStatement(View):
    """Facts from the ledger, never tax advice (`notice` says so)."""

    year: int
    generated_at: Timestamp
    platform: PlatformIdentity
    coproducer: CoproducerIdentity
    films: list[YearlyFilm]
    payouts: list[YearlyPayout]
    totals: YearlyTotals
    notice: str


class Holding(View):
    film_id: str
    title: Optional[str]
    your_confirmed_cents: int
    film_confirmed_cents: int
    share_ppm: int = Field(description="Your share of the film's co-producers' money, in parts per million")
    royalties_received_cents: int
    first_confirmed_at: Optional[Timestamp]
    film_status: Optional[Status] = Field(
        default=None, description="The film's campaign status: rights are received for open and funded films only")


class Portfolio(Page):
    items: list[Holding]
    royalties_received_cents: int


class PayoutAccountSet(View):
    user_id: str
    stripe_account_id: str


# --- Community: referrals, updates from the film team, credits -------------------------------

class ShareLink(View):
    film_id: str
    code: str = Field(description="Personal and stable: the same for every call")
    url: str = Field(description="<web client>/#/films/<film_id>?ref=<code>")


class ReferralTag(View):
    code: str
    name: str
    url: str
    created_at: Timestamp


class ReferralTagList(View):
    items: list[ReferralTag]


class ReferralLine(View):
    confirmed_pledges: int = Field(description="Confirmed pledges, nothing refunded, no dispute")
    amount_cents: int
    share_bps: int = Field(description="Share of the film's total in basis points (1/10,000), rounded down")


class TagReferrals(ReferralLine):
    code: str
    name: str
    coproducers_brought: int


class CoproducerReferrals(ReferralLine):
    display_name: str = Field(description="The referrer's display name only")
    coproducers_brought: int


class FilmReferrals(View):
    film_id: str
    total_cents: int = Field(description="The film's counted total (raised_cents)")
    confirmed_pledges: int
    tags: list[TagReferrals]
    coproducers: list[CoproducerReferrals]
    unattributed: ReferralLine


class MyReferral(View):
    film_id: str
    title: Optional[str]
    code: str
    url: str
    coproducers_brought: int
    confirmed_pledges: int
    amount_cents: int


class MyReferralList(View):
    items: list[MyReferral]


class FilmUpdate(View):
    update_id: str
    film_id: str
    title: str
    body: str
    audience: Literal["public", "coproducers"]
    created_at: Timestamp


class FilmUpdatePage(Page):
    items: list[FilmUpdate]


class CreditState(View):
    film_id: str
    credited: bool
    credit_name: Optional[str]
    updated_at: Optional[Timestamp]


class CreditName(View):
    credit_name: str


class CreditList(View):
    film_id: str
    count: int
    items: list[CreditName] = Field(description="Sorted in French collation")
# --- Web client ------------------------------------------------------------------------

class DevTokenIssued(View):
    token: str = Field(description="A local ID token (HS256), valid 12 hours: send it as Authorization: Bearer")


class SetupIntent(View):
    setup_intent_id: str
    client_secret: str = Field(description="For Stripe.js confirmCardSetup")
    publishable_key: str = Field(description="The Stripe publishable key Stripe.js is loaded with")
