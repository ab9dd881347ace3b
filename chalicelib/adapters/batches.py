"""Lambda batches (a DynamoDB stream's records, a queue's messages) through Powertools' batch
processing: each record handled once, in order, and the failed ones reported as
`batchItemFailures` (ReportBatchItemFailures); no consumer writes that answer by hand.

- `in_order` (DynamoDB streams): a stream is ordered per shard, so the batch stops at its first
  failure and reports that record alone; Lambda retries the shard from it, and the records after
  it are handled after it, never before. (Powertools' `BatchProcessor` would go on and handle
  them first; its `SqsFifoPartialProcessor` stops the same way, for FIFO queues.)
- `each` (SQS): every message is handled; a failed one is reported, SQS redelivers it and, after
  `max_receive_count` receives, dead-letters it. `hand_back` may send the rest of the batch back
  untouched (a stalled dependency, a Lambda near its timeout: services/handback.py).

A batch whose every record failed is reported like any other rather than raised: the retries
are the same. Powertools' batch module takes about 90 ms to import (asyncio, every event data
class): services reach this module through `chalicelib.lazy`, so `import app` never loads it.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType

from chalicelib.adapters import streams
from chalicelib.observability import logger


class Batch(BatchProcessor):
    """Powertools' processor, that may stop handling records before the end of the batch.

    `stop(exception, item)` is told of each failure (`item`: the record's identifier) and
    `before()` is asked before each record: a reason from either ends the handling. What is
    left is reported as failed (`report_rest`, a queue: every message handed back) or not at
    all (a stream: Lambda retries from the first failure)."""

    def __init__(self, event_type: EventType, *, report_rest: bool, stop: Callable[[BaseException, str], str | None],
                 before: Callable[[], str | None] = lambda: None):
        super().__init__(event_type, raise_on_entire_batch_failure=False)
        self.report_rest, self.stop, self.before = report_rest, stop, before
        self.stopped: str | None = None

    def _prepare(self) -> None:
        super()._prepare()
        self.stopped = None

    def _process_record(self, record: dict) -> Any:
        self.stopped = self.stopped or self.before()
        if self.stopped is not None:
            if self.report_rest:  # handed back untouched: SQS delivers it again
                self.fail_messages.append(self._to_batch_type(record, self.event_type))
            return ("skipped", self.stopped, record)
        return super()._process_record(record)

    def failure_handler(self, record: Any, exception: Any) -> Any:
        item = record.message_id if self.event_type is EventType.SQS else record.dynamodb.sequence_number
        self.stopped = self.stop(exception[1], item)
        return super().failure_handler(record, exception)


def _run(processor: Batch, records: Iterable[Mapping[str, Any]], handle: Callable[[Any], Any]) -> dict[str, Any]:
    with processor([dict(record) for record in records], handle):
        processor.process()
    return dict(processor.response())


def in_order(event: Mapping[str, Any], handle: Callable[[streams.StreamRecord], Any], *,
             what: str = "stream record") -> dict[str, Any]:
    """A DynamoDB stream batch, record by record, up to the first that fails (reported)."""
    def stop(exc: BaseException, item: str) -> str:
        logger.error(f"{what} failed", exc_info=exc, extra={"sequence_number": item})
        return "an earlier record failed"

    processor = Batch(EventType.DynamoDBStreams, report_rest=False, stop=stop)
    return _run(processor, event.get("Records") or (), lambda record: handle(streams.record(record.raw_event)))


def each(records: Iterable[Mapping[str, Any]], handle: Callable[[Mapping[str, Any]], Any], *,
         failed: Callable[[BaseException, str], str | None], before: Callable[[], str | None] = lambda: None,
         ) -> dict[str, Any]:
    """An SQS batch, message by message (`handle` gets the raw message). `failed(exc, message_id)`
    is told of each failure and may return why the rest goes back untouched; so may `before()`,
    asked before each message."""
    processor = Batch(EventType.SQS, report_rest=True, stop=failed, before=before)
    return _run(processor, records, lambda record: handle(record.raw_event))
