"""A user's own profile: contact details, language and notification choices.

Personal data (email, phone) is returned only to the user themself (and to admins in
admin-only views); public responses never carry it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import DoesNotExist

from chalicelib import clock
from chalicelib.adapters.conditions import written
from chalicelib.adapters.tables import ConsentRecord, UserRecord, transaction
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.domain import contacts
from chalicelib.errors import refused

if TYPE_CHECKING:  # request models: pydantic loads only with the routes that parse a body
    from chalicelib.schemas import Profile

DEFAULT_LOCALE = "fr"


def _view(caller: Caller, record: UserRecord | None) -> dict[str, Any]:
    if record is None:
        return {
            "user_id": caller.user_id,
            "display_name": None,
            "email": caller.email,
            "phone": None,
            "locale": DEFAULT_LOCALE,
            "notify_email": True,
            "notify_sms": False,
            "roles": sorted(caller.groups),
            "created_at": None,
            "updated_at": None,
            "email_verified": bool(caller.email and caller.email_verified),
            "phone_verified": False,
            "tax_details": None,
        }
    return {
        "user_id": record.user_id,
        "display_name": record.display_name,
        "email": record.email or caller.email,
        "phone": record.phone,
        "locale": record.locale or DEFAULT_LOCALE,
        "notify_email": True if record.notify_email is None else bool(record.notify_email),
        "notify_sms": bool(record.notify_sms),
        "roles": sorted(caller.groups),
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "email_verified": contacts.is_verified(record.email, record.email_verified_for),
        "phone_verified": contacts.is_verified(record.phone, record.phone_verified_for),
        "tax_details": record.tax_details or None,
    }


def find(user_id: str) -> UserRecord | None:
    try:
        return UserRecord.get(user_id)
    except DoesNotExist:
        return None


def get(caller: Caller) -> dict[str, Any]:
    record = find(caller.user_id)
    if record is not None and _cognito_verified(caller, record.email) and record.email_verified_for != record.email:
        _adopt_cognito_verification(caller, record)
    return _view(caller, record)


def _cognito_verified(caller: Caller, email: str | None) -> bool:
    """On AWS, Cognito's `email_verified` claim verifies the address it is about."""
    return bool(email) and caller.email_verified and (caller.email or "").lower() == email


def _adopt_cognito_verification(caller: Caller, record: UserRecord) -> None:
    # refused when the address changed meanwhile: nothing to adopt then
    written(lambda: record.update(actions=[UserRecord.email_verified_for.set(record.email)],
                                  condition=UserRecord.email == record.email))


def mark_verified(user_id: str, channel: str) -> None:
    """Record the profile's current contact of `channel` as verified (demo data, tooling)."""
    record = UserRecord.get(user_id, consistent_read=True)
    mark_contacts_verified(user_id, **{"email" if channel == "email" else "phone":
                                       record.email if channel == "email" else record.phone})


def mark_contacts_verified(user_id: str, *, email: str | None = None, phone: str | None = None) -> None:
    """Record `email` and `phone` as verified, in one write, if they are the profile's (demo data)."""
    actions, condition = [], None
    for contact, attribute, verified in ((email, UserRecord.email, UserRecord.email_verified_for),
                                         (phone, UserRecord.phone, UserRecord.phone_verified_for)):
        if contact:
            actions.append(verified.set(contact))
            condition = attribute == contact if condition is None else condition & (attribute == contact)
    if actions:
        UserRecord(user_id).update(actions=actions, condition=condition)


def put(caller: Caller, data: Profile) -> dict[str, Any]:
    if data.notify_sms and not data.phone:
        raise refused("phone", "is required when notify_sms is true")
    if data.phone and not contacts.phone_allowed(data.phone, settings().sms_country_codes):
        raise refused("phone", "has a country code the platform does not send SMS to")
    now = clock.iso()
    before = find(caller.user_id)
    record = UserRecord(caller.user_id)
    actions = [
        UserRecord.display_name.set(data.display_name),
        UserRecord.email.set(data.email),
        UserRecord.phone.set(data.phone) if data.phone else UserRecord.phone.remove(),
        UserRecord.locale.set(data.locale),
        UserRecord.notify_email.set(data.notify_email),
        UserRecord.notify_sms.set(data.notify_sms),
        UserRecord.updated_at.set(now),
        UserRecord.created_at.set(UserRecord.created_at | now),
        *_verification_actions(caller, before, data),
        *_tax_details_actions(data),
    ]
    # An update, not a put: other attributes of the user item (money totals kept by the
    # pledge flow) are left as they are. Each changed notification choice is recorded with it.
    changes = consent_changes(before, {"email": data.notify_email, "sms": data.notify_sms})
    with transaction() as write:
        write.update(record, actions=actions)
        for channel, granted in changes:
            write.save(consent(caller.user_id, channel, granted, "PUT /me", now))
    return _view(caller, find(caller.user_id))


def consent_changes(before: UserRecord | None, wanted: dict[str, bool]) -> list[tuple[str, bool]]:
    """(channel, granted) of each choice that differs from what `before` holds."""
    held = {"email": None, "sms": None} if before is None else {
        "email": None if before.notify_email is None else bool(before.notify_email),
        "sms": None if before.notify_sms is None else bool(before.notify_sms)}
    return [(channel, granted) for channel, granted in wanted.items() if held[channel] is not granted]


def consent(user_id: str, channel: str, granted: bool, source: str, at: str) -> ConsentRecord:
    return ConsentRecord(user_id, f"{at}#{channel}", channel=channel, granted=granted, source=source,
                         wording_version=contacts.CONSENT_WORDING_VERSION, recorded_at=at)


def _verification_actions(caller: Caller, before: UserRecord | None, data: Profile) -> list:
    """A changed contact loses its verification; Cognito's claim verifies the address it names."""
    actions = []
    if _cognito_verified(caller, data.email):
        actions.append(UserRecord.email_verified_for.set(data.email))
    elif before is not None and before.email_verified_for and before.email_verified_for != data.email:
        actions.append(UserRecord.email_verified_for.remove())
    if before is not None and before.phone_verified_for and before.phone_verified_for != data.phone:
        actions.append(UserRecord.phone_verified_for.remove())
    return actions


def _tax_details_actions(data: Profile) -> list:
    """`tax_details` given: set; given as null: removed; absent: left as it is."""
    if "tax_details" not in data.model_fields_set:
        return []
    if data.tax_details is None:
        return [UserRecord.tax_details.remove()]
    return [UserRecord.tax_details.set(data.tax_details.model_dump())]
