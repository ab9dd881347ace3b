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
    """One Query of the user's pledges that may block (waiting, or declined), newest first: the
    waiting ones are counted, the declines of the last LOOK_BACK weighed. A filter expression
    cannot name the index's sort key, so older declines are read and left out here."""
    now = clock.now()
    since = clock.iso(now - abuse.LOOK_BACK)
    waiting, declined = 0, []
    blocking = PledgeRecord.by_user.query(user_id, scan_index_forward=False, page_size=100,  # pages of 100
                                          filter_condition=PledgeRecord.status.is_in(*WAITING, "failed"))
    for pledge in blocking:
        if pledge.status != "failed":
            waiting += 1
            if waiting >= abuse.MAX_PENDING:
                raise TooManyRequests(f"at most {abuse.MAX_PENDING} pledges may wait for their payment at once: "
                                      "complete or cancel one (DELETE /me/pledges/{pledge_id})",
                                      code="too_many_pending")
        elif pledge.created_key >= since:
            declined.append(_parse(pledge.updated_at))
    until = abuse.blocked_until(declined, now)
    if until is not None:
        raise TooManyRequests(f"{abuse.MAX_DECLINES} payments were declined within an hour: new pledges are "
                              f"possible again from {until.strftime('%Y-%m-%dT%H:%M:%SZ')}", code="too_many_declines")


def _parse(moment: str) -> datetime:
    return datetime.strptime(moment, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
