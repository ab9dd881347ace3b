"""A user's own profile: contact details, language and notification choices.

Personal data (email, phone) is returned only to the user themself (and to admins in
admin-only views); public responses never carry it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import DoesNotExist

from chalicelib import clock
from chalicelib.adapters.tables import UserRecord
from chalicelib.auth import Caller
from chalicelib.errors import invalid_field

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
    }


def find(user_id: str) -> UserRecord | None:
    try:
        return UserRecord.get(user_id)
    except DoesNotExist:
        return None


def get(caller: Caller) -> dict[str, Any]:
    return _view(caller, find(caller.user_id))


def put(caller: Caller, data: Profile) -> dict[str, Any]:
    if data.notify_sms and not data.phone:
        raise invalid_field("phone", "is required when notify_sms is true")
    now = clock.iso()
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
    ]
    # An update, not a put: other attributes of the user item (money totals kept by the
    # pledge flow) are left as they are.
    record.update(actions=actions)
    return _view(caller, record)
