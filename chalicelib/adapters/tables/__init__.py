"""PynamoDB models: one DynamoDB table per concept, one module per context. Access patterns
live in ARCHITECTURE.md.

- base: what every model shares (Meta, connection, find, transaction)
- films, users, pledges, payments, notifications, perks, campaigns, royalties, community: the
  models of each context, each module's MODELS
- registry: ALL_MODELS, reconnect, create_missing_tables

New code imports a model from its context module; every name stays importable from here,
loaded on first use (PEP 562 `__getattr__`), so that `import app` loads only the contexts the
routes' services import at start.
Table names carry the stage prefix (``coprod-<stage>-<name>``); on stage `local` the host is
DynamoDB Local. infra/tables.py builds the AWS tables (keys, indexes, streams, TTL) from these
models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Each name of the package, and the module that defines it.
_MODULE_OF: dict[str, str] = {
    **dict.fromkeys(('_meta', '_index_meta', 'connection', 'find', '_TransactWrite', 'transaction'), "base"),
    **dict.fromkeys(('FilmsByStatus', 'FilmsCatalog', 'FilmsByProducer', 'FilmRecord', 'CounterShard'), "films"),
    **dict.fromkeys(('UserRecord', 'VerificationRecord', 'ConsentRecord', 'SmsQuotaRecord'), "users"),
    **dict.fromkeys(('PledgesByUser', 'PledgesByFilm', 'PledgesByPaymentIntent', 'PledgesUnsettled',
        'PledgesByReferral', 'PledgeRecord', 'BackingsByUser', 'BackingRecord'), "pledges"),
    **dict.fromkeys(('StripeEventRecord', 'DisputesListed', 'DisputeRecord', 'ReconciliationRecord'), "payments"),
    **dict.fromkeys(('OutboxByFilm', 'OutboxRecord', 'DeliveryFailures', 'DeliveriesByUser',
        'DeliveryRecord'), "notifications"),
    **dict.fromkeys(('PerkRecord', 'ForumThreadRecord', 'ForumPinned', 'ForumPostRecord', 'SessionRecord',
        'RsvpWaitlist', 'RsvpRecord', 'CastingCallRecord', 'CastingApplicationRecord'), "perks"),
    **dict.fromkeys(('ActiveCloses', 'CampaignCloseRecord', 'RefundsByQueue', 'RefundRecord'), "campaigns"),
    **dict.fromkeys(('RightsRecord', 'ReceiptsByPeriod', 'ReceiptsUndistributed', 'ReceiptRecord',
        'DistributionRecord', 'SnapshotPage', 'BatchProgress', 'LedgerByFilm', 'LedgerRecord', 'PayoutsByUser',
        'PayoutFailures', 'PayoutRecord'), "royalties"),
    **dict.fromkeys(('ReferralCodesByFilm', 'ReferralCodesBySharer', 'ReferralCodeRecord',
        'FilmUpdateRecord', 'CreditsByUser', 'CreditRecord'), "community"),
    **dict.fromkeys(('ALL_MODELS', 'SHARING_A_TABLE', 'reconnect', 'create_missing_tables', '_add_missing_indexes'), "registry"),
}
__all__ = list(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # the same names, for the type checker
    from chalicelib.adapters.tables.base import (
        _meta as _meta,
        _index_meta as _index_meta,
        connection as connection,
        find as find,
        _TransactWrite as _TransactWrite,
        transaction as transaction,
    )
    from chalicelib.adapters.tables.films import (
        FilmsByStatus as FilmsByStatus,
        FilmsCatalog as FilmsCatalog,
        FilmsByProducer as FilmsByProducer,
        FilmRecord as FilmRecord,
        CounterShard as CounterShard,
    )
    from chalicelib.adapters.tables.users import (
        UserRecord as UserRecord,
        VerificationRecord as VerificationRecord,
        ConsentRecord as ConsentRecord,
        SmsQuotaRecord as SmsQuotaRecord,
    )
    from chalicelib.adapters.tables.pledges import (
        PledgesByUser as PledgesByUser,
        PledgesByFilm as PledgesByFilm,
        PledgesByPaymentIntent as PledgesByPaymentIntent,
        PledgesUnsettled as PledgesUnsettled,
        PledgesByReferral as PledgesByReferral,
        PledgeRecord as PledgeRecord,
        BackingsByUser as BackingsByUser,
        BackingRecord as BackingRecord,
    )
    from chalicelib.adapters.tables.payments import (
        StripeEventRecord as StripeEventRecord,
        DisputesListed as DisputesListed,
        DisputeRecord as DisputeRecord,
        ReconciliationRecord as ReconciliationRecord,
    )
    from chalicelib.adapters.tables.notifications import (
        OutboxByFilm as OutboxByFilm,
        OutboxRecord as OutboxRecord,
        DeliveryFailures as DeliveryFailures,
        DeliveriesByUser as DeliveriesByUser,
        DeliveryRecord as DeliveryRecord,
    )
    from chalicelib.adapters.tables.perks import (
        PerkRecord as PerkRecord,
        ForumThreadRecord as ForumThreadRecord,
        ForumPinned as ForumPinned,
        ForumPostRecord as ForumPostRecord,
        SessionRecord as SessionRecord,
        RsvpWaitlist as RsvpWaitlist,
        RsvpRecord as RsvpRecord,
        CastingCallRecord as CastingCallRecord,
        CastingApplicationRecord as CastingApplicationRecord,
    )
    from chalicelib.adapters.tables.campaigns import (
        ActiveCloses as ActiveCloses,
        CampaignCloseRecord as CampaignCloseRecord,
        RefundsByQueue as RefundsByQueue,
        RefundRecord as RefundRecord,
    )
    from chalicelib.adapters.tables.royalties import (
        RightsRecord as RightsRecord,
        ReceiptsByPeriod as ReceiptsByPeriod,
        ReceiptsUndistributed as ReceiptsUndistributed,
        ReceiptRecord as ReceiptRecord,
        DistributionRecord as DistributionRecord,
        SnapshotPage as SnapshotPage,
        BatchProgress as BatchProgress,
        LedgerByFilm as LedgerByFilm,
        LedgerRecord as LedgerRecord,
        PayoutsByUser as PayoutsByUser,
        PayoutFailures as PayoutFailures,
        PayoutRecord as PayoutRecord,
    )
    from chalicelib.adapters.tables.community import (
        ReferralCodesByFilm as ReferralCodesByFilm,
        ReferralCodesBySharer as ReferralCodesBySharer,
        ReferralCodeRecord as ReferralCodeRecord,
        FilmUpdateRecord as FilmUpdateRecord,
        CreditsByUser as CreditsByUser,
        CreditRecord as CreditRecord,
    )
    from chalicelib.adapters.tables.registry import (
        ALL_MODELS as ALL_MODELS,
        reconnect as reconnect,
        create_missing_tables as create_missing_tables,
        _add_missing_indexes as _add_missing_indexes,
    )
