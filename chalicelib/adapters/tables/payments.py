"""Stripe's side of the money: events already applied, disputes (one item per step) and
the payment reconciliation runs."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.adapters.tables.base import _index_meta, _meta


class StripeEventRecord(Model):
    """Stripe events already applied (dedup by event id; expires after 30 days)."""

    Meta = _meta("stripe_events", ttl="expires_at")
    event_id = UnicodeAttribute(hash_key=True)
    event_type = UnicodeAttribute()
    processed_at = UnicodeAttribute()
    expires_at = NumberAttribute()


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

    Meta = _meta("reconciliations", ttl="expires_at")
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


MODELS: tuple[type[Model], ...] = (StripeEventRecord, DisputeRecord, ReconciliationRecord)
