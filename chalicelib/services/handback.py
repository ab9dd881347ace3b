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
from chalicelib.lazy import batches
from chalicelib.observability import logger

MARGIN_SECONDS = 15.0  # more than one record's worst case on a stalled dependency


def _seconds_left(context: Any) -> float | None:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining() / 1000 if callable(remaining) else None


def each(records: Iterable[Mapping[str, Any]], handle: Callable[[Mapping[str, Any]], Any], *,
         context: Any = None, margin_seconds: float = MARGIN_SECONDS, what: str = "message") -> dict[str, Any]:
    handing_back: list[str] = []  # why the rest of the batch goes back untouched

    def near_timeout() -> str | None:
        left = _seconds_left(context)
        if not handing_back and left is not None and left < margin_seconds:
            handing_back.append("the Lambda is near its timeout")
        return handing_back[0] if handing_back else None

    def failed(exc: BaseException, message_id: str) -> str | None:
        outage = outages.classify(exc)
        if outage is None:
            logger.error(f"{what} failed", exc_info=exc, extra={"message_id": message_id})
            return None
        outages.record(outage)
        handing_back.append(outage.message())
        return handing_back[0]

    result = batches.each(records, handle, failed=failed, before=near_timeout)
    if handing_back:
        logger.warning(f"{what}s handed back", extra={"handed_back": len(result["batchItemFailures"]),
                                                      "reason": handing_back[0]})
    return result
