"""Funding and co-producer milestones: recorded once, when a film's counters cross them.

The `counters` table's stream (keys only) invokes `watch`. For every film whose counter
moved, one consistent Query sums its shards, the film's `goal_reached_at` is recorded the
first time the sum meets its goal (services/campaigns.py `note_goal`: the pledges that cross it
pay no request for it), and every milestone reached is emitted to the outbox. The milestone's id is derived from (film, milestone), so concurrent pledges, several
shards moving in one batch, or a batch delivered again all end in exactly one record.
A crash before the emit loses nothing: Lambda retries the batch (and the next change of the
counter would find the milestone still missing).
"""

from __future__ import annotations

from typing import Any, Iterable


from chalicelib import clock
from chalicelib.adapters import counters, streams
from chalicelib.adapters.tables import FilmRecord, find
from chalicelib.auth import Caller
from chalicelib.domain import events
from chalicelib.lazy import batches
from chalicelib.services import campaigns, films, outbox

FILM_PREFIX = "film#"
MILESTONE_PREFIX = "milestone."


def films_moved(records: Iterable[streams.StreamRecord]) -> list[str]:
    """Film ids whose counter changed in a stream batch (each once, in order)."""
    return list(dict.fromkeys(film_id for film_id in map(_film_of, records) if film_id is not None))


def reached(film: FilmRecord, totals: dict[str, int], occurred_at: str) -> list[events.Event]:
    goal = int(film.goal_cents)
    raised = totals.get("raised_cents", 0)
    audience = events.Audience(events.COPRODUCERS)
    found = [
        events.Event(events.FUNDING_MILESTONE, str(percent), occurred_at, audience, film.film_id, {
            "title": film.title, "percent": percent, "raised_cents": raised, "goal_cents": goal})
        for percent in events.funding_milestones_reached(raised, goal)
    ]
    found += [
        events.Event(events.COPRODUCER_MILESTONE, str(count), occurred_at, audience, film.film_id, {
            "title": film.title, "count": count})
        for count in events.coproducer_milestones_reached(totals.get("coproducer_count", 0))
    ]
    return found


def check(film_id: str) -> list[str]:
    """Emit every milestone the film has reached and that is not recorded yet."""
    film = find(FilmRecord, film_id)
    if film is None:
        return []
    totals = counters.read(counters.film_counter(film_id))
    now = clock.iso()
    campaigns.note_goal(film, totals.get("raised_cents", 0), now)
    recorded = []
    for event in reached(film, totals, now):
        if outbox.emit(event):
            recorded.append(event.event_id)
    return recorded


def _film_of(record: streams.StreamRecord) -> str | None:
    counter_id = str(record.keys.get("counter_id", ""))
    return counter_id.removeprefix(FILM_PREFIX) if counter_id.startswith(FILM_PREFIX) else None


def watch(lambda_event: dict[str, Any]) -> dict[str, Any]:
    """Stream handler: each film whose counter moved is checked once, in the order of the
    batch. A film that fails stops the batch at its first record, which is reported, so that
    Lambda retries from there (adapters/batches.py)."""
    checked: set[str] = set()

    def one(record: streams.StreamRecord) -> None:
        film_id = _film_of(record)
        if film_id is not None and film_id not in checked:
            checked.add(film_id)
            check(film_id)

    return batches.in_order(lambda_event, one, what="milestone check")


def list_for(film_id: str, caller: Caller | None) -> dict[str, Any]:
    """The milestones a film reached, oldest first. Same visibility as the film itself."""
    films.visible(film_id, caller)
    items = []
    for event in outbox.film_events(film_id, prefix=MILESTONE_PREFIX):
        kind = "funding" if event.event_type == events.FUNDING_MILESTONE else "coproducers"
        items.append({"kind": kind, "milestone": int(event.key), "event_id": event.event_id,
                      "reached_at": event.occurred_at, **{k: v for k, v in event.data.items() if k != "title"}})
    return {"items": items, "next": None}
