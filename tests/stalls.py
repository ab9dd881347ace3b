"""Fault injection on the real local engines: the app reaches DynamoDB Local and localstripe
through a StallProxy each (devstack/stall_proxy.py), with deadlines lowered through the
settings so that a stall costs a test about a second, not the production figures."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import urlparse

from chalicelib.adapters import clients
from devstack.stall_proxy import StallProxy

# Test deadlines: a stalled DynamoDB call gives up within 2 x 1.5 s (+ <= 1 s backoff), Stripe within
# 2 s; wide enough for DynamoDB Local on a busy machine, short enough for tests of seconds.
LOWERED = {
    "DYNAMODB_CONNECT_TIMEOUT_SECONDS": "0.5", "DYNAMODB_READ_TIMEOUT_SECONDS": "1.5", "DYNAMODB_MAX_ATTEMPTS": "2",
    "STRIPE_CONNECT_TIMEOUT_SECONDS": "0.5", "STRIPE_READ_TIMEOUT_SECONDS": "2", "STRIPE_MAX_NETWORK_RETRIES": "0",
    "RETRY_AFTER_SECONDS": "7",
}
ANSWER_BOUND_SECONDS = 10.0  # the promise: answered well within it (a correctness bound, not a benchmark)


@dataclass
class Stalls:
    dynamodb: StallProxy
    stripe: StallProxy

    def resume(self) -> None:
        self.dynamodb.resume()
        self.stripe.resume()


def _port(url: str) -> int:
    return int(urlparse(url).port or 80)


@contextlib.contextmanager
def proxied(**overrides: str) -> Iterator[Stalls]:
    """The app's DynamoDB and Stripe behind proxies, with LOWERED deadlines (and `overrides`)."""
    env = {"DYNAMODB_ENDPOINT": os.environ["DYNAMODB_ENDPOINT"], "STRIPE_API_BASE": os.environ["STRIPE_API_BASE"]}
    saved = {name: os.environ.get(name) for name in {*env, *LOWERED, *overrides}}
    with StallProxy(_port(env["DYNAMODB_ENDPOINT"])) as dynamodb, StallProxy(_port(env["STRIPE_API_BASE"])) as stripe:
        os.environ.update({**LOWERED, **overrides, "DYNAMODB_ENDPOINT": dynamodb.url, "STRIPE_API_BASE": stripe.url})
        clients.rebuild()
        stalls = Stalls(dynamodb, stripe)
        try:
            yield stalls
        finally:
            stalls.resume()
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            clients.rebuild()
