"""The monthly royalty distribution of a film: exactly once, resumable from any point.

For (film, period) one DistributionRecord holds everything: the weights snapshot (taken once,
as of the period's end, then frozen in SnapshotPage items), the batches of receipts
distributed so far, totals and status. A run:

1. takes the weights snapshot if the period has none yet and receipts are waiting: every
   backing as of the period's end, written as pages, then committed on the record (a crash
   before the commit leaves nothing that depends on the pages, and the next run takes them
   again). A period nobody held a share of is refused (`refused`, NobodyToCredit): its
   receipts stay undistributed and listed, never credited to nobody;
2. claims the period's receipts not distributed yet as a new batch: one transaction sets
   `batch` on each receipt (only if unset, and takes it out of the undistributed index) and
   appends the batch to the record (conditioned on its version), so a receipt belongs to
   exactly one batch;
3. credits each co-producer the allocation (largest remainder, deterministic) of the period's
   cumulative pool, floor(sum of every receipt so far x rate), minus the allocation of the pool
   the earlier batches credited (domain/royalties.py `batch_credits`): however the period's
   receipts are batched, its credits add up to the one-batch allocation. The allocation's
   decisions (two `Plan`s: a few integers) are kept on the batch before any credit is written,
   so each page of the weights is then credited on its own, by this run or by workers of the
   chunk queue (`credit_page`), in any order: its credits by BatchWriteItem (deterministic keys
   and contents, so writing a page again is harmless), then one transaction marks the page done
   for the batch, only if it was not, and counts its totals (adapters/royalty_pages.py);
4. closes the batch once every page is counted: the pages' totals added to the record
   under its version condition, once.

`checkpoint(step)` is called after every write: tests inject crashes there.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Callable, Iterable

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action

from chalicelib import clock
from chalicelib.adapters import bulk, royalty_pages
from chalicelib.adapters.conditions import written
from chalicelib.adapters.tables import (
    DisputeRecord, DistributionRecord, PledgeRecord, ReceiptRecord, SnapshotPage, find, transaction,
)
from chalicelib.auth import Caller
from chalicelib.domain import royalties as rules
from chalicelib.domain.royalties import Share
from chalicelib.errors import Conflict, Forbidden, NotFound, invalid_field
from chalicelib.observability import logger
from chalicelib.services import films, rights

PAGE_SIZE = 1000
MAX_RECEIPTS_PER_BATCH = 90  # one TransactWriteItems: the record + the receipts (limit 100)
COUNTED = ("confirmed", "refunded")
CONSISTENCY_WINDOW = timedelta(minutes=1)
REFUSED = "refused"  # receipts of a period nobody held a share of

Checkpoint = Callable[[str], None]
Progress = Callable[[int], None]
SendPages = Callable[[int, list[int]], None]


def _nothing(_: Any) -> None:
    return None


@dataclass
class Page:
    number: int
    shares: list[Share]
    done_batches: set[int]


def snapshot_id(film_id: str, period: str) -> str:
    return f"{film_id}#{period}"


def _load(film_id: str, period: str) -> DistributionRecord | None:
    return find(DistributionRecord, film_id, period)


def _open(film_id: str, period: str) -> DistributionRecord:
    record = _load(film_id, period)
    if record is not None:
        return record
    now = clock.iso()
    record = DistributionRecord(film_id, period, status="running", version=0, batches=[], created_at=now,
                                updated_at=now)
    if written(lambda: record.save(condition=DistributionRecord.film_id.does_not_exist())):
        return record
    return _load(film_id, period)  # another run opened it first


def _running_batch(record: DistributionRecord) -> dict[str, Any] | None:
    return next((b for b in record.batches or [] if b["status"] == "running"), None)


def _pending_receipts(film_id: str, period: str) -> list[ReceiptRecord]:
    return [r for r in rights.receipts_of(film_id) if r.period == period and r.batch is None]


class NobodyToCredit(Conflict):
    """A period's receipts with nobody in its weights: refused, never recorded as unallocated."""

    def __init__(self, film_id: str, period: str):
        super().__init__(f"film_id: nobody held a share of film {film_id} at the end of {period}; its receipts "
                         "are not distributed (correct them or record them for a period with co-producers)",
                         code="nobody_to_credit", field="film_id")
        self.film_id, self.period = film_id, period


def _claim(record: DistributionRecord, checkpoint: Checkpoint, run_period: str) -> bool:
    """Take the undistributed receipts as a new batch. False when there are none."""
    pending = _pending_receipts(record.film_id, record.period)[:MAX_RECEIPTS_PER_BATCH]
    if not pending:
        return False
    number = len(record.batches or []) + 1
    received = sum(int(r.rights_received_cents) for r in pending)
    rate = rights.rate_bps(record.film_id)
    earlier = _received(record.batches or [])
    credited_pool, period_pool = rules.period_pool_cents(earlier), rules.period_pool_cents([*earlier, (received, rate)])
    batch = {
        "batch": number, "receipts": [r.receipt_id for r in pending], "rights_received_cents": received,
        "coproducer_rate_bps": rate, "pool_cents": period_pool - credited_pool,
        "period_pool_cents": period_pool, "status": "running",
        "run_period": run_period,
        "started_at": clock.iso(), "finished_at": None, "credited_cents": None, "credits": None,
        "unallocated_cents": None,
    }
    try:
        with transaction() as write:
            write.update(record, actions=[
                DistributionRecord.batches.set([*(record.batches or []), batch]),
                DistributionRecord.status.set("running"),
                DistributionRecord.version.set(int(record.version) + 1),
                DistributionRecord.updated_at.set(clock.iso()),
            ], condition=DistributionRecord.version == int(record.version))
            for receipt in pending:
                write.update(receipt, actions=[ReceiptRecord.batch.set(number), ReceiptRecord.undistributed.remove()],
                             condition=ReceiptRecord.batch.does_not_exist())
    except TransactWriteError:
        logger.info("another run claimed these receipts", extra={"film_id": record.film_id})
    checkpoint("claimed")
    return True


def _received(batches: list[dict[str, Any]]) -> list[tuple[int, int]]:
    return [(int(b["rights_received_cents"]), int(b["coproducer_rate_bps"])) for b in batches]


def refunded_as_of(pledge: PledgeRecord, as_of: str) -> int:
    """The cents of a counted pledge refunded before `as_of`: the last step of its refund
    history before that moment. A pledge refunded before the history was kept is dated by its
    last update."""
    if pledge.refund_history:
        steps = [step.rsplit("#", 1) for step in pledge.refund_history]
        return max((int(cents) for at, cents in steps if at < as_of), default=0)
    return int(pledge.amount_refunded_cents or 0) if pledge.updated_at < as_of else 0


def _as_of_from_pledges(film_id: str, user_id: str, as_of: str) -> tuple[int, str | None]:
    """A co-producer's confirmed, unrefunded cents at `as_of`, from their pledges, for a
    backing that changed after it: every refund made before `as_of` is taken off, whatever
    came later."""
    cents, first = 0, None
    for pledge in PledgeRecord.by_user.query(user_id, filter_condition=PledgeRecord.film_id == film_id):
        if pledge.status not in COUNTED or not pledge.confirmed_at or pledge.confirmed_at >= as_of:
            continue
        cents += int(pledge.amount_cents) - refunded_as_of(pledge, as_of) + disputed_as_of(pledge.pledge_id, as_of)
        first = min(first or pledge.confirmed_at, pledge.confirmed_at)
    return cents, first


def disputed_as_of(pledge_id: str, as_of: str) -> int:
    """What the pledge's disputes had changed in its counted cents before `as_of` (<= 0): an
    opening takes the disputed cents out, a win before `as_of` puts them back."""
    return sum(int(step.counted_delta_cents) for step in DisputeRecord.query(pledge_id)
               if step.recorded_at < as_of)


def _weights(film_id: str, as_of: datetime) -> list[Share]:
    """Every co-producer's weight at `as_of`. Strongly consistent reads only when `as_of`
    is recent: a change older than a minute is visible to any read (and one made after
    `as_of` is replaced by the pledge history anyway)."""
    shares = []
    moment = clock.iso(as_of)
    recent = clock.now() - as_of < CONSISTENCY_WINDOW
    for user_id, cents, first, updated in bulk.stream_backings(film_id, consistent=recent):
        if updated is not None and updated >= moment:
            cents, first = _as_of_from_pledges(film_id, user_id, moment)
        if cents > 0:
            shares.append(Share(user_id, cents, first or ""))
    return shares


def current_weights(film_id: str) -> list[Share]:
    """Every co-producer's weight now, exactly as a run started now would take it (the simulator)."""
    return _weights(film_id, clock.now())


def _encode(shares: list[Share]) -> bytes:
    rows = [[s.user_id, s.weight_cents, s.first_confirmed_at] for s in shares]
    return zlib.compress(json.dumps(rows, separators=(",", ":")).encode(), 1)


def _decode(raw: bytes) -> list[Share]:
    return [Share(u, int(w), f) for u, w, f in json.loads(zlib.decompress(raw))]


def _take_snapshot(record: DistributionRecord, started: datetime, checkpoint: Checkpoint) -> list[Page]:
    moment = rules.weights_as_of(record.period, started)
    as_of = clock.iso(moment)
    shares = _weights(record.film_id, moment)
    pages = [Page(i, shares[start:start + PAGE_SIZE], set()) for i, start in enumerate(range(0, len(shares), PAGE_SIZE))]
    sid = snapshot_id(record.film_id, record.period)
    bulk.put_all("royalty_snapshots", [bulk.snapshot_page_item(sid, page.number, _encode(page.shares)) for page in pages],
                 after_call=lambda: checkpoint("snapshot-pages"))
    actions: list[Action] = [
        DistributionRecord.snapshot_pages.set(len(pages)), DistributionRecord.as_of.set(as_of),
        DistributionRecord.coproducers.set(len(shares)),
        DistributionRecord.film_confirmed_cents.set(sum(s.weight_cents for s in shares)),
        DistributionRecord.version.set(int(record.version) + 1),
        DistributionRecord.updated_at.set(clock.iso()),
    ]
    unchanged = DistributionRecord.snapshot_pages.does_not_exist() & (DistributionRecord.version == int(record.version))
    if not written(lambda: record.update(actions=actions, condition=unchanged)):
        return []  # another run committed its snapshot first: use that one
    checkpoint("snapshot")
    return pages


def _load_pages(record: DistributionRecord) -> list[Page]:
    count = int(record.snapshot_pages or 0)
    pages = SnapshotPage.query(snapshot_id(record.film_id, record.period), SnapshotPage.page < count,
                               consistent_read=True)
    return [Page(int(p.page), _decode(p.entries), {int(b) for b in (p.done_batches or ())}) for p in pages]


def _plans(record: DistributionRecord, batch: dict[str, Any],
           pages: list[Page]) -> tuple[DistributionRecord, dict[str, Any], tuple[rules.Plan, rules.Plan]]:
    """The batch's allocation plans (domain/royalties.py `batch_plans`), decided once over every
    page of the weights and kept on the batch before any page is credited: every page, credited
    by any worker, then gives its co-producers exactly what the whole allocation gives them."""
    while "plans" not in batch:
        number = int(batch["batch"])
        earlier = [b for b in record.batches if int(b["batch"]) < number]
        credited = rules.period_pool_cents(_received(earlier))
        plans = rules.batch_plans(credited, rules.period_pool_cents([*_received(earlier), *_received([batch])]),
                                  (s for page in pages for s in page.shares))
        decided = [plan.as_dict() for plan in plans]
        batches = [dict(b, plans=decided) if int(b["batch"]) == number else b for b in record.batches]
        if not written(partial(record.update, actions=[DistributionRecord.batches.set(batches),
                                                       DistributionRecord.version.set(int(record.version) + 1)],
                               condition=DistributionRecord.version == int(record.version))):
            record = _load(record.film_id, record.period) or record  # another run decided them first
        batch = next(b for b in record.batches if int(b["batch"]) == number)
    before, after = (rules.Plan.from_dict(plan) for plan in batch["plans"])
    return record, batch, (before, after)


def _page_items(record: DistributionRecord, batch: dict[str, Any], plans: tuple[rules.Plan, rules.Plan],
                page: Page) -> tuple[list[dict[str, Any]], int, int]:
    """One page's credit items (deterministic keys and contents: writing them again is
    harmless), the cents they credit and how many they are."""
    number = int(batch["batch"])
    credits = rules.page_credits(plans, page.shares)
    items = [bulk.credit_item(user_id=s.user_id, film_id=record.film_id, period=record.period, batch=number,
                              amount_cents=cents, your_confirmed_cents=s.weight_cents,
                              created_at=batch["started_at"], run_period=batch.get("run_period") or record.period)
             for s, cents in credits]
    return items, sum(cents for _, cents in credits), len(credits)


def _credit_pages(record: DistributionRecord, batch: dict[str, Any], plans: tuple[rules.Plan, rules.Plan],
                  pages: list[Page], checkpoint: Checkpoint, progress: Progress = _nothing) -> None:
    """Write the pages' credits, then mark each page done and count its totals, once
    (adapters/royalty_pages.py). A page is marked right after its last credits are written,
    while the next page's are on their way (bulk.put_groups): never before its own."""
    number = int(batch["batch"])
    prepared = [_page_items(record, batch, plans, page) for page in pages]

    def finish(index: int) -> None:
        _, cents, count = prepared[index]
        royalty_pages.finish_page(snapshot_id(record.film_id, record.period), pages[index].number, number,
                                  credited_cents=cents, credits=count)
        checkpoint("page-done")
        progress(len(pages[index].shares))

    bulk.put_groups("royalty_ledger", [items for items, _, _ in prepared],
                    after_call=lambda: checkpoint("credits"), after_group=finish)


def _totals(record: DistributionRecord, batch: dict[str, Any]) -> dict[str, int] | None:
    """The batch's totals once every page is counted (None before): the sum of its pages."""
    number, pool = int(batch["batch"]), int(batch["pool_cents"])
    pages, credited, credits = royalty_pages.progress(snapshot_id(record.film_id, record.period), number)
    if pages < int(record.snapshot_pages or 0):
        return None
    if int(record.coproducers or 0) and credited != pool:  # the plans guarantee it; never close a wrong ledger
        raise RuntimeError(f"the pages of batch {number} credited {credited}, not {pool}")
    return {"credited_cents": credited, "credits": credits, "unallocated_cents": pool - credited}


def _credit(record: DistributionRecord, batch: dict[str, Any], pages: list[Page], checkpoint: Checkpoint,
            progress: Progress) -> tuple[DistributionRecord, dict[str, Any], dict[str, int]]:
    record, batch, plans = _plans(record, batch, pages)
    number = int(batch["batch"])
    for page in pages:
        if number in page.done_batches:
            progress(len(page.shares))
    _credit_pages(record, batch, plans, [p for p in pages if number not in p.done_batches], checkpoint, progress)
    totals = _totals(record, batch)
    if totals is None:
        raise RuntimeError(f"batch {number} of {record.film_id} {record.period}: a page is not counted")
    return record, batch, totals


def credit_page(film_id: str, period: str, number: int, page_number: int, *,
                checkpoint: Checkpoint = _nothing) -> bool:
    """Credit one page of batch `number` (a message of the chunk queue); any number of times,
    by any worker, in any order. The worker that finds every page counted closes the batch.
    True when the batch is closed (now or before)."""
    record = _load(film_id, period)
    batch = next((b for b in (record.batches if record else []) or [] if int(b["batch"]) == number), None)
    if record is None or batch is None or "plans" not in batch:
        raise RuntimeError(f"no planned batch {number} of {film_id} {period}")  # handed back, then dead-lettered
    if batch["status"] == "done":
        return True
    sid = snapshot_id(film_id, period)
    item = royalty_pages.page(sid, page_number)
    if item is None:
        raise RuntimeError(f"no page {page_number} in the weights of {film_id} {period}")
    done = {int(b) for b in (item.done_batches or ())}
    if number not in done:
        _, _, plans = _plans(record, batch, [])
        _credit_pages(record, batch, plans, [Page(page_number, _decode(item.entries), done)], checkpoint)
    totals = _totals(record, batch)
    if totals is None:
        return False
    _close(record, batch, totals, checkpoint)
    return True


def _close(record: DistributionRecord, batch: dict[str, Any], totals: dict[str, int], checkpoint: Checkpoint) -> None:
    batches = [dict(b, status="done", finished_at=clock.iso(), **totals) if b["batch"] == batch["batch"] else b
               for b in record.batches]
    actions: list[Action] = [
        DistributionRecord.batches.set(batches),
        DistributionRecord.status.set("done"),
        DistributionRecord.rights_received_cents.add(int(batch["rights_received_cents"])),
        DistributionRecord.pool_cents.add(int(batch["pool_cents"])),
        DistributionRecord.credited_cents.add(totals["credited_cents"]),
        DistributionRecord.unallocated_cents.add(totals["unallocated_cents"]),
        DistributionRecord.credits.add(totals["credits"]),
        DistributionRecord.version.set(int(record.version) + 1),
        DistributionRecord.updated_at.set(clock.iso()),
    ]
    if not written(lambda: record.update(actions=actions, condition=DistributionRecord.version == int(record.version))):
        logger.info("another run closed this batch", extra={"film_id": record.film_id})
    checkpoint("closed")


def distribute_film(film_id: str, period: str, *, checkpoint: Checkpoint = _nothing,
                    progress: Progress = _nothing, run_period: str | None = None,
                    send_pages: SendPages | None = None) -> DistributionRecord:
    """Distribute every receipt of (film, period) not distributed yet; resumes a run that
    stopped anywhere. A done period with no new receipts is left exactly as it is.

    The weights are taken before the first batch is claimed: receipts of a period nobody held
    a share of are refused (NobodyToCredit, status `refused`) and stay undistributed. Batches
    are stamped with `run_period`, the period of the run that distributes them (statements).

    With `send_pages`, a batch of more than one page left is not credited here: its plans are
    decided, `send_pages(batch, page numbers)` hands its pages to workers (`credit_page`), and
    the running record is returned; the worker that closes the batch goes on from there."""
    started = clock.now()
    pages: list[Page] | None = None
    while True:
        record = _load(film_id, period) or _open(film_id, period)
        batch = _running_batch(record)
        if batch is None:
            pending = bool(_pending_receipts(film_id, period))
            if pending and record.snapshot_pages is None:
                pages = _take_snapshot(record, started, checkpoint) or None
                continue
            if pending and not int(record.coproducers or 0):
                if record.status != REFUSED:
                    record.update(actions=[DistributionRecord.status.set(REFUSED),
                                           DistributionRecord.updated_at.set(clock.iso())])
                raise NobodyToCredit(film_id, period)
            if pending and _claim(record, checkpoint, run_period or period):
                continue
            if record.status != "done" and not pending:  # opened, but nothing to distribute
                record.update(actions=[DistributionRecord.status.set("done")])
            return record
        if record.snapshot_pages is None:  # a batch claimed before its weights (older runs)
            pages = _take_snapshot(record, started, checkpoint) or None
            continue
        if pages is None or any(batch["batch"] in p.done_batches for p in pages):
            pages = _load_pages(record)
        if send_pages is not None:
            record, batch, _ = _plans(record, batch, pages)
            todo = [p.number for p in pages if int(batch["batch"]) not in p.done_batches]
            if len(todo) > 1:
                send_pages(int(batch["batch"]), todo)
                return record
        record, batch, totals = _credit(record, batch, pages, checkpoint, progress)
        _close(record, batch, totals, checkpoint)
        pages = None


def snapshot_users(film_id: str, period: str) -> Iterable[str]:
    """Every co-producer in the weights of (film, period)."""
    record = _load(film_id, period)
    if record is None or record.snapshot_pages is None:
        return []
    return (s.user_id for page in _load_pages(record) for s in page.shares)


def finished(film_id: str, period: str) -> bool:
    """Whether (film, period) has nothing left to distribute (done, or refused)."""
    record = _load(film_id, period)
    if record is None or record.status == "running":
        return False
    return record.status == REFUSED or not _pending_receipts(film_id, period)


def coproducer_count(film_id: str, period: str) -> int:
    record = _load(film_id, period)
    return int(record.coproducers or 0) if record else 0


# --- Reading ---------------------------------------------------------------------------

def view(record: DistributionRecord) -> dict[str, Any]:
    return {
        "film_id": record.film_id, "period": record.period, "status": record.status,
        "weights_as_of": record.as_of, "coproducers": int(record.coproducers or 0),
        "film_confirmed_cents": int(record.film_confirmed_cents or 0),
        "rights_received_cents": int(record.rights_received_cents or 0), "pool_cents": int(record.pool_cents or 0),
        "credited_cents": int(record.credited_cents or 0), "unallocated_cents": int(record.unallocated_cents or 0),
        "credits": int(record.credits or 0),
        "batches": [{k: v for k, v in b.items() if k != "plans"} for b in record.batches or []],
        "created_at": record.created_at, "updated_at": record.updated_at,
    }


def get(caller: Caller, film_id: str, period: str) -> dict[str, Any]:
    try:
        rules.parse_period(period)
    except ValueError as exc:
        raise invalid_field("period", str(exc))
    film = films.load(film_id)
    if not films.can_manage(caller, film):
        raise Forbidden("only the film's producer or an admin may see its distributions")
    record = _load(film_id, period)
    if record is None:
        raise NotFound(f"no distribution of film {film_id} for {period}", field="period")
    return view(record)


def records_for(user_film_periods: Iterable[tuple[str, str]]) -> dict[tuple[str, str], DistributionRecord]:
    keys = list(dict.fromkeys(user_film_periods))
    return {(r.film_id, r.period): r for r in DistributionRecord.batch_get(keys)} if keys else {}
