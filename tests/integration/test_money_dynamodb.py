"""The money ports on DynamoDB Local keep the contract the in-memory twin keeps
(tests/money_contract.py): same conditions, same named refusals."""

from __future__ import annotations

import pytest

from chalicelib.adapters.money import dynamodb
from chalicelib.adapters.tables import FilmRecord, LedgerRecord
from tests.money_contract import NOW, MoneyContract


class TestMoneyOnDynamoDB(MoneyContract):
    @pytest.fixture
    def store(self):
        return dynamodb.Store()

    def open_film(self, store, film_id, closing=False):
        FilmRecord(film_id, title="Contract", kind="feature", status="open", stage="development", goal_cents=100000,
                   min_pledge_cents=1000, deadline="2026-12-31", created_at=NOW, updated_at=NOW,
                   status_key=f"{NOW}#{film_id}", closing_at=NOW if closing else None).save()

    def credit(self, store, user_id, entry_key, cents):
        period, _, film_id, batch = entry_key.split("#")
        LedgerRecord(user_id, entry_key, kind="credit", period=period, film_id=film_id,
                     film_entry=f"{period}#{batch}#{user_id}", batch=int(batch), amount_cents=cents,
                     your_confirmed_cents=1000, created_at=NOW).save()
