"""What a payment test checks at the end: Stripe's money and the platform's records agree."""

from __future__ import annotations

from chalicelib.adapters import counters, payments
from chalicelib.adapters.tables import PledgeRecord
from tests import stripe_faults, stripe_helpers as stripe


class IntentLog:
    """Every PaymentIntent Stripe created during a test (whether or not the platform heard)."""

    def __init__(self, monkeypatch, hooks: dict | None = None):
        self.ids: list[str] = []
        hooks = dict(hooks or {})
        extra = hooks.pop("payment_intents.create", None)

        def created(result):
            self.ids.append(result["id"])
            if extra is not None:
                extra(result)

        stripe_faults.after(monkeypatch, {"payment_intents.create": created, **hooks})


def kept_cents(intent_ids: list[str], pledge_id: str) -> tuple[bool, int]:
    """(charged at all, cents Stripe still holds) over the pledge's PaymentIntents."""
    charged, kept = False, 0
    for intent_id in intent_ids:
        intent = stripe.intent(intent_id)
        if (intent.get("metadata") or {}).get("pledge_id") != pledge_id or intent["status"] != "succeeded":
            continue
        charged = True
        kept += int(intent["amount"]) - payments.refunded_cents(intent_id)
    return charged, kept


def assert_money_accounted(pledge_id: str, intent_ids: list[str], film_id: str, counted_before: int = 0) -> str:
    """The card is charged iff the pledge ends counted or refunded; what Stripe keeps is what
    the film counts. Returns the pledge's status."""
    pledge = PledgeRecord.get(pledge_id, consistent_read=True)
    charged, kept = kept_cents(intent_ids, pledge_id)
    amount = int(pledge.amount_cents)
    raised = counters.read(counters.film_counter(film_id))["raised_cents"] - counted_before
    if pledge.status == "confirmed":
        assert charged and kept == amount - int(pledge.amount_refunded_cents or 0), (pledge.status, kept)
        assert raised == kept
    elif pledge.status == "refunded":
        assert charged and kept == 0, (pledge.status, kept)
        assert pledge.failure_code or pledge.confirmed_at, "a refund says why"
        assert raised == 0
    else:
        assert not charged, f"{pledge.status} pledge with a charge of {kept} cents"
        assert raised == 0
    return pledge.status
