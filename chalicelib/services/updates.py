"""News from the film team: the producer (or an admin) posts an update, `public` (anyone may
read it: it is what people share) or for the film's `coproducers`; readers see what their place
lets them, newest first.

Each update is e-mailed once to the film's co-producers, in their language, through the
outbox: the update and its `film.update` event are written in one transaction, conditional
on both being new, so the event exists if and only if the update does, and the notifier's
delivery claims (services/notifications.py) send it once per co-producer, to verified
addresses whose owner keeps e-mail notifications on.
"""

from __future__ import annotations

import uuid
from typing import Any

from chalicelib import clock, paging
from chalicelib.adapters.tables.community import FilmUpdateRecord
from chalicelib.adapters.tables import BackingRecord, find, transaction
from chalicelib.auth import Caller
from chalicelib.domain import events
from chalicelib.domain import updates as rules
from chalicelib.errors import Forbidden
from chalicelib.services import films, outbox


def view(record: FilmUpdateRecord) -> dict[str, Any]:
    return {"update_id": record.update_id, "film_id": record.film_id, "title": record.title, "body": record.body,
            "audience": record.audience, "created_at": record.created_at}


def create(caller: Caller, film_id: str, title: str, body: str, audience: str) -> dict[str, Any]:
    film = films.visible(film_id, caller)
    if not films.can_manage(caller, film):
        raise Forbidden("only the film's producer or an admin may post its updates")
    now = clock.iso()
    update_id = f"upd_{clock.now().strftime('%Y%m%d%H%M%S%f')}{uuid.uuid4().hex[:8]}"
    record = FilmUpdateRecord(film_id, f"{now}#{update_id}", update_id=update_id, title=title, body=body,
                              audience=audience, created_at=now)
    event = events.Event(events.FILM_UPDATE, update_id, now, events.Audience(events.COPRODUCERS), film_id,
                         {"title": film.title, "update_title": title, "body": body, "audience": audience})
    with transaction() as write:
        write.save(record, condition=FilmUpdateRecord.update_key.does_not_exist())
        outbox.add_in(write, event)
    return view(record)


def _member(caller: Caller | None, film) -> bool:
    """The film's producer, admins and its co-producers read every update."""
    if caller is None:
        return False
    if films.can_manage(caller, film):
        return True
    backing = find(BackingRecord, film.film_id, caller.user_id)
    return backing is not None and int(backing.confirmed_cents or 0) > 0


def list_for(caller: Caller | None, film_id: str, *, limit: int, next_token: str | None) -> dict[str, Any]:
    film = films.visible(film_id, caller)
    audiences = rules.readable(_member(caller, film))
    scope = f"updates:{film_id}:{','.join(audiences)}"
    condition = None if len(audiences) == len(rules.AUDIENCES) else FilmUpdateRecord.audience.is_in(*audiences)
    results = FilmUpdateRecord.query(film_id, filter_condition=condition, scan_index_forward=False,
                                     limit=limit + 1, last_evaluated_key=paging.decode(next_token, scope))
    items, resume = paging.take_page(results, limit)
    return {"items": [view(r) for r in items], "next": paging.encode(resume, scope)}
