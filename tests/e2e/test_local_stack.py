"""The stack as `make run` starts it (honcho supervising DynamoDB Local on disk, moto's server,
localstripe and chalice local), on free ports, called over HTTP."""

from __future__ import annotations

import time

import pytest
import requests

from chalicelib.auth import Caller
from devstack import seed, seed_community, services
from tests import factories
from tests.e2e.stack import RunningStack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]  # a seeded start, then the schedules


def _token_header(caller):
    return {"Authorization": f"Bearer {factories.token(caller)}"}


def test_empty_stack_serves_keeps_data_and_stops(tmp_path):
    data_dir = tmp_path / "data"
    stack = RunningStack(data_dir, seed=False, log_path=tmp_path / "run1.log").wait_ready()
    try:
        log = stack.log()
        for port in (stack.ports.dynamodb, stack.ports.emulator, stack.ports.stripe, stack.ports.api):
            assert f"127.0.0.1:{port}" in log
        assert "LOCAL_JWT_SECRET" in log
        assert requests.get(stack.url + "/films").json() == {"items": [], "next": None}
        admin = factories.admin()
        created = requests.post(stack.url + "/films", json=factories.film_body(title="Persisté"),
                                headers=_token_header(admin))
        assert created.status_code == 201, created.text
        film_id = created.json()["film_id"]
        opened = requests.patch(f"{stack.url}/films/{film_id}", json={"status": "open"}, headers=_token_header(admin))
        assert opened.status_code == 200, opened.text
        bad = requests.post(stack.url + "/films", data="{", headers=_token_header(admin))
        assert bad.status_code == 400 and bad.json()["error"]["field"] == "body"
        assert requests.get(stack.url + "/me").json()["error"]["code"] == "missing_token"
    finally:
        stack.stop()
    time.sleep(1)
    assert not stack.children_alive(), "a child process survived Ctrl-C"

    # A second run on the same data directory keeps the film and does not seed over it.
    again = RunningStack(data_dir, seed=True, log_path=tmp_path / "run2.log").wait_ready()
    try:
        films = requests.get(again.url + "/films").json()["items"]
        assert [f["film_id"] for f in films] == [film_id]
        assert requests.get(again.url + "/stats").json()["films"] == 1
    finally:
        again.stop()


def _wait_for_the_ended_film_to_fail(stack, timeout=180):
    """`make run`'s scheduler closes the demo campaign that ended short of its goal."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        failed = requests.get(stack.url + "/films?status=failed").json()["items"]
        if failed and failed[0]["raised_cents"] == 0:
            assert [f["title"] for f in failed] == ["La Dernière Séance"] and failed[0]["closed_at"]
            return failed[0]
        time.sleep(1)
    raise AssertionError("the ended demo campaign was never closed:\n" + stack.log())


def test_seeded_stack_and_a_pledge_paid_through_localstripe(tmp_path):
    stack = RunningStack(tmp_path / "data", seed=True, log_path=tmp_path / "run.log").wait_ready()
    try:
        ended = _wait_for_the_ended_film_to_fail(stack)
        statement_titles = {title for title, *_ in seed.STATEMENT_FILMS}  # funded last January
        films = [f for f in requests.get(stack.url + "/films?limit=100").json()["items"]
                 if f["film_id"] != ended["film_id"] and f["title"] not in statement_titles]
        assert len(films) == 15
        assert sum(f["goal_cents"] for f in films) == 6_250_000
        kinds = [f["kind"] for f in films]
        assert kinds.count("feature") == 1 and set(kinds) == {"feature", "short", "animation", "documentary"}
        assert all(f["status"] == "open" for f in films)
        stats = requests.get(stack.url + "/stats").json()
        assert stats["films"] == 16 + len(seed.STATEMENT_FILMS) and stats["open_films"] == 15
        assert stats["goal_cents"] == 6_400_000 + seed.STATEMENT_GOAL_CENTS
        # + the yearly statements' co-producer, + the friends who pledged through share links
        assert stats["coproducers"] == 400 + len(seed.MILESTONE_FANS) + 1 + len(seed_community.FRIENDS)
        raised = stats["raised_cents"] - seed.STATEMENT_RAISED_CENTS
        assert 0.28 <= raised / 6_250_000 <= 0.32
        assert sum(f["raised_cents"] for f in films) == raised
        # The ended campaign's co-producers got their money back, once each, through localstripe.
        refunds = requests.get(f"http://127.0.0.1:{stack.ports.stripe}/v1/refunds?limit=100",
                               auth=(services.STRIPE_KEY, "")).json()["data"]
        refunded = [r["metadata"]["pledge_id"] for r in refunds if r["metadata"].get("film_id") == ended["film_id"]]
        assert len(refunded) == len(set(refunded)) == 6
        first = Caller(user_id="demo-coproducer-001", email="coproducer001@example.org")
        mine = requests.get(stack.url + "/me/pledges?limit=100", headers=_token_header(first)).json()["items"]
        assert [p["status"] for p in mine if p["film_id"] == ended["film_id"]] == ["refunded"]

        # Pay for a pledge, retry the request, and let localstripe's webhook arrive too.
        stripe_url = f"http://127.0.0.1:{stack.ports.stripe}"
        pm = requests.post(stripe_url + "/v1/payment_methods", auth=(services.STRIPE_KEY, ""), data={
            "type": "card", "card[number]": "4242424242424242", "card[exp_month]": "12",
            "card[exp_year]": "2030", "card[cvc]": "123"}).json()["id"]
        film = films[0]
        headers = {**_token_header(factories.member()), "Idempotency-Key": "e2e-pledge-1"}
        body = {"amount_cents": 5000, "payment_method_id": pm}
        first = requests.post(f"{stack.url}/films/{film['film_id']}/pledges", json=body, headers=headers)
        retry = requests.post(f"{stack.url}/films/{film['film_id']}/pledges", json=body, headers=headers)
        assert first.status_code == 201 and first.json()["status"] == "confirmed", first.text
        assert retry.json() == first.json()
        deadline = time.monotonic() + 15
        delivered = '"POST /webhooks/stripe HTTP/1.1" 200'
        while delivered not in stack.log() and time.monotonic() < deadline:
            time.sleep(0.3)
        assert delivered in stack.log()  # localstripe's webhook reached the API
        after = requests.get(stack.url + "/stats").json()
        assert after["raised_cents"] == stats["raised_cents"] + 5000
        assert after["coproducers"] == stats["coproducers"] + 1
        film_after = requests.get(f"{stack.url}/films/{film['film_id']}").json()
        assert film_after["raised_cents"] == film["raised_cents"] + 5000
    finally:
        stack.stop()
