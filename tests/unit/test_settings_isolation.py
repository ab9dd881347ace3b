"""Settings read under a test's own environment do not outlive the test (tests/conftest.py)."""

from chalice import Chalice
from chalice.test import Client

from chalicelib import config


def test_settings_read_inside_chalices_test_client_are_its_stages():
    app = Chalice(app_name="probe")

    @app.route("/stage")
    def stage():
        return {"stage": config.settings().stage}

    config.settings.cache_clear()
    with Client(app) as client:  # sets the variables of .chalice/config.json's stage "dev"
        assert client.http.get("/stage").json_body == {"stage": "dev"}


def test_the_next_test_reads_the_suites_environment():
    assert config.settings().stage == "local"
    assert config.settings().token_secret
