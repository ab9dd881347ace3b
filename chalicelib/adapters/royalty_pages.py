"""A batch of a royalty distribution credited page by page, each page exactly once.

Each page of the weights snapshot (SnapshotPage) is credited on its own, possibly by several
workers at once, in any order, more than once (a redelivered message). What makes it count
once is one transaction per page: the page records the batch in `done_batches` only if it is
not there yet, and the batch's BatchProgress item adds the page's totals (pages done, cents
credited, credits) in the same transaction. A page done again counts nothing; the worker that
sees every page counted closes the batch with totals that are the sum of its pages.

BatchProgress lives in the snapshot table, beside the pages, under its own key
("<film_id>#<period>#batch-<n>", page 0): reading the pages of a snapshot never meets it.
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from chalicelib import retry
from chalicelib.adapters.conditions import item_failed
from chalicelib.adapters.tables import find, transaction
from chalicelib.adapters.tables.royalties import BatchProgress, SnapshotPage
from chalicelib.errors import Unavailable

MAX_ATTEMPTS = 8  # transactions of pages finished at the same moment conflict on the progress item


def progress_id(snapshot_id: str, batch: int) -> str:
    return f"{snapshot_id}#batch-{batch:03d}"


def _conflict(exc: TransactWriteError) -> bool:
    return any(reason is not None and reason.code == "TransactionConflict" for reason in exc.cancellation_reasons or [])


def finish_page(snapshot_id: str, page: int, batch: int, *, credited_cents: int, credits: int) -> bool:
    """Mark `page` done for `batch` and count what it credited. False when the page was done
    already (its totals were counted then, and are not counted again)."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            with transaction() as write:
                write.update(SnapshotPage(snapshot_id, page), actions=[SnapshotPage.done_batches.add({batch})],
                             condition=SnapshotPage.snapshot_id.exists() & ~SnapshotPage.done_batches.contains(batch))
                write.update(BatchProgress(progress_id(snapshot_id, batch), 0), actions=[
                    BatchProgress.pages_done.add(1), BatchProgress.credited_cents.add(credited_cents),
                    BatchProgress.credits.add(credits)])
            return True
        except TransactWriteError as exc:
            if item_failed(exc, 0):
                return False
            if not _conflict(exc):
                raise
            retry.pause(attempt, base=0.05, cap=1.0)
    raise Unavailable("pages finished at the same moment kept conflicting; the page is handed back")


def progress(snapshot_id: str, batch: int) -> tuple[int, int, int]:
    """(pages done, cents credited, credits) of the batch so far, read strongly consistent."""
    item = find(BatchProgress, progress_id(snapshot_id, batch), 0)
    if item is None:
        return 0, 0, 0
    return int(item.pages_done), int(item.credited_cents), int(item.credits)


def page(snapshot_id: str, number: int) -> SnapshotPage | None:
    return find(SnapshotPage, snapshot_id, number)
