"""Films: create, publish and move through the campaign and production stages; list and read.

A film's money counters (`raised_cents`, `coproducer_count`) live in sharded counters and
are added to the film when it is read: `GET /films/{id}` is one BatchGetItem of the film
and its counter's shards.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from chalicelib import clock, paging
from chalicelib.adapters import counters, parameters
from chalicelib.adapters.tables import FilmRecord, transaction
from chalicelib.auth import Caller
from chalicelib.domain import films as rules
from chalicelib.domain import pseudonyms
from chalicelib.errors import Conflict, Forbidden, NotFound, invalid_field
from chalicelib.lazy import events, messagebus, outbox  # a film's edits need them, its page does not
from chalicelib.services import last_good

if TYPE_CHECKING:  # request models: pydantic loads only with the routes that parse a body
    from chalicelib.domain.events import Event
    from chalicelib.schemas import FilmCreate, FilmPatch

CATALOG = "film"
PRODUCER_FIELDS = {"title", "synopsis", "stage"}
DRAFT_ONLY_FIELDS = {"goal_cents", "min_pledge_cents", "deadline"}


def new_film_id() -> str:
    return uuid.uuid4().hex


def create(caller: Caller, data: FilmCreate) -> dict[str, Any]:
    caller.require("admin", "producer")
    rules.check_campaign_terms(data.goal_cents, data.min_pledge_cents, data.deadline, clock.today())
    if data.producer_id is not None and not caller.is_admin:
        raise Forbidden("only an admin may name another producer", field="producer_id")
    producer_id = data.producer_id or (caller.user_id if caller.is_producer else None)
    film_id = new_film_id()
    now = clock.iso()
    record = FilmRecord(
        film_id,
        title=data.title,
        kind=data.kind,
        synopsis=data.synopsis,
        status="draft",
        stage="development",
        goal_cents=data.goal_cents,
        min_pledge_cents=data.min_pledge_cents,
        deadline=data.deadline.isoformat(),
        producer_id=producer_id,
        created_at=now,
        updated_at=now,
        status_key=f"{data.deadline.isoformat()}#{film_id}",
    )
    try:
        with transaction() as write:  # the film and its default perk catalogue, together
            write.save(record, condition=FilmRecord.film_id.does_not_exist())
            messagebus.handle(messagebus.FilmCreated(film_id, now, write))
    except (PutError, TransactWriteError) as exc:  # a uuid4 collision: astronomically rare, never silent
        raise Conflict("film id already taken, retry") from exc
    return view(record, dict.fromkeys(counters.FIELDS, 0))


def load(film_id: str) -> FilmRecord:
    try:
        return FilmRecord.get(film_id, consistent_read=True)
    except DoesNotExist:
        raise NotFound(f"film {film_id} not found", field="film_id")


def can_manage(caller: Caller | None, film: FilmRecord) -> bool:
    return caller is not None and (caller.is_admin or (film.producer_id is not None and film.producer_id == caller.user_id))


def managed(caller: Caller, film_id: str) -> FilmRecord:
    """The film if the caller is its producer or an admin (drafts stay hidden from others)."""
    film = visible(film_id, caller)
    if not can_manage(caller, film):
        raise Forbidden("only the film's producer or an admin may do this")
    return film


def visible(film_id: str, caller: Caller | None) -> FilmRecord:
    """The film if the caller may see it: drafts only to their producer and admins."""
    film = load(film_id)
    if not rules.is_published(film.status) and not can_manage(caller, film):
        raise NotFound(f"film {film_id} not found", field="film_id")
    return film


def get(film_id: str, caller: Caller | None) -> dict[str, Any]:
    """The film and its counter's shards in one round trip."""
    film, totals = counters.read_with(FilmRecord, {"film_id": film_id}, counters.film_counter(film_id))
    if film is None or (not rules.is_published(film.status) and not can_manage(caller, film)):
        raise NotFound(f"film {film_id} not found", field="film_id")
    return view(film, totals)


def view(film: FilmRecord, totals: dict[str, int]) -> dict[str, Any]:
    raised = totals.get("raised_cents", 0)
    return {
        "film_id": film.film_id,
        "title": film.title,
        "kind": film.kind,
        "synopsis": film.synopsis,
        "status": film.status,
        "stage": film.stage,
        "goal_cents": int(film.goal_cents),
        "min_pledge_cents": int(film.min_pledge_cents),
        "raised_cents": raised,
        "coproducer_count": totals.get("coproducer_count", 0),
        "percent_funded": rules.percent_funded(raised, int(film.goal_cents)),
        "deadline": film.deadline,
        "producer_id": public_id(film.film_id, film.producer_id),  # never the account id
        "created_at": film.created_at,
        "updated_at": film.updated_at,
        "published_at": film.published_at,
        "goal_reached_at": film.goal_reached_at,
        "closed_at": film.closed_at,
    }


def _views(records: list[FilmRecord]) -> list[dict[str, Any]]:
    if not records:
        return []
    totals = counters.read_many(counters.film_counter(r.film_id) for r in records)
    return [view(r, totals[counters.film_counter(r.film_id)]) for r in records]


def list_films(caller: Caller | None, *, status: str | None, kind: str | None, limit: int,
               next_token: str | None) -> dict[str, Any]:
    if status == "draft" and not (caller and caller.is_admin):
        raise Forbidden("only admins list drafts; producers see theirs in GET /me/films", field="status")
    if caller is None:  # the public list: its last good answer while DynamoDB does not answer
        return last_good.read(f"films:{status}:{kind}:{limit}:{next_token}", lambda: _list_films(
            status=status, kind=kind, limit=limit, next_token=next_token))
    return _list_films(status=status, kind=kind, limit=limit, next_token=next_token)


def _list_films(*, status: str | None, kind: str | None, limit: int, next_token: str | None) -> dict[str, Any]:
    scope = f"films:{status or ''}:{kind or ''}"
    start = paging.decode(next_token, scope)
    kind_filter = FilmRecord.kind == kind if kind else None
    if status:
        results = FilmRecord.by_status.query(
            status, filter_condition=kind_filter, limit=limit + 1, last_evaluated_key=start)
    else:
        results = FilmRecord.catalog_index.query(
            CATALOG, filter_condition=kind_filter, scan_index_forward=False, limit=limit + 1,
            last_evaluated_key=start)
    records, resume = paging.take_page(results, limit)
    return {"items": _views(records), "next": paging.encode(resume, scope)}


def list_mine(caller: Caller, *, limit: int, next_token: str | None) -> dict[str, Any]:
    scope = f"my-films:{caller.user_id}"
    results = FilmRecord.by_producer.query(
        caller.user_id, scan_index_forward=False, limit=limit + 1,
        last_evaluated_key=paging.decode(next_token, scope))
    records, resume = paging.take_page(results, limit)
    return {"items": _views(records), "next": paging.encode(resume, scope)}


def patch(caller: Caller, film_id: str, data: FilmPatch) -> dict[str, Any]:
    film = load(film_id)
    if not can_manage(caller, film):
        if not rules.is_published(film.status):
            raise NotFound(f"film {film_id} not found", field="film_id")
        raise Forbidden("only the film's producer or an admin may change it")
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            raise invalid_field(name, "must not be null")
    if not caller.is_admin:
        for name in changes:
            if name not in PRODUCER_FIELDS:
                raise Forbidden(f"{name}: only an admin may change it", field=name)
    if film.status != "draft":
        for name in changes:
            if name in DRAFT_ONLY_FIELDS:
                raise Conflict(f"{name}: campaign terms are fixed once the film is published",
                               code="campaign_terms_fixed", field=name)
    if "status" in changes and changes["status"] != film.status:
        rules.check_status_transition(film.status, changes["status"])
    if "stage" in changes and changes["stage"] != film.stage:
        rules.check_stage_transition(film.stage, changes["stage"])
    goal = changes.get("goal_cents", int(film.goal_cents))
    min_pledge = changes.get("min_pledge_cents", int(film.min_pledge_cents))
    deadline = changes.get("deadline", date.fromisoformat(film.deadline))
    if DRAFT_ONLY_FIELDS & changes.keys() or changes.get("status") == "open":
        rules.check_campaign_terms(goal, min_pledge, deadline, clock.today())
    unlocks = []
    if "stage" in changes and changes["stage"] != film.stage:
        unlocks = [e for found in messagebus.handle(messagebus.StageChanged(film, changes["stage"])) for e in found]
    if film.status == "open" and changes.get("status") in ("funded", "failed"):
        # An admin's verdict closes the campaign like the schedule does (refunds included).
        outcome = changes.pop("status")
        if changes:
            _apply(film, changes, unlocks)
        messagebus.handle(messagebus.CampaignDecided(film_id, outcome))
        return get(film_id, caller)
    _apply(film, changes, unlocks)
    return get(film_id, caller)


def _apply(film: FilmRecord, changes: dict[str, Any], unlocks: list | None = None) -> None:
    """One transaction: the film (conditioned on the state it was read in) and, on a
    status change, the platform counters. A concurrent change makes it 409, never half."""
    now = clock.iso()
    actions = [FilmRecord.updated_at.set(now)]
    for name in ("title", "synopsis", "stage", "goal_cents", "min_pledge_cents"):
        if name in changes:
            actions.append(getattr(FilmRecord, name).set(changes[name]))
    deadline = film.deadline
    if "deadline" in changes:
        deadline = changes["deadline"].isoformat()
        actions.append(FilmRecord.deadline.set(deadline))
    new_status = changes.get("status", film.status)
    actions.append(FilmRecord.status_key.set(f"{deadline}#{film.film_id}"))
    condition = (FilmRecord.status == film.status) & (FilmRecord.stage == film.stage)
    stats: dict[str, int] = {}
    if new_status != film.status:
        actions.append(FilmRecord.status.set(new_status))
        if new_status == "open":
            actions += [
                FilmRecord.published_at.set(now),
                FilmRecord.catalog.set(CATALOG),
                FilmRecord.catalog_key.set(f"{now}#{film.film_id}"),
            ]
            stats = {"films": 1, "open_films": 1, "goal_cents": int(changes.get("goal_cents", film.goal_cents))}
        elif film.status == "open":
            actions.append(FilmRecord.closed_at.set(now))
            stats = {"open_films": -1}
    try:
        with transaction() as write:
            write.update(film, actions=actions, condition=condition)
            counters.add_in(write, counters.PLATFORM, **stats)
            for event in unlocks or ():  # perks the new stage opens, told once
                outbox.add_in(write, event)
            if changes.get("stage", film.stage) != film.stage:
                outbox.add_in(write, stage_changed(film, changes, now))
    except TransactWriteError as exc:
        raise Conflict("the film changed meanwhile; read it again and retry") from exc


def stage_changed(film: FilmRecord, changes: dict[str, Any], now: str) -> Event:
    """Co-producers hear of each stage once: stages only move forward."""
    return events.Event(events.STAGE_CHANGED, changes["stage"], now, events.Audience(events.COPRODUCERS),
                        film.film_id, {"title": changes.get("title", film.title), "stage": changes["stage"],
                                       "previous_stage": film.stage})


def public_id(film_id: str, user_id: str | None) -> str | None:
    """A person as public responses name them in a film (chalicelib/domain/pseudonyms.py)."""
    return pseudonyms.per_film(parameters.signing_key(), film_id, user_id)
