"""PynamoDB models: one DynamoDB table per concept, one module per context. Access patterns
live in ARCHITECTURE.md.

- base: what every model shares (Meta, connection, find, transaction)
- films, users, pledges, payments, notifications, perks, campaigns, royalties, community: the
  models of each context, each module's MODELS
- registry: ALL_MODELS, reconnect, create_missing_tables

New code imports a model from its context module; every name stays importable from here.
Table names carry the stage prefix (``coprod-<stage>-<name>``); on stage `local` the host is
DynamoDB Local. infra/tables.py builds the AWS tables (keys, indexes, streams, TTL) from these
models.
"""

from __future__ import annotations

from chalicelib.adapters.tables.base import (
    _meta,
    _index_meta,
    connection,
    find,
    _TransactWrite,
    transaction,
)
from chalicelib.adapters.tables.films import (
    FilmsByStatus,
    FilmsCatalog,
    FilmsByProducer,
    FilmRecord,
    CounterShard,
)
from chalicelib.adapters.tables.users import (
    UserRecord,
    VerificationRecord,
    ConsentRecord,
    SmsQuotaRecord,
)
from chalicelib.adapters.tables.pledges import (
    PledgesByUser,
    PledgesByFilm,
    PledgesByPaymentIntent,
    PledgesUnsettled,
    PledgesByReferral,
    PledgeRecord,
    BackingsByUser,
    BackingRecord,
)
from chalicelib.adapters.tables.payments import (
    StripeEventRecord,
    DisputesListed,
    DisputeRecord,
    ReconciliationRecord,
)
from chalicelib.adapters.tables.notifications import (
    OutboxByFilm,
    OutboxRecord,
    DeliveryFailures,
    DeliveriesByUser,
    DeliveryRecord,
)
from chalicelib.adapters.tables.perks import (
    PerkRecord,
    ForumThreadRecord,
    ForumPinned,
    ForumPostRecord,
    SessionRecord,
    RsvpWaitlist,
    RsvpRecord,
    CastingCallRecord,
    CastingApplicationRecord,
)
from chalicelib.adapters.tables.campaigns import (
    ActiveCloses,
    CampaignCloseRecord,
    RefundsByQueue,
    RefundRecord,
)
from chalicelib.adapters.tables.royalties import (
    RightsRecord,
    ReceiptsByPeriod,
    ReceiptsUndistributed,
    ReceiptRecord,
    DistributionRecord,
    SnapshotPage,
    LedgerByFilm,
    LedgerRecord,
    PayoutsByUser,
    PayoutFailures,
    PayoutRecord,
)
from chalicelib.adapters.tables.community import (
    ReferralCodesByFilm,
    ReferralCodesBySharer,
    ReferralCodeRecord,
    FilmUpdateRecord,
    CreditsByUser,
    CreditRecord,
)
from chalicelib.adapters.tables.registry import (
    ALL_MODELS,
    reconnect,
    create_missing_tables,
    _add_missing_indexes,
)

__all__ = [
    "_meta",
    "_index_meta",
    "connection",
    "find",
    "_TransactWrite",
    "transaction",
    "FilmsByStatus",
    "FilmsCatalog",
    "FilmsByProducer",
    "FilmRecord",
    "CounterShard",
    "UserRecord",
    "VerificationRecord",
    "ConsentRecord",
    "SmsQuotaRecord",
    "PledgesByUser",
    "PledgesByFilm",
    "PledgesByPaymentIntent",
    "PledgesUnsettled",
    "PledgesByReferral",
    "PledgeRecord",
    "BackingsByUser",
    "BackingRecord",
    "StripeEventRecord",
    "DisputesListed",
    "DisputeRecord",
    "ReconciliationRecord",
    "OutboxByFilm",
    "OutboxRecord",
    "DeliveryFailures",
    "DeliveriesByUser",
    "DeliveryRecord",
    "PerkRecord",
    "ForumThreadRecord",
    "ForumPinned",
    "ForumPostRecord",
    "SessionRecord",
    "RsvpWaitlist",
    "RsvpRecord",
    "CastingCallRecord",
    "CastingApplicationRecord",
    "ActiveCloses",
    "CampaignCloseRecord",
    "RefundsByQueue",
    "RefundRecord",
    "RightsRecord",
    "ReceiptsByPeriod",
    "ReceiptsUndistributed",
    "ReceiptRecord",
    "DistributionRecord",
    "SnapshotPage",
    "LedgerByFilm",
    "LedgerRecord",
    "PayoutsByUser",
    "PayoutFailures",
    "PayoutRecord",
    "ReferralCodesByFilm",
    "ReferralCodesBySharer",
    "ReferralCodeRecord",
    "FilmUpdateRecord",
    "CreditsByUser",
    "CreditRecord",
    "ALL_MODELS",
    "reconnect",
    "create_missing_tables",
    "_add_missing_indexes",
]
