"""Demo data as in the platform's early days, written through the same services as the API.

15 open films (one feature; shorts, animation and documentaries) whose goals sum to
EUR 62,500, and 400 co-producers whose pledges, paid through localstripe with the pledge
service, bring the films to about 30% of that together. One more short film's campaign
ended ten days ago at 20% of its goal: the close job fails it and refunds its co-producers.
Three films funded last January give one demo co-producer a year of royalty statements.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib import clock
from chalicelib.auth import Caller
from chalicelib.schemas import FilmCreate, FilmPatch, Profile
from chalicelib.services import films, pledges, profiles, stats

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


COPRODUCERS = 400
FUNDED_SHARE_PERCENT = 30
FIRST_NAMES = ("Camille", "Louis", "Chloé", "Hugo", "Inès", "Jules", "Léa", "Malik", "Sarah", "Tom",
               "Yasmine", "Paul", "Manon", "Nathan", "Zoé", "Amir", "Clara", "Lucas", "Emma", "Noah")


def coproducer(index: int) -> Caller:
    return Caller(user_id=f"demo-coproducer-{index:03d}", email=f"coproducer{index:03d}@example.org")


def _users_per_film(goals: list[int], total_users: int) -> list[int]:
    """Co-producers per film, proportional to its goal (largest remainder)."""
    total_goal = sum(goals)
    exact = [g * total_users for g in goals]
    counts = [e // total_goal for e in exact]
    by_remainder = sorted(range(len(goals)), key=lambda i: (-(exact[i] % total_goal), i))
    for i in by_remainder[: total_users - sum(counts)]:
        counts[i] += 1
    return counts


def _split(total_cents: int, parts: int) -> list[int]:
    """`parts` whole-euro amounts summing to about `total_cents`, varied, each >= EUR 10."""
    base = max(10, total_cents // parts // 100)
    return [max(10, base + ((i * 7) % 11) - 5) * 100 for i in range(parts)]


def _verified(user: Caller, phone: str | None) -> None:
    """Demo contacts count as verified, so that `make run` shows its e-mails and SMS."""
    profiles.mark_contacts_verified(user.user_id, email=user.email, phone=phone)


def seed_coproducers(film_ids: list[str]) -> int:
    """Profiles and paid pledges for the demo co-producers; returns the number of pledges."""
    from chalicelib.adapters import payments

    card = payments.client().v1.payment_methods.create(params={
        "type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})["id"]
    goals = [goal * 100 for _, _, goal, _ in FILMS]
    index, paid = 0, 0
    for film_id, goal, users in zip(film_ids, goals, _users_per_film(goals, COPRODUCERS)):
        for amount in _split(goal * FUNDED_SHARE_PERCENT // 100, users):
            index += 1
            user = coproducer(index)
            phone = f"+3361234{index:04d}" if index % 3 == 0 else None
            profiles.put(user, Profile(
                display_name=f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {index:03d}", email=user.email,
                phone=phone, locale="en" if index % 4 == 0 else "fr", notify_email=True, notify_sms=index % 3 == 0))
            _verified(user, phone)
            pledge, _ = pledges.create(user, film_id, f"demo-seed-{film_id}", amount, card)
            paid += pledge["status"] == "confirmed"
    return paid


# A campaign that ended short of its goal: the close job fails it and refunds its pledges.
ENDED_FILM = ("La Dernière Séance", "short", 1_500,
              "The projectionist of a village cinema runs his last reel.")
ENDED_PLEDGES_EUROS = (40, 50, 60, 50, 40, 60)  # EUR 300 of EUR 1,500, from demo co-producers


def seed_ended_film() -> dict[str, int]:
    """Created and paid 20 days ago, deadline 10 days ago, still open until the job closes it."""
    from datetime import datetime, time as day_time, timezone

    from chalicelib.adapters import payments

    started = datetime.combine(clock.today() - timedelta(days=20), day_time(12), tzinfo=timezone.utc)
    title, kind, goal_euros, synopsis = ENDED_FILM
    with clock.frozen(started):
        film = films.create(ADMIN, FilmCreate(
            title=title, kind=kind, synopsis=synopsis, goal_cents=goal_euros * 100, min_pledge_cents=1000,
            deadline=clock.today() + timedelta(days=10), producer_id=PRODUCERS[0]))
        films.patch(ADMIN, film["film_id"], FilmPatch(status="open"))
        card = payments.client().v1.payment_methods.create(params={
            "type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})["id"]
        paid = 0
        for index, euros in enumerate(ENDED_PLEDGES_EUROS, start=1):
            pledge, _ = pledges.create(coproducer(index), film["film_id"], f"demo-seed-{film['film_id']}",
                                       euros * 100, card)
            paid += pledge["status"] == "confirmed"
    return {"ended_films": 1, "ended_pledges": paid}


def seed() -> dict[str, int]:
    """Seed once: a data directory that already has films is left as it is."""
    if stats.platform()["films"] > 0:
        return {"films": 0}
    film_ids = seed_films()
    paid = seed_coproducers(film_ids)
    from devstack.seed_community import seed_community

    return {"films": len(film_ids), "pledges": paid + seed_near_milestone(film_ids[MILESTONE_FILM]),
            "sessions": seed_perks(film_ids), **seed_ended_film(), **seed_statements(),
            **seed_community(film_ids)}


# --- Co-producer services: every film has its default catalogue (a private forum) from
# films.create. "Les Heures claires" (backed by demo-coproducer-001, not by -200) is in
# pre-production with a filming invitation that opens at `shooting`, three seats.
INVITATION_FILM = 0


def seed_perks(film_ids: list[str]) -> int:
    """The demo film's stage, forum thread, filming invitation and its session."""
    from chalicelib.schemas import PerkCreate, SessionCreate, ThreadCreate
    from chalicelib.services import forum, perks, sessions

    film_id = film_ids[INVITATION_FILM]
    producer = Caller(user_id=PRODUCERS[INVITATION_FILM % len(PRODUCERS)], groups=frozenset({"producer"}))
    films.patch(producer, film_id, FilmPatch(stage="pre_production"))
    forum.create_thread(producer, film_id, ThreadCreate(
        title="Bienvenue aux coproducteurs", body="Merci ! Le tournage commence au printemps, à Ouessant."))
    perk = perks.create(producer, film_id, PerkCreate(
        kind="filming_invitation", title="Une journée sur le tournage",
        description="Watch the lighthouse scene being shot.", min_pledge_cents=2_000,
        available_from_stage="shooting", capacity=3))
    starts_at = (clock.now() + timedelta(days=45)).strftime("%Y-%m-%dT09:00Z")
    sessions.create(producer, film_id, SessionCreate(
        perk_id=perk["perk_id"], title="Tournage : la scène du phare", starts_at=starts_at,
        duration_minutes=480, place="Phare du Créac'h, Ouessant"))
    return 1


# "Le Dernier Tramway" is left just below 50% of its goal, with co-producers of both
# languages, some of them opted out: one more pledge of EUR 10 takes it past 50%, and the
# local outbox (GET /dev/outbox, make outbox) shows one email and one SMS per opted-in
# co-producer, in their language.
MILESTONE_FILM = 1
MILESTONE_FANS = [  # (locale, notify_email, notify_sms)
    ("fr", True, True), ("en", True, True), ("fr", True, False), ("en", False, True),
    ("fr", False, False), ("en", False, False),
]


def seed_near_milestone(film_id: str) -> int:
    from chalicelib.adapters import counters, payments

    card = payments.client().v1.payment_methods.create(params={
        "type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})["id"]
    goal = films.get(film_id, ADMIN)["goal_cents"]
    missing = goal // 2 - 500 - counters.read(counters.film_counter(film_id))["raised_cents"]  # EUR 5 short
    amounts = [missing // len(MILESTONE_FANS) // 100 * 100] * len(MILESTONE_FANS)
    amounts[-1] += missing - sum(amounts)
    paid = 0
    for index, ((locale, email, sms), amount) in enumerate(zip(MILESTONE_FANS, amounts), start=1):
        user = Caller(user_id=f"demo-fan-{index:02d}", email=f"fan{index:02d}@example.org")
        profiles.put(user, Profile(display_name=f"{FIRST_NAMES[index]} (fan {index:02d})", email=user.email,
                                   phone=f"+3362000{index:04d}", locale=locale, notify_email=email, notify_sms=sms))
        _verified(user, f"+3362000{index:04d}")
        pledge, _ = pledges.create(user, film_id, f"demo-seed-{film_id}", amount, card)
        paid += pledge["status"] == "confirmed"
    return paid



# --- Royalties: a year of statements -----------------------------------------------------
# demo-coproducer-yearly co-produced three films funded last January (with demo co-producers
# 002-004); over last year the platform received rights for them every month, corrected
# March (a clawback), and paid the co-producer out twice. GET /me/statements/yearly/<last
# year> (?format=pdf) shows it all.
STATEMENT_USER = Caller(user_id="demo-coproducer-yearly", email="yearly@example.org")
STATEMENT_TAX = {"full_name": "Élise Moreau", "address_lines": ["8 rue des Tanneurs"], "postal_code": "67000",
                 "city": "Strasbourg", "country": "FR"}
# (title, kind, goal in euros, synopsis, the demo co-producer's euros, the others' euros)
STATEMENT_FILMS = [
    ("Les Vendanges tardives", "feature", 600, "Three generations of winemakers and one late harvest.", 150, (450,)),
    ("Le Bal des pompiers", "short", 300, "Bastille Day night, a village fire station and its dance.", 60, (240,)),
    ("Ombres chinoises", "animation", 400, "Shadow puppets tell the story of a travelling theatre.", 80, (320,)),
]
STATEMENT_GOAL_CENTS = sum(goal for _, _, goal, _, _, _ in STATEMENT_FILMS) * 100
STATEMENT_RAISED_CENTS = sum(mine + sum(others) for _, _, _, _, mine, others in STATEMENT_FILMS) * 100
STATEMENT_PAYOUT_DAYS = ((7, 3), (12, 3))  # (month, day) of last year's two payouts


def _month_after(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def seed_statements() -> dict[str, int]:
    """Three films funded last January, twelve months of receipts distributed as the monthly run
    does (film by film: no statement e-mails for past months), a correction and two payouts."""
    from datetime import datetime, timezone

    from chalicelib.adapters import payments
    from chalicelib.adapters.tables import UserRecord
    from chalicelib.schemas import ReceiptCreate, TaxDetails
    from chalicelib.services import campaigns, distributions, payouts, rights

    year = clock.today().year - 1

    def at(y: int, month: int, day: int = 1, hour: int = 4):
        return clock.frozen(datetime(y, month, day, hour, tzinfo=timezone.utc))

    def receipt(film_id: str, period: str, cents: int, reference: str, corrects: str | None = None) -> dict:
        body, _ = rights.record_receipt(ADMIN, film_id, ReceiptCreate(
            period=period, rights_received_cents=cents, reference=reference, corrects=corrects))
        return body

    profiles.put(STATEMENT_USER, Profile(display_name="Élise M.", email=STATEMENT_USER.email, locale="fr",
                                         tax_details=TaxDetails(**STATEMENT_TAX)))
    _verified(STATEMENT_USER, None)
    film_ids = []
    with at(year, 1, 5, 10):
        card = payments.client().v1.payment_methods.create(params={
            "type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})["id"]
        for index, (title, kind, goal, synopsis, mine, others) in enumerate(STATEMENT_FILMS):
            film = films.create(ADMIN, FilmCreate(
                title=title, kind=kind, synopsis=synopsis, goal_cents=goal * 100, min_pledge_cents=1000,
                deadline=clock.today() + timedelta(days=30), producer_id=PRODUCERS[index % len(PRODUCERS)]))
            films.patch(ADMIN, film["film_id"], FilmPatch(status="open"))
            backers = [(STATEMENT_USER, mine), *((coproducer(2 + index + n), euros) for n, euros in enumerate(others))]
            for user, euros in backers:
                pledges.create(user, film["film_id"], f"demo-seed-{film['film_id']}", euros * 100, card)
            campaigns.close_now(ADMIN, film["film_id"])  # the goal is met: funded
            film_ids.append(film["film_id"])
    first, second, third = film_ids
    distributed = 0
    march = None
    for month in range(1, 13):
        period = f"{year}-{month:02d}"
        with at(*_month_after(year, month)):
            work = [(first, 180_000 + 7_919 * month)]
            if month % 3 == 0:
                work.append((second, 45_000 + 1_234 * month))
            if month == 12:
                work.append((third, 99_999))
            for film_id, cents in work:
                made = receipt(film_id, period, cents, f"demo-{period}-{film_id[-6:]}")
                march = made if (film_id, month) == (first, 3) else march
                distributions.distribute_film(film_id, period)
                distributed += 1
            if month == 8:  # March overstated: the correction takes cents back (a clawback)
                receipt(first, f"{year}-03", -60_000, f"demo-{year}-03-correction", corrects=march["receipt_id"])
                distributions.distribute_film(first, f"{year}-03")
        for pay_month, day in STATEMENT_PAYOUT_DAYS:
            if month == pay_month - 1:
                UserRecord(STATEMENT_USER.user_id).update(actions=[UserRecord.stripe_account_id.set("acct_demo_yearly")])
                with at(year, pay_month, day, 9):
                    payouts.pay_balance(STATEMENT_USER.user_id, f"{year}-{pay_month:02d}")
                UserRecord(STATEMENT_USER.user_id).update(actions=[UserRecord.stripe_account_id.remove()])
    return {"statement_films": len(film_ids), "distributions": distributed}
