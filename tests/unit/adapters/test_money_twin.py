"""The in-memory twin of the money ports keeps their contract (tests/money_contract.py), and
plays a transaction lost to a concurrent one."""

from __future__ import annotations

import pytest

from chalicelib.adapters.money import Refused, memory
from tests.money_contract import MoneyContract, _confirm, _pledge


class TestMoneyTwin(MoneyContract):
    @pytest.fixture
    def store(self):
        return memory.Store()

    def open_film(self, store, film_id, closing=False):
        store.put_film(film_id, closing_at="2026-03-01T00:00:00+00:00" if closing else None)

    def credit(self, store, user_id, entry_key, cents):
        store.credit(user_id, entry_key, cents)


def test_a_commit_lost_to_a_concurrent_transaction_is_refused_without_a_name():
    store = memory.Store()
    store.put_film("f1")
    pledge = _pledge(store, "f1", "u1")
    store.contend(1)
    with store.unit_of_work() as uow:
        _confirm(uow, pledge)
        with pytest.raises(Refused) as refused:
            uow.commit()
    assert refused.value.names == frozenset()
    with store.unit_of_work() as uow:
        _confirm(uow, pledge)
        uow.commit()
    assert store.counter("film#f1")["raised_cents"] == 2500
