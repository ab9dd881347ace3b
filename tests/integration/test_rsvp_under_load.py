"""Seats and waitlists hold when 50 co-producers RSVP for the last seat at once, and a cancel
moves the waitlist up exactly once, even when it is sent several times concurrently."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from chalicelib import clock
from chalicelib.adapters.tables import RsvpRecord, SessionRecord, find
from chalicelib.errors import NotFound
from chalicelib.schemas import PerkCreate, SessionCreate
from chalicelib.services import perks, sessions
from tests import coproducers, factories

pytestmark = pytest.mark.slow


def _state(film_id: str, session_id: str) -> tuple[int, int, dict[str, int]]:
    session = SessionRecord.get(film_id, session_id, consistent_read=True)
    by_status: dict[str, int] = {}
    for rsvp in RsvpRecord.query(session_id, consistent_read=True):
        by_status[rsvp.status] = by_status.get(rsvp.status, 0) + 1
    return int(session.seats_taken), int(session.waitlisted), by_status


def test_fifty_concurrent_rsvps_for_the_last_seat(local_services):
    producer = factories.producer()
    film_id = factories.make_film(producer)["film_id"]
    perk = perks.create(producer, film_id, PerkCreate(kind="filming_invitation", title="On set", capacity=3))
    session = sessions.create(producer, film_id, SessionCreate(
        perk_id=perk["perk_id"], title="Last day of shooting", duration_minutes=120,
        starts_at=(clock.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%MZ")))
    session_id = session["session_id"]
    early, crowd = [factories.member() for _ in range(2)], [factories.member() for _ in range(50)]
    for index, caller in enumerate(early + crowd):
        coproducers.back(film_id, caller, 1_000 + index)
    for caller in early:
        assert sessions.rsvp(caller, film_id, session_id)["my_rsvp"] == "going"

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda c: sessions.rsvp(c, film_id, session_id)["my_rsvp"], crowd))
    assert answers.count("going") == 1 and answers.count("waitlisted") == 49
    assert _state(film_id, session_id) == (3, 49, {"going": 3, "waitlisted": 49})

    # The same co-producer cancels five times at once: one seat is freed, one heir moves up.
    holder = crowd[answers.index("going")]
    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(pool.map(lambda _: _try_cancel(holder, film_id, session_id), range(5)))
    assert outcomes.count("canceled") == 1 and outcomes.count("not_found") == 4
    assert _state(film_id, session_id) == (3, 48, {"going": 3, "waitlisted": 48, "canceled": 1})
    # Three seat holders cancel at once: three different heirs, by priority (the highest totals).
    holders = [c for c in early + crowd if find(RsvpRecord, session_id, c.user_id).status == "going"]
    waiting = sorted((r for r in RsvpRecord.query(session_id) if r.status == "waitlisted"), key=lambda r: r.wait_key)
    with ThreadPoolExecutor(max_workers=3) as pool:
        assert list(pool.map(lambda c: _try_cancel(c, film_id, session_id), holders)) == ["canceled"] * 3
    assert _state(film_id, session_id) == (3, 45, {"going": 3, "waitlisted": 45, "canceled": 4})
    now_going = {r.user_id for r in RsvpRecord.query(session_id) if r.status == "going"}
    assert now_going == {r.user_id for r in waiting[:3]}


def _try_cancel(caller, film_id: str, session_id: str) -> str:
    try:
        sessions.cancel(caller, film_id, session_id)
        return "canceled"
    except NotFound:
        return "not_found"
