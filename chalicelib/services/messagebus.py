"""What happens in one use case that another one acts on, and the bus that hands it over.

A service publishes what happened (`handle(PaymentArrivedLate(...))`) without knowing who
acts on it: the table of what follows each event is `EVENT_HANDLERS` in
`services/handlers.py`, the one place to read "a payment arrived late -> refund it". So
contributions and films do not import refunds, campaigns or perks, which import them.
Handlers run at once, in the caller's flow: an exception reaches the publisher, and a handler
may return what the publisher records in its own transaction (the perks a stage unlocks).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FilmCreated:
    """A film is being created in `write`, the transaction that records it."""

    film_id: str
    now: str
    write: Any


@dataclass(frozen=True)
class StageChanged:
    """A film's production stage moves to `stage` (handlers return the events to record with it)."""

    film: Any
    stage: str


@dataclass(frozen=True)
class CampaignDecided:
    """An admin set an open campaign's outcome (funded or failed): it closes like at its deadline."""

    film_id: str
    outcome: str


@dataclass(frozen=True)
class PledgeCounted:
    """A confirmed pledge was counted in its film's total at `confirmed_at`."""

    film_id: str
    confirmed_at: str


@dataclass(frozen=True)
class PaymentArrivedLate:
    """Money arrived for a pledge whose film no longer takes money: nothing was counted."""

    pledge: Any
    payment_intent_id: str


@dataclass(frozen=True)
class PaidAfterCancel:
    """Money arrived for a pledge canceled meanwhile: nothing was counted."""

    pledge: Any
    payment_intent_id: str


def handle(event: Any) -> list[Any]:
    """Run every handler of `event` (services/handlers.py), in order; their results."""
    table = importlib.import_module("chalicelib.services.handlers").EVENT_HANDLERS
    return [handler(event) for handler in table[type(event)]]


def dispatch(unit_of_work: Any) -> list[Any]:
    """Handle every new event of a unit of work (adapters/money), in the order raised; what
    their handlers returned. Events of a refused commit were dropped with its writes."""
    return [result for event in unit_of_work.collect_new_events() for result in handle(event)]
