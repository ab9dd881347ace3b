"""A DynamoDB condition that did not hold, recognised in one place.

PynamoDB reports a refused conditional write as PutError/UpdateError/DeleteError whose cause is
`ConditionalCheckFailedException`, and a refused transaction as TransactWriteError whose
cancellation reasons name `ConditionalCheckFailed` per item. Services ask the questions below and
turn the answer into their named outcome ("already counted", "seat taken"); any other error
(throttling, a network fault) still raises, for the outage mapping to answer 503.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence, TypeVar

from pynamodb.exceptions import PynamoDBException, TransactWriteError

CONDITION_FAILED = "ConditionalCheckFailedException"
ITEM_CONDITION_FAILED = "ConditionalCheckFailed"
T = TypeVar("T")


def is_condition_failure(exc: BaseException) -> bool:
    """True when `exc` is a single-item write refused by its condition."""
    return isinstance(exc, PynamoDBException) and getattr(exc, "cause_response_code", None) == CONDITION_FAILED


def written(write: Callable[[], Any]) -> bool:
    """Run a conditional write: True if it was written, False if its condition did not hold."""
    try:
        write()
    except PynamoDBException as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def failed_items(exc: TransactWriteError) -> set[int]:
    """The positions, in the transaction, of the items whose condition did not hold (empty when
    the transaction was cancelled for another reason, such as a conflict with another one)."""
    reasons = exc.cancellation_reasons or []
    return {i for i, reason in enumerate(reasons) if reason is not None and reason.code == ITEM_CONDITION_FAILED}


def refused_items(exc: TransactWriteError) -> dict[int, dict[str, Any]]:
    """The items, as they were, that the cancelled transaction's refused writes asked back
    (ReturnValuesOnConditionCheckFailure ALL_OLD), by position; none for a missing item."""
    reasons = exc.cancellation_reasons or []
    return {i: reason.raw_item for i, reason in enumerate(reasons)
            if reason is not None and reason.code == ITEM_CONDITION_FAILED and reason.raw_item}


def item_failed(exc: TransactWriteError, position: int) -> bool:
    """True when the item at `position` of the cancelled transaction failed its condition."""
    return position in failed_items(exc)


def write_each_that_holds(items: Sequence[T], add: Callable[[Any, T, int], None], *, per_transaction: int = 100,
                          attempts: int, wait: Callable[[int], Any], what: str) -> list[T]:
    """Write `items` conditionally, `per_transaction` per TransactWriteItems (`add(write, item,
    now)` adds one item's write): an item whose condition does not hold is left out and the
    others written again; a transaction cancelled for another reason (a concurrent one on the
    same items) waits (`wait(attempt)`), then again. The items written, in their order; raises
    when some could not be written in `attempts`."""
    from chalicelib import clock
    from chalicelib.adapters.tables.base import transaction

    done: list[T] = []
    for start in range(0, len(items), per_transaction):
        pending = list(items[start:start + per_transaction])
        for attempt in range(attempts):
            if not pending:
                break
            now = clock.epoch()
            try:
                with transaction() as write:
                    for item in pending:
                        add(write, item, now)
                done += pending
                pending = []
            except TransactWriteError as exc:
                refused = failed_items(exc)
                if refused:
                    pending = [item for i, item in enumerate(pending) if i not in refused]
                else:
                    wait(attempt)
        if pending:
            raise RuntimeError(f"could not write {len(pending)} {what}")
    return done
