"""The money aggregate's storage, as the services see it: ports, the conditions they may set,
and the named outcome of a refused transaction.

Two implementations hold the same behaviour: `dynamodb.py` (PynamoDB expressions, one
TransactWriteItems per unit of work) and `memory.py` (the in-memory twin the unit tests run
the use cases on). `tests/money_contract.py` holds both to the same rules.

Records are the table models (PledgeRecord, BackingRecord, UserRecord, RefundRecord...) used
as plain data: services read their attributes and never call their storage methods.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

ANY = "<any>"  # a condition on the PaymentIntent that accepts whatever the pledge names


class Refused(Exception):
    """A unit of work was not written: `names` are its writes whose condition did not hold
    ("film", "pledge", "limits", "backing", "user", "entry", "refund"); empty when it lost to a
    concurrent transaction (read again and retry). `items`: for a refused pledge update, the
    pledge as it was ("pledge"; absent when there is no such pledge), with no read of its own."""

    def __init__(self, names: Iterable[str] = (), items: dict[str, Any] | None = None):
        self.names = frozenset(names)
        self.items = dict(items or {})
        super().__init__(", ".join(sorted(self.names)) or "conflict")


@dataclass(frozen=True)
class PledgeIf:
    """What a pledge must hold for a write to go through (every field set must hold).

    `intent`: ANY, None (no PaymentIntent recorded) or the one recorded; `intent_or_none`
    accepts none recorded as well. `amount_cents`: the pledge's amount is exactly that.
    `owner`: the pledge is of that (film_id, user_id)."""

    statuses: tuple[str, ...] | None = None
    intent: str | None = ANY
    intent_or_none: bool = False
    lease_until: int | None = None
    refunded_cents: int | None = None
    amount_cents: int | None = None
    owner: tuple[str, str] | None = None


@dataclass(frozen=True)
class Held:
    """What a total (a backing's or a user's confirmed cents) must hold for a move to go through.

    zero: missing or 0 (the co-producer joins); positive: above 0 (stays); exactly: that value,
    `missing_is_zero` deciding whether a missing total reads as 0."""

    zero: bool = False
    positive: bool = False
    exactly: int | None = None
    missing_is_zero: bool = False

    @staticmethod
    def joining(joins: bool) -> "Held":
        return Held(zero=True) if joins else Held(positive=True)

    @staticmethod
    def at(value: int, *, missing_is_zero: bool = False) -> "Held":
        if value == 0 and missing_is_zero:
            return Held(zero=True)
        return Held(exactly=value, missing_is_zero=missing_is_zero)

    def holds(self, value: float | None) -> bool:
        if self.zero:
            return not value
        if self.positive:
            return value is not None and value > 0
        if value is None:
            return self.missing_is_zero and self.exactly == 0
        return value == self.exactly


@dataclass(frozen=True)
class FilmTakes:
    """What a film must hold to take a new pledge of `amount_cents` on `today` (YYYY-MM-DD):
    open, its deadline not passed, its minimum pledge at most the amount."""

    amount_cents: int
    today: str

    def holds(self, status: str | None, deadline: str | None, min_pledge_cents: float | None) -> bool:
        return (status == "open" and deadline is not None and deadline >= self.today
                and min_pledge_cents is not None and min_pledge_cents <= self.amount_cents)


@dataclass(frozen=True)
class WaitingIf:
    """What a user's pledge limits' hint must hold for one more pledge to wait for its payment:
    fewer than `fewer_than` pledges waiting, no payment declined at or after `declined_before`."""

    fewer_than: int
    declined_before: str

    def holds(self, waiting: Iterable[str] | None, declined_at: str | None) -> bool:
        return len(set(waiting or ())) < self.fewer_than and (declined_at is None or declined_at < self.declined_before)


@dataclass(frozen=True)
class RefundIf:
    """What a refund record must hold: its status is (`status`) or is not (`status_not`), its
    lease ended before `lease_before`."""

    status: str | None = None
    status_not: str | None = None
    lease_before: int | None = None


class Pages(ABC):
    """One page of a query: iterate it; `last_evaluated_key` resumes after the last item read."""

    last_evaluated_key: dict[str, Any] | None

    @abstractmethod
    def __iter__(self) -> Iterator[Any]: ...


class Pledges(ABC):
    """Pledges, one item each, written on their own (outside a unit of work)."""

    @abstractmethod
    def get(self, pledge_id: str) -> Any | None: ...

    @abstractmethod
    def create(self, pledge_id: str, **fields: Any) -> Any | None:
        """The new pledge, or None when one with this id exists already."""

    @abstractmethod
    def new(self, pledge_id: str, **fields: Any) -> Any:
        """A pledge not yet written (written by `UnitOfWork.add_pledge`)."""

    @abstractmethod
    def update(self, pledge_id: str, changes: dict[str, Any], when: PledgeIf | None = None) -> bool:
        """Set each change (None removes the attribute); False when `when` did not hold."""

    @abstractmethod
    def remove_unpaid(self, pledge_id: str) -> bool:
        """Delete a pledge that records no PaymentIntent; False when it records one."""

    @abstractmethod
    def of_user(self, user_id: str, *, limit: int, last_key: dict[str, Any] | None) -> Pages:
        """The user's pledges, newest first."""

    @abstractmethod
    def left_waiting(self, user_id: str, pledge_id: str) -> None:
        """Take the pledge out of its user's waiting pledges (nothing when it is not there, or
        the user has no record: an erased one is not written again)."""

    @abstractmethod
    def note_decline(self, user_id: str, at: str) -> None:
        """The user's last declined payment is at `at` (a later one already noted stays)."""


class Totals(ABC):
    """The counted cents: a co-producer's backing of a film and their platform-wide total (the
    film and platform counters and the funding days move with them, in a unit of work)."""

    @abstractmethod
    def backing(self, film_id: str, user_id: str) -> Any | None: ...

    @abstractmethod
    def user(self, user_id: str) -> Any | None: ...

    @abstractmethod
    def backers(self, film_id: str, *, limit: int, last_key: dict[str, Any] | None) -> Pages:
        """The film's backings holding confirmed cents."""

    @abstractmethod
    def users(self, user_ids: list[str]) -> list[Any]: ...

    @abstractmethod
    def counter(self, counter_id: str) -> dict[str, int]:
        """A counter's sums ("film#<film_id>", "platform", "funding#<film_id>" all days)."""


class Refunds(ABC):
    """Refund records (one per pledge) and the close progress of their film."""

    @abstractmethod
    def get(self, pledge_id: str) -> Any | None: ...

    @abstractmethod
    def close_exists(self, film_id: str) -> bool: ...

    @abstractmethod
    def new(self, pledge_id: str, **fields: Any) -> Any:
        """A record not yet written (written by `UnitOfWork.add_refund`)."""

    @abstractmethod
    def update(self, pledge_id: str, changes: dict[str, Any], adds: dict[str, int] | None = None,
               when: RefundIf | None = None) -> bool: ...

    @abstractmethod
    def queued(self, queue: str, *, up_to: str | None = None, limit: int | None = None,
               last_key: dict[str, Any] | None = None) -> Pages:
        """Records in `queue`, oldest key first, up to the key `up_to` when given."""


class Payouts(ABC):
    """Royalty payouts: the ledger credits a balance sums, the guard item of each user
    (`account#<user_id>`: paid_out_cents, pending_payout, failed_payout, failed_attempts,
    retry_series), the payout records and the retry set (failed payouts, oldest failure first).

    Refusals are named: "payout" (a payout with this id exists, or is no longer pending),
    "guard" (the guard moved since it was read); none when the transaction lost to another."""

    @abstractmethod
    def credits(self, user_id: str) -> list[Any]:
        """The user's ledger credits, newest first (one consistent Query)."""

    @abstractmethod
    def guard(self, user_id: str) -> Any | None:
        """The user's guard item (one consistent read), None before their first payout."""

    @abstractmethod
    def get(self, payout_id: str) -> Any | None: ...

    @abstractmethod
    def of_user(self, user_id: str) -> list[Any]:
        """The user's payouts, newest first."""

    @abstractmethod
    def new(self, payout_id: str, **fields: Any) -> Any:
        """A payout not yet written (written by `reserve`)."""

    @abstractmethod
    def reserve(self, payout: Any, paid_out: int | None) -> None:
        """Write a new pending payout and, in the same transaction, add its amount to the
        guard's paid_out_cents and name it the guard's pending_payout. `paid_out`: the guard's
        value read (None: no guard was read, the guard must not exist); the guard must have no
        pending payout. Raises Refused({"payout"}) or Refused({"guard"})."""

    @abstractmethod
    def claim_resend(self, payout_id: str, sent_at: str | None, now: str) -> bool:
        """Set a pending payout's sent_at to `now` if it is still `sent_at` (None: unset)."""

    @abstractmethod
    def record_paid(self, payout: Any, transfer_id: str, now: str) -> bool:
        """The pending payout is paid; the guard's pending and failed payout cleared, the failed
        one it retries taken out of the retry set. False when it was not pending any more."""

    @abstractmethod
    def record_failed(self, payout: Any, reason: str, now: str, retry_at: str | None) -> bool:
        """The pending payout failed: its amount back in the balance (guard), in the retry set
        (`retry_at`, or given up when None) in place of the one it retries, named the guard's
        failed payout with its attempt. False when it was not pending any more."""

    @abstractmethod
    def retry_set(self, *, newest_first: bool = False, limit: int | None = None,
                  last_key: dict[str, Any] | None = None) -> Pages:
        """Failed payouts not replaced by a retry."""

    @abstractmethod
    def give_up(self, payout_id: str, next_attempt_at: str, now: str) -> bool:
        """Stop retrying a failed payout still due at `next_attempt_at` (stays listed)."""

    @abstractmethod
    def rearm(self, user_id: str, failed_payout: str, now: str) -> bool:
        """Try the user's failed payout again at `now` as a new series of attempts; False when
        it was paid or replaced meanwhile."""


class UnitOfWork(ABC):
    """The writes and the domain events of one use case: written together in one transaction
    by `commit()`, or not at all (`Refused`). Events raised before a refused commit are
    dropped with its writes; `collect_new_events()` hands the others over once."""

    def __init__(self) -> None:
        self._events: list[Any] = []
        self._pending: list[Any] = []

    def __enter__(self) -> "UnitOfWork":
        return self

    def __exit__(self, *exc: Any) -> None:
        self._rollback()  # whatever was not committed is dropped
        self._pending.clear()

    def add_event(self, event: Any) -> None:
        """An event of this use case: it follows the writes staged so far (dropped with them if
        their commit is refused), or, none staged, what was already written or refused."""
        (self._pending if self._staged() else self._events).append(event)

    def commit(self) -> None:
        try:
            self._commit()
        except Refused:
            self._pending.clear()
            raise
        self._events += self._pending
        self._pending.clear()

    def collect_new_events(self) -> Iterator[Any]:
        while self._events:
            yield self._events.pop(0)

    # -- the writes, staged until commit --------------------------------------------------

    @abstractmethod
    def _staged(self) -> bool:
        """True while writes wait for commit."""

    @abstractmethod
    def _commit(self) -> None:
        """Write every staged write in one transaction, then stage none; raise Refused."""

    @abstractmethod
    def _rollback(self) -> None:
        """Stage none."""

    @abstractmethod
    def check_film_takes_money(self, film_id: str) -> None:
        """Condition "film": the film is open and not closing."""

    @abstractmethod
    def check_film_takes_pledge(self, film_id: str, when: FilmTakes) -> None:
        """Condition "film": the film takes a new pledge (`FilmTakes`)."""

    @abstractmethod
    def add_pledge(self, pledge: Any) -> None:
        """Write "pledge": a new pledge, refused when one with its id exists already."""

    @abstractmethod
    def add_waiting(self, user_id: str, pledge_id: str, when: WaitingIf | None = None,
                    waiting: Iterable[str] | None = None) -> None:
        """Write "limits": the pledge joins its user's waiting pledges, if `when` holds; with
        `waiting` (the pledges found waiting), those and the pledge become the user's set."""

    @abstractmethod
    def update_pledge(self, pledge_id: str, changes: dict[str, Any], when: PledgeIf,
                      history: str | None = None) -> None:
        """Write "pledge": `changes` (None removes); `history` appended to its refund history."""

    @abstractmethod
    def move_totals(self, film_id: str, user_id: str, delta: int, now: str, *, film: Held, platform: Held,
                    film_members: int, platform_members: int, first_confirmed: bool = False,
                    leaves_waiting: str | None = None) -> None:
        """Writes "backing" and "user" (conditioned on `film` and `platform`), then the film's
        and the platform's counters and the film's funding day of `now`, all by `delta` cents
        and by the co-producers joining (+1) or leaving (-1). `leaves_waiting`: a pledge taken
        out of the user's waiting pledges in the same write."""

    @abstractmethod
    def add_entry(self, entry: Any) -> None:
        """Write "entry": a new record (a dispute step), refused when it exists already."""

    @abstractmethod
    def add_refund(self, record: Any) -> None:
        """Write "refund": a new refund record, refused when the pledge has one already."""

    @abstractmethod
    def update_refund(self, pledge_id: str, changes: dict[str, Any], when: RefundIf | None = None,
                      adds: dict[str, int] | None = None) -> None:
        """Write "refund": `changes` to a refund record (None removes), `adds` added."""

    @abstractmethod
    def count_on_close(self, film_id: str, *, outstanding: int, refunded: int = 0) -> None:
        """The film's close progress: refunds outstanding and pledges refunded."""


class Store(ABC):
    """The money aggregate's storage: its ports and a new unit of work."""

    pledges: Pledges
    totals: Totals
    refunds: Refunds
    payouts: Payouts

    @abstractmethod
    def unit_of_work(self) -> UnitOfWork: ...
