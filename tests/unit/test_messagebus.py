"""The table of what follows each event: every event has its consequence, and handle() runs it."""

from __future__ import annotations

import dataclasses
import inspect

from chalicelib.services import campaigns, handlers, messagebus, refunds


def _events() -> set[type]:
    return {cls for _, cls in inspect.getmembers(messagebus, inspect.isclass)
            if dataclasses.is_dataclass(cls) and cls.__module__ == messagebus.__name__}


def test_every_event_has_what_follows_it():
    assert {messagebus.PaymentArrivedLate, messagebus.StageChanged} <= _events()
    assert set(handlers.EVENT_HANDLERS) == _events()
    assert all(handlers.EVENT_HANDLERS[event] for event in _events())


def test_a_payment_that_arrived_late_is_refunded(monkeypatch):
    calls = []
    monkeypatch.setattr(refunds, "refund_late", lambda pledge, intent: calls.append((pledge, intent)) or "re_1")
    assert messagebus.handle(messagebus.PaymentArrivedLate("pledge", "pi_1")) == ["re_1"]
    assert calls == [("pledge", "pi_1")]


def test_an_admin_verdict_closes_the_campaign_within_the_admin_budget(monkeypatch):
    calls = []
    monkeypatch.setattr(campaigns, "close", lambda film_id, budget, outcome: calls.append((film_id, outcome, budget)))
    messagebus.handle(messagebus.CampaignDecided("f1", "failed"))
    assert [(f, o) for f, o, _ in calls] == [("f1", "failed")]
    assert isinstance(calls[0][2], campaigns.Budget)
