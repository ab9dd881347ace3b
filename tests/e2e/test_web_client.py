"""The web client in a real browser: Debian's Chromium, driven by playwright-core
(web/e2e/journeys.mjs), against the stack as `make run` starts it (demo data, the built client
on WEB_PORT, the API under /api, localstripe's Stripe.js). Screenshots and axe reports of every
journey are kept in web/test-results/ (gitignored)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import requests

from tests.conftest import ROOT
from tests.e2e.stack import RunningStack

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]  # the seeded start is in the first test

WEB = ROOT / "web"
ARTIFACTS = WEB / "test-results"
JOURNEYS = ("browse", "pledge", "declined", "three_d_secure", "stage_rsvp", "statement", "english", "community")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    assert (WEB / "dist" / "index.html").is_file(), "the web client is not built: `make web` (make test does it)"
    assert shutil.which("chromium"), "Debian's chromium is missing: `make setup` installs it"
    tmp = tmp_path_factory.mktemp("web-stack")
    # Seeding the demo data (400 co-producers paid through localstripe) takes minutes on a busy machine.
    running = RunningStack(tmp / "data", seed=True, log_path=tmp / "run.log")
    try:  # stopped even when it never gets ready
        yield running.wait_ready(timeout=600)
    finally:
        running.stop()


def test_the_client_and_the_api_share_one_origin(stack):
    page = requests.get(stack.web_url + "/", timeout=10)
    assert page.status_code == 200 and '<div id="app">' in page.text
    assert requests.get(stack.web_url + "/api/stats", timeout=10).json()["open_films"] >= 15
    config = requests.get(stack.web_url + "/config.json", timeout=10).json()
    assert config == {"api_base": "/api", "auth": "local",
                      "stripe_js": f"http://127.0.0.1:{stack.ports.stripe}/js.stripe.com/v3/"}
    assert requests.get(config["stripe_js"], timeout=10).status_code == 200
    assert f"Web client                 http://127.0.0.1:{stack.ports.web}" in stack.log()


@pytest.mark.parametrize("journey", JOURNEYS)
def test_journey(stack, journey):
    ARTIFACTS.mkdir(exist_ok=True)
    env = {**os.environ, "WEB_URL": stack.web_url, "ARTIFACTS_DIR": str(ARTIFACTS)}
    run = subprocess.run(["node", "e2e/journeys.mjs", journey], cwd=WEB, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0 and f"ok {journey}" in run.stdout, run.stdout + run.stderr
