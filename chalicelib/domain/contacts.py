"""Contacts the platform may write to: verification codes, which numbers are accepted, which
channels each kind of message takes. Pure: plain values in, plain values out.

A contact is verified while it equals the contact its verification was recorded for, so a
changed e-mail address or phone number is unverified until its own code is confirmed.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable

from chalicelib.domain import events
from chalicelib.domain.messages import locale_of

CHANNELS = ("email", "sms")
# The wording of the notification choices people agree to (`PUT /me`'s notify_email /
# notify_sms, the footer of the messages): recorded with every consent; change it with the text.
CONSENT_WORDING_VERSION = "notifications-2026-12"
CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_WRONG_TRIES = 5  # the fifth wrong guess burns the code
MAX_CODES_PER_HOUR = 3  # per (user, channel)
CODE_WINDOW = timedelta(hours=1)
ISO_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # the send times, as clock.iso writes them

# Monthly statements are not urgent: e-mail only. SMS is for what cannot wait (campaign
# outcomes, milestones, invitations, casting decisions).
EMAIL_ONLY = frozenset({events.ROYALTY_STATEMENT, events.PAYOUT_ACCOUNT_CHANGED, events.YEARLY_STATEMENT})
EMAIL_ONLY |= {events.FILM_UPDATE}  # news from the film team: a text too long for an SMS


def is_verified(contact: str | None, verified_for: str | None) -> bool:
    return bool(contact) and contact == verified_for


def phone_allowed(phone: str | None, calling_codes: Iterable[str]) -> bool:
    """E.164 `phone` starts with one of the calling codes (they are a prefix code: no code is
    the start of another, so the first match is the country)."""
    if not phone:
        return False
    return phone.startswith("+") and any(phone[1:].startswith(code) for code in calling_codes)


def channels_for(event_type: str) -> tuple[str, ...]:
    return ("email",) if event_type in EMAIL_ONLY else CHANNELS


def code_hash(key: bytes, user_id: str, channel: str, contact: str, code: str) -> str:
    """HMAC of the code, bound to who asked, the channel and the contact it went to: the
    table never holds a code, and a code never verifies another contact."""
    message = "\x1f".join((user_id, channel, contact, code)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def recent_sends(sent_at: Iterable[str], now: datetime) -> list[str]:
    """The codes sent within the last hour (ISO UTC times sort as text)."""
    cutoff = (now - CODE_WINDOW).astimezone(timezone.utc).strftime(ISO_TIME)
    return sorted(t for t in sent_at if t > cutoff)


def next_send_at(recent: list[str]) -> str | None:
    """When the next code may be sent, or None if it may be now."""
    if len(recent) < MAX_CODES_PER_HOUR:
        return None
    oldest = datetime.strptime(recent[-MAX_CODES_PER_HOUR], "%Y-%m-%dT%H:%M:%S.%fZ")
    return (oldest + CODE_WINDOW).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Pending:
    """A code as stored: its hash, the contact it went to, its expiry (ISO) and wrong tries."""

    code_hash: str | None
    contact: str | None
    expires_at: str | None
    wrong_tries: int


def check(pending: Pending, contact: str | None, guess_hash: str, now_iso: str) -> str:
    """"none" (no usable code for this contact), "expired", "wrong" or "right"."""
    if not pending.code_hash or pending.contact != contact or pending.wrong_tries >= MAX_WRONG_TRIES:
        return "none"
    if not pending.expires_at or pending.expires_at <= now_iso:
        return "expired"
    return "right" if hmac.compare_digest(pending.code_hash, guess_hash) else "wrong"


CODE_TEXT = {
    "fr": ("Votre code de vérification Coprod", "Votre code de vérification Coprod : {code}. "
           "Il expire dans 10 minutes. Si vous ne l'avez pas demandé, ignorez ce message."),
    "en": ("Your Coprod verification code", "Your Coprod verification code: {code}. "
           "It expires in 10 minutes. If you did not ask for it, ignore this message."),
}
CODE_SMS = {"fr": "Coprod : votre code est {code}. Il expire dans 10 minutes.",
            "en": "Coprod: your code is {code}. It expires in 10 minutes."}


def code_message(locale: str, code: str) -> tuple[str, str, str]:
    """(e-mail subject, e-mail text, SMS) of a verification code; GSM-7, under 160 characters."""
    locale = locale_of(locale)
    subject, text = CODE_TEXT[locale]
    return subject, text.format(code=code), CODE_SMS[locale].format(code=code)
