"""The public HTTP API as data: one Operation per route, naming the pydantic models that
validate its request and describe its response. GET /openapi.json is generated from this
(chalicelib/openapi.py); tests fail if a route of app.py is missing here, or the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib import responses as r
from chalicelib import schemas as s
from chalicelib.domain.films import KINDS, STATUSES
from chalicelib.paging import MAX_LIMIT, TOKEN_PATTERN
from chalicelib.web import UNSUBSCRIBE_CONTENT_TYPES

# Who may call: anyone; anyone, signed-in callers seeing more; a signed-in user; an admin.
PUBLIC, OPTIONAL, USER, ADMIN = "public", "optional", "user", "admin"


@dataclass(frozen=True)
class Param:
    name: str
    location: str  # query | header | path
    schema: dict[str, Any]
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    auth: str
    response: type | None  # a responses model; None: no body
    status: int = 200
    body: type | None = None  # a schemas model
    params: tuple[Param, ...] = ()
    example: dict[str, Any] | None = None  # a request body example
    content_types: tuple[str, ...] = ("application/json",)
    extra_responses: tuple[int, ...] = field(default=())
    also: tuple[int, ...] = ()  # other success statuses with the same body (200 for a replayed create)
    csv: bool = False  # also answers text/csv with ?format=csv
    pdf: bool = False  # also answers application/pdf with ?format=pdf

    @property
    def operation_id(self) -> str:
        words = [p.strip("{}") for p in self.path.strip("/").split("/")]
        return "_".join([self.method.lower(), *words]).replace("-", "_")


def path_id(name: str) -> Param:
    return Param(name, "path", {"type": "string", "pattern": r"^[A-Za-z0-9_-]{1,64}$"}, required=True)


LIMIT = Param("limit", "query", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 20},
              "Page size")
NEXT = Param("next", "query", {"type": "string", "pattern": TOKEN_PATTERN},
             "The `next` of the previous page, with the same filters (404 `unknown_page` for a token this list "
             "did not hand out)")
PAGED = (LIMIT, NEXT)
FILM_ID = path_id("film_id")
PLEDGE_ID = path_id("pledge_id")
PERK_ID = path_id("perk_id")
SESSION_ID = path_id("session_id")
CALL_ID = path_id("call_id")
PERIOD = Param("period", "path", {"type": "string", "pattern": r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"}, "YYYY-MM",
               required=True)
IDEMPOTENCY_KEY = Param("Idempotency-Key", "header", {"type": "string", "pattern": "^[!-~]([ -~]{0,253}[!-~])?$"},
                        "One key per pledge the user means to make: a retry with the same key and body returns "
                        "the same pledge and never charges twice", required=True)
UNSUBSCRIBE_TOKEN = Param("token", "query", {"type": "string", "pattern": TOKEN_PATTERN},
                          "From the message (401 when the platform did not sign it)", required=True)
CHANNEL = Param("channel", "path", {"type": "string", "enum": ["email", "sms"]}, required=True)
STRIPE_SIGNATURE = Param("Stripe-Signature", "header", {"type": "string", "minLength": 1},
                         "Stripe's signature of the body (401 when it does not match or is too old)", required=True)

FILM_EXAMPLE = {"title": "Les Vendanges", "kind": "feature", "synopsis": "A harvest in Burgundy.",
                "goal_cents": 5_000_000, "min_pledge_cents": 1_000, "deadline": "2027-03-31"}

OPERATIONS: tuple[Operation, ...] = (
    # Films
    Operation("GET", "/films", "Published films, newest first", "films", OPTIONAL, r.FilmPage, params=(
        Param("status", "query", {"type": "string", "enum": list(STATUSES)}, "`draft` is for admins"),
        Param("kind", "query", {"type": "string", "enum": list(KINDS)}), *PAGED)),
    Operation("POST", "/films", "Create a film (a draft)", "films", USER, r.Film, 201, s.FilmCreate,
              example=FILM_EXAMPLE),
    Operation("GET", "/films/{film_id}", "A film with its totals", "films", OPTIONAL, r.Film, params=(FILM_ID,)),
    Operation("GET", "/films/{film_id}/funding", "The film's funding day by day (UTC): confirmed money, "
              "refunds taken off the day they are applied", "films", OPTIONAL, r.FundingSeries, params=(FILM_ID,)),
    Operation("PATCH", "/films/{film_id}", "Publish, move its stage or edit a film (its producer, admins)",
              "films", USER, r.Film, body=s.FilmPatch, params=(FILM_ID,), example={"status": "open"}),
    # Pledges
    Operation("POST", "/films/{film_id}/pledges", "Pledge to a film (pays through Stripe)", "pledges", USER,
              r.Pledge, 201, s.PledgeCreate, params=(FILM_ID, IDEMPOTENCY_KEY),
              example={"amount_cents": 2_500, "payment_method_id": "pm_card_visa"}),
    Operation("GET", "/films/{film_id}/pledges", "The film's co-producers (its producer, admins)", "pledges",
              USER, r.CoproducerPage, params=(FILM_ID, *PAGED)),
    Operation("GET", "/me/pledges", "My pledges, newest first", "pledges", USER, r.PledgePage, params=PAGED),
    Operation("GET", "/me/pledges/{pledge_id}", "One of my pledges", "pledges", USER, r.Pledge,
              params=(PLEDGE_ID,)),
    Operation("DELETE", "/me/pledges/{pledge_id}", "Cancel a pledge not yet confirmed", "pledges", USER,
              r.Pledge, params=(PLEDGE_ID,)),
    Operation("POST", "/webhooks/stripe", "Stripe events (signed)", "pledges", PUBLIC, r.WebhookReceipt,
              params=(STRIPE_SIGNATURE,), content_types=("application/json", "text/plain"), extra_responses=(401,)),
    # Platform and me
    Operation("GET", "/stats", "Platform figures for the home page", "platform", PUBLIC, r.Stats),
    Operation("GET", "/me", "My profile", "me", USER, r.Me),
    Operation("PUT", "/me", "Set my profile and notification choices", "me", USER, r.Me, body=s.Profile,
              example={"display_name": "Alice", "email": "alice@example.org", "locale": "fr",
                       "notify_email": True, "notify_sms": False}),
    Operation("GET", "/me/films", "Films I produce, drafts included", "me", USER, r.FilmPage, params=PAGED),
    Operation("GET", "/me/export", "Everything the platform holds about me, in one document", "me", USER,
              r.PersonalDataExport),
    Operation("DELETE", "/me", "Erase my personal data (409 balance_outstanding while money is due to me)", "me",
              USER, r.Erased),
    Operation("POST", "/me/verify/{channel}", "Send a 6-digit code to my e-mail address or phone number (3 an "
              "hour)", "me", USER, r.VerificationSent, params=(CHANNEL,), extra_responses=(429, 503)),
    Operation("POST", "/me/verify/{channel}/confirm", "Confirm the code: that contact is verified", "me", USER,
              r.Me, body=s.VerificationCode, params=(CHANNEL,), example={"code": "042917"}),
    Operation("GET", "/openapi.json", "This document", "platform", PUBLIC, r.OpenApiDocument),
    # Campaign lifecycle
    Operation("POST", "/films/{film_id}/close", "Close a campaign now: funded, or failed and refunded (admins)",
              "campaigns", ADMIN, r.CampaignSummary, params=(FILM_ID,)),
    Operation("GET", "/admin/refunds", "Refunds not through yet: rejected by Stripe (retried) or pending",
              "campaigns", ADMIN, r.RefundPage, params=(
                  Param("status", "query", {"type": "string", "enum": ["failed", "pending"], "default": "failed"}),
                  *PAGED)),
    # Payments
    Operation("GET", "/admin/reconciliation", "The last payment reconciliation runs: found, repaired, unrepaired "
              "(admins)", "campaigns", ADMIN, r.ReconciliationPage, params=PAGED),
    Operation("GET", "/admin/disputes", "Dispute records, newest first: opened, won, lost (admins)", "campaigns",
              ADMIN, r.DisputePage, params=PAGED),
    # Notifications
    Operation("GET", "/films/{film_id}/milestones", "Milestones the film reached, oldest first", "notifications",
              OPTIONAL, r.MilestoneList, params=(FILM_ID,)),
    Operation("GET", "/unsubscribe", "What the signed link of a message would turn off; changes nothing (no "
              "sign-in)", "notifications", PUBLIC, r.UnsubscribePreview, params=(UNSUBSCRIBE_TOKEN,),
              extra_responses=(401,)),
    Operation("POST", "/unsubscribe", "Turn one channel off from the signed link of a message (RFC 8058 one-click; "
              "no sign-in)", "notifications", PUBLIC, r.Unsubscribed, params=(UNSUBSCRIBE_TOKEN,),
              content_types=UNSUBSCRIBE_CONTENT_TYPES, extra_responses=(401,)),
    Operation("GET", "/admin/notifications", "Messages that could not be sent (admins)", "notifications", ADMIN,
              r.FailedDeliveryPage, params=(
                  Param("status", "query", {"type": "string", "enum": ["failed"], "default": "failed"}), *PAGED)),
    Operation("GET", "/dev/outbox", "Stage local only (404 elsewhere): e-mails and SMS the emulator received",
              "notifications", PUBLIC, r.LocalOutbox, params=(
                  Param("to", "query", {"type": "string"}, "One address or phone number"),
                  Param("q", "query", {"type": "string"}, "Text the subject or body contains"))),
    # Royalties
    Operation("PUT", "/films/{film_id}/rights", "Set the negotiated profit rights of a film (admins)", "royalties",
              ADMIN, r.RightsTerms, body=s.Rights, params=(FILM_ID,),
              example={"description": "2% of net receipts, all territories", "coproducer_rate_bps": 8000}),
    Operation("POST", "/films/{film_id}/receipts", "Record money received for a film's rights (admins; "
              "append-only: a correction is a new, negative receipt)", "royalties", ADMIN, r.Receipt, 201,
              s.ReceiptCreate, params=(FILM_ID,), also=(200,),
              example={"period": "2026-10", "rights_received_cents": 100_000, "reference": "SACEM-2026-10-0042"}),
    Operation("GET", "/films/{film_id}/receipts", "A film's receipts, newest first (admins)", "royalties", ADMIN,
              r.ReceiptPage, params=(FILM_ID,)),
    Operation("POST", "/admin/distributions", "Distribute a period's receipts now (admins)", "royalties", ADMIN,
              r.DistributionRunResult, body=s.DistributionRun, example={"period": "2026-10"}),
    Operation("GET", "/films/{film_id}/distributions/{period}", "A film's distribution for a period (its "
              "producer, admins)", "royalties", USER, r.Distribution, params=(FILM_ID, PERIOD)),
    Operation("GET", "/me/royalties", "My balance, credits and payouts, newest first", "royalties", USER,
              r.Royalties),
    Operation("GET", "/me/statements/{period}", "My statement for a period (?format=csv for a spreadsheet)",
              "royalties", USER, r.Statement, params=(
                  PERIOD, Param("format", "query", {"type": "string", "enum": ["json", "csv"]})), csv=True),
    Operation("GET", "/me/portfolio", "Every film I co-produce: my money, my share, royalties to date",
              "royalties", USER, r.Portfolio),
    Operation("GET", "/me/statements/yearly/{year}", "My yearly statement: per film and month the rights, the pool, "
              "my weight and cents, clawbacks; payouts; balances (?format=csv, or ?format=pdf with Accept: "
              "application/pdf)", "royalties", USER, r.YearlyStatement, params=(
                  Param("year", "path", {"type": "string", "pattern": r"^2\d{3}$"}, "YYYY, from 2000 (a year to "
                        "come: 422)", required=True),
                  Param("format", "query", {"type": "string", "enum": ["json", "csv", "pdf"]})), csv=True,
              pdf=True),
    Operation("GET", "/films/{film_id}/simulation", "Earnings simulator: the rights, the co-producers' pool and "
              "(signed in) my cents, as a distribution run now would credit them; with pledge_cents, what a new "
              "pledge would earn", "royalties", OPTIONAL, r.Simulation, params=(
                  FILM_ID,
                  Param("rights_cents", "query", {"type": "integer", "minimum": 0, "maximum": 10**13},
                        "Rights the platform would receive, in cents", required=True),
                  Param("pledge_cents", "query", {"type": "integer", "minimum": 1000, "maximum": 10**13},
                        "A new pledge, in cents (under the film's minimum or over the platform's maximum: 422)"))),
    Operation("PUT", "/me/payout-account", "Retired (410): payout accounts come from Stripe Connect onboarding",
              "royalties", USER, r.PayoutAccountSet, body=s.PayoutAccount, extra_responses=(410,),
              example={"stripe_account_id": "acct_1Nv0FGQ9RKHgCVdK"}),
    Operation("GET", "/me/payout-account", "My payout account: onboarding not started, pending or complete",
              "royalties", USER, r.PayoutAccountState),
    Operation("POST", "/me/payout-account/onboarding", "Create (once) my Stripe Connect Express account and "
              "get the link to complete it", "royalties", USER, r.PayoutOnboarding, extra_responses=(503,)),
    Operation("GET", "/dev/connect/onboarding", "Stage local only (404 elsewhere): the stand-in for Stripe's "
              "onboarding page, which completes the account", "royalties", PUBLIC, r.PayoutAccountState, params=(
                  Param("token", "query", {"type": "string", "pattern": TOKEN_PATTERN}, "From the onboarding link "
                        "(401 when the platform did not sign it)", required=True),), extra_responses=(401,)),
    Operation("GET", "/admin/payouts", "Failed payouts, newest first (admins)", "royalties", ADMIN,
              r.PayoutPage, params=(Param("status", "query", {"type": "string", "enum": ["failed"]}), *PAGED)),
    # Co-producer services: perks
    Operation("GET", "/films/{film_id}/perks", "The film's perk catalogue", "perks", OPTIONAL, r.PerkList,
              params=(FILM_ID,)),
    Operation("POST", "/films/{film_id}/perks", "Add a perk (the film's producer, admins)", "perks", USER, r.Perk,
              201, s.PerkCreate, params=(FILM_ID,),
              example={"kind": "filming_invitation", "title": "A day on set", "min_pledge_cents": 5_000,
                       "available_from_stage": "shooting", "capacity": 20}),
    Operation("PATCH", "/films/{film_id}/perks/{perk_id}", "Change a perk (the film's producer, admins)", "perks",
              USER, r.Perk, body=s.PerkPatch, params=(FILM_ID, PERK_ID), example={"min_pledge_cents": 2_500}),
    Operation("DELETE", "/films/{film_id}/perks/{perk_id}", "Remove a perk (the film's producer, admins)", "perks",
              USER, None, 204, params=(FILM_ID, PERK_ID)),
    Operation("GET", "/me/films/{film_id}/perks", "My perks in a film: unlocked or locked, and why", "perks", USER,
              r.MyPerkList, params=(FILM_ID,)),
    # Private forum
    Operation("GET", "/films/{film_id}/forum/threads", "Forum threads, newest first (co-producers with the perk, "
              "the film's producer, admins)", "forum", USER, r.ForumThreadPage, params=(FILM_ID, *PAGED)),
    Operation("POST", "/films/{film_id}/forum/threads", "Start a thread", "forum", USER, r.NewForumThread, 201,
              s.ThreadCreate, params=(FILM_ID,), example={"title": "First day", "body": "Who is coming?"}),
    Operation("GET", "/films/{film_id}/forum/threads/{thread_id}/posts", "A thread's posts, oldest first",
              "forum", USER, r.ForumPostPage, params=(FILM_ID, path_id("thread_id"), *PAGED)),
    Operation("POST", "/films/{film_id}/forum/threads/{thread_id}/posts", "Reply", "forum", USER, r.ForumPost,
              201, s.PostCreate, params=(FILM_ID, path_id("thread_id")), example={"body": "Count me in."}),
    Operation("PATCH", "/films/{film_id}/forum/threads/{thread_id}/posts/{post_id}",
              "Edit my post; pin or hide (the film's producer, admins)", "forum", USER, r.ForumPost,
              body=s.PostPatch, params=(FILM_ID, path_id("thread_id"), path_id("post_id")),
              example={"pinned": True}),
    # Discussions with the team, filming and preview invitations
    Operation("GET", "/films/{film_id}/sessions", "Sessions I may attend (all of them for the film's managers)",
              "sessions", USER, r.SessionPage, params=(FILM_ID, *PAGED)),
    Operation("POST", "/films/{film_id}/sessions", "Schedule a session (the film's producer, admins)", "sessions",
              USER, r.Session, 201, s.SessionCreate, params=(FILM_ID,),
              example={"perk_id": "prk_0123456789abcdef", "title": "Q&A with the director",
                       "starts_at": "2027-01-15T18:00Z", "duration_minutes": 60, "capacity": 30,
                       "join_link": "https://meet.example.org/qa"}),
    Operation("GET", "/films/{film_id}/sessions/{session_id}", "A session; its join link once I hold a seat",
              "sessions", USER, r.Session, params=(FILM_ID, SESSION_ID)),
    Operation("POST", "/films/{film_id}/sessions/{session_id}/rsvp", "Take a seat, or a place on the waitlist",
              "sessions", USER, r.Session, params=(FILM_ID, SESSION_ID)),
    Operation("DELETE", "/films/{film_id}/sessions/{session_id}/rsvp", "Give up my seat (the waitlist moves up)",
              "sessions", USER, r.Session, params=(FILM_ID, SESSION_ID)),
    Operation("GET", "/films/{film_id}/sessions/{session_id}/rsvps", "Who comes and who waits (the film's "
              "managers)", "sessions", USER, r.AttendeePage, params=(FILM_ID, SESSION_ID, *PAGED)),
    # Extra casting
    Operation("GET", "/films/{film_id}/casting", "Casting calls I may answer (all for the film's managers)",
              "casting", USER, r.CastingCallPage, params=(FILM_ID, *PAGED)),
    Operation("POST", "/films/{film_id}/casting", "Open a casting call for extras (the film's producer, admins)",
              "casting", USER, r.CastingCall, 201, s.CastingCallCreate, params=(FILM_ID,),
              example={"perk_id": "prk_0123456789abcdef", "title": "Crowd at the station"}),
    Operation("POST", "/films/{film_id}/casting/{call_id}/applications", "Apply, with a note", "casting", USER,
              r.CastingCall, 201, s.CastingApplication, params=(FILM_ID, CALL_ID),
              example={"note": "Free every weekend in March."}),
    Operation("GET", "/films/{film_id}/casting/{call_id}/applications", "Applicants by priority (the film's "
              "managers)", "casting", USER, r.ApplicantPage, params=(FILM_ID, CALL_ID, *PAGED)),
    Operation("POST", "/films/{film_id}/casting/{call_id}/decision", "Select extras; everyone is told",
              "casting", USER, r.CastingDecided, body=s.CastingDecision, params=(FILM_ID, CALL_ID),
              example={"selected": ["user-123"]}),
    # Community: word of mouth
    Operation("GET", "/me/films/{film_id}/share", "My personal share link for a film I co-produce (stable)",
              "community", USER, r.ShareLink, params=(FILM_ID,)),
    Operation("POST", "/films/{film_id}/referral-tags", "Create a named tag for one of the film's channels (its "
              "producer, admins)", "community", USER, r.ReferralTag, 201, s.ReferralTagCreate, params=(FILM_ID,),
              example={"name": "Newsletter"}),
    Operation("GET", "/films/{film_id}/referral-tags", "The film's tags (its producer, admins)", "community", USER,
              r.ReferralTagList, params=(FILM_ID,)),
    Operation("GET", "/films/{film_id}/referrals", "What each tag and each co-producer's link brought, and the "
              "unattributed rest (its producer, admins)", "community", USER, r.FilmReferrals, params=(FILM_ID,)),
    Operation("GET", "/me/referrals", "Per film, how many co-producers my link brought", "community", USER,
              r.MyReferralList),
    # Community: updates from the film team
    Operation("POST", "/films/{film_id}/updates", "Post news (its producer, admins); e-mailed once to the "
              "co-producers", "community", USER, r.FilmUpdate, 201, s.UpdateCreate, params=(FILM_ID,),
              example={"title": "First day of shooting", "body": "We start on Monday in Ouessant.",
                       "audience": "coproducers"}),
    Operation("GET", "/films/{film_id}/updates", "Updates I may read, newest first (public ones for anyone)",
              "community", OPTIONAL, r.FilmUpdatePage, params=(FILM_ID, *PAGED)),
    # Community: credits
    Operation("PUT", "/me/films/{film_id}/credit", "Be named (or not) in the film's credits (its co-producers)",
              "community", USER, r.CreditState, body=s.CreditChoice, params=(FILM_ID,),
              example={"credited": True, "credit_name": "Camille Martin"}),
    Operation("GET", "/films/{film_id}/credits", "Names in the film's credits, French collation (?format=csv: "
              "its producer, admins)", "community", OPTIONAL, r.CreditList, params=(
                  FILM_ID, Param("format", "query", {"type": "string", "enum": ["json", "csv"]})), csv=True),
    # Web client
    Operation("POST", "/me/setup-intents", "Set up a card with Stripe.js (confirmCardSetup) before a pledge: a "
              "SetupIntent's client secret and the publishable key", "pledges", USER, r.SetupIntent, 201,
              extra_responses=(503,)),
    Operation("POST", "/dev/token", "Stage local only (404 elsewhere): sign in as anyone, with groups",
              "me", PUBLIC, r.DevTokenIssued, body=s.DevToken,
              example={"user_id": "alice", "groups": ["producer"]}),
)
