"""The money ports in memory: the same outcomes as DynamoDB's (conditions included), for the
unit tests of the money services. Writes of a unit of work apply together or not at all, their
conditions read before any of them applies, as in a DynamoDB transaction.

`contend(n)` makes the next n commits lose to a concurrent transaction (Refused with no name).
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Iterator

from chalicelib.adapters.money import ports
from chalicelib.adapters.money.ports import ANY, FilmTakes, Held, PledgeIf, Refused, RefundIf, WaitingIf
from chalicelib.adapters.tables import (BackingRecord, CampaignCloseRecord, FilmRecord, LedgerRecord, PayoutRecord,
                                        PledgeRecord, RefundRecord, UserRecord)
from chalicelib.adapters.counters import FIELDS
from chalicelib.domain import funding


def _copy(record: Any) -> Any:
    return copy.deepcopy(record)


def _apply(record: Any, changes: dict[str, Any], adds: dict[str, int] | None = None) -> None:
    for name, value in changes.items():
        setattr(record, name, value)
    for name, delta in (adds or {}).items():
        setattr(record, name, int(getattr(record, name) or 0) + delta)


def pledge_holds(pledge: Any | None, when: PledgeIf | None) -> bool:
    if when is None:
        return True
    status = getattr(pledge, "status", None)
    intent = getattr(pledge, "payment_intent_id", None)
    if when.statuses is not None and status not in when.statuses:
        return False
    if when.intent_or_none:
        if intent is not None and intent != when.intent:
            return False
    elif when.intent is None:
        if intent is not None:
            return False
    elif when.intent != ANY and intent != when.intent:
        return False
    if when.lease_until is not None and getattr(pledge, "lease_until", None) != when.lease_until:
        return False
    if when.refunded_cents is not None and getattr(pledge, "amount_refunded_cents", None) != when.refunded_cents:
        return False
    if when.amount_cents is not None and getattr(pledge, "amount_cents", None) != when.amount_cents:
        return False
    if when.owner is not None and (getattr(pledge, "film_id", None), getattr(pledge, "user_id", None)) != when.owner:
        return False
    return True


def refund_holds(record: Any | None, when: RefundIf | None) -> bool:
    if when is None:
        return True
    if record is None:
        return False
    if when.lease_before is not None and not (record.lease_until is not None and record.lease_until < when.lease_before):
        return False
    if when.status is not None and record.status != when.status:
        return False
    return when.status_not is None or record.status != when.status_not


class Pages(ports.Pages):
    """A query's page: the items after `last_key`, `limit` of them; the key of the last item
    read while more remain (DynamoDB's LastEvaluatedKey as PynamoDB reports it)."""

    def __init__(self, items: list[Any], key: Callable[[Any], dict[str, Any]], limit: int | None,
                 last_key: dict[str, Any] | None):
        if last_key is not None:
            keys = [key(item) for item in items]
            items = items[keys.index(last_key) + 1:] if last_key in keys else []
        self._more = limit is not None and len(items) > limit
        self._items = items[:limit] if limit is not None else items
        self._key = key
        self.last_evaluated_key: dict[str, Any] | None = None

    def __iter__(self) -> Iterator[Any]:
        for i, item in enumerate(self._items):
            last = i == len(self._items) - 1
            self.last_evaluated_key = self._key(item) if (not last or self._more) else None
            yield _copy(item)


class State:
    def __init__(self) -> None:
        self.films: dict[str, FilmRecord] = {}
        self.pledges: dict[str, PledgeRecord] = {}
        self.backings: dict[tuple[str, str], BackingRecord] = {}
        self.users: dict[str, UserRecord] = {}
        self.counters: dict[str, dict[str, int]] = {}
        self.days: dict[tuple[str, str], dict[str, int]] = {}
        self.entries: dict[tuple[Any, ...], Any] = {}
        self.refunds: dict[str, RefundRecord] = {}
        self.closes: dict[str, CampaignCloseRecord] = {}
        self.credits: dict[tuple[str, str], LedgerRecord] = {}
        self.payouts: dict[str, PayoutRecord] = {}  # payouts and guards (account#<user_id>)
        self.conflicts = 0
        self.commits = 0


class Pledges(ports.Pledges):
    def __init__(self, state: State):
        self._s = state

    def get(self, pledge_id: str) -> PledgeRecord | None:
        return _copy(self._s.pledges.get(pledge_id))

    def create(self, pledge_id: str, **fields: Any) -> PledgeRecord | None:
        if pledge_id in self._s.pledges:
            return None
        pledge = PledgeRecord(pledge_id, **fields)
        self._s.pledges[pledge_id] = _copy(pledge)
        return pledge

    def new(self, pledge_id: str, **fields: Any) -> PledgeRecord:
        return PledgeRecord(pledge_id, **fields)

    def update(self, pledge_id: str, changes: dict[str, Any], when: PledgeIf | None = None) -> bool:
        current = self._s.pledges.get(pledge_id)
        if not pledge_holds(current, when):
            return False
        if current is None:  # an update without a condition writes the item (as DynamoDB does)
            current = self._s.pledges[pledge_id] = PledgeRecord(pledge_id)
        _apply(current, changes)
        return True

    def remove_unpaid(self, pledge_id: str) -> bool:
        current = self._s.pledges.get(pledge_id)
        if current is not None and current.payment_intent_id is not None:
            return False
        self._s.pledges.pop(pledge_id, None)
        return True

    def of_user(self, user_id: str, *, limit: int, last_key: dict[str, Any] | None) -> Pages:
        mine = sorted((p for p in self._s.pledges.values() if p.user_id == user_id),
                      key=lambda p: p.created_key, reverse=True)
        return Pages(mine, lambda p: {"pledge_id": p.pledge_id, "user_id": p.user_id, "created_key": p.created_key},
                     limit, last_key)

    def left_waiting(self, user_id: str, pledge_id: str) -> None:
        user = self._s.users.get(user_id)
        if user is not None:
            user.waiting_pledges = (user.waiting_pledges or set()) - {pledge_id} or None

    def note_decline(self, user_id: str, at: str) -> None:
        user = self._s.users.get(user_id)
        if user is not None and (user.declined_at is None or user.declined_at < at):
            user.declined_at = at


class Totals(ports.Totals):
    def __init__(self, state: State):
        self._s = state

    def backing(self, film_id: str, user_id: str) -> BackingRecord | None:
        return _copy(self._s.backings.get((film_id, user_id)))

    def user(self, user_id: str) -> UserRecord | None:
        return _copy(self._s.users.get(user_id))

    def backers(self, film_id: str, *, limit: int, last_key: dict[str, Any] | None) -> Pages:
        held = sorted((b for (f, _), b in self._s.backings.items() if f == film_id and (b.confirmed_cents or 0) > 0),
                      key=lambda b: b.user_id)
        return Pages(held, lambda b: {"film_id": b.film_id, "user_id": b.user_id}, limit, last_key)

    def users(self, user_ids: list[str]) -> list[UserRecord]:
        return [_copy(self._s.users[u]) for u in dict.fromkeys(user_ids) if u in self._s.users]

    def counter(self, counter_id: str) -> dict[str, int]:
        totals = dict.fromkeys(FIELDS, 0)
        for name, value in self._s.counters.get(counter_id, {}).items():
            totals[name] += value
        return totals


class Refunds(ports.Refunds):
    def __init__(self, state: State):
        self._s = state

    def get(self, pledge_id: str) -> RefundRecord | None:
        return _copy(self._s.refunds.get(pledge_id))

    def close_exists(self, film_id: str) -> bool:
        return film_id in self._s.closes

    def new(self, pledge_id: str, **fields: Any) -> RefundRecord:
        return RefundRecord(pledge_id, **fields)

    def update(self, pledge_id: str, changes: dict[str, Any], adds: dict[str, int] | None = None,
               when: RefundIf | None = None) -> bool:
        current = self._s.refunds.get(pledge_id)
        if not refund_holds(current, when):
            return False
        if current is None:
            current = self._s.refunds[pledge_id] = RefundRecord(pledge_id)
        _apply(current, changes, adds)
        return True

    def queued(self, queue: str, *, up_to: str | None = None, limit: int | None = None,
               last_key: dict[str, Any] | None = None) -> Pages:
        listed = sorted((r for r in self._s.refunds.values()
                         if r.queue == queue and (up_to is None or r.queue_key <= up_to)), key=lambda r: r.queue_key)
        return Pages(listed, lambda r: {"pledge_id": r.pledge_id, "queue": r.queue, "queue_key": r.queue_key},
                     limit, last_key)


def _account(user_id: str) -> str:
    return f"account#{user_id}"


class Payouts(ports.Payouts):
    def __init__(self, state: State):
        self._s = state

    def credits(self, user_id: str) -> list[LedgerRecord]:
        return [_copy(c) for (u, key), c in sorted(self._s.credits.items(), reverse=True) if u == user_id]

    def guard(self, user_id: str) -> PayoutRecord | None:
        return self.get(_account(user_id))

    def get(self, payout_id: str) -> PayoutRecord | None:
        return _copy(self._s.payouts.get(payout_id))

    def of_user(self, user_id: str) -> list[PayoutRecord]:
        mine = [p for p in self._s.payouts.values() if p.user_id == user_id and p.created_key]
        return [_copy(p) for p in sorted(mine, key=lambda p: p.created_key, reverse=True)]

    def new(self, payout_id: str, **fields: Any) -> PayoutRecord:
        return PayoutRecord(payout_id, **fields)

    def _contended(self) -> bool:
        if self._s.conflicts:
            self._s.conflicts -= 1
            return True
        return False

    def reserve(self, payout: Any, paid_out: int | None) -> None:
        guard = self._s.payouts.get(_account(payout.user_id))
        refused = set()
        if payout.payout_id in self._s.payouts:
            refused.add("payout")
        if paid_out is None:
            guard_holds = guard is None
        else:
            guard_holds = (guard is not None and guard.paid_out_cents is not None
                           and int(guard.paid_out_cents) == paid_out and guard.pending_payout is None)
        if not guard_holds:
            refused.add("guard")
        if refused or self._contended():
            raise Refused(refused)
        self._s.payouts[payout.payout_id] = _copy(payout)
        guard = guard or PayoutRecord(_account(payout.user_id))
        _apply(guard, {"pending_payout": payout.payout_id}, {"paid_out_cents": int(payout.amount_cents)})
        self._s.payouts[guard.payout_id] = guard

    def claim_resend(self, payout_id: str, sent_at: str | None, now: str) -> bool:
        current = self._s.payouts.get(payout_id)
        if current is None or current.status != "pending" or current.sent_at != sent_at:
            return False
        current.sent_at = now
        return True

    def _record(self, payout: Any, changes: dict[str, Any], guard: dict[str, Any],
                adds: dict[str, int] | None = None) -> bool:
        current = self._s.payouts.get(payout.payout_id)
        if current is None or current.status != "pending" or self._contended():
            return False
        _apply(current, changes)
        if payout.retry_of and payout.retry_of != payout.payout_id:  # replaced in the retry set
            replaced = self._s.payouts.setdefault(payout.retry_of, PayoutRecord(payout.retry_of))
            _apply(replaced, {"failed": None, "next_attempt_at": None, "retried_by": payout.payout_id})
        account = self._s.payouts.setdefault(_account(payout.user_id), PayoutRecord(_account(payout.user_id)))
        _apply(account, {"pending_payout": None, **guard}, adds)
        return True

    def record_paid(self, payout: Any, transfer_id: str, now: str) -> bool:
        return self._record(payout, {"status": "paid", "transfer_id": transfer_id, "updated_at": now},
                            {"failed_payout": None, "failed_attempts": None})

    def record_failed(self, payout: Any, reason: str, now: str, retry_at: str | None) -> bool:
        changes = {"status": "failed", "reason": reason, "failed": "failed", "failed_at": f"{now}#{payout.payout_id}",
                   "updated_at": now}
        changes.update({"next_attempt_at": retry_at} if retry_at else {"gave_up_at": now})
        return self._record(payout, changes,
                            {"failed_payout": payout.payout_id, "failed_attempts": int(payout.attempt or 1)},
                            {"paid_out_cents": -int(payout.amount_cents)})

    def retry_set(self, *, newest_first: bool = False, limit: int | None = None,
                  last_key: dict[str, Any] | None = None) -> Pages:
        listed = sorted((p for p in self._s.payouts.values() if p.failed == "failed" and p.failed_at),
                        key=lambda p: p.failed_at, reverse=newest_first)
        return Pages(listed, lambda p: {"payout_id": p.payout_id, "failed": p.failed, "failed_at": p.failed_at},
                     limit, last_key)

    def give_up(self, payout_id: str, next_attempt_at: str, now: str) -> bool:
        current = self._s.payouts.get(payout_id)
        if current is None or current.next_attempt_at != next_attempt_at:
            return False
        _apply(current, {"next_attempt_at": None, "gave_up_at": now})
        return True

    def rearm(self, user_id: str, failed_payout: str, now: str) -> bool:
        entry = self._s.payouts.get(failed_payout)
        account = self._s.payouts.get(_account(user_id))
        if (entry is None or not entry.failed or account is None or account.failed_payout != failed_payout
                or self._contended()):
            return False
        _apply(entry, {"next_attempt_at": now, "gave_up_at": None})
        _apply(account, {"failed_attempts": 0}, {"retry_series": 1})
        return True


class UnitOfWork(ports.UnitOfWork):
    """Staged writes, each (name, its condition, how it applies)."""

    def __init__(self, state: State):
        super().__init__()
        self._s = state
        self._writes: list[tuple[str, Callable[[], bool], Callable[[], None]]] = []
        self._returns: dict[str, Callable[[], Any]] = {}  # what a refused write hands back

    def _stage(self, name: str, holds: Callable[[], bool], apply: Callable[[], None]) -> None:
        self._writes.append((name, holds, apply))

    def _staged(self) -> bool:
        return bool(self._writes)

    def _rollback(self) -> None:
        self._writes.clear()
        self._returns.clear()

    def _commit(self) -> None:
        writes, self._writes = self._writes, []
        returns, self._returns = self._returns, {}
        if not writes:
            return
        if self._s.conflicts:
            self._s.conflicts -= 1
            raise Refused()
        refused = [name for name, holds, _ in writes if not holds()]
        if refused:
            items = {name: read() for name, read in returns.items() if name in refused}
            raise Refused(refused, {name: _copy(item) for name, item in items.items() if item is not None})
        for _, _, apply in writes:
            apply()
        self._s.commits += 1

    def check_film_takes_money(self, film_id: str) -> None:
        def holds() -> bool:
            film = self._s.films.get(film_id)
            return film is not None and film.status == "open" and film.closing_at is None

        self._stage("film", holds, lambda: None)

    def check_film_takes_pledge(self, film_id: str, when: FilmTakes) -> None:
        def holds() -> bool:
            film = self._s.films.get(film_id)
            return film is not None and when.holds(film.status, film.deadline, film.min_pledge_cents)

        self._stage("film", holds, lambda: None)

    def add_pledge(self, pledge: Any) -> None:
        self._stage("pledge", lambda: pledge.pledge_id not in self._s.pledges,
                    lambda: self._s.pledges.__setitem__(pledge.pledge_id, _copy(pledge)))

    def add_waiting(self, user_id: str, pledge_id: str, when: WaitingIf | None = None,
                    waiting: Any = None) -> None:
        def holds() -> bool:
            user = self._s.users.get(user_id)
            return when is None or (when.holds(None, None) if user is None
                                    else when.holds(user.waiting_pledges, user.declined_at))

        def apply() -> None:
            user = self._s.users.setdefault(user_id, UserRecord(user_id))
            user.waiting_pledges = {*(user.waiting_pledges or () if waiting is None else waiting), pledge_id}

        self._stage("limits", holds, apply)

    def update_pledge(self, pledge_id: str, changes: dict[str, Any], when: PledgeIf,
                      history: str | None = None) -> None:
        def apply() -> None:
            pledge: Any = self._s.pledges[pledge_id]
            _apply(pledge, changes)
            if history is not None:
                pledge.refund_history = [*(pledge.refund_history or []), history]

        self._stage("pledge", lambda: pledge_holds(self._s.pledges.get(pledge_id), when), apply)
        self._returns["pledge"] = lambda: self._s.pledges.get(pledge_id)

    def move_totals(self, film_id: str, user_id: str, delta: int, now: str, *, film: Held, platform: Held,
                    film_members: int, platform_members: int, first_confirmed: bool = False,
                    leaves_waiting: str | None = None) -> None:
        key = (film_id, user_id)

        def backing_holds() -> bool:
            backing = self._s.backings.get(key)
            return film.holds(None if backing is None else backing.confirmed_cents)

        def user_holds() -> bool:
            user = self._s.users.get(user_id)
            return platform.holds(None if user is None else user.confirmed_cents)

        def apply_backing() -> None:
            backing = self._s.backings.setdefault(key, BackingRecord(film_id, user_id, confirmed_cents=0))
            backing.confirmed_cents = int(backing.confirmed_cents or 0) + delta
            if first_confirmed:
                backing.first_confirmed_at = backing.first_confirmed_at or now
            backing.updated_at = now

        def apply_user() -> None:
            user = self._s.users.setdefault(user_id, UserRecord(user_id))
            user.confirmed_cents = int(user.confirmed_cents or 0) + delta
            if leaves_waiting is not None:
                user.waiting_pledges = (user.waiting_pledges or set()) - {leaves_waiting} or None

        def apply_counters() -> None:
            self._add(f"film#{film_id}", raised_cents=delta, coproducer_count=film_members)
            self._add("platform", raised_cents=delta, coproducers=platform_members)
            self._add(f"funding#{film_id}", raised_cents=delta, coproducer_count=film_members)
            day = self._s.days.setdefault((film_id, funding.day_of(now)), {})
            day["raised_cents"] = day.get("raised_cents", 0) + delta
            day["coproducer_count"] = day.get("coproducer_count", 0) + film_members

        self._stage("backing", backing_holds, apply_backing)
        self._stage("user", user_holds, apply_user)
        self._stage("counters", lambda: True, apply_counters)

    def _add(self, counter_id: str, **deltas: int) -> None:
        counter = self._s.counters.setdefault(counter_id, {})
        for name, delta in deltas.items():
            counter[name] = counter.get(name, 0) + delta

    def add_entry(self, entry: Any) -> None:
        model = type(entry)
        key = (model.__name__, getattr(entry, model._hash_keyname),
               getattr(entry, model._range_keyname) if model._range_keyname else None)
        self._stage("entry", lambda: key not in self._s.entries,
                    lambda: self._s.entries.__setitem__(key, _copy(entry)))

    def add_refund(self, record: Any) -> None:
        self._stage("refund", lambda: record.pledge_id not in self._s.refunds,
                    lambda: self._s.refunds.__setitem__(record.pledge_id, _copy(record)))

    def update_refund(self, pledge_id: str, changes: dict[str, Any], when: RefundIf | None = None,
                      adds: dict[str, int] | None = None) -> None:
        self._stage("refund", lambda: refund_holds(self._s.refunds.get(pledge_id), when),
                    lambda: _apply(self._s.refunds[pledge_id], changes, adds))

    def count_on_close(self, film_id: str, *, outstanding: int, refunded: int = 0) -> None:
        def apply() -> None:
            close = self._s.closes.setdefault(film_id, CampaignCloseRecord(film_id))
            _apply(close, {}, {name: delta for name, delta in (("outstanding", outstanding),
                                                               ("refunded_pledges", refunded)) if delta})

        self._stage("close", lambda: True, apply)


class Store(ports.Store):
    """The twin; its state is open to tests (`state`) and set up with the helpers below."""

    def __init__(self) -> None:
        self.state = State()
        self.pledges = Pledges(self.state)
        self.totals = Totals(self.state)
        self.refunds = Refunds(self.state)
        self.payouts = Payouts(self.state)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.state)

    def contend(self, commits: int) -> None:
        self.state.conflicts = commits

    def put_film(self, film_id: str, *, status: str = "open", closing_at: str | None = None,
                 deadline: str = "2026-12-31", min_pledge_cents: int = 1000) -> None:
        self.state.films[film_id] = FilmRecord(film_id, status=status, closing_at=closing_at, deadline=deadline,
                                               min_pledge_cents=min_pledge_cents)

    def start_close(self, film_id: str) -> None:
        self.state.closes[film_id] = CampaignCloseRecord(film_id, outstanding=0, refunded_pledges=0)

    def counter(self, counter_id: str) -> dict[str, int]:
        return dict(self.state.counters.get(counter_id, {}))

    def funding_days(self, film_id: str) -> dict[str, dict[str, int]]:
        return {day: dict(v) for (f, day), v in self.state.days.items() if f == film_id}

    def credit(self, user_id: str, entry_key: str, amount_cents: int, **fields: Any) -> None:
        """A ledger credit (written by a distribution, outside the money ports)."""
        self.state.credits[(user_id, entry_key)] = LedgerRecord(user_id, entry_key, amount_cents=amount_cents,
                                                                **fields)
