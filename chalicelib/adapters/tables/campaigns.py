"""The end of a campaign: the close of each film and the refund of each pledge of a failed
film (or of money that arrived late)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.adapters.tables.base import _index_meta, _meta


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


MODELS: tuple[type[Model], ...] = (CampaignCloseRecord, RefundRecord)
