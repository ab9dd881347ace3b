"""Demo data as in the platform's early days, written through the same services as the API.

15 open films (one feature; shorts, animation and documentaries) whose goals sum to
EUR 62,500.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib import clock
from chalicelib.auth import Caller
from chalicelib.schemas import FilmCreate, FilmPatch
from chalicelib.services import films, stats

ADMIN = Caller(user_id="demo-admin", email="admin@example.org", groups=frozenset({"admin"}))
PRODUCERS = ("demo-producer-marie", "demo-producer-karim", "demo-producer-lea")

# (title, kind, goal in euros, synopsis)
FILMS = [
    ("Les Heures claires", "feature", 20_000,
     "A lighthouse keeper's daughter returns to Brittany to save the family cinema."),
    ("Le Dernier Tramway", "short", 3_000, "One night, the last tram of Marseille never reaches its depot."),
    ("Nuit blanche à Lyon", "short", 2_500, "Two strangers, one sleepless night during the Festival of Lights."),
    ("Marée basse", "short", 2_000, "A fisherman and his grandson wait for a tide that does not come."),
    ("Les Voisins du dessus", "short", 3_500, "A comedy about noise, love and a building in Belleville."),
    ("Un été sans fin", "short", 2_500, "Summer camp, 1989: the last holidays before everything changes."),
    ("Le Renard et la Lune", "animation", 4_500, "A hand-drawn fable about a fox who wanted to own the moon."),
    ("Petites Machines", "animation", 3_000, "Stop-motion: the tiny robots that live inside our kitchens."),
    ("L'Île aux lanternes", "animation", 4_000, "Paper lanterns carry the wishes of a whole island."),
    ("Les Gardiens du phare", "documentary", 3_500, "The last lighthouse keepers of the Atlantic coast."),
    ("Vignerons de demain", "documentary", 3_000, "Young winemakers facing a changing climate."),
    ("La Voix des quartiers", "documentary", 2_500, "Community radio stations across French suburbs."),
    ("Sous les glaces", "documentary", 4_000, "Divers mapping the lakes under the Alpine glaciers."),
    ("Ateliers d'exil", "documentary", 2_000, "Refugee craftsmen rebuilding their trades in Paris."),
    ("Le Chant des ruches", "documentary", 2_500, "A year with the beekeepers of the Cévennes."),
]


def seed_films() -> list[str]:
    """Create and open the demo films; returns their ids."""
    film_ids = []
    for index, (title, kind, goal_euros, synopsis) in enumerate(FILMS):
        deadline = clock.today() + timedelta(days=30 + 3 * index)
        film = films.create(ADMIN, FilmCreate(
            title=title, kind=kind, synopsis=synopsis, goal_cents=goal_euros * 100,
            min_pledge_cents=1000, deadline=deadline, producer_id=PRODUCERS[index % len(PRODUCERS)],
        ))
        films.patch(ADMIN, film["film_id"], FilmPatch(status="open"))
        film_ids.append(film["film_id"])
    return film_ids


def seed() -> dict[str, int]:
    """Seed once: a data directory that already has films is left as it is."""
    if stats.platform()["films"] > 0:
        return {"films": 0}
    return {"films": len(seed_films())}
