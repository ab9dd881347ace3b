"""Every outside client is built with the deadlines of the settings; the defaults fit a request."""

from __future__ import annotations

import dataclasses

import pytest

from chalicelib.adapters import channels, clients
from chalicelib.adapters.tables import FilmRecord, connection
from chalicelib.config import Settings, settings


def defaults() -> Settings:
    """The production defaults, whatever this test session's environment says."""
    fields = {f.name: f.default for f in dataclasses.fields(Settings) if f.default is not dataclasses.MISSING}
    return dataclasses.replace(settings(), **fields)


def test_the_defaults_end_a_request_under_10_s_even_with_dynamodb_and_stripe_both_stalled():
    s = defaults()
    assert (s.dynamodb_read_timeout, s.dynamodb_max_attempts, s.stripe_read_timeout) == (1.5, 2, 3.5)
    dynamodb, stripe = clients.worst_case_seconds("dynamodb", s), clients.worst_case_seconds("stripe", s)
    assert dynamodb == 2 * (0.5 + 1.5) + 1  # two attempts and one backoff of at most 1 s
    assert stripe == 1.0 + 3.5
    assert dynamodb + stripe < clients.HTTP_DEADLINE_SECONDS
    for service in ("sns", "ses", "sqs", "ssm"):
        assert clients.worst_case_seconds(service, s) < clients.HTTP_DEADLINE_SECONDS


def test_the_worst_case_grows_with_every_attempt():
    s = dataclasses.replace(defaults(), dynamodb_max_attempts=4, stripe_max_network_retries=2)
    assert clients.worst_case_seconds("dynamodb", s) == 4 * 2.0 + (1 + 2 + 4)
    assert clients.worst_case_seconds("stripe", s) == 3 * 4.5 + (0.5 + 1.0)
    with pytest.raises(ValueError):
        clients.worst_case_seconds("kafka", s)


def test_the_clients_are_built_with_the_settings():
    s = settings()
    for client in (FilmRecord._get_connection().connection.client, connection().client):
        config = client.meta.config
        assert (config.connect_timeout, config.read_timeout) == (s.dynamodb_connect_timeout, s.dynamodb_read_timeout)
        assert config.retries["total_max_attempts"] == s.dynamodb_max_attempts
    sns = channels.client("sns").meta.config
    assert (sns.connect_timeout, sns.read_timeout) == (s.aws_connect_timeout, s.aws_read_timeout)
    assert sns.retries == {"mode": "standard", "total_max_attempts": s.aws_max_attempts}
    options = clients.stripe_options()
    assert options["max_network_retries"] == s.stripe_max_network_retries
    assert options["http_client"]._timeout == (s.stripe_connect_timeout, s.stripe_read_timeout)
