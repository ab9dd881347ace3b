"""In January, each co-producer credited in the past year is told once that their yearly statement is
ready: one outbox event per (year, co-producer), however often the schedule runs, and an e-mail only to
a verified address."""

from __future__ import annotations

from datetime import datetime, timezone

from chalicelib import clock
from chalicelib.adapters.tables import OutboxRecord
from chalicelib.domain import events
from chalicelib.services import distributions, notifications
from devstack.schedules import LocalContext, scheduled_event
from tests import factories
from tests.integration.royalty_helpers import back, receipt
from tests.integration.test_notifications import coproducer, sent_to

YEAR = 2023  # no other test credits this year


def at(year, month, day=2):
    return clock.frozen(datetime(year, month, day, 9, 0, tzinfo=timezone.utc))


def run_schedule():
    from chalicelib.routes import statements_yearly

    return statements_yearly.announce_yearly_statements(scheduled_event("announce_yearly_statements"),
                                                        LocalContext())


def yearly_events(user_ids):
    found = {}
    for user_id in user_ids:
        record = next(iter(OutboxRecord.query(events.event_id(events.YEARLY_STATEMENT, None, f"{YEAR}#{user_id}"))),
                      None)
        if record is not None:
            found[user_id] = record
    return found


def test_a_january_run_twice_tells_each_coproducer_credited_last_year_once(local_services):
    verified, verified_address, _ = coproducer("fr", email=True, sms=True)
    unverified, unverified_address, _ = coproducer("en", email=True, sms=False, verified=False)
    earlier, earlier_address, _ = coproducer("en", email=True, sms=False)  # credited the year before only
    with at(YEAR - 1, 11, 1):
        film, older_film = (factories.make_film(factories.producer())["film_id"] for _ in range(2))
        back(film, verified.user_id, 5_000)
        back(film, unverified.user_id, 2_500)
        back(older_film, earlier.user_id, 1_000)
    with at(YEAR, 1, 2):  # December of the year before: not this year's statement
        receipt(older_film, f"{YEAR - 1}-12", 10_000)
        distributions.distribute_film(older_film, f"{YEAR - 1}-12")
    for month in (3, 9):
        with at(YEAR, month + 1):
            receipt(film, f"{YEAR}-{month:02d}", 50_000)
            distributions.distribute_film(film, f"{YEAR}-{month:02d}")

    with at(YEAR + 1, 2, 1):  # outside January: nothing
        assert run_schedule()["emitted"] == 0
    assert yearly_events([verified.user_id, unverified.user_id]) == {}
    with at(YEAR + 1, 1, 5):
        first, second = run_schedule(), run_schedule()
    assert first["year"] == YEAR and first["emitted"] >= 2 and first["done"]
    assert second["emitted"] == 0  # the same ids: nothing recorded twice
    told = yearly_events([verified.user_id, unverified.user_id, earlier.user_id])
    assert set(told) == {verified.user_id, unverified.user_id}
    assert told[verified.user_id].data["credited_cents"] > 0

    for record in told.values():  # the notifier, each event delivered twice as SQS may
        event = {"event_id": record.event_id, "event_type": record.event_type, "key": record.key,
                 "film_id": record.film_id, "occurred_at": record.occurred_at, "audience": record.audience,
                 "data": record.data}
        notifications.handle(event)
        notifications.handle(event)
    emails, sms = sent_to()
    ready = [subject for (to, subject), n in emails.items() for _ in range(n)]
    assert sum(n for (to, subject), n in emails.items()
               if to == verified_address and str(YEAR) in subject) == 1
    assert not any(to == unverified_address for to, _ in emails)  # never to an unverified address
    assert not any(to == earlier_address and str(YEAR) in subject for to, subject in emails)
    assert any("2023" in subject for subject in ready)  # read back from the e-mail emulator
