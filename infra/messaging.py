"""SNS topics and SQS queues, as data. Every queue gets a dead-letter queue and a DLQ alarm."""

from __future__ import annotations

from dataclasses import dataclass

TOPICS: tuple[str, ...] = ("events",)  # -> coprod-<stage>-events


@dataclass(frozen=True)
class QueueSpec:
    short: str
    subscribe_to: str | None = None  # a TOPICS entry; raw message delivery
    max_receive_count: int = 5  # receives before a message moves to the DLQ
    # Visibility timeout is derived: 6 x the longest timeout of its consumers (AWS advice),
    # at least this value.
    min_visibility_seconds: int = 60


QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec("notifications", subscribe_to="events"),
    QueueSpec("distribution-chunks", max_receive_count=3),
)

BY_SHORT: dict[str, QueueSpec] = {q.short: q for q in QUEUES}


def topic_name(stage: str, short: str) -> str:
    return f"coprod-{stage}-{short}"


def queue_name(stage: str, short: str) -> str:
    return f"coprod-{stage}-{short}"


def dlq_name(stage: str, short: str) -> str:
    return f"coprod-{stage}-{short}-dlq"
