"""Checks that run before a pledge is created (chalicelib/domain/abuse.py): too many pledges
waiting for their payment (429 `too_many_pending`), or too many declined cards lately (429
`too_many_declines`). A replay of an existing pledge (same Idempotency-Key) is never refused
here: it gets its pledge back."""

from __future__ import annotations

from datetime import datetime, timezone

from chalicelib import clock
from chalicelib.adapters.tables import PledgeRecord, find
from chalicelib.auth import Caller
from chalicelib.domain import abuse
from chalicelib.errors import TooManyRequests

WAITING = ("pending", "requires_action")


def check(caller: Caller, pledge_id: str) -> None:
    try:
        _check(caller.user_id)
    except TooManyRequests:
        if find(PledgeRecord, pledge_id) is None:
            raise


def _check(user_id: str) -> None:
    waiting = PledgeRecord.by_user.query(user_id, filter_condition=PledgeRecord.status.is_in(*WAITING),
                                         limit=abuse.MAX_PENDING, page_size=100)  # pages of 100, not of 5
    if sum(1 for _ in waiting) >= abuse.MAX_PENDING:
        raise TooManyRequests(f"at most {abuse.MAX_PENDING} pledges may wait for their payment at once: "
                              "complete or cancel one (DELETE /me/pledges/{pledge_id})", code="too_many_pending")
    now = clock.now()
    recent = PledgeRecord.by_user.query(
        user_id, range_key_condition=PledgeRecord.created_key >= clock.iso(now - abuse.LOOK_BACK),
        filter_condition=PledgeRecord.status == "failed")
    until = abuse.blocked_until((_parse(p.updated_at) for p in recent), now)
    if until is not None:
        raise TooManyRequests(f"{abuse.MAX_DECLINES} payments were declined within an hour: new pledges are "
                              f"possible again from {until.strftime('%Y-%m-%dT%H:%M:%SZ')}", code="too_many_declines")


def _parse(moment: str) -> datetime:
    return datetime.strptime(moment, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
