"""At most `sms_daily_cap` SMS per co-producer per UTC day, verification codes included: each
SMS first takes one unit of the day's budget with a conditional write, so concurrent senders
never exceed it (a send that then fails has still used its unit)."""

from __future__ import annotations

import calendar
from datetime import timedelta

from pynamodb.exceptions import UpdateError

from chalicelib import clock
from chalicelib.adapters.tables.users import SmsQuotaRecord
from chalicelib.config import settings


def take(user_id: str) -> bool:
    """One SMS of today's budget: True if taken, False if the day's cap is reached."""
    now = clock.now()
    cap = settings().sms_daily_cap
    if cap <= 0:
        return False
    expires = calendar.timegm((now + timedelta(days=2)).utctimetuple())
    try:
        SmsQuotaRecord(user_id, now.strftime("%Y-%m-%d")).update(
            actions=[SmsQuotaRecord.sent.add(1), SmsQuotaRecord.expires_at.set(expires)],
            condition=SmsQuotaRecord.sent.does_not_exist() | (SmsQuotaRecord.sent < cap))
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def give_back(user_id: str) -> None:
    """Return today's unit of an SMS that could not be sent."""
    try:
        SmsQuotaRecord(user_id, clock.now().strftime("%Y-%m-%d")).update(
            actions=[SmsQuotaRecord.sent.add(-1)], condition=SmsQuotaRecord.sent > 0)
    except UpdateError as exc:  # a new day began meanwhile: nothing to give back
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
