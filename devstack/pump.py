"""The local event pump: what Lambda's event sources do on AWS, for `make run` and the tests.

For every entry of infra/functions.py FUNCTIONS that app.py defines:
- `streams`: reads that table's stream in DynamoDB Local (dynamodbstreams), builds the
  Lambda event (``{"Records": [...]}`` with ``eventSourceARN``) and calls the handler; a
  reported ``batchItemFailures`` sequence number (or an exception) is retried from there.
- `consumes`: polls that queue in moto's server (where the events topic delivers through
  its subscription) and calls the handler; handled messages are deleted, failed ones are
  made visible again at once, so moto's redrive policy dead-letters them after
  `max_receive_count` receives, as SQS would.
Generic: a new stream or queue consumer in FUNCTIONS is pumped with no change here.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable

from botocore.exceptions import ClientError

from infra.functions import FUNCTIONS


@dataclass
class _Shard:
    iterator: str | None
    last_sequence: str | None = None
    done: bool = False


@dataclass
class _StreamSource:
    function: str
    table: str
    batch_size: int
    arn: str | None = None
    shards: dict[str, _Shard] = field(default_factory=dict)


def _clients() -> tuple[Any, Any, Any]:
    import boto3

    from chalicelib.adapters.channels import client
    from chalicelib.config import settings

    s = settings()
    kwargs = {"region_name": s.region, "endpoint_url": s.dynamodb_endpoint}
    return boto3.client("dynamodb", **kwargs), boto3.client("dynamodbstreams", **kwargs), client("sqs")


def _sqs_record(message: dict[str, Any], arn: str) -> dict[str, Any]:
    attributes = {name: {"stringValue": value.get("StringValue"), "dataType": value.get("DataType")}
                  for name, value in (message.get("MessageAttributes") or {}).items()}
    return {"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"], "attributes": message.get("Attributes") or {},
            "messageAttributes": attributes, "eventSource": "aws:sqs", "eventSourceARN": arn,
            "md5OfBody": message.get("MD5OfBody")}


class Pump:
    """`from_latest`: skip what the streams hold already (tests); otherwise start at the
    oldest record kept (make run: redelivery is harmless, handlers are idempotent)."""

    def __init__(self, handlers: dict[str, Callable[..., Any]], *, from_latest: bool = False, workers: int = 1):
        from chalicelib.config import resource_name, table_name

        self.handlers = handlers
        self.workers = workers  # invocations of a queue's consumer at once (Lambda's concurrency)
        self.dynamodb, self.streams, self.sqs = _clients()
        self.from_latest = from_latest
        self.stream_sources = [_StreamSource(name, table_name(short), spec.batch_size)
                               for name, spec in FUNCTIONS.items() if name in handlers
                               for short in spec.streams]
        self.queue_sources = [(name, resource_name(short), min(10, spec.batch_size))
                              for name, spec in FUNCTIONS.items() if name in handlers
                              for short in spec.consumes]
        self._queue_urls: dict[str, tuple[str, str]] = {}
        for source in self.stream_sources:
            self._refresh(source, initial=True)

    # --- streams -----------------------------------------------------------------------

    def _refresh(self, source: _StreamSource, *, initial: bool = False) -> None:
        if source.arn is None:
            table = self.dynamodb.describe_table(TableName=source.table)["Table"]
            source.arn = table.get("LatestStreamArn")
            if source.arn is None:
                return
        description = self.streams.describe_stream(StreamArn=source.arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id in source.shards:
                continue
            closed = "EndingSequenceNumber" in shard.get("SequenceNumberRange", {})
            if initial and self.from_latest and closed:
                source.shards[shard_id] = _Shard(None, done=True)
                continue
            kind = "LATEST" if initial and self.from_latest else "TRIM_HORIZON"
            iterator = self.streams.get_shard_iterator(StreamArn=source.arn, ShardId=shard_id,
                                                       ShardIteratorType=kind)["ShardIterator"]
            source.shards[shard_id] = _Shard(iterator)

    def _reposition(self, source: _StreamSource, shard_id: str, shard: _Shard, *, at: str | None = None) -> None:
        if at is not None:
            params = {"ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": at}
        elif shard.last_sequence is not None:
            params = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": shard.last_sequence}
        else:
            params = {"ShardIteratorType": "TRIM_HORIZON"}
        shard.iterator = self.streams.get_shard_iterator(StreamArn=source.arn, ShardId=shard_id,
                                                         **params)["ShardIterator"]

    def _pump_shard(self, source: _StreamSource, shard_id: str, shard: _Shard) -> int:
        delivered = 0
        while shard.iterator and not shard.done:
            try:
                page = self.streams.get_records(ShardIterator=shard.iterator, Limit=source.batch_size)
            except ClientError as exc:
                if exc.response["Error"]["Code"] in ("ExpiredIteratorException", "TrimmedDataAccessException"):
                    self._reposition(source, shard_id, shard)
                    continue
                raise
            records = page.get("Records") or []
            next_iterator = page.get("NextShardIterator")
            if not records:
                shard.iterator = next_iterator
                shard.done = next_iterator is None
                return delivered
            batch = [{**r, "eventSourceARN": source.arn} for r in records]
            failed_at = self._invoke_stream(source.function, batch)
            if failed_at is not None:  # retried on the next round, from that record
                self._reposition(source, shard_id, shard, at=failed_at)
                return delivered
            delivered += len(records)
            shard.last_sequence = records[-1]["dynamodb"]["SequenceNumber"]
            shard.iterator = next_iterator
        return delivered

    def _invoke_stream(self, name: str, batch: list[dict[str, Any]]) -> str | None:
        try:
            result = self.handlers[name]({"Records": batch}, None) or {}
        except Exception as exc:  # the whole batch again, like Lambda
            print(f"pump: {name} failed: {exc!r}", file=sys.stderr, flush=True)
            return batch[0]["dynamodb"]["SequenceNumber"]
        failures = result.get("batchItemFailures") or [] if isinstance(result, dict) else []
        return failures[0]["itemIdentifier"] if failures else None

    def pump_streams(self) -> int:
        delivered = 0
        for source in self.stream_sources:
            self._refresh(source)
            for shard_id, shard in list(source.shards.items()):
                delivered += self._pump_shard(source, shard_id, shard)
        return delivered

    # --- queues ------------------------------------------------------------------------

    def _queue(self, name: str) -> tuple[str, str]:
        if name not in self._queue_urls:
            url = self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
            arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            self._queue_urls[name] = (url, arn)
        return self._queue_urls[name]

    def pump_queues(self) -> int:
        """Up to `workers` batches of each queue, handled at once (threads), as that many
        concurrent invocations of its consumer would on Lambda."""
        delivered = 0
        for function, queue, batch_size in self.queue_sources:
            url, arn = self._queue(queue)
            batches = []
            for _ in range(self.workers):
                messages = self.sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=batch_size, WaitTimeSeconds=0,
                    AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages") or []
                if not messages:
                    break
                batches.append(messages)
            if len(batches) == 1:
                self._invoke_queue(function, url, arn, batches[0])
            elif batches:
                with ThreadPoolExecutor(max_workers=len(batches)) as pool:
                    list(pool.map(partial(self._invoke_queue, function, url, arn), batches))
            delivered += sum(len(messages) for messages in batches)
        return delivered

    def _invoke_queue(self, function: str, url: str, arn: str, messages: list[dict[str, Any]]) -> None:
        records = [_sqs_record(m, arn) for m in messages]
        try:
            result = self.handlers[function]({"Records": records}, None) or {}
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures") or []}
        except Exception as exc:
            print(f"pump: {function} failed: {exc!r}", file=sys.stderr, flush=True)
            failed = {r["messageId"] for r in records}
        for message in messages:
            if message["MessageId"] in failed:
                self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"],
                                                   VisibilityTimeout=0)
            else:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    # --- loops -------------------------------------------------------------------------

    def run_once(self) -> int:
        return self.pump_streams() + self.pump_queues()

    def drain(self, max_rounds: int = 10_000) -> int:
        """Pump until nothing moves (tests): the number of records and messages handled."""
        total = 0
        for _ in range(max_rounds):
            moved = self.run_once()
            total += moved
            if not moved:
                return total
        raise RuntimeError(f"the pump still moves after {max_rounds} rounds")

    def forever(self, idle_seconds: float = 0.5) -> None:
        while True:
            try:
                moved = self.run_once()
            except Exception as exc:  # a service restarting: try again
                print(f"pump: {exc!r}", file=sys.stderr, flush=True)
                moved = 0
            if not moved:
                time.sleep(idle_seconds)


def app_handlers() -> dict[str, Callable[..., Any]]:
    import app

    return {name: handler for name, handler in app.app.handler_map.items() if name in FUNCTIONS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--workers", type=int, default=1, help="invocations of a queue's consumer at once")
    args = parser.parse_args()
    from devstack.prepare import wait_until_prepared

    wait_until_prepared()
    pump = Pump(app_handlers(), workers=args.workers)
    print("pump: feeding " + ", ".join(
        [f"{s.function} <- {s.table} stream" for s in pump.stream_sources]
        + [f"{f} <- {q}" for f, q, _ in pump.queue_sources]), flush=True)
    pump.forever(args.interval)


if __name__ == "__main__":
    sys.exit(main())
