"""Leases and retention times read the one clock: under a frozen clock they are computed from
the frozen moment, not from the wall clock (chalicelib/clock.py is the one source of "now")."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

from chalicelib import clock
from chalicelib.adapters.tables import DeliveryRecord, StripeEventRecord, UserRecord
from chalicelib.services import notifications, stripe_events
from tests import stripe_helpers as stripe

FROZEN = datetime(2031, 5, 4, 12, 0, tzinfo=timezone.utc)
FROZEN_EPOCH = int(FROZEN.timestamp())


def test_a_notification_claim_leases_and_expires_from_the_clock(local_services):
    event_id, user = f"evt-{uuid.uuid4().hex}", UserRecord(f"user-{uuid.uuid4().hex}")
    with clock.frozen(FROZEN):
        assert notifications.claim(event_id, [(user, "email")]) == [(user, "email")]
    delivery = DeliveryRecord.get(event_id, f"{user.user_id}#email", consistent_read=True)
    assert delivery.lease_until == FROZEN_EPOCH + notifications.LEASE_SECONDS
    assert delivery.expires_at == FROZEN_EPOCH + notifications.KEEP_DAYS * 86400


def test_a_processed_stripe_event_is_kept_for_its_retention_from_the_clock(local_services):
    event = stripe.event("charge.refund.updated", {"id": f"re_{uuid.uuid4().hex}", "object": "refund",
                                                   "status": "succeeded"})
    payload = json.dumps(event).encode()
    with clock.frozen(FROZEN):
        assert stripe_events.receive(payload, stripe.sign(payload)) == {"received": True}
    record = StripeEventRecord.get(event["id"], consistent_read=True)
    assert record.expires_at == FROZEN_EPOCH + stripe_events.EVENT_RETENTION_SECONDS
