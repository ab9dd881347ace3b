"""Callers, tokens and films for tests, made through the same services as the API."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from chalicelib import clock
from chalicelib.auth import Caller, issue_local_token
from chalicelib.schemas import FilmCreate, FilmPatch
from chalicelib.services import films


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def admin() -> Caller:
    return Caller(user_id=unique("admin"), email="admin@example.org", groups=frozenset({"admin"}))


def producer() -> Caller:
    return Caller(user_id=unique("producer"), email="producer@example.org", groups=frozenset({"producer"}))


def member() -> Caller:
    return Caller(user_id=unique("user"), email="user@example.org")


def token(caller: Caller, **kwargs) -> str:
    return issue_local_token(caller.user_id, groups=sorted(caller.groups), email=caller.email, **kwargs)


def auth(caller: Caller) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(caller)}", "Content-Type": "application/json"}


def film_body(**overrides) -> dict:
    body = {
        "title": "Le Dernier Tramway",
        "kind": "short",
        "synopsis": "One night, the last tram never reaches its depot.",
        "goal_cents": 300_000,
        "min_pledge_cents": 1_000,
        "deadline": (clock.today() + timedelta(days=30)).isoformat(),
    }
    body.update(overrides)
    return body


def make_film(owner: Caller | None = None, *, open_it: bool = True, **overrides) -> dict:
    owner = owner or producer()
    film = films.create(owner, FilmCreate.model_validate_json(json.dumps(film_body(**overrides))))
    if open_it:
        film = films.patch(admin(), film["film_id"], FilmPatch(status="open"))
    return film
