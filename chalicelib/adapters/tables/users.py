"""People: profiles and notification choices, contact verification codes, the consent
records of each choice, and the SMS each co-producer was sent per day."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.models import Model

from chalicelib.adapters.tables.base import _meta


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
    # The pledge limits' hint (services/pledge_limits.py): the ids of the user's pledges waiting
    # for their payment (added in the transaction that writes a pledge, taken out when it
    # leaves waiting), and the time of their last declined payment.
    waiting_pledges = UnicodeSetAttribute(null=True)
    declined_at = UnicodeAttribute(null=True)


class VerificationRecord(Model):
    """The pending code of one (user, channel) and the codes sent in the last hour. Only the
    code's HMAC is stored; every change is conditional on `version` (or, for a guess, on the
    code and its wrong tries), so concurrent requests can neither send a fourth code in an
    hour nor try a sixth guess."""

    Meta = _meta("verifications", ttl="expires_at")
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

    Meta = _meta("sms_quota", ttl="expires_at")
    user_id = UnicodeAttribute(hash_key=True)
    day = UnicodeAttribute(range_key=True)  # YYYY-MM-DD
    sent = NumberAttribute(default=0)
    expires_at = NumberAttribute(null=True)  # TTL, epoch seconds


MODELS: tuple[type[Model], ...] = (UserRecord, VerificationRecord, ConsentRecord, SmsQuotaRecord)
