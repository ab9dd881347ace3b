"""Checks that run before a pledge is created (chalicelib/domain/abuse.py): too many pledges
waiting for their payment (429 `too_many_pending`), or too many declined cards lately (429
`too_many_declines`). A replay of an existing pledge (same Idempotency-Key) is never refused
here: it gets its pledge back.

The check costs no request of its own on a pledge's path: the user's record keeps a hint (the
ids of their waiting pledges, the time of their last declined payment) that the transaction
writing the pledge conditions on (`hint`). Only when the hint refuses is the precise check run
(`check`, one Query of the user's pledges), and the hint written again from what it found. The
hint can only be too cautious: a pledge joins it in the transaction that writes the pledge, a
decline is noted before the pledge says failed, and a pledge that leaves waiting without
being taken out of it costs one more Query later, never a refusal.
"""

from __future__ import annotations

from datetime import datetime, timezone

from chalicelib import clock
from chalicelib.adapters.money import WaitingIf
from chalicelib.adapters.tables import PledgeRecord, find
from chalicelib.auth import Caller
from chalicelib.domain import abuse
from chalicelib.domain.pledges import WAITING
from chalicelib.errors import TooManyRequests


def hint() -> WaitingIf:
    """What the user's hint must hold for a new pledge to skip the precise check: fewer than
    MAX_PENDING waiting, no decline that could still count towards a block."""
    return WaitingIf(fewer_than=abuse.MAX_PENDING, declined_before=clock.iso(clock.now() - abuse.LOOK_BACK))


def check(caller: Caller, pledge_id: str) -> list[str]:
    """The precise check: the ids of the user's waiting pledges, or 429 (never for a replay)."""
    try:
        return _check(caller.user_id)
    except TooManyRequests:
        if find(PledgeRecord, pledge_id) is None:
            raise
        return []


def _check(user_id: str) -> list[str]:
    """One Query of the user's pledges that may block (waiting, or declined), newest first: the
    waiting ones are counted, the declines of the last LOOK_BACK weighed. A filter expression
    cannot name the index's sort key, so older declines are read and left out here."""
    now = clock.now()
    since = clock.iso(now - abuse.LOOK_BACK)
    waiting: list[str] = []
    declined = []
    blocking = PledgeRecord.by_user.query(user_id, scan_index_forward=False, page_size=100,  # pages of 100
                                          filter_condition=PledgeRecord.status.is_in(*WAITING, "failed"))
    for pledge in blocking:
        if pledge.status != "failed":
            waiting.append(pledge.pledge_id)
            if len(waiting) >= abuse.MAX_PENDING:
                raise TooManyRequests(f"at most {abuse.MAX_PENDING} pledges may wait for their payment at once: "
                                      "complete or cancel one (DELETE /me/pledges/{pledge_id})",
                                      code="too_many_pending")
        elif pledge.created_key >= since:
            declined.append(_parse(pledge.updated_at))
    until = abuse.blocked_until(declined, now)
    if until is not None:
        raise TooManyRequests(f"{abuse.MAX_DECLINES} payments were declined within an hour: new pledges are "
                              f"possible again from {until.strftime('%Y-%m-%dT%H:%M:%SZ')}", code="too_many_declines")
    return waiting


def _parse(moment: str) -> datetime:
    return datetime.strptime(moment, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
