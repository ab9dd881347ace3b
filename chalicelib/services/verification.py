"""Contacts are verified before anything but a code is sent to them.

`POST /me/verify/{channel}` sends a 6-digit code to the profile's e-mail address or phone
number (at most 3 per channel per hour, an SMS also within the day's SMS budget);
`POST /me/verify/{channel}/confirm` with the code marks that contact verified. A code lives
10 minutes; the fifth wrong guess burns it. Only the code's HMAC is stored
(chalicelib/domain/contacts.py), and every write is conditional.
"""

from __future__ import annotations

import calendar
import html
import secrets
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib import clock
from chalicelib.adapters import channels, parameters
from chalicelib.adapters.conditions import written
from chalicelib.adapters.tables import UserRecord, VerificationRecord, find, transaction
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.domain import contacts
from chalicelib.errors import Conflict, TooManyRequests, Unavailable, Unprocessable
from chalicelib.services import notifications, profiles, sms_budget


def _contact(caller: Caller, channel: str) -> tuple[UserRecord, str]:
    record = profiles.find(caller.user_id)
    contact = None if record is None else (record.email if channel == "email" else record.phone)
    if record is None or not contact:
        what = "an e-mail address" if channel == "email" else "a phone number"
        raise Conflict(f"channel: your profile has no {what} to verify (PUT /me)", code="no_contact", field="channel")
    return record, contact


def _hash(caller: Caller, channel: str, contact: str, code: str) -> str:
    return contacts.code_hash(parameters.signing_key(), caller.user_id, channel, contact, code)


def _deliver(record: UserRecord, channel: str, contact: str, code: str, base_url: str | None) -> None:
    subject, text, sms = contacts.code_message(record.locale or "fr", code)
    try:
        if channel == "email":  # like every e-mail, it carries the one-click unsubscribe headers
            url = notifications.unsubscribe_url(record.user_id, "email", base_url)
            channels.send_email(contact, subject, f"<p>{html.escape(text)}</p>", text + "\n",
                                notifications.unsubscribe_headers(url))
        else:
            channels.send_sms(contact, sms)
    except channels.SendError:
        raise Unavailable("the code could not be sent; ask for another one in a moment", code="send_failed")


def send_code(caller: Caller, channel: str, base_url: str | None = None) -> dict[str, Any]:
    record, contact = _contact(caller, channel)
    verified_for = record.email_verified_for if channel == "email" else record.phone_verified_for
    if contacts.is_verified(contact, verified_for):
        raise Conflict(f"channel: {channel} is verified already", code="already_verified", field="channel")
    if channel == "sms" and not contacts.phone_allowed(contact, settings().sms_country_codes):
        raise Conflict("channel: SMS are not sent to this country; change the phone number",
                       code="phone_not_allowed", field="channel")
    now = clock.now()
    pending = find(VerificationRecord, caller.user_id, channel)
    recent = contacts.recent_sends(pending.sent_at if pending else [], now)
    retry_at = contacts.next_send_at(recent)
    if retry_at:
        raise TooManyRequests(f"channel: at most {contacts.MAX_CODES_PER_HOUR} codes an hour; "
                              f"the next one may be asked for at {retry_at}", code="too_many_codes", field="channel")
    if channel == "sms" and not sms_budget.take(caller.user_id):
        raise TooManyRequests("channel: today's SMS for this account are used up; try tomorrow",
                              code="sms_limit", field="channel")
    code = f"{secrets.randbelow(10 ** contacts.CODE_DIGITS):0{contacts.CODE_DIGITS}d}"
    version = int(pending.version) if pending else 0
    expires_at = clock.iso(now + contacts.CODE_TTL)
    item = VerificationRecord(
        caller.user_id, channel, version=version + 1, contact=contact,
        code_hash=_hash(caller, channel, contact, code), code_expires_at=expires_at, wrong_tries=0,
        sent_at=[*recent, clock.iso(now)],
        expires_at=calendar.timegm((now + contacts.CODE_WINDOW * 24).utctimetuple()))
    fresh = VerificationRecord.version.does_not_exist() if pending is None else VerificationRecord.version == version
    if not written(lambda: item.save(condition=fresh)):
        # a concurrent request for a code wrote first: its code stands, this one is not sent
        raise Conflict("channel: another code was just sent; use it", code="code_just_sent", field="channel")
    _deliver(record, channel, contact, code, base_url)
    return {"channel": channel, "expires_at": expires_at,
            "codes_left_this_hour": contacts.MAX_CODES_PER_HOUR - len(recent) - 1}


def confirm(caller: Caller, channel: str, code: str) -> dict[str, Any]:
    _, contact = _contact(caller, channel)
    stored = find(VerificationRecord, caller.user_id, channel)
    pending = contacts.Pending(stored.code_hash, stored.contact, stored.code_expires_at,
                               int(stored.wrong_tries or 0)) if stored else contacts.Pending(None, None, None, 0)
    outcome = contacts.check(pending, contact, _hash(caller, channel, contact, code), clock.iso())
    if outcome == "none":
        raise Conflict(f"code: no code is pending for this {channel}; ask for one", code="no_code", field="code")
    if outcome == "expired":
        raise Conflict("code: the code has expired; ask for another one", code="code_expired", field="code")
    unchanged = ((VerificationRecord.code_hash == pending.code_hash)
                 & (VerificationRecord.wrong_tries < contacts.MAX_WRONG_TRIES))
    if outcome == "wrong":
        _wrong_guess(stored, unchanged)
    attribute = UserRecord.email if channel == "email" else UserRecord.phone
    verified = UserRecord.email_verified_for if channel == "email" else UserRecord.phone_verified_for
    try:
        with transaction() as write:
            write.update(stored, actions=[VerificationRecord.code_hash.remove(),
                                          VerificationRecord.code_expires_at.remove(),
                                          VerificationRecord.version.add(1)], condition=unchanged)
            write.update(UserRecord(caller.user_id), actions=[verified.set(contact),
                                                              UserRecord.updated_at.set(clock.iso())],
                         condition=attribute == contact)
    except TransactWriteError:  # the code was used, burned or replaced, or the contact changed, meanwhile
        raise Conflict(f"code: no code is pending for this {channel}; ask for one", code="no_code", field="code")
    return profiles.get(caller)


def _wrong_guess(stored: VerificationRecord, unchanged) -> None:
    """Count the wrong guess (conditionally: never a sixth), burning the code at the fifth."""
    if not written(lambda: stored.update(actions=[VerificationRecord.wrong_tries.add(1)], condition=unchanged)):
        raise Conflict("code: no code is pending; ask for one", code="no_code", field="code")
    left = contacts.MAX_WRONG_TRIES - int(stored.wrong_tries)
    if left <= 0:
        stored.update(actions=[VerificationRecord.code_hash.remove(), VerificationRecord.code_expires_at.remove()],
                      condition=VerificationRecord.wrong_tries >= contacts.MAX_WRONG_TRIES)
        raise Unprocessable("code: wrong code; it is burned now, ask for another one", code="code_burned", field="code")
    raise Unprocessable(f"code: wrong code; {left} tries left", code="wrong_code", field="code")
