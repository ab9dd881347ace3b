"""Faults at the Stripe boundary that localstripe cannot play: a call that Stripe carries out
but whose answer never arrives (a timeout once charged), or something that happens while
Stripe is working (a cancel racing the charge).

`after(monkeypatch, "payment_intents.confirm", hook)` wraps the real client: the real call
runs first, then `hook(result)`, which may do anything (cancel the pledge, deliver a webhook)
and may raise (`timeout()`), as a network that lost the answer would.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from chalicelib.adapters import payments
from chalicelib.services import stripe_events
from tests import stripe_helpers


def timeout(_result: Any = None) -> None:
    import stripe

    raise stripe.APIConnectionError("Request timed out (the answer was lost)")


class _Service:
    def __init__(self, real: Any, name: str, hooks: dict[str, Callable[[Any], None]]):
        self._real, self._name, self._hooks = real, name, hooks

    def __getattr__(self, method: str) -> Any:
        attr = getattr(self._real, method)
        hook = self._hooks.get(f"{self._name}.{method}")
        if hook is None:
            return attr

        def call(*args, **kwargs):
            result = attr(*args, **kwargs)
            hook(result)
            return result

        return call


class _V1:
    def __init__(self, real: Any, hooks: dict[str, Callable[[Any], None]]):
        self._real, self._hooks = real, hooks

    def __getattr__(self, service: str) -> Any:
        return _Service(getattr(self._real, service), service, self._hooks)


class FaultyStripe:
    def __init__(self, real: Any, hooks: dict[str, Callable[[Any], None]]):
        self._real, self.v1 = real, _V1(real.v1, hooks)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def after(monkeypatch, hooks: dict[str, Callable[[Any], None]]) -> None:
    """Install hooks run after the real Stripe calls they name ("payment_intents.create")."""
    real = payments.client()
    monkeypatch.setattr(payments, "client", lambda: FaultyStripe(real, hooks))


def once(hook: Callable[[Any], None]) -> Callable[[Any], None]:
    """The hook the first time only (a retry then goes through)."""
    state = {"done": False}

    def run(result: Any) -> None:
        if not state["done"]:
            state["done"] = True
            hook(result)

    return run


def deliver(event_type: str, obj: dict) -> dict:
    """A signed webhook event, straight to the handler (as POST /webhooks/stripe does)."""
    payload = json.dumps(stripe_helpers.event(event_type, obj)).encode()
    return stripe_events.receive(payload, stripe_helpers.sign(payload))
