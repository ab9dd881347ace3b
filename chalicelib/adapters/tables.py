"""PynamoDB models: one DynamoDB table per concept. Access patterns live in ARCHITECTURE.md.

Table names carry the stage prefix (``coprod-<stage>-<name>``); on stage `local` the
host is DynamoDB Local.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.clients import dynamodb_options
from chalicelib.config import settings, table_name


def _meta(short: str, **extra) -> Any:  # a Meta class (PynamoDB types Meta as a protocol)
    s = settings()
    attrs = {"table_name": table_name(short), "region": s.region, "billing_mode": "PAY_PER_REQUEST",
             **dynamodb_options(s), **extra}
    if s.dynamodb_endpoint:
        attrs["host"] = s.dynamodb_endpoint
    return type("Meta", (), attrs)


def _index_meta(name: str) -> Any:
    return type("Meta", (), {"index_name": name, "projection": AllProjection()})


class FilmsByStatus(GlobalSecondaryIndex):
    """status -> films ordered by deadline (the close job and `GET /films?status=`)."""

    Meta = _index_meta("by_status")
    status = UnicodeAttribute(hash_key=True)
    status_key = UnicodeAttribute(range_key=True)  # "<deadline>#<film_id>"


class FilmsCatalog(GlobalSecondaryIndex):
    """Sparse: only published films carry `catalog`; newest first for `GET /films`."""

    Meta = _index_meta("catalog")
    catalog = UnicodeAttribute(hash_key=True)  # always "film"
    catalog_key = UnicodeAttribute(range_key=True)  # "<published_at>#<film_id>"


class FilmsByProducer(GlobalSecondaryIndex):
    Meta = _index_meta("by_producer")
    producer_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class FilmRecord(Model):
    Meta = _meta("films")
    film_id = UnicodeAttribute(hash_key=True)
    title = UnicodeAttribute()
    kind = UnicodeAttribute()
    synopsis = UnicodeAttribute(default="")
    status = UnicodeAttribute()
    stage = UnicodeAttribute()
    goal_cents = NumberAttribute()
    min_pledge_cents = NumberAttribute()
    deadline = UnicodeAttribute()  # YYYY-MM-DD, campaign ends at the end of that day (UTC)
    producer_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    published_at = UnicodeAttribute(null=True)
    goal_reached_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    closing_at = UnicodeAttribute(null=True)  # set when the close starts: no money counts after it
    status_key = UnicodeAttribute()
    catalog = UnicodeAttribute(null=True)
    catalog_key = UnicodeAttribute(null=True)

    by_status = FilmsByStatus()
    catalog_index = FilmsCatalog()
    by_producer = FilmsByProducer()


class CounterShard(Model):
    """Additive counters split over shards: `film#<id>` and `platform`.

    A writer adds to one random shard; a reader sums every shard of the counter with
    one Query. Attributes absent on a shard count as zero.
    """

    Meta = _meta("counters", stream_view_type="KEYS_ONLY")  # milestones are watched on it
    counter_id = UnicodeAttribute(hash_key=True)
    shard = NumberAttribute(range_key=True)
    raised_cents = NumberAttribute(null=True)
    coproducer_count = NumberAttribute(null=True)
    films = NumberAttribute(null=True)
    open_films = NumberAttribute(null=True)
    goal_cents = NumberAttribute(null=True)
    coproducers = NumberAttribute(null=True)


class UserRecord(Model):
    Meta = _meta("users")
    user_id = UnicodeAttribute(hash_key=True)
    display_name = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    locale = UnicodeAttribute(null=True)
    notify_email = BooleanAttribute(null=True)
    notify_sms = BooleanAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    # Confirmed, unrefunded cents over every film: 0 -> >0 makes a platform co-producer.
    confirmed_cents = NumberAttribute(null=True)
    # Stripe Connect account royalties are paid out to (PUT /me/payout-account).
    stripe_account_id = UnicodeAttribute(null=True)
    # The contact each channel was verified for: a contact is verified while it equals this
    # (POST /me/verify/{channel}/confirm, or Cognito's email_verified claim); a change clears it.
    email_verified_for = UnicodeAttribute(null=True)
    phone_verified_for = UnicodeAttribute(null=True)
    erased_at = UnicodeAttribute(null=True)  # DELETE /me: personal data removed then
    # The Cognito user was found deleted while money was still due (services/departures.py).
    departed_at = UnicodeAttribute(null=True)
    # Stripe Connect onboarding (POST /me/payout-account/onboarding): the account the platform
    # created for this user, and whether Stripe's account.updated says it can be paid;
    # stripe_account_id (the payouts' destination) is set only while it can.
    connect_account_id = UnicodeAttribute(null=True)
    payouts_enabled = BooleanAttribute(null=True)
    payout_account_updated_at = UnicodeAttribute(null=True)
    # Optional tax details for yearly statements (PUT /me `tax_details`): full_name,
    # address_lines, postal_code, city, country. The owner and admins only; erased by DELETE /me.
    tax_details = JSONAttribute(null=True)


@lru_cache(maxsize=1)
def connection() -> Connection:
    s = settings()
    return Connection(region=s.region, host=s.dynamodb_endpoint, **dynamodb_options(s))


def find(model: type[Model], *key: Any) -> Any:
    """One item by its key, read strongly consistent, or None."""
    try:
        return model.get(*key, consistent_read=True)
    except DoesNotExist:
        return None


class _TransactWrite(TransactWrite):
    """A transaction that DynamoDB did not answer in time, or throttled, raises
    outages.DependencyDown instead of TransactWriteError: the retry loops around
    transactions (conflicts, conditions) end at once instead of waiting on it again."""

    def _commit(self) -> Any:
        from chalicelib.adapters import outages

        try:
            return super()._commit()
        except TransactWriteError as exc:
            outages.raise_if_down(exc)
            raise


def transaction(token: str | None = None) -> TransactWrite:
    """A TransactWrite on the tables' connection; `token` makes a retry idempotent for 10 min.
    No consumed capacity asked back (PynamoDB asks for it by default): nothing reads it."""
    return _TransactWrite(connection=connection(), client_request_token=token, return_consumed_capacity="NONE")


class VerificationRecord(Model):
    """The pending code of one (user, channel) and the codes sent in the last hour. Only the
    code's HMAC is stored; every change is conditional on `version` (or, for a guess, on the
    code and its wrong tries), so concurrent requests can neither send a fourth code in an
    hour nor try a sixth guess."""

    Meta = _meta("verifications")
    user_id = UnicodeAttribute(hash_key=True)
    channel = UnicodeAttribute(range_key=True)  # email | sms
    version = NumberAttribute(default=0)
    contact = UnicodeAttribute(null=True)  # the address or number the pending code went to
    code_hash = UnicodeAttribute(null=True)  # unset: no pending code (confirmed, burned, none sent)
    code_expires_at = UnicodeAttribute(null=True)
    wrong_tries = NumberAttribute(default=0)
    sent_at = JSONAttribute(default=list)  # ISO times of the codes sent within the last hour
    expires_at = NumberAttribute(null=True)  # TTL, epoch seconds


class ConsentRecord(Model):
    """One change of a notification choice: which channel, on or off, when, from where
    (`PUT /me`, an unsubscribe link), and the version of the wording the person saw."""

    Meta = _meta("consents")
    user_id = UnicodeAttribute(hash_key=True)
    recorded_key = UnicodeAttribute(range_key=True)  # "<recorded_at>#<channel>"
    channel = UnicodeAttribute()  # email | sms
    granted = BooleanAttribute()
    source = UnicodeAttribute()
    wording_version = UnicodeAttribute()
    recorded_at = UnicodeAttribute()


class SmsQuotaRecord(Model):
    """SMS sent to one co-producer on one UTC day: taken conditionally before each send."""

    Meta = _meta("sms_quota")
    user_id = UnicodeAttribute(hash_key=True)
    day = UnicodeAttribute(range_key=True)  # YYYY-MM-DD
    sent = NumberAttribute(default=0)
    expires_at = NumberAttribute(null=True)  # TTL, epoch seconds


class PledgesByUser(GlobalSecondaryIndex):
    Meta = _index_meta("by_user")
    user_id = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)  # "<created_at>#<pledge_id>"


class PledgesByFilm(GlobalSecondaryIndex):
    Meta = _index_meta("by_film")
    film_id = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class PledgesByPaymentIntent(GlobalSecondaryIndex):
    """Sparse: a charge.refunded event names the PaymentIntent, not the pledge."""

    Meta = _index_meta("by_payment_intent")
    payment_intent_id = UnicodeAttribute(hash_key=True)


class PledgesUnsettled(GlobalSecondaryIndex):
    """Sparse: only pledges still waiting for Stripe's outcome carry `unsettled` (reconciliation)."""

    Meta = _index_meta("unsettled")
    unsettled = UnicodeAttribute(hash_key=True)  # always "1"
    unsettled_key = UnicodeAttribute(range_key=True)  # "<created_at>#<pledge_id>"


class PledgesByReferral(GlobalSecondaryIndex):
    """Sparse: the pledges that came through a share code (chalicelib/services/referrals.py)."""

    Meta = _index_meta("by_referral")
    referral_code = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class PledgeRecord(Model):
    """One pledge. Its id is derived from (user, Idempotency-Key), so the conditional put
    that creates it is also the idempotency record."""

    Meta = _meta("pledges")
    pledge_id = UnicodeAttribute(hash_key=True)
    film_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    amount_cents = NumberAttribute()
    currency = UnicodeAttribute(default="eur")
    status = UnicodeAttribute()
    request_hash = UnicodeAttribute()
    payment_intent_id = UnicodeAttribute(null=True)
    client_secret = UnicodeAttribute(null=True)
    failure_code = UnicodeAttribute(null=True)
    failure_message = UnicodeAttribute(null=True)
    amount_refunded_cents = NumberAttribute(default=0)
    lease_until = NumberAttribute(default=0)  # epoch seconds: who is talking to Stripe for it
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    confirmed_at = UnicodeAttribute(null=True)
    # "<refunded at>#<amount_refunded_cents after it>" per refund of a counted pledge, oldest
    # first: its weight at any past moment (royalty weights as of a period's end).
    refund_history = ListAttribute(of=UnicodeAttribute, null=True)
    created_key = UnicodeAttribute()

    by_user = PledgesByUser()
    by_film = PledgesByFilm()
    by_payment_intent = PledgesByPaymentIntent()
    unsettled = UnicodeAttribute(null=True)
    unsettled_key = UnicodeAttribute(null=True)
    unsettled_index = PledgesUnsettled()
    # The share code the pledge came through (a known code of its film, not the pledger's own).
    referral_code = UnicodeAttribute(null=True)
    by_referral = PledgesByReferral()


class BackingsByUser(GlobalSecondaryIndex):
    Meta = _index_meta("by_user")
    user_id = UnicodeAttribute(hash_key=True)
    film_id = UnicodeAttribute(range_key=True)


class BackingRecord(Model):
    """A co-producer in a film: confirmed, unrefunded cents (royalties are pro rata to it)."""

    Meta = _meta("backings", stream_view_type="NEW_AND_OLD_IMAGES")  # perks unlocked by a pledge
    film_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    confirmed_cents = NumberAttribute(default=0)
    first_confirmed_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)

    by_user = BackingsByUser()


class StripeEventRecord(Model):
    """Stripe events already applied (dedup by event id; expires after 30 days)."""

    Meta = _meta("stripe_events")
    event_id = UnicodeAttribute(hash_key=True)
    event_type = UnicodeAttribute()
    processed_at = UnicodeAttribute()
    expires_at = NumberAttribute()


class OutboxByFilm(GlobalSecondaryIndex):
    """A film's events in the order they happened (milestones reached, outcome...)."""

    Meta = _index_meta("by_film")
    film_id = UnicodeAttribute(hash_key=True)
    occurred_key = UnicodeAttribute(range_key=True)  # "<occurred_at>#<event_id>"


class OutboxRecord(Model):
    """One domain event (chalicelib/domain/events.py), written exactly once by a conditional
    put on its derived id. The table's stream relays new records to the events topic; the
    records stay as the platform's event log (a film's milestones are read from here)."""

    Meta = _meta("outbox", stream_view_type="NEW_IMAGE")
    event_id = UnicodeAttribute(hash_key=True)
    event_type = UnicodeAttribute()
    key = UnicodeAttribute()
    film_id = UnicodeAttribute(null=True)
    occurred_at = UnicodeAttribute()
    occurred_key = UnicodeAttribute()
    audience = JSONAttribute()
    data = JSONAttribute(default=dict)
    expires_at = NumberAttribute(null=True)  # TTL, epoch seconds; unset: kept

    by_film = OutboxByFilm()


class PerkRecord(Model):
    """A perk of a film's catalogue (chalicelib/domain/perks.py)."""

    Meta = _meta("perks")
    film_id = UnicodeAttribute(hash_key=True)
    perk_id = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    min_pledge_cents = NumberAttribute(default=0)
    available_from_stage = UnicodeAttribute()
    capacity = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    min_referrals = NumberAttribute(null=True)  # co-producers the co-producer must have brought


class ForumThreadRecord(Model):
    """A thread of a film's private forum; ids sort by creation time."""

    Meta = _meta("forum_threads")
    film_id = UnicodeAttribute(hash_key=True)
    thread_id = UnicodeAttribute(range_key=True)
    title = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    last_post_at = UnicodeAttribute()
    post_count = NumberAttribute(default=0)


class ForumPinned(GlobalSecondaryIndex):
    """Sparse: only pinned posts carry `pinned_in` (their thread id)."""

    Meta = _index_meta("pinned")
    pinned_in = UnicodeAttribute(hash_key=True)
    post_id = UnicodeAttribute(range_key=True)


class ForumPostRecord(Model):
    Meta = _meta("forum_posts")
    thread_id = UnicodeAttribute(hash_key=True)
    post_id = UnicodeAttribute(range_key=True)
    film_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute(null=True)
    author_role = UnicodeAttribute()  # coproducer | producer | admin
    body = UnicodeAttribute()
    created_at = UnicodeAttribute()
    edited_at = UnicodeAttribute(null=True)
    hidden = BooleanAttribute(default=False)
    pinned_in = UnicodeAttribute(null=True)

    pinned = ForumPinned()


class SessionRecord(Model):
    """A scheduled session a perk gives access to: a discussion with the team (join link)
    or a filming / preview invitation (place). `seats_taken` never exceeds `capacity`."""

    Meta = _meta("sessions")
    film_id = UnicodeAttribute(hash_key=True)
    session_id = UnicodeAttribute(range_key=True)
    perk_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    starts_at = UnicodeAttribute()
    duration_minutes = NumberAttribute()
    place = UnicodeAttribute(null=True)
    join_link = UnicodeAttribute(null=True)
    capacity = NumberAttribute()
    seats_taken = NumberAttribute(default=0)
    waitlisted = NumberAttribute(default=0)
    created_at = UnicodeAttribute()


class RsvpWaitlist(GlobalSecondaryIndex):
    """Sparse: only waitlisted RSVPs carry `waiting_in` (their session id), in seat order."""

    Meta = _index_meta("waitlist")
    waiting_in = UnicodeAttribute(hash_key=True)
    wait_key = UnicodeAttribute(range_key=True)


class RsvpRecord(Model):
    Meta = _meta("rsvps")
    session_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    film_id = UnicodeAttribute()
    status = UnicodeAttribute()  # going | waitlisted | canceled
    rsvp_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    wait_key = UnicodeAttribute(null=True)
    waiting_in = UnicodeAttribute(null=True)

    waitlist = RsvpWaitlist()


class CastingCallRecord(Model):
    Meta = _meta("casting_calls")
    film_id = UnicodeAttribute(hash_key=True)
    call_id = UnicodeAttribute(range_key=True)
    perk_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    status = UnicodeAttribute()  # open | decided
    selected = JSONAttribute(null=True)  # user ids, once decided
    created_at = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)


class CastingApplicationRecord(Model):
    Meta = _meta("casting_applications")
    call_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    film_id = UnicodeAttribute()
    note = UnicodeAttribute()
    applied_at = UnicodeAttribute()
    status = UnicodeAttribute()  # applied | selected | not_selected

class ActiveCloses(GlobalSecondaryIndex):
    """Sparse: only closes still at work carry `active` (the job continues them)."""

    Meta = _index_meta("active")
    active = UnicodeAttribute(hash_key=True)  # always "1"
    active_key = UnicodeAttribute(range_key=True)  # "<started_at>#<film_id>"


class CampaignCloseRecord(Model):
    """The close of one film's campaign: its outcome and, for a failed film, the refunds'
    progress (cursor over the film's pledges, refunds still outstanding)."""

    Meta = _meta("campaign_closes")
    film_id = UnicodeAttribute(hash_key=True)
    state = UnicodeAttribute()  # closing | refunding | done
    outcome = UnicodeAttribute(null=True)  # funded | failed
    title = UnicodeAttribute(null=True)
    goal_cents = NumberAttribute(null=True)
    raised_cents = NumberAttribute(null=True)  # when decided, before any refund
    coproducer_count = NumberAttribute(null=True)
    cursor = JSONAttribute(null=True)  # LastEvaluatedKey of the last page of pledges handled
    swept = BooleanAttribute(default=False)  # every page of pledges was handled once
    sweeps = NumberAttribute(default=0)
    outstanding = NumberAttribute(null=True)  # refunds recorded and not yet succeeded
    refunded_pledges = NumberAttribute(null=True)
    canceled_pledges = NumberAttribute(null=True)
    started_at = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute()
    active = UnicodeAttribute(null=True)
    active_key = UnicodeAttribute(null=True)

    active_index = ActiveCloses()


class RefundsByQueue(GlobalSecondaryIndex):
    """Sparse: refunds not yet succeeded, by when they are next due (retries, admin list)."""

    Meta = _index_meta("by_queue")
    queue = UnicodeAttribute(hash_key=True)  # pending | failed
    queue_key = UnicodeAttribute(range_key=True)  # "<next_attempt_at>#<pledge_id>"


class RefundRecord(Model):
    """The refund of one pledge, recorded before Stripe is called; at most one per pledge."""

    Meta = _meta("refunds")
    pledge_id = UnicodeAttribute(hash_key=True)
    film_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    payment_intent_id = UnicodeAttribute()
    amount_cents = NumberAttribute()
    status = UnicodeAttribute()  # pending | failed | succeeded
    reason = UnicodeAttribute()  # campaign_failed | campaign_closed (money arrived late)
    tracked = BooleanAttribute(default=False)  # counted in its film's CampaignCloseRecord
    failures = NumberAttribute(default=0)  # attempts Stripe rejected
    attempts = NumberAttribute(default=0)
    failure_code = UnicodeAttribute(null=True)
    failure_message = UnicodeAttribute(null=True)
    refunded_cents = NumberAttribute(default=0)
    lease_until = NumberAttribute(default=0)  # epoch seconds: who is talking to Stripe for it
    next_attempt_at = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    succeeded_at = UnicodeAttribute(null=True)
    queue = UnicodeAttribute(null=True)
    queue_key = UnicodeAttribute(null=True)

    by_queue = RefundsByQueue()

class DeliveryFailures(GlobalSecondaryIndex):
    """Sparse: only deliveries that failed carry `failed`; newest first for admins."""

    Meta = _index_meta("failures")
    failed = UnicodeAttribute(hash_key=True)  # always "failed"
    failed_key = UnicodeAttribute(range_key=True)  # "<updated_at>#<event_id>#<recipient>"


class DeliveriesByUser(GlobalSecondaryIndex):
    """A person's messages (GET /me/export); chunk markers carry no user and are left out."""

    Meta = _index_meta("by_user")
    user_id = UnicodeAttribute(hash_key=True)
    updated_at = UnicodeAttribute(range_key=True)


class DeliveryRecord(Model):
    """One message of one event to one user on one channel ("<user_id>#email|sms"), or the
    marker of a fan-out chunk already queued ("~chunk#<n>"). Claimed conditionally before
    sending, so a redelivered stream batch or queue message never sends twice."""

    Meta = _meta("deliveries")
    event_id = UnicodeAttribute(hash_key=True)
    recipient = UnicodeAttribute(range_key=True)
    status = UnicodeAttribute()  # sending | sent | failed | queued
    user_id = UnicodeAttribute(null=True)
    channel = UnicodeAttribute(null=True)
    attempts = NumberAttribute(null=True)  # failed sends so far
    lease_until = NumberAttribute(default=0)  # epoch seconds: who is sending it
    message_id = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    sent_at = UnicodeAttribute(null=True)
    failed = UnicodeAttribute(null=True)
    failed_key = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # TTL, epoch seconds

    failures = DeliveryFailures()
    by_user = DeliveriesByUser()
class RightsRecord(Model):
    """The profit rights negotiated for a film: the co-producers' rate in basis points."""

    Meta = _meta("rights")
    film_id = UnicodeAttribute(hash_key=True)
    description = UnicodeAttribute()
    coproducer_rate_bps = NumberAttribute()
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute()


class ReceiptsByPeriod(GlobalSecondaryIndex):
    """Which films received money for a period (the monthly run)."""

    Meta = _index_meta("by_period")
    period = UnicodeAttribute(hash_key=True)
    film_receipt = UnicodeAttribute(range_key=True)  # "<film_id>#<receipt_id>"


class ReceiptsUndistributed(GlobalSecondaryIndex):
    """Sparse: receipts no distribution has taken yet, by period (a monthly run takes every
    earlier period's too)."""

    Meta = _index_meta("undistributed")
    undistributed = UnicodeAttribute(hash_key=True)  # always "pending"
    period = UnicodeAttribute(range_key=True)


class ReceiptRecord(Model):
    """Money the platform received from a film's rights. Append-only: `batch` is set once,
    when a distribution takes the receipt."""

    Meta = _meta("receipts")
    film_id = UnicodeAttribute(hash_key=True)
    receipt_id = UnicodeAttribute(range_key=True)  # rcp_<sha256(film, reference)>
    period = UnicodeAttribute()
    film_receipt = UnicodeAttribute()
    rights_received_cents = NumberAttribute()
    reference = UnicodeAttribute()
    corrects = UnicodeAttribute(null=True)
    recorded_at = UnicodeAttribute()
    recorded_by = UnicodeAttribute()
    batch = NumberAttribute(null=True)
    undistributed = UnicodeAttribute(null=True)  # "pending" until a batch takes it

    by_period = ReceiptsByPeriod()
    undistributed_receipts = ReceiptsUndistributed()


class DistributionRecord(Model):
    """One (film, period): its weights snapshot, its batches of receipts, totals and status."""

    Meta = _meta("distributions")
    film_id = UnicodeAttribute(hash_key=True)
    period = UnicodeAttribute(range_key=True)
    status = UnicodeAttribute()  # running | done | refused (nobody to credit)
    version = NumberAttribute()
    as_of = UnicodeAttribute(null=True)  # when the weights were taken
    snapshot_pages = NumberAttribute(null=True)
    coproducers = NumberAttribute(null=True)
    film_confirmed_cents = NumberAttribute(null=True)
    batches = JSONAttribute(default=list)
    rights_received_cents = NumberAttribute(default=0)
    pool_cents = NumberAttribute(default=0)
    credited_cents = NumberAttribute(default=0)
    unallocated_cents = NumberAttribute(default=0)
    credits = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class SnapshotPage(Model):
    """A page of the weights of (film, period), frozen on the first run; `done_batches`
    lists the batches whose credits for this page are all written."""

    Meta = _meta("royalty_snapshots")
    snapshot_id = UnicodeAttribute(hash_key=True)  # "<film_id>#<period>"
    page = NumberAttribute(range_key=True)
    entries = BinaryAttribute(legacy_encoding=False)  # zlib(JSON [[user_id, cents, first_at], ...])
    done_batches = NumberSetAttribute(null=True)


class LedgerByFilm(GlobalSecondaryIndex):
    """Sparse (credits only): a film's credits for a period, for audits and totals."""

    Meta = _index_meta("by_film")
    film_id = UnicodeAttribute(hash_key=True)
    film_entry = UnicodeAttribute(range_key=True)  # "<period>#<batch>#<user_id>"


class LedgerRecord(Model):
    """Append-only royalty credits, one per (film, period, batch of receipts, co-producer)."""

    Meta = _meta("royalty_ledger")
    user_id = UnicodeAttribute(hash_key=True)
    entry_key = UnicodeAttribute(range_key=True)  # "<period>#credit#<film_id>#<batch:03d>"
    kind = UnicodeAttribute()
    period = UnicodeAttribute()
    film_id = UnicodeAttribute()
    film_entry = UnicodeAttribute()
    batch = NumberAttribute()
    amount_cents = NumberAttribute()
    your_confirmed_cents = NumberAttribute()
    created_at = UnicodeAttribute()
    run_period = UnicodeAttribute(null=True)  # the period of the run that credited it (its statement)

    by_film = LedgerByFilm()


class PayoutsByUser(GlobalSecondaryIndex):
    Meta = _index_meta("by_user")
    user_id = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)  # "<created_at>#<payout_id>"


class PayoutFailures(GlobalSecondaryIndex):
    """Sparse: only failed payouts carry `failed`."""

    Meta = _index_meta("failures")
    failed = UnicodeAttribute(hash_key=True)  # always "failed"
    failed_at = UnicodeAttribute(range_key=True)


class PayoutRecord(Model):
    """A transfer of a co-producer's balance (and, under `account#<user_id>`, the running
    total paid out to them: the guard that makes concurrent payouts impossible)."""

    Meta = _meta("payouts")
    payout_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(null=True)
    period = UnicodeAttribute(null=True)
    amount_cents = NumberAttribute(null=True)
    status = UnicodeAttribute(null=True)  # pending | paid | failed
    destination = UnicodeAttribute(null=True)
    transfer_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    created_key = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    failed = UnicodeAttribute(null=True)
    failed_at = UnicodeAttribute(null=True)
    paid_out_cents = NumberAttribute(null=True)  # on the account item only
    pending_payout = UnicodeAttribute(null=True)  # on the account item: a payout not finished yet
    attempt = NumberAttribute(null=True)  # consecutive attempt of the user's balance (1: the first)
    retry_of = UnicodeAttribute(null=True)  # the failed payout this one tries again
    retried_by = UnicodeAttribute(null=True)  # on a failed payout: the attempt that replaced it
    sent_at = UnicodeAttribute(null=True)  # last time its transfer was sent (claims a resend)
    next_attempt_at = UnicodeAttribute(null=True)  # on a failed payout in the retry set
    gave_up_at = UnicodeAttribute(null=True)  # on a failed payout no longer retried (admins)
    failed_payout = UnicodeAttribute(null=True)  # on the account item: the user's retry-set entry
    failed_attempts = NumberAttribute(null=True)  # on the account item: failed attempts in a row
    retry_series = NumberAttribute(null=True)  # on the account item: attempts restarted (account changed)

    by_user = PayoutsByUser()
    failures = PayoutFailures()


class DisputesListed(GlobalSecondaryIndex):
    Meta = _index_meta("listed")
    listed = UnicodeAttribute(hash_key=True)  # always "dispute"
    listed_key = UnicodeAttribute(range_key=True)  # "<recorded_at>#<dispute_id>#<kind>"


class DisputeRecord(Model):
    """One step of a dispute, never edited: `opened` takes the disputed cents out of the totals,
    `won` puts them back, `lost` leaves them out. Keyed by the pledge, so a pledge's disputes
    are one Query."""

    Meta = _meta("disputes")
    pledge_id = UnicodeAttribute(hash_key=True)
    entry_key = UnicodeAttribute(range_key=True)  # "<dispute_id>#<opened|won|lost>"
    dispute_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # opened | won | lost
    film_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    payment_intent_id = UnicodeAttribute(null=True)
    charge_id = UnicodeAttribute(null=True)
    disputed_cents = NumberAttribute()  # what Stripe says is disputed
    counted_delta_cents = NumberAttribute()  # what this entry changed in the totals (<= 0 opened, >= 0 won)
    reason = UnicodeAttribute(null=True)
    recorded_at = UnicodeAttribute()
    listed = UnicodeAttribute()
    listed_key = UnicodeAttribute()

    recent = DisputesListed()


class ReconciliationRecord(Model):
    """Payment reconciliation: one item per run (`scope=run`, newest last) and the resumable
    cursor (`scope=cursor`)."""

    Meta = _meta("reconciliations")
    scope = UnicodeAttribute(hash_key=True)  # run | cursor
    run_key = UnicodeAttribute(range_key=True)  # "<started_at>#<run_id>" | "-"
    run_id = UnicodeAttribute(null=True)
    started_at = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    finished = BooleanAttribute(null=True)  # reached the end of the due pledges
    examined = NumberAttribute(null=True)
    waiting = NumberAttribute(null=True)  # pledges still waiting for the customer or Stripe
    repaired = JSONAttribute(null=True)  # {count, items: [{pledge_id, found, action}]}
    unrepaired = JSONAttribute(null=True)  # {count, items: [{pledge_id, found, action}]}
    cursor = JSONAttribute(null=True)  # on the cursor item: LastEvaluatedKey to resume from
    expires_at = NumberAttribute(null=True)  # TTL of a run item


ALL_MODELS: list[type[Model]] = [
    FilmRecord, CounterShard, UserRecord, PledgeRecord, BackingRecord, StripeEventRecord,
    OutboxRecord,
    PerkRecord, ForumThreadRecord, ForumPostRecord, SessionRecord, RsvpRecord, CastingCallRecord,
    CastingApplicationRecord, CampaignCloseRecord, RefundRecord, DeliveryRecord,
    RightsRecord, ReceiptRecord, DistributionRecord, SnapshotPage, LedgerRecord, PayoutRecord,
    VerificationRecord, SmsQuotaRecord, ConsentRecord,
]
ALL_MODELS += [DisputeRecord, ReconciliationRecord]


def reconnect() -> None:
    """Point every model (and the low-level connection) at the current settings' endpoint and
    deadlines; the next call opens a new connection (tests, benchmarks: clients.rebuild)."""
    s = settings()
    connection.cache_clear()
    for model in ALL_MODELS:
        model.Meta.host = s.dynamodb_endpoint
        for name, value in dynamodb_options(s).items():
            setattr(model.Meta, name, value)
        model._connection = None


def create_missing_tables() -> list[str]:
    """Create every table that does not exist yet (local stack and tests)."""
    created = []
    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
            created.append(model.Meta.table_name)
        else:
            _add_missing_indexes(model)
    return created


def _add_missing_indexes(model: type[Model]) -> None:
    """A table kept from an earlier version (a local data directory) gets the indexes added since."""
    import boto3

    client = boto3.client("dynamodb", region_name=model.Meta.region, endpoint_url=getattr(model.Meta, "host", None))
    described = client.describe_table(TableName=model.Meta.table_name)["Table"]
    present = {index["IndexName"] for index in described.get("GlobalSecondaryIndexes") or []}
    schema = model._get_schema()
    for index in schema.get("global_secondary_indexes") or []:
        if index["index_name"] in present:
            continue
        names = {key["AttributeName"] for key in index["key_schema"]}
        client.update_table(
            TableName=model.Meta.table_name,
            AttributeDefinitions=[a for a in schema["attribute_definitions"] if a["AttributeName"] in names],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": index["index_name"],
                "KeySchema": sorted(index["key_schema"], key=lambda k: k["KeyType"] != "HASH"),
                "Projection": {"ProjectionType": "ALL"}}}])


# Models of other modules add themselves to ALL_MODELS when imported; importing them here makes
# sure they are there whichever module is imported first.
from chalicelib.adapters import community as _community  # noqa: E402,F401 (its models use _meta above)
