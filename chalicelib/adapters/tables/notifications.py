"""Messages: the transactional outbox of domain events and the delivery of each event to
each person on each channel."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.adapters.tables.base import _index_meta, _meta


class OutboxByFilm(GlobalSecondaryIndex):
    """A film's events in the order they happened (milestones reached, outcome...)."""

    Meta = _index_meta("by_film")
    film_id = UnicodeAttribute(hash_key=True)
    occurred_key = UnicodeAttribute(range_key=True)  # "<occurred_at>#<event_id>"


class OutboxRecord(Model):
    """One domain event (chalicelib/domain/events.py), written exactly once by a conditional
    put on its derived id. The table's stream relays new records to the events topic; the
    records stay as the platform's event log (a film's milestones are read from here)."""

    Meta = _meta("outbox", ttl="expires_at", stream_view_type="NEW_IMAGE")
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

    Meta = _meta("deliveries", ttl="expires_at")
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


MODELS: tuple[type[Model], ...] = (OutboxRecord, DeliveryRecord)
