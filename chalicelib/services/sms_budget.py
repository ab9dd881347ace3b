"""At most `sms_daily_cap` SMS per co-producer per UTC day, verification codes included: each
SMS first takes one unit of the day's budget with a conditional write, so concurrent senders
never exceed it (a send that then fails has still used its unit). A fan-out takes the units of
a chunk's SMS together (`take_many`: 100 conditional updates per transaction)."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Callable

from chalicelib import clock
from chalicelib.adapters.conditions import write_each_that_holds, written
from chalicelib.adapters.tables.users import SmsQuotaRecord
from chalicelib.config import settings


def _unit(now: datetime, cap: int) -> tuple[str, dict]:
    """Today's key and the conditional update that takes one unit of it."""
    expires = calendar.timegm((now + timedelta(days=2)).utctimetuple())
    return now.strftime("%Y-%m-%d"), {
        "actions": [SmsQuotaRecord.sent.add(1), SmsQuotaRecord.expires_at.set(expires)],
        "condition": SmsQuotaRecord.sent.does_not_exist() | (SmsQuotaRecord.sent < cap)}


def take(user_id: str) -> bool:
    """One SMS of today's budget: True if taken, False if the day's cap is reached."""
    cap = settings().sms_daily_cap
    if cap <= 0:
        return False
    day, update = _unit(clock.now(), cap)
    return written(lambda: SmsQuotaRecord(user_id, day).update(**update))


def take_many(user_ids: list[str], *, attempts: int, wait: Callable[[int], object]) -> set[str]:
    """One SMS of today's budget for each user (distinct ids): the users whose unit was taken;
    those at the day's cap are left out. A transaction that lost to a concurrent one (the same
    user's verification code) waits (`wait(attempt)`) and is tried again."""
    cap = settings().sms_daily_cap
    if cap <= 0 or not user_ids:
        return set()
    day, update = _unit(clock.now(), cap)
    return set(write_each_that_holds(
        user_ids, lambda write, user_id, _: write.update(SmsQuotaRecord(user_id, day), **update),
        attempts=attempts, wait=wait, what="SMS units"))


def give_back(user_id: str) -> None:
    """Return today's unit of an SMS that could not be sent."""
    # refused when a new day began meanwhile: nothing to give back then
    written(lambda: SmsQuotaRecord(user_id, clock.now().strftime("%Y-%m-%d")).update(
        actions=[SmsQuotaRecord.sent.add(-1)], condition=SmsQuotaRecord.sent > 0))
