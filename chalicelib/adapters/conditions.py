"""A DynamoDB condition that did not hold, recognised in one place.

PynamoDB reports a refused conditional write as PutError/UpdateError/DeleteError whose cause is
`ConditionalCheckFailedException`, and a refused transaction as TransactWriteError whose
cancellation reasons name `ConditionalCheckFailed` per item. Services ask the questions below and
turn the answer into their named outcome ("already counted", "seat taken"); any other error
(throttling, a network fault) still raises, for the outage mapping to answer 503.
"""

from __future__ import annotations

from typing import Any, Callable

from pynamodb.exceptions import PynamoDBException, TransactWriteError

CONDITION_FAILED = "ConditionalCheckFailedException"
ITEM_CONDITION_FAILED = "ConditionalCheckFailed"


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


def item_failed(exc: TransactWriteError, position: int) -> bool:
    """True when the item at `position` of the cancelled transaction failed its condition."""
    return position in failed_items(exc)
