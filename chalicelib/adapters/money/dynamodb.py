"""The money ports on DynamoDB: the one place that spells their update and condition
expressions, and that turns a refused condition into a named outcome (adapters/conditions.py).

A unit of work is one TransactWriteItems: its writes are staged with a name, and a cancelled
transaction reports the names of the items whose condition failed. DynamoDB orders a
transaction's items condition checks first, then deletes, puts and updates (PynamoDB's
TransactWrite sends them so), which is how a position maps back to its name.
"""

from __future__ import annotations

from typing import Any, Callable

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.condition import size

from chalicelib.adapters import conditions, counters, funding_days
from chalicelib.adapters.money import ports
from chalicelib.adapters.money.ports import ANY, FilmTakes, Held, PledgeIf, Refused, RefundIf, WaitingIf
from chalicelib.adapters.tables import (BackingRecord, CampaignCloseRecord, FilmRecord, LedgerRecord, PayoutRecord,
                                        PledgeRecord, RefundRecord, UserRecord, find, transaction)

KIND_ORDER = {"check": 0, "delete": 1, "put": 2, "update": 3}


def _changes(model: type, changes: dict[str, Any], adds: dict[str, int] | None = None) -> list[Any]:
    actions = [getattr(model, name).remove() if value is None else getattr(model, name).set(value)
               for name, value in changes.items()]
    return actions + [getattr(model, name).add(delta) for name, delta in (adds or {}).items()]


def _all(parts: list[Any]) -> Any:
    condition = None
    for part in parts:
        condition = part if condition is None else condition & part
    return condition


def pledge_condition(when: PledgeIf | None) -> Any:
    if when is None:
        return None
    parts: list[Any] = []
    if when.statuses is not None:
        parts.append(PledgeRecord.status.is_in(*when.statuses))
    if when.intent_or_none:
        parts.append(PledgeRecord.payment_intent_id.does_not_exist() | (PledgeRecord.payment_intent_id == when.intent))
    elif when.intent is None:
        parts.append(PledgeRecord.payment_intent_id.does_not_exist())
    elif when.intent != ANY:
        parts.append(PledgeRecord.payment_intent_id == when.intent)
    if when.lease_until is not None:
        parts.append(PledgeRecord.lease_until == when.lease_until)
    if when.refunded_cents is not None:
        parts.append(PledgeRecord.amount_refunded_cents == when.refunded_cents)
    if when.amount_cents is not None:
        parts.append(PledgeRecord.amount_cents == when.amount_cents)
    if when.owner is not None:
        parts += [PledgeRecord.film_id == when.owner[0], PledgeRecord.user_id == when.owner[1]]
    return _all(parts)


def total_condition(attribute: Any, held: Held) -> Any:
    if held.zero:
        return attribute.does_not_exist() | (attribute == 0)
    if held.positive:
        return attribute > 0
    if held.missing_is_zero and held.exactly == 0:
        return attribute.does_not_exist() | (attribute == 0)
    return attribute == held.exactly


def waiting_condition(when: WaitingIf) -> Any:
    waiting, declined = UserRecord.waiting_pledges, UserRecord.declined_at
    return ((waiting.does_not_exist() | (size(waiting) < when.fewer_than))
            & (declined.does_not_exist() | (declined < when.declined_before)))


def refund_condition(when: RefundIf | None) -> Any:
    if when is None:
        return None
    parts: list[Any] = []
    if when.lease_before is not None:
        parts.append(RefundRecord.lease_until < when.lease_before)
    if when.status is not None:
        parts.append(RefundRecord.status == when.status)
    if when.status_not is not None:
        parts.append(RefundRecord.status != when.status_not)
    return _all(parts)


class Pages(ports.Pages):
    def __init__(self, results: Any):
        self._results = results

    def __iter__(self) -> Any:
        return iter(self._results)

    @property
    def last_evaluated_key(self) -> Any:  # type: ignore[override]
        return self._results.last_evaluated_key


class Pledges(ports.Pledges):
    def get(self, pledge_id: str) -> PledgeRecord | None:
        return find(PledgeRecord, pledge_id)

    def create(self, pledge_id: str, **fields: Any) -> PledgeRecord | None:
        pledge = PledgeRecord(pledge_id, **fields)
        if conditions.written(lambda: pledge.save(condition=PledgeRecord.pledge_id.does_not_exist())):
            return pledge
        return None

    def new(self, pledge_id: str, **fields: Any) -> PledgeRecord:
        return PledgeRecord(pledge_id, **fields)

    def update(self, pledge_id: str, changes: dict[str, Any], when: PledgeIf | None = None) -> bool:
        actions, condition = _changes(PledgeRecord, changes), pledge_condition(when)
        return conditions.written(lambda: PledgeRecord(pledge_id).update(actions=actions, condition=condition))

    def remove_unpaid(self, pledge_id: str) -> bool:
        return conditions.written(lambda: PledgeRecord(pledge_id).delete(
            condition=PledgeRecord.payment_intent_id.does_not_exist()))

    def of_user(self, user_id: str, *, limit: int, last_key: dict[str, Any] | None) -> Pages:
        return Pages(PledgeRecord.by_user.query(user_id, scan_index_forward=False, limit=limit,
                                                last_evaluated_key=last_key))

    def left_waiting(self, user_id: str, pledge_id: str) -> None:
        conditions.written(lambda: UserRecord(user_id).update(
            actions=[UserRecord.waiting_pledges.delete({pledge_id})], condition=UserRecord.user_id.exists()))

    def note_decline(self, user_id: str, at: str) -> None:
        conditions.written(lambda: UserRecord(user_id).update(
            actions=[UserRecord.declined_at.set(at)],
            condition=UserRecord.user_id.exists() & (UserRecord.declined_at.does_not_exist()
                                                     | (UserRecord.declined_at < at))))


class Totals(ports.Totals):
    def backing(self, film_id: str, user_id: str) -> BackingRecord | None:
        return find(BackingRecord, film_id, user_id)

    def user(self, user_id: str) -> UserRecord | None:
        return find(UserRecord, user_id)

    def backers(self, film_id: str, *, limit: int, last_key: dict[str, Any] | None) -> Pages:
        return Pages(BackingRecord.query(film_id, filter_condition=BackingRecord.confirmed_cents > 0,
                                         limit=limit, last_evaluated_key=last_key))

    def users(self, user_ids: list[str]) -> list[UserRecord]:
        return list(UserRecord.batch_get(user_ids))

    def counter(self, counter_id: str) -> dict[str, int]:
        return counters.read(counter_id)


class Refunds(ports.Refunds):
    def get(self, pledge_id: str) -> RefundRecord | None:
        return find(RefundRecord, pledge_id)

    def close_exists(self, film_id: str) -> bool:
        try:
            CampaignCloseRecord.get(film_id, consistent_read=True, attributes_to_get=["film_id"])
            return True
        except DoesNotExist:
            return False

    def new(self, pledge_id: str, **fields: Any) -> RefundRecord:
        return RefundRecord(pledge_id, **fields)

    def update(self, pledge_id: str, changes: dict[str, Any], adds: dict[str, int] | None = None,
               when: RefundIf | None = None) -> bool:
        actions, condition = _changes(RefundRecord, changes, adds), refund_condition(when)
        return conditions.written(lambda: RefundRecord(pledge_id).update(actions=actions, condition=condition))

    def queued(self, queue: str, *, up_to: str | None = None, limit: int | None = None,
               last_key: dict[str, Any] | None = None) -> Pages:
        range_condition = RefundRecord.queue_key <= up_to if up_to is not None else None
        return Pages(RefundRecord.by_queue.query(queue, range_condition, limit=limit, last_evaluated_key=last_key))


def _account(user_id: str) -> str:
    return f"account#{user_id}"


class Payouts(ports.Payouts):
    def credits(self, user_id: str) -> list[LedgerRecord]:
        return list(LedgerRecord.query(user_id, consistent_read=True, scan_index_forward=False))

    def guard(self, user_id: str) -> PayoutRecord | None:
        return find(PayoutRecord, _account(user_id))

    def get(self, payout_id: str) -> PayoutRecord | None:
        return find(PayoutRecord, payout_id)

    def of_user(self, user_id: str) -> list[PayoutRecord]:
        return list(PayoutRecord.by_user.query(user_id, scan_index_forward=False))

    def new(self, payout_id: str, **fields: Any) -> PayoutRecord:
        return PayoutRecord(payout_id, **fields)

    def reserve(self, payout: Any, paid_out: int | None) -> None:
        guard_condition = (PayoutRecord.payout_id.does_not_exist() if paid_out is None
                           else (PayoutRecord.paid_out_cents == paid_out) & PayoutRecord.pending_payout.does_not_exist())
        try:
            with transaction() as write:  # the put is item 0, the guard's update item 1
                write.save(payout, condition=PayoutRecord.payout_id.does_not_exist())
                write.update(PayoutRecord(_account(payout.user_id)), actions=[
                    PayoutRecord.paid_out_cents.add(int(payout.amount_cents)),
                    PayoutRecord.pending_payout.set(payout.payout_id),
                ], condition=guard_condition)
        except TransactWriteError as exc:
            raise Refused(n for i, n in enumerate(("payout", "guard")) if conditions.item_failed(exc, i)) from exc

    def claim_resend(self, payout_id: str, sent_at: str | None, now: str) -> bool:
        condition = (PayoutRecord.status == "pending") & (
            PayoutRecord.sent_at == sent_at if sent_at else PayoutRecord.sent_at.does_not_exist())
        return conditions.written(lambda: PayoutRecord(payout_id).update(
            actions=[PayoutRecord.sent_at.set(now)], condition=condition))

    def _record(self, payout: Any, actions: list[Any], guard: list[Any]) -> bool:
        try:
            with transaction() as write:
                write.update(PayoutRecord(payout.payout_id), actions=actions, condition=PayoutRecord.status == "pending")
                if payout.retry_of and payout.retry_of != payout.payout_id:  # replaced in the retry set
                    write.update(PayoutRecord(payout.retry_of), actions=[
                        PayoutRecord.failed.remove(), PayoutRecord.next_attempt_at.remove(),
                        PayoutRecord.retried_by.set(payout.payout_id)])
                write.update(PayoutRecord(_account(payout.user_id)), actions=[PayoutRecord.pending_payout.remove(),
                                                                              *guard])
        except TransactWriteError:
            return False
        return True

    def record_paid(self, payout: Any, transfer_id: str, now: str) -> bool:
        return self._record(payout, [PayoutRecord.status.set("paid"), PayoutRecord.transfer_id.set(transfer_id),
                                     PayoutRecord.updated_at.set(now)],
                            [PayoutRecord.failed_payout.remove(), PayoutRecord.failed_attempts.remove()])

    def record_failed(self, payout: Any, reason: str, now: str, retry_at: str | None) -> bool:
        return self._record(payout, [
            PayoutRecord.status.set("failed"), PayoutRecord.reason.set(reason),
            PayoutRecord.failed.set("failed"), PayoutRecord.failed_at.set(f"{now}#{payout.payout_id}"),
            PayoutRecord.updated_at.set(now),
            PayoutRecord.next_attempt_at.set(retry_at) if retry_at else PayoutRecord.gave_up_at.set(now),
        ], [PayoutRecord.paid_out_cents.add(-int(payout.amount_cents)),  # back in the balance
            PayoutRecord.failed_payout.set(payout.payout_id), PayoutRecord.failed_attempts.set(int(payout.attempt or 1))])

    def retry_set(self, *, newest_first: bool = False, limit: int | None = None,
                  last_key: dict[str, Any] | None = None) -> Pages:
        return Pages(PayoutRecord.failures.query("failed", scan_index_forward=not newest_first, limit=limit,
                                                 last_evaluated_key=last_key))

    def give_up(self, payout_id: str, next_attempt_at: str, now: str) -> bool:
        return conditions.written(lambda: PayoutRecord(payout_id).update(
            actions=[PayoutRecord.next_attempt_at.remove(), PayoutRecord.gave_up_at.set(now)],
            condition=PayoutRecord.next_attempt_at == next_attempt_at))

    def rearm(self, user_id: str, failed_payout: str, now: str) -> bool:
        try:
            with transaction() as write:
                write.update(PayoutRecord(failed_payout), actions=[
                    PayoutRecord.next_attempt_at.set(now), PayoutRecord.gave_up_at.remove()],
                    condition=PayoutRecord.failed.exists())
                write.update(PayoutRecord(_account(user_id)), actions=[
                    PayoutRecord.failed_attempts.set(0), PayoutRecord.retry_series.add(1)],
                    condition=PayoutRecord.failed_payout == failed_payout)
        except TransactWriteError:
            return False
        return True


class UnitOfWork(ports.UnitOfWork):
    """Staged writes, each (kind, name, how to add it to the TransactWrite)."""

    def __init__(self) -> None:
        super().__init__()
        self._writes: list[tuple[str, str, Callable[[Any], None], Any]] = []

    def _stage(self, kind: str, name: str, add: Callable[[Any], None], returns: Any = None) -> None:
        """`returns`: the model of the item a refused condition hands back (ALL_OLD), if any."""
        self._writes.append((kind, name, add, returns))

    def _staged(self) -> bool:
        return bool(self._writes)

    def _rollback(self) -> None:
        self._writes.clear()

    def _commit(self) -> None:
        writes, self._writes = self._writes, []
        if not writes:
            return
        try:
            with transaction() as write:
                for _, _, add, _ in writes:
                    add(write)
        except TransactWriteError as exc:
            ordered = sorted(writes, key=lambda w: KIND_ORDER[w[0]])  # stable: staging order within a kind
            failed = [i for i in conditions.failed_items(exc) if i < len(ordered)]
            items = {ordered[i][1]: ordered[i][3].from_raw_data(raw) for i, raw in conditions.refused_items(exc).items()
                     if i in failed and ordered[i][3] is not None}
            raise Refused((ordered[i][1] for i in failed), items) from exc

    def check_film_takes_money(self, film_id: str) -> None:
        condition = (FilmRecord.status == "open") & FilmRecord.closing_at.does_not_exist()
        self._stage("check", "film", lambda w: w.condition_check(FilmRecord, film_id, condition=condition))

    def check_film_takes_pledge(self, film_id: str, when: FilmTakes) -> None:
        condition = ((FilmRecord.status == "open") & (FilmRecord.deadline >= when.today)
                     & (FilmRecord.min_pledge_cents <= when.amount_cents))
        self._stage("check", "film", lambda w: w.condition_check(FilmRecord, film_id, condition=condition))

    def add_pledge(self, pledge: Any) -> None:
        self._stage("put", "pledge", lambda w: w.save(pledge, condition=PledgeRecord.pledge_id.does_not_exist()))

    def add_waiting(self, user_id: str, pledge_id: str, when: WaitingIf | None = None,
                    waiting: Any = None) -> None:
        action: Any = (UserRecord.waiting_pledges.add({pledge_id}) if waiting is None
                       else UserRecord.waiting_pledges.set({*waiting, pledge_id}))
        condition = waiting_condition(when) if when is not None else None
        self._stage("update", "limits", lambda w: w.update(UserRecord(user_id), actions=[action], condition=condition))

    def update_pledge(self, pledge_id: str, changes: dict[str, Any], when: PledgeIf,
                      history: str | None = None) -> None:
        actions = _changes(PledgeRecord, changes)
        if history is not None:
            actions.append(PledgeRecord.refund_history.set((PledgeRecord.refund_history | []).append([history])))
        condition = pledge_condition(when)
        self._stage("update", "pledge", lambda w: w.update(PledgeRecord(pledge_id), actions=actions,
                                                            condition=condition, return_values="ALL_OLD"),
                    returns=PledgeRecord)

    def move_totals(self, film_id: str, user_id: str, delta: int, now: str, *, film: Held, platform: Held,
                    film_members: int, platform_members: int, first_confirmed: bool = False,
                    leaves_waiting: str | None = None) -> None:
        backing: list[Any] = [BackingRecord.confirmed_cents.add(delta)]
        if first_confirmed:
            backing.append(BackingRecord.first_confirmed_at.set(BackingRecord.first_confirmed_at | now))
        backing.append(BackingRecord.updated_at.set(now))
        self._stage("update", "backing", lambda w: w.update(
            BackingRecord(film_id, user_id), actions=backing,
            condition=total_condition(BackingRecord.confirmed_cents, film)))
        user: list[Any] = [UserRecord.confirmed_cents.add(delta)]
        if leaves_waiting is not None:
            user.append(UserRecord.waiting_pledges.delete({leaves_waiting}))
        self._stage("update", "user", lambda w: w.update(
            UserRecord(user_id), actions=user, condition=total_condition(UserRecord.confirmed_cents, platform)))
        if delta or film_members:
            self._stage("update", "film counter", lambda w: counters.add_in(
                w, counters.film_counter(film_id), raised_cents=delta, coproducer_count=film_members))
            self._stage("update", "funding day", lambda w: funding_days.add_in(
                w, film_id, now, delta, film_members))
        if delta or platform_members:
            self._stage("update", "platform counter", lambda w: counters.add_in(
                w, counters.PLATFORM, raised_cents=delta, coproducers=platform_members))

    def add_entry(self, entry: Any) -> None:
        model = type(entry)
        condition = getattr(model, model._hash_keyname).does_not_exist()
        self._stage("put", "entry", lambda w: w.save(entry, condition=condition))

    def add_refund(self, record: Any) -> None:
        self._stage("put", "refund", lambda w: w.save(record, condition=RefundRecord.pledge_id.does_not_exist()))

    def update_refund(self, pledge_id: str, changes: dict[str, Any], when: RefundIf | None = None,
                      adds: dict[str, int] | None = None) -> None:
        actions, condition = _changes(RefundRecord, changes, adds), refund_condition(when)
        self._stage("update", "refund", lambda w: w.update(RefundRecord(pledge_id), actions=actions,
                                                            condition=condition))

    def count_on_close(self, film_id: str, *, outstanding: int, refunded: int = 0) -> None:
        adds = {name: delta for name, delta in (("outstanding", outstanding), ("refunded_pledges", refunded))
                if delta}
        self._stage("update", "close", lambda w: w.update(CampaignCloseRecord(film_id),
                                                           actions=_changes(CampaignCloseRecord, {}, adds)))


class Store(ports.Store):
    def __init__(self) -> None:
        self.pledges = Pledges()
        self.totals = Totals()
        self.refunds = Refunds()
        self.payouts = Payouts()

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork()
