"""Extra casting: the producer opens a call under an `extra_casting` perk, eligible
co-producers apply with a note, the producer reads the applicants in priority order
(higher confirmed total first, then the earlier first confirmed pledge, as they are now)
and selects. Every applicant is told the outcome once (CASTING_DECIDED).

The decision is recorded on the call first; each applicant's outcome and its event are then
written together in one transaction, conditioned on the application being undecided. If that
is interrupted, posting the same decision again finishes it without telling anyone twice.
"""

from __future__ import annotations

import uuid
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib import clock, paging
from chalicelib.adapters.conditions import written
from chalicelib.adapters.tables import (
    BackingRecord, CastingApplicationRecord, CastingCallRecord, PerkRecord, UserRecord, find, transaction,
)
from chalicelib.auth import Caller
from chalicelib.domain import events
from chalicelib.domain import perks as rules
from chalicelib.errors import Conflict, refused
from chalicelib.services import outbox, perks

OPEN, DECIDED = "open", "decided"
APPLIED, SELECTED, NOT_SELECTED = "applied", "selected", "not_selected"
WHAT = "this casting call"


def _call(film_id: str, call_id: str) -> CastingCallRecord:
    return perks.found(CastingCallRecord, film_id, call_id, what="casting call", field="call_id")


def view(call: CastingCallRecord, mine: CastingApplicationRecord | None) -> dict[str, Any]:
    return {"call_id": call.call_id, "perk_id": call.perk_id, "title": call.title,
            "description": call.description, "status": call.status, "created_at": call.created_at,
            "decided_at": call.decided_at, "my_application": mine.status if mine else None}


def _usable_call(caller: Caller, film_id: str, call_id: str) -> tuple[perks.Access, CastingCallRecord, Any]:
    acc = perks.access(caller, film_id)
    call = _call(film_id, call_id)
    perk = find(PerkRecord, film_id, call.perk_id)  # None once the producer removed it
    perks.require(acc, perk, WHAT)
    return acc, call, perk


def create(caller: Caller, film_id: str, data: Any) -> dict[str, Any]:
    perks.managed_film(caller, film_id)
    perk = perks.load(film_id, data.perk_id)
    if perk.kind != rules.EXTRA_CASTING:
        raise refused("perk_id", f"must be a perk of kind {rules.EXTRA_CASTING}")
    call = CastingCallRecord(film_id, f"cst_{uuid.uuid4().hex[:16]}", perk_id=perk.perk_id, title=data.title,
                             description=data.description, status=OPEN, created_at=clock.iso())
    call.save(condition=CastingCallRecord.call_id.does_not_exist())
    return view(call, None)


def list_for(caller: Caller, film_id: str, *, limit: int, next_token: str | None) -> dict[str, Any]:
    acc = perks.access(caller, film_id)
    calls, next_page = perks.usable_page(acc, CastingCallRecord, f"casting:{film_id}", limit=limit,
                                         next_token=next_token)
    mine = perks.own(CastingApplicationRecord, "call_id", [c.call_id for c in calls], caller.user_id)
    return {"items": [view(c, mine.get(c.call_id)) for c in calls], "next": next_page}


def apply(caller: Caller, film_id: str, call_id: str, data: Any) -> dict[str, Any]:
    acc, call, perk = _usable_call(caller, film_id, call_id)
    perks.require_unlocked(acc, perk, WHAT)
    if call.status != OPEN:
        raise Conflict("this casting call is decided", code="casting_decided", field="call_id")
    application = CastingApplicationRecord(call_id, caller.user_id, film_id=film_id, note=data.note,
                                           applied_at=clock.iso(), status=APPLIED)
    if not written(lambda: application.save(condition=CastingApplicationRecord.user_id.does_not_exist())):
        raise Conflict("you have already applied to this call", code="already_applied")
    return view(call, application)


def applicants(caller: Caller, film_id: str, call_id: str, *, limit: int,
               next_token: str | None) -> dict[str, Any]:
    """Every applicant in priority order by their live totals (the producer and admins).
    Names, notes and totals; never contact data."""
    perks.managed_film(caller, film_id)
    _call(film_id, call_id)
    scope = f"applicants:{call_id}"
    offset = int((paging.decode(next_token, scope) or {}).get("offset", 0))
    applications = list(CastingApplicationRecord.query(call_id, consistent_read=True))
    user_ids = [a.user_id for a in applications]
    backings = {b.user_id: b for b in BackingRecord.batch_get([(film_id, u) for u in user_ids])} if user_ids else {}

    def cents(user_id: str) -> int:
        backing = backings.get(user_id)
        return int(backing.confirmed_cents or 0) if backing else 0

    def first(user_id: str) -> str | None:
        backing = backings.get(user_id)
        return backing.first_confirmed_at if backing else None

    ordered = sorted(applications, key=lambda a: (rules.priority_key(cents(a.user_id), first(a.user_id)),
                                                  a.applied_at))
    page = ordered[offset:offset + limit]
    users = {u.user_id: u for u in UserRecord.batch_get([a.user_id for a in page])} if page else {}
    items = [{"user_id": a.user_id, "display_name": getattr(users.get(a.user_id), "display_name", None),
              "note": a.note, "applied_at": a.applied_at, "status": a.status,
              "confirmed_cents": cents(a.user_id), "first_confirmed_at": first(a.user_id)} for a in page]
    more = offset + limit < len(ordered)
    return {"items": items, "next": paging.encode({"offset": offset + limit} if more else None, scope)}


def decide(caller: Caller, film_id: str, call_id: str, selected: list[str]) -> dict[str, Any]:
    film = perks.managed_film(caller, film_id)
    call = _call(film_id, call_id)
    chosen = sorted(set(selected))
    applications = list(CastingApplicationRecord.query(call_id, consistent_read=True))
    known = {a.user_id for a in applications}
    for user_id in chosen:
        if user_id not in known:
            raise refused("selected", f"{user_id} has not applied to this call")
    if call.status == DECIDED and sorted(call.selected or []) != chosen:
        raise Conflict("this casting call is already decided", code="casting_decided", field="selected")
    if call.status == OPEN:
        if not written(lambda: call.update(
                actions=[CastingCallRecord.status.set(DECIDED), CastingCallRecord.selected.set(chosen),
                         CastingCallRecord.decided_at.set(clock.iso())],
                condition=CastingCallRecord.status == OPEN)):
            raise Conflict("the call was decided meanwhile; read it again", code="casting_decided")
    for application in applications:
        if application.status != APPLIED:
            continue
        outcome = application.user_id in chosen
        event = events.Event(events.CASTING_DECIDED, f"{call_id}#{application.user_id}", clock.iso(),
                             events.Audience(events.USER, application.user_id), film_id=film_id,
                             data={"title": film.title, "call_id": call_id, "call_title": call.title,
                                   "selected": outcome})
        try:
            with transaction() as write:
                write.update(application, actions=[CastingApplicationRecord.status.set(
                    SELECTED if outcome else NOT_SELECTED)], condition=CastingApplicationRecord.status == APPLIED)
                outbox.add_in(write, event)
        except TransactWriteError:
            pass  # decided by a concurrent or earlier attempt: told already
    return {**view(_call(film_id, call_id), None), "selected": chosen,
            "applicants": len(applications)}
