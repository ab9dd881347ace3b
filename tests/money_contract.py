"""The rules every implementation of the money ports (chalicelib/adapters/money) keeps: run on
the in-memory twin by tests/unit/adapters/test_money_twin.py and on DynamoDB Local by
tests/integration/test_money_dynamodb.py, so that the twin the service tests run on cannot
drift from the real thing.

A subclass provides the `store` fixture and `open_film(store, film_id, closing)`.
"""

from __future__ import annotations

import uuid

import pytest

from chalicelib.adapters.money import ANY, FilmTakes, Held, PledgeIf, Refused, RefundIf, WaitingIf

NOW = "2026-03-01T10:00:00+00:00"
LATER = "2026-03-02T10:00:00+00:00"


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _pledge(store, film_id: str, user_id: str, **extra):
    pledge_id = _id("p")
    fields = dict(film_id=film_id, user_id=user_id, amount_cents=2500, currency="eur", status="pending",
                  request_hash="h", created_at=NOW, updated_at=NOW, created_key=f"{NOW}#{pledge_id}",
                  amount_refunded_cents=0, lease_until=0)
    fields.update(extra)
    return store.pledges.create(pledge_id, **fields)


def _confirm(uow, pledge, *, joins: bool = True, cents: int = 2500, leaves_waiting: str | None = None) -> None:
    """The writes of a confirmed pledge (services/contributions.py confirm)."""
    uow.check_film_takes_money(pledge.film_id)
    uow.update_pledge(pledge.pledge_id, {"status": "confirmed", "confirmed_at": NOW, "lease_until": 0},
                      PledgeIf(statuses=("pending", "requires_action", "failed")))
    uow.move_totals(pledge.film_id, pledge.user_id, cents, NOW, film=Held.joining(joins),
                    platform=Held.joining(joins), film_members=int(joins), platform_members=int(joins),
                    first_confirmed=True, leaves_waiting=leaves_waiting)


class MoneyContract:
    def open_film(self, store, film_id: str, closing: bool = False) -> None:
        raise NotImplementedError

    @pytest.fixture
    def film(self, store):
        film_id = _id("f")
        self.open_film(store, film_id)
        return film_id

    # -- pledges, one item each -----------------------------------------------------------

    def test_a_pledge_id_is_created_once(self, store, film):
        first = _pledge(store, film, "u1")
        assert store.pledges.create(first.pledge_id, film_id=film, user_id="u2", amount_cents=1, status="pending",
                                    request_hash="x", created_at=NOW, updated_at=NOW, created_key="k") is None
        kept = store.pledges.get(first.pledge_id)
        assert (kept.user_id, int(kept.amount_cents), kept.status) == ("u1", 2500, "pending")
        assert store.pledges.get(_id("missing")) is None

    def test_an_update_goes_through_only_when_its_condition_holds(self, store, film):
        pledge = _pledge(store, film, "u1")
        pid = pledge.pledge_id
        assert not store.pledges.update(pid, {"status": "failed"}, PledgeIf(statuses=("confirmed",)))
        assert store.pledges.update(pid, {"payment_intent_id": "pi_1", "client_secret": "s"},
                                    PledgeIf(statuses=("pending",), intent="pi_1", intent_or_none=True))
        assert store.pledges.update(pid, {"updated_at": LATER}, PledgeIf(intent="pi_1", intent_or_none=True))
        assert not store.pledges.update(pid, {"payment_intent_id": "pi_2"}, PledgeIf(intent="pi_2",
                                                                                    intent_or_none=True))
        assert not store.pledges.update(pid, {"status": "canceled"}, PledgeIf(intent=None))
        assert not store.pledges.update(pid, {"status": "canceled"}, PledgeIf(intent="pi_other"))
        assert not store.pledges.update(pid, {"lease_until": 99}, PledgeIf(lease_until=5))
        assert store.pledges.update(pid, {"lease_until": 99}, PledgeIf(statuses=("pending",), lease_until=0))
        assert not store.pledges.update(pid, {"lease_until": 7}, PledgeIf(intent="pi_1", amount_cents=2499))
        assert store.pledges.update(pid, {"updated_at": LATER}, PledgeIf(intent="pi_1", amount_cents=2500))
        owner = (store.pledges.get(pid).film_id, store.pledges.get(pid).user_id)
        assert not store.pledges.update(pid, {"lease_until": 7}, PledgeIf(owner=(owner[0], "someone-else")))
        assert not store.pledges.update(pid, {"lease_until": 7}, PledgeIf(owner=("another-film", owner[1])))
        assert store.pledges.update(pid, {"updated_at": LATER}, PledgeIf(owner=owner))
        assert store.pledges.update(pid, {"status": "canceled", "client_secret": None},
                                    PledgeIf(statuses=("pending",), intent=ANY))
        after = store.pledges.get(pid)
        assert (after.status, after.payment_intent_id, after.client_secret, int(after.lease_until)) == (
            "canceled", "pi_1", None, 99)

    def test_a_pledge_with_a_payment_intent_is_never_removed(self, store, film):
        paid, unpaid = _pledge(store, film, "u1", payment_intent_id="pi_9"), _pledge(store, film, "u1")
        assert not store.pledges.remove_unpaid(paid.pledge_id)
        assert store.pledges.remove_unpaid(unpaid.pledge_id)
        assert store.pledges.get(paid.pledge_id) is not None and store.pledges.get(unpaid.pledge_id) is None

    def test_a_users_pledges_come_newest_first_page_by_page(self, store, film):
        user = _id("u")
        made = [_pledge(store, film, user, created_key=f"2026-03-0{day}#x{day}").pledge_id for day in (1, 2, 3)]
        first = store.pledges.of_user(user, limit=2, last_key=None)
        page = [p.pledge_id for p in first]
        assert page == [made[2], made[1]] and first.last_evaluated_key is not None
        rest = store.pledges.of_user(user, limit=2, last_key=first.last_evaluated_key)
        assert [p.pledge_id for p in rest] == [made[0]] and rest.last_evaluated_key is None

    # -- a unit of work: all its writes or none, refusals named ------------------------

    def test_a_confirmed_pledge_moves_every_total_once(self, store, film):
        pledge = _pledge(store, film, _id("u"))
        user = pledge.user_id
        platform = store.totals.counter("platform")
        with store.unit_of_work() as uow:
            _confirm(uow, pledge)
            uow.commit()
        backing = store.totals.backing(film, user)
        assert (int(backing.confirmed_cents), backing.first_confirmed_at) == (2500, NOW)
        assert int(store.totals.user(user).confirmed_cents) == 2500
        assert store.totals.counter(f"film#{film}")["raised_cents"] == 2500
        assert store.totals.counter(f"film#{film}")["coproducer_count"] == 1
        assert store.totals.counter(f"funding#{film}")["raised_cents"] == 2500
        now = store.totals.counter("platform")
        assert (now["raised_cents"] - platform["raised_cents"], now["coproducers"] - platform["coproducers"]) == (
            2500, 1)
        assert store.pledges.get(pledge.pledge_id).status == "confirmed"
        assert [b.user_id for b in store.totals.backers(film, limit=10, last_key=None)] == [user]
        assert [u.user_id for u in store.totals.users([user])] == [user]

    def test_a_replayed_confirmation_is_refused_by_name_and_writes_nothing(self, store, film):
        pledge = _pledge(store, film, _id("u"))
        with store.unit_of_work() as uow:
            _confirm(uow, pledge)
            uow.commit()
        with store.unit_of_work() as uow:
            _confirm(uow, pledge, joins=False)
            uow.add_event("counted again")
            with pytest.raises(Refused) as refused:
                uow.commit()
            assert refused.value.names == {"pledge"}
            assert list(uow.collect_new_events()) == []  # dropped with the writes
        assert int(store.totals.backing(film, pledge.user_id).confirmed_cents) == 2500
        assert store.totals.counter(f"film#{film}")["raised_cents"] == 2500

    def test_a_refused_pledge_update_hands_the_pledge_back_as_it_was(self, store, film):
        pledge = _pledge(store, film, _id("u"), payment_intent_id="pi_1")
        with store.unit_of_work() as uow:
            _confirm(uow, pledge)
            uow.commit()
        with pytest.raises(Refused) as refused, store.unit_of_work() as uow:
            _confirm(uow, pledge, joins=False)
            uow.commit()
        assert refused.value.names == {"pledge"}
        found = refused.value.items["pledge"]
        assert (found.pledge_id, found.status, found.payment_intent_id, int(found.amount_cents)) == (
            pledge.pledge_id, "confirmed", "pi_1", 2500)
        missing = _id("p")
        with pytest.raises(Refused) as refused, store.unit_of_work() as uow:
            uow.update_pledge(missing, {"status": "confirmed"}, PledgeIf(statuses=("pending",)))
            uow.commit()
        assert refused.value.names == {"pledge"} and "pledge" not in refused.value.items

    def test_a_film_that_no_longer_takes_money_refuses_by_name(self, store):
        film = _id("f")
        self.open_film(store, film, closing=True)
        pledge = _pledge(store, film, _id("u"))
        with store.unit_of_work() as uow:
            _confirm(uow, pledge)
            with pytest.raises(Refused) as refused:
                uow.commit()
        assert refused.value.names == {"film"}
        assert store.pledges.get(pledge.pledge_id).status == "pending"
        assert store.totals.backing(film, pledge.user_id) is None

    def test_a_wrong_guess_of_joining_names_the_backing_and_the_user(self, store, film):
        user = _id("u")
        first, second = _pledge(store, film, user), _pledge(store, film, user)
        with store.unit_of_work() as uow:
            _confirm(uow, first)
            uow.commit()
        with store.unit_of_work() as uow:
            _confirm(uow, second, joins=True)  # they joined already
            with pytest.raises(Refused) as refused:
                uow.commit()
        assert refused.value.names == {"backing", "user"}
        with store.unit_of_work() as uow:
            _confirm(uow, second, joins=False)
            uow.add_event("second counted")
            uow.commit()
            assert list(uow.collect_new_events()) == ["second counted"]
            assert list(uow.collect_new_events()) == []  # handed over once
        assert int(store.totals.backing(film, user).confirmed_cents) == 5000
        assert store.totals.counter(f"film#{film}")["coproducer_count"] == 1

    def test_totals_held_at_a_value_refuse_when_they_moved(self, store, film):
        pledge = _pledge(store, film, _id("u"))
        with store.unit_of_work() as uow:
            _confirm(uow, pledge)
            uow.commit()
        with store.unit_of_work() as uow:
            uow.update_pledge(pledge.pledge_id, {"amount_refunded_cents": 500}, PledgeIf(
                statuses=("confirmed",), refunded_cents=0), history=f"{LATER}#500")
            uow.move_totals(film, pledge.user_id, -500, LATER, film=Held.at(2400), platform=Held.at(2500),
                            film_members=0, platform_members=0)
            with pytest.raises(Refused) as refused:
                uow.commit()
        assert refused.value.names == {"backing"}
        with store.unit_of_work() as uow:
            uow.update_pledge(pledge.pledge_id, {"amount_refunded_cents": 500}, PledgeIf(
                statuses=("confirmed",), refunded_cents=0), history=f"{LATER}#500")
            uow.move_totals(film, pledge.user_id, -500, LATER, film=Held.at(2500), platform=Held.at(2500),
                            film_members=0, platform_members=0)
            uow.commit()
        after = store.pledges.get(pledge.pledge_id)
        assert (int(after.amount_refunded_cents), list(after.refund_history)) == (500, [f"{LATER}#500"])
        assert int(store.totals.user(pledge.user_id).confirmed_cents) == 2000

    def test_a_missing_total_reads_as_zero_only_when_asked(self, store, film):
        user = _id("u")
        with store.unit_of_work() as uow:
            uow.move_totals(film, user, 100, NOW, film=Held.at(0), platform=Held.at(0),
                            film_members=1, platform_members=1)
            with pytest.raises(Refused) as refused:
                uow.commit()
        assert refused.value.names == {"backing", "user"}
        with store.unit_of_work() as uow:
            uow.move_totals(film, user, 100, NOW, film=Held.at(0, missing_is_zero=True),
                            platform=Held.at(0, missing_is_zero=True), film_members=1, platform_members=1)
            uow.commit()
        assert int(store.totals.backing(film, user).confirmed_cents) == 100

    def test_an_entry_is_written_once(self, store, film):
        from chalicelib.adapters.tables import DisputeRecord

        def entry():
            return DisputeRecord(pledge_id="p-entry-" + film, entry_key="dp_1#opened", dispute_id="dp_1",
                                 kind="opened", film_id=film, user_id="u1", disputed_cents=100,
                                 counted_delta_cents=-100, recorded_at=NOW, listed="dispute", listed_key=NOW)

        with store.unit_of_work() as uow:
            uow.add_entry(entry())
            uow.commit()
        with store.unit_of_work() as uow:
            uow.add_entry(entry())
            with pytest.raises(Refused) as refused:
                uow.commit()
        assert refused.value.names == {"entry"}

    # -- a new pledge and the film that takes it: one transaction ------------------------

    def _open_pledge(self, store, film_id: str, pledge_id: str, when: FilmTakes, user_id: str = "u1") -> None:
        new = store.pledges.new(pledge_id, film_id=film_id, user_id=user_id, amount_cents=when.amount_cents,
                                currency="eur", status="pending", request_hash="h", created_at=NOW, updated_at=NOW,
                                created_key=f"{NOW}#{pledge_id}", amount_refunded_cents=0, lease_until=1)
        with store.unit_of_work() as uow:
            uow.check_film_takes_pledge(film_id, when)
            uow.add_pledge(new)
            uow.commit()

    def test_a_new_pledge_is_written_with_its_films_check_once(self, store, film):
        pledge_id = _id("p")
        self._open_pledge(store, film, pledge_id, FilmTakes(amount_cents=1000, today="2026-12-31"))
        with pytest.raises(Refused) as refused:
            self._open_pledge(store, film, pledge_id, FilmTakes(amount_cents=5000, today="2026-03-01"), "u2")
        assert refused.value.names == {"pledge"}
        kept = store.pledges.get(pledge_id)
        assert (kept.user_id, int(kept.amount_cents), kept.status, int(kept.lease_until)) == ("u1", 1000, "pending", 1)

    def test_a_film_that_takes_no_such_pledge_refuses_it_by_name_and_nothing_is_written(self, store, film):
        for film_id, when in ((film, FilmTakes(amount_cents=999, today="2026-03-01")),  # under its minimum
                              (film, FilmTakes(amount_cents=2500, today="2027-01-01")),  # after its deadline
                              (_id("f-missing"), FilmTakes(amount_cents=2500, today="2026-03-01"))):
            pledge_id = _id("p")
            with pytest.raises(Refused) as refused:
                self._open_pledge(store, film_id, pledge_id, when)
            assert refused.value.names == {"film"}
            assert store.pledges.get(pledge_id) is None
        first = _pledge(store, film, "u1")
        with pytest.raises(Refused) as refused:
            self._open_pledge(store, film, first.pledge_id, FilmTakes(amount_cents=999, today="2026-03-01"))
        assert refused.value.names == {"film", "pledge"}

    # -- the pledge limits' hint on the user's record ---------------------------------------

    def _wait(self, store, user, pledge_id, when=None, waiting=None):
        with store.unit_of_work() as uow:
            uow.add_waiting(user, pledge_id, when, waiting)
            uow.commit()

    def test_a_pledge_joins_the_waiting_ones_only_while_the_hint_holds(self, store):
        user, when = _id("u"), WaitingIf(fewer_than=2, declined_before=NOW)
        self._wait(store, user, "p1", when)
        self._wait(store, user, "p1", when)  # the same pledge again: still one
        self._wait(store, user, "p2", when)
        assert store.totals.user(user).waiting_pledges == {"p1", "p2"}
        with pytest.raises(Refused) as refused:
            self._wait(store, user, "p3", when)
        assert refused.value.names == {"limits"}
        store.pledges.left_waiting(user, "p1")
        store.pledges.left_waiting(user, "p1")  # taken out twice: nothing more
        self._wait(store, user, "p3", when)
        assert store.totals.user(user).waiting_pledges == {"p2", "p3"}
        self._wait(store, user, "p4", None, waiting=["p9"])  # written again from the precise check
        assert store.totals.user(user).waiting_pledges == {"p9", "p4"}
        for pledge_id in ("p9", "p4"):
            store.pledges.left_waiting(user, pledge_id)
        assert not store.totals.user(user).waiting_pledges

    def test_a_decline_since_the_look_back_refuses_the_hint_and_a_later_one_stays(self, store):
        user = _id("u")
        self._wait(store, user, "p1")
        store.pledges.note_decline(user, LATER)
        store.pledges.note_decline(user, NOW)  # an earlier decline noted late: the later stays
        assert store.totals.user(user).declined_at == LATER
        with pytest.raises(Refused) as refused:
            self._wait(store, user, "p2", WaitingIf(fewer_than=5, declined_before=LATER))
        assert refused.value.names == {"limits"}
        self._wait(store, user, "p2", WaitingIf(fewer_than=5, declined_before="2026-03-03T00:00:00+00:00"))
        assert store.totals.user(user).waiting_pledges == {"p1", "p2"}

    def test_the_hint_of_a_user_without_a_record_is_not_written_outside_a_pledge(self, store):
        user = _id("u")
        store.pledges.left_waiting(user, "p1")
        store.pledges.note_decline(user, NOW)
        assert store.totals.user(user) is None

    def test_a_confirmed_pledge_leaves_the_waiting_ones_in_the_same_write(self, store, film):
        pledge = _pledge(store, film, _id("u"))
        self._wait(store, pledge.user_id, pledge.pledge_id)
        self._wait(store, pledge.user_id, "other")
        with store.unit_of_work() as uow:
            _confirm(uow, pledge, leaves_waiting=pledge.pledge_id)
            uow.commit()
        assert store.totals.user(pledge.user_id).waiting_pledges == {"other"}
        assert int(store.totals.user(pledge.user_id).confirmed_cents) == 2500

    # -- refunds --------------------------------------------------------------------------

    def _refund(self, store, film, pledge_id, queue_key=None):
        return store.refunds.new(pledge_id, film_id=film, user_id="u1", payment_intent_id="pi_1", amount_cents=2500,
                                 status="pending", reason="campaign_failed", tracked=False, failures=0, attempts=0,
                                 refunded_cents=0, lease_until=0, next_attempt_at=NOW, created_at=NOW,
                                 updated_at=NOW, queue="pending", queue_key=queue_key or f"{NOW}#{pledge_id}")

    def test_a_refund_is_recorded_once(self, store, film):
        pledge_id = _id("p")
        with store.unit_of_work() as uow:
            uow.add_refund(self._refund(store, film, pledge_id))
            uow.commit()
        with store.unit_of_work() as uow:
            uow.add_refund(self._refund(store, film, pledge_id))
            with pytest.raises(Refused) as refused:
                uow.commit()
        assert refused.value.names == {"refund"}
        assert store.refunds.get(pledge_id).status == "pending"

    def test_a_refund_lease_is_taken_once_and_a_succeeded_refund_stays_succeeded(self, store, film):
        pledge_id = _id("p")
        with store.unit_of_work() as uow:
            uow.add_refund(self._refund(store, film, pledge_id))
            uow.commit()
        lease = RefundIf(lease_before=1000, status_not="succeeded")
        assert store.refunds.update(pledge_id, {"lease_until": 1100}, {"attempts": 1}, lease)
        assert not store.refunds.update(pledge_id, {"lease_until": 1100}, {"attempts": 1}, lease)
        with store.unit_of_work() as uow:
            uow.update_refund(pledge_id, {"status": "succeeded", "queue": None, "queue_key": None},
                              RefundIf(status_not="succeeded"))
            uow.commit()
        with store.unit_of_work() as uow:
            uow.update_refund(pledge_id, {"status": "succeeded"}, RefundIf(status_not="succeeded"))
            with pytest.raises(Refused) as refused:
                uow.commit()
        assert refused.value.names == {"refund"}
        record = store.refunds.get(pledge_id)
        assert (record.status, int(record.attempts), record.queue) == ("succeeded", 1, None)

    def test_refunds_due_come_oldest_first_up_to_now(self, store, film):
        queue = "q-" + film
        for day in ("2026-01-01", "2026-01-03", "2026-01-02"):
            pledge_id = _id("p")
            record = self._refund(store, film, pledge_id, f"{day}#{pledge_id}")
            record.queue = queue
            with store.unit_of_work() as uow:
                uow.add_refund(record)
                uow.commit()
        due = [r.queue_key[:10] for r in store.refunds.queued(queue, up_to="2026-01-02~")]
        assert due == ["2026-01-01", "2026-01-02"]

    # -- payouts: the guard, payout records, the retry set ----------------------------------

    def credit(self, store, user_id: str, entry_key: str, cents: int) -> None:
        raise NotImplementedError

    def _payout(self, store, user_id: str, cents: int = 5000, **extra):
        payout_id = _id("pyt")
        fields = dict(user_id=user_id, period="2025-03", amount_cents=cents, status="pending", destination="acct_ok",
                      created_at=NOW, created_key=f"{NOW}#{payout_id}", updated_at=NOW, attempt=1, sent_at=NOW)
        fields.update(extra)
        return store.payouts.new(payout_id, **fields)

    def test_a_payout_is_reserved_once_against_the_guard_it_read(self, store):
        user = _id("u")
        assert store.payouts.guard(user) is None
        first = self._payout(store, user)
        store.payouts.reserve(first, None)
        guard = store.payouts.guard(user)
        assert (int(guard.paid_out_cents), guard.pending_payout) == (5000, first.payout_id)
        with pytest.raises(Refused) as again:
            store.payouts.reserve(first, None)
        assert "payout" in again.value.names
        with pytest.raises(Refused) as pending:  # a new payout never replaces a pending one
            store.payouts.reserve(self._payout(store, user), 5000)
        assert pending.value.names == {"guard"}
        assert store.payouts.record_paid(first, "tr_1", LATER)
        with pytest.raises(Refused) as moved:  # the guard moved since it was read
            store.payouts.reserve(self._payout(store, user), 0)
        assert moved.value.names == {"guard"}
        second = self._payout(store, user, 700)
        store.payouts.reserve(second, 5000)
        guard = store.payouts.guard(user)
        assert (int(guard.paid_out_cents), guard.pending_payout) == (5700, second.payout_id)
        assert [p.payout_id for p in store.payouts.of_user(user)] in (
            [second.payout_id, first.payout_id], [first.payout_id, second.payout_id])
        assert store.payouts.get(first.payout_id).status == "paid"

    def test_a_failed_payout_gives_its_money_back_and_joins_the_retry_set_once(self, store):
        user = _id("u")
        payout = self._payout(store, user)
        store.payouts.reserve(payout, None)
        assert store.payouts.record_failed(payout, "account_closed", LATER, "2026-03-02T11:00:00+00:00")
        assert not store.payouts.record_failed(payout, "account_closed", LATER, None)  # not pending any more
        assert not store.payouts.record_paid(payout, "tr_1", LATER)
        guard = store.payouts.guard(user)
        assert (int(guard.paid_out_cents), guard.pending_payout) == (0, None)
        assert (guard.failed_payout, int(guard.failed_attempts)) == (payout.payout_id, 1)
        failed = store.payouts.get(payout.payout_id)
        assert (failed.status, failed.reason, failed.next_attempt_at) == (
            "failed", "account_closed", "2026-03-02T11:00:00+00:00")
        assert [p.payout_id for p in store.payouts.retry_set() if p.user_id == user] == [payout.payout_id]
        retry = self._payout(store, user, attempt=2, retry_of=payout.payout_id)
        store.payouts.reserve(retry, 0)
        assert store.payouts.record_paid(retry, "tr_2", LATER)
        assert [p.payout_id for p in store.payouts.retry_set() if p.user_id == user] == []
        assert store.payouts.get(payout.payout_id).retried_by == retry.payout_id
        guard = store.payouts.guard(user)
        assert (int(guard.paid_out_cents), guard.pending_payout, guard.failed_payout) == (5000, None, None)

    def test_a_resend_is_claimed_once_and_only_while_pending(self, store):
        user = _id("u")
        payout = self._payout(store, user)
        store.payouts.reserve(payout, None)
        assert not store.payouts.claim_resend(payout.payout_id, None, LATER)
        assert store.payouts.claim_resend(payout.payout_id, NOW, LATER)
        assert not store.payouts.claim_resend(payout.payout_id, NOW, LATER)  # another run claimed it
        assert store.payouts.get(payout.payout_id).sent_at == LATER
        assert store.payouts.record_paid(payout, "tr_1", LATER)
        assert not store.payouts.claim_resend(payout.payout_id, LATER, LATER)

    def test_a_given_up_payout_is_rearmed_once_as_a_new_series(self, store):
        user = _id("u")
        payout = self._payout(store, user, attempt=5)
        store.payouts.reserve(payout, None)
        assert store.payouts.record_failed(payout, "refused", NOW, "2026-03-09T10:00:00+00:00")
        assert not store.payouts.give_up(payout.payout_id, "2026-03-08T10:00:00+00:00", LATER)
        assert store.payouts.give_up(payout.payout_id, "2026-03-09T10:00:00+00:00", LATER)
        given_up = store.payouts.get(payout.payout_id)
        assert (given_up.next_attempt_at, given_up.gave_up_at) == (None, LATER)
        assert not store.payouts.rearm(user, _id("pyt"), LATER)  # not the user's failed payout
        assert store.payouts.rearm(user, payout.payout_id, LATER)
        rearmed, guard = store.payouts.get(payout.payout_id), store.payouts.guard(user)
        assert (rearmed.next_attempt_at, rearmed.gave_up_at) == (LATER, None)
        assert (int(guard.failed_attempts), int(guard.retry_series)) == (0, 1)

    def test_a_balance_sums_the_users_credits_newest_first(self, store):
        user = _id("u")
        for key, cents in (("2025-02#credit#f1#001", 300), ("2025-03#credit#f1#001", 1200),
                           ("2025-01#credit#f2#001", -100)):
            self.credit(store, user, key, cents)
        credits = store.payouts.credits(user)
        assert [c.entry_key[:7] for c in credits] == ["2025-03", "2025-02", "2025-01"]
        assert sum(int(c.amount_cents) for c in credits) == 1400
        assert store.payouts.credits(_id("u")) == []
