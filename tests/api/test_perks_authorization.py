"""Who may do what on the co-producer services, route by route, and what never leaks.

The matrix is data: one row per (route, method) with the status each kind of caller gets.
Rows run in order against one film (an RSVP before its cancel). For every answer it checks
that private content (forum text, session details, join link, casting notes) reaches only
the eligible co-producer, the film's producer and admins, that the join link reaches only
those allowed to see it on that route, and that no contact data (email, phone) ever leaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable

import pytest

import app as application
from chalicelib import clock
from tests import coproducers, factories

ROLES = ("anonymous", "stranger", "other_coproducer", "below", "eligible", "producer", "other_producer", "admin")
INSIDERS = frozenset({"eligible", "producer", "admin"})  # may see the film's private content
LEVEL = 2_000

SECRETS = {
    "thread": "Thread about the secret ending",
    "post": "The twist: the tram was never real",
    "session": "Night shoot at the old depot",
    "place": "Dépôt Saint-Pierre, hangar 3",
    "link": "https://meet.example.org/very-secret-room",
    "call": "Casting for the ghost passengers",
    "note": "I can play the accordion",
}
CONTACTS = ("eligible@example.org", "+33600000001", "below@example.org", "+33600000002")


def statuses(default: int = 403, **by_role: int) -> dict[str, int]:
    """Anonymous callers get 401 everywhere a sign-in is needed; others `default` unless named."""
    return {"anonymous": 401, **{r: default for r in ROLES[1:]}, **by_role}


MANAGE = statuses(producer=200, admin=200)
USE = statuses(eligible=200, producer=200, admin=200)
SIGNED_IN = statuses(200)


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    path: str  # formatted with the world's ids
    expected: dict[str, int]
    body: Any = None
    prepare: Callable[["World", str], dict[str, str]] | None = None  # per-call ids (fresh perk to delete)
    link_for: frozenset[str] = field(default_factory=frozenset)


class World:
    def __init__(self, api):
        self.api = api
        self.callers = {
            "stranger": factories.member(), "other_coproducer": factories.member(), "below": factories.member(), "eligible": factories.member(),
            "producer": factories.producer(), "other_producer": factories.producer(), "admin": factories.admin(),
        }
        c = self.callers
        other_film = factories.make_film(c["other_producer"])["film_id"]  # the other producer's own film
        coproducers.back(other_film, c["other_coproducer"], LEVEL * 10)  # well above the level, elsewhere
        film_id = factories.make_film(c["producer"])["film_id"]
        coproducers.back(film_id, c["below"], LEVEL - 1_000)
        coproducers.back(film_id, c["eligible"], LEVEL + 3_000)
        for role, (email, phone) in {"eligible": CONTACTS[:2], "below": CONTACTS[2:]}.items():
            api.put("/me", {"display_name": role.title(), "email": email, "phone": phone}, caller=c[role])
        producer = c["producer"]
        forum = api.get(f"/films/{film_id}/perks").data["items"][0]
        api.patch(f"/films/{film_id}/perks/{forum['perk_id']}", {"min_pledge_cents": LEVEL}, caller=producer)

        def perk(kind: str) -> str:
            return api.post(f"/films/{film_id}/perks", {"kind": kind, "title": kind, "min_pledge_cents": LEVEL,
                                                        "capacity": 5}, caller=producer).data["perk_id"]

        self.ids = {"film": film_id, "perk": forum["perk_id"], "discussion_perk": perk("team_discussion"),
                    "casting_perk": perk("extra_casting")}
        starts = (clock.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%MZ")
        thread = api.post(f"/films/{film_id}/forum/threads", {"title": SECRETS["thread"], "body": SECRETS["post"]},
                          caller=producer).data
        own = api.post(f"/films/{film_id}/forum/threads/{thread['thread_id']}/posts", {"body": "Mine"},
                       caller=c["eligible"]).data
        session = api.post(f"/films/{film_id}/sessions", {
            "perk_id": self.ids["discussion_perk"], "title": SECRETS["session"], "starts_at": starts,
            "duration_minutes": 60, "place": SECRETS["place"], "join_link": SECRETS["link"]}, caller=producer).data
        call = api.post(f"/films/{film_id}/casting", {"perk_id": self.ids["casting_perk"], "title": SECRETS["call"]},
                        caller=producer).data
        self.ids.update(thread=thread["thread_id"], post=thread["posts"][0]["post_id"], own_post=own["post_id"],
                        session=session["session_id"], call=call["call_id"], starts=starts)
        self.ids["secret_note"] = SECRETS["note"]

    def fresh_perk(self, role: str) -> dict[str, str]:
        created = self.api.post(f"/films/{self.ids['film']}/perks", {"kind": "other", "title": "Poster"},
                                caller=self.callers["producer"])
        return {"fresh_perk": created.data["perk_id"]}


F = "/films/{film}"
S = F + "/sessions/{session}"
C = F + "/casting/{call}"
SESSION_BODY = {"perk_id": "{discussion_perk}", "title": "Another", "starts_at": "{starts}", "duration_minutes": 30}

ROWS = [
    Row("catalogue", "GET", F + "/perks", statuses(200, anonymous=200)),
    Row("add a perk", "POST", F + "/perks", statuses(producer=201, admin=201), {"kind": "other", "title": "Poster"}),
    Row("edit a perk", "PATCH", F + "/perks/{perk}", MANAGE, {"min_pledge_cents": LEVEL}),
    Row("remove a perk", "DELETE", F + "/perks/{fresh_perk}", statuses(producer=204, admin=204),
        prepare=World.fresh_perk),
    Row("my perks", "GET", "/me/films/{film}/perks", SIGNED_IN),
    Row("forum threads", "GET", F + "/forum/threads", USE),
    Row("new thread", "POST", F + "/forum/threads", statuses(eligible=201, producer=201, admin=201),
        {"title": "Hello", "body": "Hello all"}),
    Row("thread posts", "GET", F + "/forum/threads/{thread}/posts", USE),
    Row("reply", "POST", F + "/forum/threads/{thread}/posts", statuses(eligible=201, producer=201, admin=201),
        {"body": "Reply"}),
    Row("pin a post", "PATCH", F + "/forum/threads/{thread}/posts/{post}", MANAGE, {"pinned": True}),
    Row("edit one's post", "PATCH", F + "/forum/threads/{thread}/posts/{own_post}", statuses(eligible=200),
        {"body": "Mine, edited"}),
    Row("sessions", "GET", F + "/sessions", SIGNED_IN),
    Row("schedule a session", "POST", F + "/sessions", statuses(producer=201, admin=201), SESSION_BODY,
        link_for=frozenset()),
    Row("a session before RSVP", "GET", S, USE, link_for=frozenset({"producer", "admin"})),
    Row("RSVP", "POST", S + "/rsvp", statuses(eligible=200), link_for=frozenset({"eligible"})),
    Row("a session after RSVP", "GET", S, USE, link_for=frozenset({"eligible", "producer", "admin"})),
    Row("attendees", "GET", S + "/rsvps", MANAGE),
    Row("cancel an RSVP", "DELETE", S + "/rsvp", statuses(404, eligible=200), link_for=frozenset()),
    Row("casting calls", "GET", F + "/casting", SIGNED_IN),
    Row("open a casting call", "POST", F + "/casting", statuses(producer=201, admin=201),
        {"perk_id": "{casting_perk}", "title": "Another call"}),
    Row("apply", "POST", C + "/applications", statuses(eligible=201), {"note": "{secret_note}"}),
    Row("applicants", "GET", C + "/applications", MANAGE),
    Row("decide", "POST", C + "/decision", MANAGE, {"selected": []}),
]


def _format(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _format(v, ids) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def world(api):
    return World(api)


def test_the_matrix_covers_every_route_of_the_services():
    routes = {(method, path) for path, entries in application.app.routes.items() for method in entries
              if any(part in path for part in ("/perks", "/forum", "/sessions", "/casting"))}
    covered = {(row.method, row.path.replace("{fresh_perk}", "{perk}")) for row in ROWS}
    generic = {(m, p.replace("{film_id}", "{film}").replace("{perk_id}", "{perk}")
                .replace("{thread_id}", "{thread}").replace("{post_id}", "{post}")
                .replace("{session_id}", "{session}").replace("{call_id}", "{call}")) for m, p in routes}
    covered = {(m, p.replace("{own_post}", "{post}")) for m, p in covered}
    assert generic == covered


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_each_caller_gets_what_their_role_allows_and_nothing_leaks(api, world, row):
    for role in ROLES:
        ids = {**world.ids, **(row.prepare(world, role) if row.prepare else {})}
        response = api.call(row.method, _format(row.path, ids), _format(row.body, ids),
                            caller=world.callers.get(role))
        assert response.status_code == row.expected[role], (row.name, role, response.data)
        text = response.body.decode() if isinstance(response.body, bytes) else str(response.body or "")
        for contact in CONTACTS:
            assert contact not in text, (row.name, role, "contact data leaked")
        if role not in INSIDERS:
            for name, secret in SECRETS.items():
                assert secret not in text, (row.name, role, f"{name} leaked")
        elif role not in row.link_for:
            assert SECRETS["link"] not in text, (row.name, role, "join link leaked")
        if response.status_code >= 400:
            assert set(response.data) == {"error"} and response.data["error"]["code"]
