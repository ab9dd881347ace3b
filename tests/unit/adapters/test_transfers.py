"""Stripe Connect transfers: the payout id is the idempotency key, the transfer group and the
metadata, so a transfer Stripe made can be found again after its key is forgotten."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from chalicelib.adapters import payments, transfers


class FakeTransfersApi:
    def __init__(self):
        self.made: list[dict] = []

    def create(self, *, params, options):
        self.made.append({**params, "idempotency_key": options["idempotency_key"], "id": f"tr_{len(self.made)}"})
        return {"id": self.made[-1]["id"]}

    def list(self, *, params):
        found = [t for t in self.made if t["transfer_group"] == params["transfer_group"]]
        return SimpleNamespace(data=[{"id": t["id"], "metadata": t["metadata"], "reversed": False} for t in found])


@pytest.fixture
def stripe_api(monkeypatch):
    api = FakeTransfersApi()
    monkeypatch.setattr(payments, "client", lambda: SimpleNamespace(v1=SimpleNamespace(transfers=api)))
    return api


def test_a_transfer_is_grouped_by_its_payout_and_found_again(stripe_api):
    stripe = transfers.StripeTransfers()
    assert stripe.find("pyt_202503_abc") is None
    made = stripe.transfer(payout_id="pyt_202503_abc", amount_cents=4000, destination="acct_1")
    assert stripe_api.made[0] | {"id": None} == {
        "amount": 4000, "currency": "eur", "destination": "acct_1", "transfer_group": "pyt_202503_abc",
        "metadata": {"payout_id": "pyt_202503_abc"}, "idempotency_key": "pyt_202503_abc", "id": None}
    assert stripe.find("pyt_202503_abc") == transfers.Transfer(ok=True, transfer_id=made.transfer_id)
    assert stripe.find("pyt_202504_abc") is None
