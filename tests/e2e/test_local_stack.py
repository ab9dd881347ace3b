"""The stack as `make run` starts it (honcho supervising DynamoDB Local on disk, moto's server,
localstripe and chalice local), on free ports, called over HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from devstack import seed, services
from tests import factories
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e


class RunningStack:
    def __init__(self, data_dir, seed: bool, log_path):
        self.ports = services.Ports.free()
        env = {**os.environ, "PORT": str(self.ports.api), "DYNAMODB_PORT": str(self.ports.dynamodb),
               "EMULATOR_PORT": str(self.ports.emulator), "STRIPE_PORT": str(self.ports.stripe),
               "DATA_DIR": str(data_dir), "SEED": "1" if seed else "0", "PYTHONPATH": str(ROOT)}
        self.log_path = log_path
        self.process = subprocess.Popen([sys.executable, "-m", "devstack.run"], cwd=ROOT, env=env,
                                        stdout=open(log_path, "wb"), stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.url = f"http://127.0.0.1:{self.ports.api}"

    def wait_ready(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                if requests.get(self.url + "/stats", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise AssertionError("the API never answered:\n" + self.log())

    def log(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        """Ctrl-C, as a developer would: every child process must end."""
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise AssertionError("the stack did not stop on Ctrl-C:\n" + self.log())

    def children_alive(self):
        try:
            os.killpg(self.process.pid, 0)
            return True
        except ProcessLookupError:
            return False


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


def test_seeded_stack_and_a_pledge_paid_through_localstripe(tmp_path):
    stack = RunningStack(tmp_path / "data", seed=True, log_path=tmp_path / "run.log").wait_ready()
    try:
        films = requests.get(stack.url + "/films?limit=100").json()["items"]
        assert len(films) == 15
        assert sum(f["goal_cents"] for f in films) == 6_250_000
        kinds = [f["kind"] for f in films]
        assert kinds.count("feature") == 1 and set(kinds) == {"feature", "short", "animation", "documentary"}
        assert all(f["status"] == "open" for f in films)
        stats = requests.get(stack.url + "/stats").json()
        assert stats["films"] == 15 and stats["open_films"] == 15 and stats["goal_cents"] == 6_250_000
        assert stats["coproducers"] == 400 + len(seed.MILESTONE_FANS)
        assert 0.28 <= stats["raised_cents"] / stats["goal_cents"] <= 0.32
        assert sum(f["raised_cents"] for f in films) == stats["raised_cents"]

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
