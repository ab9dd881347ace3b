"""Pledges (one per user and Idempotency-Key) and backings (a co-producer's confirmed,
unrefunded cents in a film)."""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.adapters.tables.base import _index_meta, _meta


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


MODELS: tuple[type[Model], ...] = (PledgeRecord, BackingRecord)
