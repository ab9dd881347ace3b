"""`make run` as a new user sees it: one pledge takes the demo film past 50%, and the local
event pump turns it into one email and one SMS per opted-in co-producer, in their language."""

from __future__ import annotations

import time

import pytest
import requests

from devstack import seed, services
from tests import factories
from tests.e2e.test_local_stack import RunningStack, _token_header

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]  # a seeded start, then the schedules

TITLE = seed.FILMS[seed.MILESTONE_FILM][0]


def test_a_pledge_past_half_the_goal_reaches_the_local_outbox(tmp_path):
    stack = RunningStack(tmp_path / "data", seed=True, log_path=tmp_path / "run.log").wait_ready()
    try:
        film = next(f for f in requests.get(stack.url + "/films?limit=100").json()["items"] if f["title"] == TITLE)
        assert film["percent_funded"] == 49 and film["goal_cents"] - 2 * film["raised_cents"] == 1000
        stripe_url = f"http://127.0.0.1:{stack.ports.stripe}"
        pm = requests.post(stripe_url + "/v1/payment_methods", auth=(services.STRIPE_KEY, ""), data={
            "type": "card", "card[number]": "4242424242424242", "card[exp_month]": "12",
            "card[exp_year]": "2030", "card[cvc]": "123"}).json()["id"]
        headers = {**_token_header(factories.member()), "Idempotency-Key": "past-half"}
        pledge = requests.post(f"{stack.url}/films/{film['film_id']}/pledges", headers=headers,
                               json={"amount_cents": 1000, "payment_method_id": pm})
        assert pledge.json()["status"] == "confirmed", pledge.text

        fans = {f"fan{i:02d}@example.org": spec for i, spec in enumerate(seed.MILESTONE_FANS, start=1)}
        phones = {f"+3362000{i:04d}": spec for i, spec in enumerate(seed.MILESTONE_FANS, start=1)}
        expected_emails = sum(1 for _, email, _ in seed.MILESTONE_FANS if email)
        expected_sms = sum(1 for _, _, sms in seed.MILESTONE_FANS if sms)
        deadline = time.monotonic() + 120  # the pump also works through the seed's own messages
        while True:  # the pump polls every half second
            sent = requests.get(stack.url + "/dev/outbox", params={"q": "50"}).json()
            emails = [m for m in sent["emails"] if m["to"] in fans and TITLE in m["subject"]]
            sms = [m for m in sent["sms"] if m["to"] in phones and TITLE in m["body"]]
            if (len(emails) >= expected_emails and len(sms) >= expected_sms) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert sorted(m["to"] for m in emails) == sorted(a for a, (_, email, _) in fans.items() if email)
        assert sorted(m["to"] for m in sms) == sorted(p for p, (_, _, on) in phones.items() if on)
        for message in emails:
            french = fans[message["to"]][0] == "fr"
            assert message["subject"] == (f"« {TITLE} » a atteint 50 % de son objectif" if french
                                          else f'"{TITLE}" reached 50% of its goal')
        for message in sms:
            assert ("a atteint 50%" if phones[message["to"]][0] == "fr" else "reached 50%") in message["body"]
        milestones = requests.get(f"{stack.url}/films/{film['film_id']}/milestones").json()["items"]
        assert [m["milestone"] for m in milestones if m["kind"] == "funding"] == [25, 50]
    finally:
        stack.stop()
