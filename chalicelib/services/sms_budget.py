"""At most `sms_daily_cap` SMS per co-producer per UTC day, verification codes included: each
SMS first takes one unit of the day's budget with a conditional write, so concurrent senders
never exceed it (a send that then fails has still used its unit)."""

from __future__ import annotations

import calendar
from datetime import timedelta

from chalicelib import clock
from chalicelib.adapters.conditions import written
from chalicelib.adapters.tables.users import SmsQuotaRecord
from chalicelib.config import settings


def take(user_id: str) -> bool:
    """One SMS of today's budget: True if taken, False if the day's cap is reached."""
    now = clock.now()
    cap = settings().sms_daily_cap
    if cap <= 0:
        return False
    expires = calendar.timegm((now + timedelta(days=2)).utctimetuple())
    return written(lambda: SmsQuotaRecord(user_id, now.strftime("%Y-%m-%d")).update(
        actions=[SmsQuotaRecord.sent.add(1), SmsQuotaRecord.expires_at.set(expires)],
        condition=SmsQuotaRecord.sent.does_not_exist() | (SmsQuotaRecord.sent < cap)))


def give_back(user_id: str) -> None:
    """Return today's unit of an SMS that could not be sent."""
    # refused when a new day began meanwhile: nothing to give back then
    written(lambda: SmsQuotaRecord(user_id, clock.now().strftime("%Y-%m-%d")).update(
        actions=[SmsQuotaRecord.sent.add(-1)], condition=SmsQuotaRecord.sent > 0))
