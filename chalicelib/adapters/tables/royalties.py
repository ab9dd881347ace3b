"""Royalties: a film's profit rights, the receipts, monthly distributions and their weight
snapshots, the append-only ledger of credits, and payouts."""

from __future__ import annotations

from pynamodb.attributes import (
    BinaryAttribute,
    JSONAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.adapters.tables.base import _index_meta, _meta


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


class BatchProgress(Model):
    """What the finished pages of one batch credited, counted once per page."""

    Meta = _meta("royalty_snapshots")
    snapshot_id = UnicodeAttribute(hash_key=True)  # "<film_id>#<period>#batch-<n>"
    page = NumberAttribute(range_key=True)  # always 0
    pages_done = NumberAttribute(default=0)
    credited_cents = NumberAttribute(default=0)
    credits = NumberAttribute(default=0)


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


MODELS: tuple[type[Model], ...] = (RightsRecord, ReceiptRecord, DistributionRecord, SnapshotPage, LedgerRecord, PayoutRecord)
# Models of items kept in another model's table (same keys): reconnected with the others, no table of their own.
SHARING_A_TABLE: tuple[type[Model], ...] = (BatchProgress,)
