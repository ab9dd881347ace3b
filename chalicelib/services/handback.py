"""Queue handlers end before their Lambda's timeout and hand back what they did not do.

`each` handles a batch of SQS records one by one and returns the batch item failures
(ReportBatchItemFailures: SQS redelivers exactly those, then dead-letters them). A record that
fails is handed back. After a dependency did not answer in time (or throttled), the rest of
the batch is handed back untouched instead of waiting on it once per record; so is
everything once the Lambda has less than `margin_seconds` left. Nothing is lost: every
record is either done or handed back, and the handlers are idempotent, so a redelivered
record does only what was not done yet.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from chalicelib.adapters import outages
from chalicelib.observability import logger

MARGIN_SECONDS = 15.0  # more than one record's worst case on a stalled dependency


def _seconds_left(context: Any) -> float | None:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining() / 1000 if callable(remaining) else None


def each(records: Iterable[Mapping[str, Any]], handle: Callable[[Mapping[str, Any]], Any], *,
         context: Any = None, margin_seconds: float = MARGIN_SECONDS, what: str = "message") -> dict[str, Any]:
    failures: list[dict[str, Any]] = []
    handing_back: str | None = None  # why the rest of the batch goes back untouched
    for record in records:
        item = {"itemIdentifier": record.get("messageId")}
        left = _seconds_left(context)
        if handing_back is None and left is not None and left < margin_seconds:
            handing_back = "the Lambda is near its timeout"
        if handing_back is not None:
            failures.append(item)
            continue
        try:
            handle(record)
        except Exception as exc:
            outage = outages.classify(exc)
            if outage is None:
                logger.exception(f"{what} failed", extra={"message_id": item["itemIdentifier"]})
            else:
                outages.record(outage)
                handing_back = outage.message()
            failures.append(item)
    if handing_back is not None:
        logger.warning(f"{what}s handed back", extra={"handed_back": len(failures), "reason": handing_back})
    return {"batchItemFailures": failures}
