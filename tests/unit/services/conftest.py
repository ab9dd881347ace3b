"""The money services run on the in-memory twin of their storage (adapters/money/memory.py),
with Stripe's side played by a fake that remembers what it refunded, and the clock frozen.
Nothing reaches DynamoDB: a request to it fails the test."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chalicelib import clock
from chalicelib.adapters import money, payments
from chalicelib.adapters.money import memory
from chalicelib.services import contributions, disputes, handlers, messagebus

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
FILM = "film-1"


class FakeStripe:
    """Stripe's refunds: what each PaymentIntent had refunded, every Refund created."""

    def __init__(self) -> None:
        self.refunded: dict[str, int] = {}
        self.created: list[tuple[str, int, str]] = []
        self.rejections: list[tuple[str, str]] = []
        self.canceled: list[str] = []
        self.disputed: set[str] = set()  # pledges whose charge a dispute holds

    def refunded_cents(self, payment_intent_id: str) -> int:
        return self.refunded.get(payment_intent_id, 0)

    def create_refund(self, *, payment_intent_id: str, amount_cents: int, metadata: dict[str, str],
                      idempotency_key: str) -> str:
        if self.rejections:
            raise payments.RefundRejected(*self.rejections.pop(0))
        self.created.append((payment_intent_id, amount_cents, idempotency_key))
        self.refunded[payment_intent_id] = self.refunded.get(payment_intent_id, 0) + amount_cents
        return f"re_{len(self.created)}"

    def cancel_intent(self, payment_intent_id: str) -> payments.Intent:
        self.canceled.append(payment_intent_id)
        return payments.Intent(payment_intent_id, "canceled", None)


@pytest.fixture(autouse=True)
def no_dynamodb(monkeypatch):
    from pynamodb.connection.base import Connection

    def refuse(*args, **kwargs):
        raise AssertionError("a unit test of a service reached DynamoDB")

    monkeypatch.setattr(Connection, "_make_api_call", refuse)


@pytest.fixture
def store():
    twin = memory.Store()
    twin.put_film(FILM)
    money.use(twin)
    with clock.frozen(T0):
        yield twin
    money.use(None)


@pytest.fixture
def stripe(monkeypatch):
    fake = FakeStripe()
    for name in ("refunded_cents", "create_refund", "cancel_intent"):
        monkeypatch.setattr(payments, name, getattr(fake, name))
    monkeypatch.setattr(disputes, "holds", lambda pledge_id: pledge_id in fake.disputed)
    return fake


@pytest.fixture
def goals(monkeypatch):
    """The counted pledges handed over to what follows them (film, confirmed_at): the
    PledgeCounted events dispatched (services/handlers.py)."""
    checked: list[tuple[str, str]] = []
    monkeypatch.setitem(handlers.EVENT_HANDLERS, messagebus.PledgeCounted,
                        [lambda e: checked.append((e.film_id, e.confirmed_at))])
    return checked


@pytest.fixture
def pauses(monkeypatch):
    """The attempts the money services paused after (retry.pause, never a real sleep)."""
    attempts: list[int] = []
    monkeypatch.setattr(contributions, "pause", lambda attempt, base, cap: attempts.append(attempt))
    return attempts


def pledge(store, pledge_id="p1", *, user_id="u1", film_id=FILM, amount_cents=2500, status="pending",
           payment_intent_id="pi_1"):
    """A pledge as services/pledges.py records it before Stripe answers."""
    now = clock.iso()
    return store.pledges.create(
        pledge_id, film_id=film_id, user_id=user_id, amount_cents=amount_cents, currency="eur", status=status,
        request_hash="h", created_at=now, updated_at=now, created_key=f"{now}#{pledge_id}",
        amount_refunded_cents=0, lease_until=0, unsettled="1", unsettled_key=f"{now}#{pledge_id}",
        payment_intent_id=payment_intent_id)
