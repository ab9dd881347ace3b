"""Sessions a perk gives access to: online discussions with the film's team, filming and
preview invitations. Seats, RSVP, cancel and a waitlist.

Seats hold under any concurrency: a seat is taken by one transaction that adds 1 to the
session's `seats_taken` on condition that it is below `capacity` and creates the RSVP on
condition that the co-producer has none open. Joining the waitlist is conditioned on the
session being full at that moment, so nobody waits while a seat is free. Cancelling a seat
and giving it to the head of the waitlist is one transaction, conditioned on the seat still
being held: a retried cancel cannot move the waitlist twice.

The waitlist of an invitation is in priority order (higher confirmed total, then the
earlier first confirmed pledge, as they were when joining it); that of a discussion is
first come, first served. The join link of a discussion is shown only to the producer,
admins and eligible co-producers holding a seat.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib import clock, paging, retry
from chalicelib.adapters.tables import PerkRecord, RsvpRecord, SessionRecord, UserRecord, find, transaction
from chalicelib.auth import Caller
from chalicelib.domain import perks as rules
from chalicelib.errors import NotFound, Unavailable, refused
from chalicelib.services import perks

GOING, WAITLISTED, CANCELED = "going", "waitlisted", "canceled"
MAX_ATTEMPTS = 40
BACKOFF_SECONDS = 0.005  # first wait; doubled each attempt, with full jitter
BACKOFF_CAP_SECONDS = 0.2
WHAT = "this session"


def _backoff(attempt: int) -> None:
    retry.pause(attempt, base=BACKOFF_SECONDS, cap=BACKOFF_CAP_SECONDS)


def _session(film_id: str, session_id: str) -> SessionRecord:
    return perks.found(SessionRecord, film_id, session_id, what="session", field="session_id")


def _rsvp(session_id: str, user_id: str) -> RsvpRecord | None:
    return find(RsvpRecord, session_id, user_id)


def _perk_of(session: SessionRecord) -> Any:
    """The session's perk, or None if the producer removed it (then only managers see it)."""
    return find(PerkRecord, session.film_id, session.perk_id)


def view(session: SessionRecord, acc: perks.Access, rsvp: RsvpRecord | None, *, detail: bool) -> dict[str, Any]:
    status = rsvp.status if rsvp is not None and rsvp.status != CANCELED else None
    out = {
        "session_id": session.session_id, "perk_id": session.perk_id, "kind": session.kind,
        "title": session.title, "description": session.description, "starts_at": session.starts_at,
        "duration_minutes": int(session.duration_minutes), "place": session.place,
        "capacity": int(session.capacity), "seats_taken": int(session.seats_taken or 0),
        "seats_left": max(0, int(session.capacity) - int(session.seats_taken or 0)),
        "waitlisted": int(session.waitlisted or 0), "my_rsvp": status,
    }
    if detail and session.join_link:
        out["join_link"] = session.join_link if acc.manager or status == GOING else None
    return out


def create(caller: Caller, film_id: str, data: Any) -> dict[str, Any]:
    perks.managed_film(caller, film_id)
    perk = perks.load(film_id, data.perk_id)
    if perk.kind not in rules.SESSION_KINDS:
        raise refused("perk_id", f"must be a perk of kind {', '.join(rules.SESSION_KINDS)}")
    capacity = data.capacity or (int(perk.capacity) if perk.capacity is not None else None)
    if capacity is None:
        raise refused("capacity", "is required when the perk has none")
    starts_at = datetime.strptime(data.starts_at.rstrip("Z")[:16], "%Y-%m-%dT%H:%M").replace(tzinfo=timezone.utc)
    if starts_at <= clock.now():
        raise refused("starts_at", "must be in the future")
    if data.join_link and perk.kind != rules.TEAM_DISCUSSION:
        raise refused("join_link", "is for online discussions only")
    now = clock.iso()
    session = SessionRecord(
        film_id, f"ses_{uuid.uuid4().hex[:16]}", perk_id=perk.perk_id, kind=perk.kind, title=data.title,
        description=data.description, starts_at=starts_at.strftime("%Y-%m-%dT%H:%M:00Z"),
        duration_minutes=data.duration_minutes, place=data.place, join_link=data.join_link,
        capacity=capacity, seats_taken=0, waitlisted=0, created_at=now)
    session.save(condition=SessionRecord.session_id.does_not_exist())
    return view(session, perks.access(caller, film_id), None, detail=True)


def list_for(caller: Caller, film_id: str, *, limit: int, next_token: str | None) -> dict[str, Any]:
    """The film's sessions the caller may use (all of them for its producer and admins)."""
    acc = perks.access(caller, film_id)
    page, next_page = perks.usable_page(acc, SessionRecord, f"sessions:{film_id}", limit=limit,
                                        next_token=next_token)
    rsvps = perks.own(RsvpRecord, "session_id", [s.session_id for s in page], caller.user_id)
    return {"items": [view(s, acc, rsvps.get(s.session_id), detail=False) for s in page], "next": next_page}


def get(caller: Caller, film_id: str, session_id: str) -> dict[str, Any]:
    acc = perks.access(caller, film_id)
    session = _session(film_id, session_id)
    perks.require(acc, _perk_of(session), WHAT)
    return view(session, acc, _rsvp(session_id, caller.user_id), detail=True)


def _wait_key(session: SessionRecord, acc: perks.Access, now: str, user_id: str) -> str:
    if session.kind in rules.PRIORITY_SEATED_KINDS:
        return f"{acc.priority_key()}#{now}#{user_id}"
    return f"{now}#{user_id}"


def _open_rsvp_absent():
    return RsvpRecord.user_id.does_not_exist() | (RsvpRecord.status == CANCELED)


def rsvp(caller: Caller, film_id: str, session_id: str) -> dict[str, Any]:
    """A seat if one is free, else a place on the waitlist. Asking again answers the same."""
    acc = perks.access(caller, film_id)
    session = _session(film_id, session_id)
    perks.require_unlocked(acc, _perk_of(session), WHAT)
    for attempt in range(MAX_ATTEMPTS):
        mine = _rsvp(session_id, caller.user_id)
        if mine is not None and mine.status in (GOING, WAITLISTED):
            return view(session, acc, mine, detail=True)
        session = _session(film_id, session_id)
        now = clock.iso()
        full = int(session.seats_taken or 0) >= int(session.capacity)
        record = RsvpRecord(session_id, caller.user_id, film_id=film_id, status=WAITLISTED if full else GOING,
                            rsvp_at=now, updated_at=now)
        if full:
            record.wait_key = _wait_key(session, acc, now, caller.user_id)
            record.waiting_in = session_id
            session_action = SessionRecord.waitlisted.add(1)
            session_condition = SessionRecord.seats_taken >= SessionRecord.capacity
        else:
            session_action = SessionRecord.seats_taken.add(1)
            session_condition = SessionRecord.seats_taken < SessionRecord.capacity
        try:
            with transaction() as write:
                write.update(SessionRecord(film_id, session_id), actions=[session_action], condition=session_condition)
                write.save(record, condition=_open_rsvp_absent())
            session = _session(film_id, session_id)
            return view(session, acc, record, detail=True)
        except TransactWriteError:
            _backoff(attempt)  # a seat moved meanwhile, or a duplicate RSVP: read again
    raise Unavailable("too many RSVPs at once for this session; retry")


def _next_in_line(session: SessionRecord) -> RsvpRecord | None:
    """The first waitlisted co-producer still eligible for the session's perk."""
    perk = _perk_of(session)
    film = perks.films.load(session.film_id)
    for candidate in RsvpRecord.waitlist.query(session.session_id, limit=25):
        backing = perks.backing(session.film_id, candidate.user_id)
        cents = int(backing.confirmed_cents or 0) if backing else 0
        if perk is not None and rules.is_unlocked(cents, film.stage, perks.terms(perk)):
            return candidate
    return None


def cancel(caller: Caller, film_id: str, session_id: str) -> dict[str, Any]:
    """Give up a seat (the head of the waitlist gets it, in the same transaction) or a
    place on the waitlist."""
    acc = perks.access(caller, film_id)
    session = _session(film_id, session_id)
    for attempt in range(MAX_ATTEMPTS):
        mine = _rsvp(session_id, caller.user_id)
        if mine is None or mine.status == CANCELED:
            raise NotFound("you have no RSVP for this session", field="session_id")
        now = clock.iso()
        cancel_mine = [RsvpRecord.status.set(CANCELED), RsvpRecord.updated_at.set(now),
                       RsvpRecord.waiting_in.remove(), RsvpRecord.wait_key.remove()]
        heir = _next_in_line(session) if mine.status == GOING else None
        try:
            with transaction() as write:
                write.update(RsvpRecord(session_id, caller.user_id), actions=cancel_mine,
                             condition=RsvpRecord.status == mine.status)
                if mine.status == WAITLISTED:
                    write.update(SessionRecord(film_id, session_id), actions=[SessionRecord.waitlisted.add(-1)])
                elif heir is not None:  # the seat changes hands: seats_taken stays
                    write.update(RsvpRecord(session_id, heir.user_id), actions=[
                        RsvpRecord.status.set(GOING), RsvpRecord.updated_at.set(now),
                        RsvpRecord.waiting_in.remove()], condition=RsvpRecord.status == WAITLISTED)
                    write.update(SessionRecord(film_id, session_id), actions=[SessionRecord.waitlisted.add(-1)])
                else:
                    write.update(SessionRecord(film_id, session_id), actions=[SessionRecord.seats_taken.add(-1)])
            return view(_session(film_id, session_id), acc, None, detail=True)
        except TransactWriteError:
            _backoff(attempt)  # the heir or my RSVP moved meanwhile: read again
    raise Unavailable("too much activity on this session; retry")


def attendees(caller: Caller, film_id: str, session_id: str, *, limit: int,
              next_token: str | None) -> dict[str, Any]:
    """Who holds a seat or waits (the film's producer and admins): names, no contact data."""
    perks.managed_film(caller, film_id)
    _session(film_id, session_id)
    scope = f"rsvps:{session_id}"
    results = RsvpRecord.query(session_id, filter_condition=RsvpRecord.status != CANCELED, limit=limit + 1,
                               last_evaluated_key=paging.decode(next_token, scope))
    page, resume = paging.take_page(results, limit)
    users = {u.user_id: u for u in UserRecord.batch_get([r.user_id for r in page])} if page else {}
    items = [{"user_id": r.user_id, "display_name": getattr(users.get(r.user_id), "display_name", None),
              "status": r.status, "rsvp_at": r.rsvp_at} for r in page]
    return {"items": items, "next": paging.encode(resume, scope)}

