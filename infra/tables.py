"""Every DynamoDB table of the platform, as data: adding a table is adding one entry.

Physical names are ``coprod-<stage>-<short>``, i.e. the app's ``TABLE_PREFIX`` plus the
short name its PynamoDB model passes to ``chalicelib.config.table_name``. Keys and GSIs must
match the models in ``chalicelib/adapters/tables.py`` (tests/infra checks it).
All tables: on-demand billing, point-in-time recovery, deletion protection in prod.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attr:
    name: str
    type: str = "S"  # "S" | "N" | "B"


def S(name: str) -> Attr:
    return Attr(name, "S")


def N(name: str) -> Attr:
    return Attr(name, "N")


@dataclass(frozen=True)
class Gsi:
    name: str
    pk: Attr
    sk: Attr | None = None  # projection is always ALL (the models use AllProjection)


@dataclass(frozen=True)
class TableSpec:
    short: str
    pk: Attr
    sk: Attr | None = None
    gsis: tuple[Gsi, ...] = field(default_factory=tuple)
    stream: str | None = None  # NEW_IMAGE | NEW_AND_OLD_IMAGES | KEYS_ONLY | OLD_IMAGE
    ttl: str | None = None  # epoch-seconds attribute DynamoDB expires items on


TABLES: tuple[TableSpec, ...] = (
    TableSpec("films", pk=S("film_id"), gsis=(
        Gsi("by_status", S("status"), S("status_key")),
        Gsi("catalog", S("catalog"), S("catalog_key")),
        Gsi("by_producer", S("producer_id"), S("created_at")),
    )),
    TableSpec("counters", pk=S("counter_id"), sk=N("shard"), stream="KEYS_ONLY"),
    TableSpec("users", pk=S("user_id")),
    TableSpec("pledges", pk=S("pledge_id"), gsis=(
        Gsi("by_user", S("user_id"), S("created_key")),
        Gsi("by_film", S("film_id"), S("created_key")),
        Gsi("by_payment_intent", S("payment_intent_id")),
        Gsi("unsettled", S("unsettled"), S("unsettled_key")),
        Gsi("by_referral", S("referral_code"), S("created_key")),
    )),
    TableSpec("backings", pk=S("film_id"), sk=S("user_id"), stream="NEW_AND_OLD_IMAGES", gsis=(
        Gsi("by_user", S("user_id"), S("film_id")),
    )),
    TableSpec("idempotency", pk=S("key"), ttl="expires_at"),
    TableSpec("stripe_events", pk=S("event_id"), ttl="expires_at"),
    # Transactional outbox: written in the same transaction as the state change, relayed
    # to the events topic by the stream handler (`relay_outbox` in infra/functions.py).
    TableSpec("outbox", pk=S("event_id"), stream="NEW_IMAGE", ttl="expires_at", gsis=(
        Gsi("by_film", S("film_id"), S("occurred_key")),
    )),
    # Co-producer services (perks): see ARCHITECTURE.md, "Co-producer services".
    TableSpec("perks", pk=S("film_id"), sk=S("perk_id")),
    TableSpec("forum_threads", pk=S("film_id"), sk=S("thread_id")),
    TableSpec("forum_posts", pk=S("thread_id"), sk=S("post_id"), gsis=(
        Gsi("pinned", S("pinned_in"), S("post_id")),
    )),
    TableSpec("sessions", pk=S("film_id"), sk=S("session_id")),
    TableSpec("rsvps", pk=S("session_id"), sk=S("user_id"), gsis=(
        Gsi("waitlist", S("waiting_in"), S("wait_key")),
    )),
    TableSpec("casting_calls", pk=S("film_id"), sk=S("call_id")),
    TableSpec("casting_applications", pk=S("call_id"), sk=S("user_id")),

    # Campaign closes (outcome, refund progress) and the refund of each pledge of a failed film.
    TableSpec("campaign_closes", pk=S("film_id"), gsis=(
        Gsi("active", S("active"), S("active_key")),
    )),
    TableSpec("refunds", pk=S("pledge_id"), gsis=(
        Gsi("by_queue", S("queue"), S("queue_key")),
    )),
    # One item per (event, user, channel), written conditionally before sending.
    TableSpec("deliveries", pk=S("event_id"), sk=S("recipient"), ttl="expires_at", gsis=(
        Gsi("failures", S("failed"), S("failed_key")),
        Gsi("by_user", S("user_id"), S("updated_at")),  # a person's messages, for GET /me/export
    )),
    # Royalties: rights, receipts, distributions, their weight snapshots, the ledger, payouts.
    TableSpec("rights", pk=S("film_id")),
    TableSpec("receipts", pk=S("film_id"), sk=S("receipt_id"), gsis=(
        Gsi("by_period", S("period"), S("film_receipt")),
        Gsi("undistributed", S("undistributed"), S("period")),
    )),
    TableSpec("distributions", pk=S("film_id"), sk=S("period")),
    TableSpec("royalty_snapshots", pk=S("snapshot_id"), sk=N("page")),
    TableSpec("royalty_ledger", pk=S("user_id"), sk=S("entry_key"), gsis=(
        Gsi("by_film", S("film_id"), S("film_entry")),
    )),
    TableSpec("payouts", pk=S("payout_id"), gsis=(
        Gsi("by_user", S("user_id"), S("created_key")),
        Gsi("failures", S("failed"), S("failed_at")),
    )),
    # Trust and safety: contact verification codes (hashed), SMS sent per co-producer per day.
    TableSpec("verifications", pk=S("user_id"), sk=S("channel"), ttl="expires_at"),
    TableSpec("sms_quota", pk=S("user_id"), sk=S("day"), ttl="expires_at"),
    # Consent records: each change of a notification choice (GDPR), kept.
    TableSpec("consents", pk=S("user_id"), sk=S("recorded_key")),
    # Payments: disputes (one item per step, never edited) and reconciliation runs.
    TableSpec("disputes", pk=S("pledge_id"), sk=S("entry_key"), gsis=(
        Gsi("listed", S("listed"), S("listed_key")),
    )),
    TableSpec("reconciliations", pk=S("scope"), sk=S("run_key"), ttl="expires_at"),
    # Community: share codes and tags, updates from the film team, names in the credits.
    TableSpec("referral_codes", pk=S("code"), gsis=(
        Gsi("by_film", S("film_id"), S("film_key")),
        Gsi("by_sharer", S("sharer_id"), S("film_id")),
    )),
    TableSpec("film_updates", pk=S("film_id"), sk=S("update_key")),
    TableSpec("credits", pk=S("film_id"), sk=S("user_id"), gsis=(
        Gsi("by_user", S("user_id"), S("film_id")),
    )),
)

BY_SHORT: dict[str, TableSpec] = {t.short: t for t in TABLES}


def physical_name(stage: str, short: str) -> str:
    return f"coprod-{stage}-{short}"
