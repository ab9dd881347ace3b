"""Perks: a film's catalogue, what each co-producer has unlocked, and who may use a service.

Access is decided live from the co-producer's backing of the film (confirmed, unrefunded
cents) and the film's stage, with the pure rule of chalicelib/domain/perks.py: a refund
that takes someone below a level closes the service on their next request. The film's
producer and admins manage every service of the film.

Unlocks are told once: a stage change records PERK_UNLOCKED for the co-producers at the
perk's level in the same transaction as the change (`events_for_stage_change`); a pledge
that lifts one co-producer over a level is seen on the backings stream (`watch_backings`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Mapping

from pynamodb.transactions import TransactWrite

from chalicelib import clock, paging
from chalicelib.adapters import streams
from chalicelib.adapters.conditions import written
from chalicelib.adapters.tables import BackingRecord, FilmRecord, PerkRecord, find
from chalicelib.auth import Caller
from chalicelib.domain import events
from chalicelib.domain import perks as rules
from chalicelib.errors import Conflict, Forbidden, NotFound, Unauthorized, invalid_field
from chalicelib.lazy import batches
from chalicelib.services import credits, films, outbox, referrals

MAX_PERKS = 50  # per film: a catalogue is read whole and fits in one stage-change transaction


def terms(perk: PerkRecord) -> rules.PerkTerms:
    return rules.PerkTerms(int(perk.min_pledge_cents or 0), perk.available_from_stage, int(perk.min_referrals or 0))


def view(perk: PerkRecord) -> dict[str, Any]:
    return {
        "perk_id": perk.perk_id, "kind": perk.kind, "title": perk.title, "description": perk.description,
        "min_pledge_cents": int(perk.min_pledge_cents or 0), "available_from_stage": perk.available_from_stage,
        "capacity": int(perk.capacity) if perk.capacity is not None else None,
        "min_referrals": int(perk.min_referrals or 0),
    }


def catalogue_of(film_id: str) -> list[PerkRecord]:
    return list(PerkRecord.query(film_id, consistent_read=True))


def _record(film_id: str, data: Mapping[str, Any], now: str) -> PerkRecord:
    return PerkRecord(film_id, f"prk_{uuid.uuid4().hex[:16]}", kind=data["kind"], title=data["title"],
                      description=data.get("description") or "", min_pledge_cents=data.get("min_pledge_cents") or 0,
                      available_from_stage=data["available_from_stage"], capacity=data.get("capacity"),
                      min_referrals=data.get("min_referrals") or None, created_at=now, updated_at=now)


def add_defaults_in(write: TransactWrite, film_id: str, now: str) -> None:
    """A new film's default catalogue, inside the transaction that creates the film."""
    for data in rules.default_catalogue():
        write.save(_record(film_id, data, now), condition=PerkRecord.perk_id.does_not_exist())


# --- who is asking ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Access:
    film: FilmRecord
    caller: Caller | None
    manager: bool  # the film's producer or an admin
    confirmed_cents: int
    first_confirmed_at: str | None

    @cached_property
    def referrals(self) -> int:
        """Co-producers the caller's share link of the film brought (read once, when a perk needs it)."""
        return referrals.coproducers_brought(self.film.film_id, self.caller.user_id) if self.caller else 0

    def referrals_for(self, perk: PerkRecord) -> int:
        return self.referrals if rules.needs_referrals(terms(perk)) else 0

    def unlocked(self, perk: PerkRecord) -> bool:
        """As a co-producer: the perk's rule on the caller's live total, the film's stage and
        the co-producers the caller brought."""
        return rules.is_unlocked(self.confirmed_cents, self.film.stage, terms(perk), self.referrals_for(perk))

    def status(self, perk: PerkRecord) -> tuple[str, str | None]:
        return rules.unlock_status(self.confirmed_cents, self.film.stage, terms(perk), self.referrals_for(perk))

    def may_use(self, perk: PerkRecord) -> bool:
        return self.manager or self.unlocked(perk)

    def priority_key(self) -> str:
        return rules.priority_key(self.confirmed_cents, self.first_confirmed_at)


def found(model: Any, *key: str, what: str, field: str) -> Any:
    record = find(model, *key)
    if record is None:
        raise NotFound(f"{what} {key[-1]} not found", field=field)
    return record


def backing(film_id: str, user_id: str) -> BackingRecord | None:
    return find(BackingRecord, film_id, user_id)


def access(caller: Caller | None, film_id: str) -> Access:
    film = films.visible(film_id, caller)
    record = backing(film_id, caller.user_id) if caller is not None else None
    return Access(film, caller, films.can_manage(caller, film),
                  int(record.confirmed_cents or 0) if record else 0, record.first_confirmed_at if record else None)


def refuse(acc: Access, what: str, reason: str | None = None) -> Exception:
    if acc.caller is None:
        return Unauthorized("sign in: send Authorization: Bearer <token>", code="missing_token")
    detail = f" ({reason})" if reason else ""
    return Forbidden(f"{what} is for the film's co-producers with the perk, its producer and admins{detail}",
                     code="perk_locked")


def require(acc: Access, perk: PerkRecord | None, what: str) -> None:
    """The film's producer and admins, or a co-producer who has unlocked the perk."""
    if not acc.manager:
        require_unlocked(acc, perk, what)


def require_unlocked(acc: Access, perk: PerkRecord | None, what: str) -> None:
    """As a co-producer (RSVP, applying): the perk is unlocked for the caller themself."""
    if perk is None:
        raise refuse(acc, what, "the perk was removed")
    if not acc.unlocked(perk):
        raise refuse(acc, what, acc.status(perk)[1])


def require_kind(acc: Access, kind: str, what: str) -> None:
    """Some perk of `kind` in the film's catalogue is unlocked for the caller."""
    if acc.manager:
        return
    perks = [p for p in catalogue_of(acc.film.film_id) if p.kind == kind]
    if not any(acc.unlocked(p) for p in perks):
        reasons = [acc.status(p)[1] for p in perks]
        raise refuse(acc, what, reasons[0] if reasons else "the film offers none")


def usable_page(acc: Access, model: Any, scope: str, *, limit: int,
                next_token: str | None) -> tuple[list[Any], str | None]:
    """A page of the film's sessions or casting calls whose perk the caller may use (all of
    them for its producer and admins), and the next token."""
    usable = [p.perk_id for p in catalogue_of(acc.film.film_id) if acc.may_use(p)]
    if not acc.manager and not usable:
        return [], None
    condition = None if acc.manager else model.perk_id.is_in(*usable)
    results = model.query(acc.film.film_id, filter_condition=condition, limit=limit + 1,
                          last_evaluated_key=paging.decode(next_token, scope))
    page, resume = paging.take_page(results, limit)
    return page, paging.encode(resume, scope)


def own(model: Any, parent: str, parent_ids: list[str], user_id: str) -> dict[str, Any]:
    """The caller's item (RSVP, application) under each parent id (hash key `parent`)."""
    if not parent_ids:
        return {}
    return {getattr(r, parent): r for r in model.batch_get([(parent_id, user_id) for parent_id in parent_ids])}


def load(film_id: str, perk_id: str) -> PerkRecord:
    return found(PerkRecord, film_id, perk_id, what="perk", field="perk_id")


def managed_film(caller: Caller, film_id: str) -> FilmRecord:
    """The film if the caller is its producer or an admin (drafts stay hidden from others)."""
    return films.managed(caller, film_id)


# --- the catalogue ---------------------------------------------------------------------------

def list_catalogue(caller: Caller | None, film_id: str) -> dict[str, Any]:
    films.visible(film_id, caller)
    return {"items": [view(p) for p in catalogue_of(film_id)]}


def create(caller: Caller, film_id: str, data: Any) -> dict[str, Any]:
    managed_film(caller, film_id)
    if len(catalogue_of(film_id)) >= MAX_PERKS:
        raise Conflict(f"a film has at most {MAX_PERKS} perks", code="too_many_perks")
    record = _record(film_id, data.model_dump(), clock.iso())
    if not written(lambda: record.save(condition=PerkRecord.perk_id.does_not_exist())):
        raise Conflict("perk id already taken, retry")
    return view(record)


def patch(caller: Caller, film_id: str, perk_id: str, data: Any) -> dict[str, Any]:
    managed_film(caller, film_id)
    perk = load(film_id, perk_id)
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None and name != "capacity":  # capacity: null removes it
            raise invalid_field(name, "must not be null")
    actions = [PerkRecord.updated_at.set(clock.iso())]
    for name, value in changes.items():
        attribute = getattr(PerkRecord, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    perk.update(actions=actions, condition=PerkRecord.perk_id.exists())
    return view(perk)


def delete(caller: Caller, film_id: str, perk_id: str) -> None:
    managed_film(caller, film_id)
    load(film_id, perk_id).delete()


def mine(caller: Caller, film_id: str) -> dict[str, Any]:
    acc = access(caller, film_id)
    items = []
    for perk in catalogue_of(film_id):
        status, reason = acc.status(perk)
        items.append({"perk_id": perk.perk_id, "kind": perk.kind, "title": perk.title,
                      "status": status, "reason": reason})
    return {"items": items}


# --- unlocks told once -----------------------------------------------------------------------

def _unlocked_event(film: FilmRecord, perk: PerkRecord, key: str, audience: events.Audience) -> events.Event:
    return events.Event(events.PERK_UNLOCKED, key, clock.iso(), audience, film_id=film.film_id, data={
        "title": film.title, "perk_id": perk.perk_id, "kind": perk.kind, "perk_title": perk.title})


def events_for_stage_change(film: FilmRecord, new_stage: str) -> list[events.Event]:
    """PERK_UNLOCKED for each perk the move to `new_stage` opens, to the co-producers at its
    level; to be recorded in the transaction of the stage change."""
    return [
        _unlocked_event(film, perk, f"{perk.perk_id}#{new_stage}",
                        events.Audience(events.COPRODUCERS, min_cents=int(perk.min_pledge_cents or 0)))
        for perk in catalogue_of(film.film_id)
        if rules.unlocked_by_stage(film.stage, new_stage, terms(perk))
    ]


def on_backing_change(film_id: str, user_id: str, old_cents: int, new_cents: int) -> int:
    """PERK_UNLOCKED to one co-producer for each perk their higher total opens. Returns how
    many were recorded now (a redelivered stream record records none)."""
    if new_cents <= old_cents:
        return 0
    film = find(FilmRecord, film_id)
    if film is None:
        return 0
    recorded = 0
    for perk in catalogue_of(film_id):
        if rules.unlocked_by_pledge(old_cents, new_cents, film.stage, terms(perk)):
            event = _unlocked_event(film, perk, f"{perk.perk_id}#{user_id}", events.Audience(events.USER, user_id))
            recorded += outbox.emit(event)
    return recorded


def _backing_changed(record: streams.StreamRecord) -> None:
    if record.event_name == "REMOVE" or record.new is None:
        return
    change = (str(record.new["film_id"]), str(record.new["user_id"]),
              int((record.old or {}).get("confirmed_cents") or 0), int(record.new.get("confirmed_cents") or 0))
    on_backing_change(*change)
    credits.on_backing_change(*change)  # below the film's minimum: out of its credits


def watch_backings(event: Mapping[str, Any]) -> dict[str, Any]:
    """Stream handler of the backings table. A record that fails stops the batch and is
    reported, so that Lambda retries from it (adapters/batches.py): nothing is lost, and
    emits are conditional on the event id, so nothing is told twice."""
    return batches.in_order(event, _backing_changed, what="backing record")
