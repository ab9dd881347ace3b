"""A dependency that did not answer in time, or throttled: which one, and what kind.

`classify` reads an exception (and what caused it) from PynamoDB, botocore, stripe-python
or the notification channels; `record` counts it as a Powertools metric, one per dependency
and kind (`DynamoDBTimeouts`, `StripeThrottles`...), which infra/ alarms on. The HTTP edge
answers 503 with Retry-After for any of them (chalicelib/web.py); queue handlers hand the
message back (chalicelib/services/handback.py).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Iterator

import botocore.exceptions as bce
from aws_lambda_powertools.metrics import MetricUnit
from pynamodb.exceptions import PynamoDBException

from chalicelib.config import settings
from chalicelib.observability import logger, metrics

TIMEOUT, THROTTLE = "timeout", "throttle"
DEPENDENCIES = {"dynamodb": "DynamoDB", "stripe": "Stripe", "sns": "SNS", "ses": "SES", "sqs": "SQS",
                "ssm": "SSM"}
# Every metric `record` may emit; infra/stack.py has one alarm for each.
METRIC_NAMES = tuple(f"{label}{kind}" for label in DEPENDENCIES.values() for kind in ("Timeouts", "Throttles"))

THROTTLING_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "Throttling", "TooManyRequestsException", "ThrottledException", "LimitExceededException", "SlowDown",
    # TransactWriteItems' cancellation reasons
    "ThrottlingError", "ProvisionedThroughputExceeded",
})
_OPERATIONS = {
    "sns": {"Publish", "CreateTopic"}, "ses": {"SendEmail"}, "sqs": {"SendMessage", "GetQueueUrl"},
    "ssm": {"GetParameter"},
}
_HOSTS = (("dynamodb", "dynamodb."), ("sns", "sns."), ("ses", "email."), ("sqs", "sqs."), ("ssm", "ssm."))


@dataclass(frozen=True)
class Outage:
    dependency: str  # a key of DEPENDENCIES
    kind: str  # TIMEOUT | THROTTLE

    @property
    def label(self) -> str:
        return DEPENDENCIES[self.dependency]

    @property
    def metric(self) -> str:
        return f"{self.label}{'Timeouts' if self.kind == TIMEOUT else 'Throttles'}"

    def message(self) -> str:
        what = "did not answer in time" if self.kind == TIMEOUT else "is throttling requests"
        return f"{self.label} {what}; nothing was lost, retry in a moment"


class DependencyDown(Exception):
    """Raised instead of a library's error where retrying at once would only wait again
    (transactions: see tables.transaction)."""

    def __init__(self, outage: Outage):
        super().__init__(outage.message())
        self.outage = outage


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [getattr(current, "cause", None), current.__cause__, current.__context__]


def _by_endpoint(exc: Any) -> str | None:
    url = str((getattr(exc, "kwargs", None) or {}).get("endpoint_url") or "")
    s = settings()
    if s.dynamodb_endpoint and url.startswith(s.dynamodb_endpoint):
        return "dynamodb"
    for dependency, host in _HOSTS:
        if f"//{host}" in url:
            return dependency
    return None


def _by_operation(name: str | None) -> str:
    for dependency, operations in _OPERATIONS.items():
        if name in operations:
            return dependency
    return "dynamodb"


def _one(exc: BaseException, dynamodb: bool) -> Outage | None:
    """`dynamodb`: the exception came through PynamoDB (so DynamoDB is the dependency)."""
    if isinstance(exc, DependencyDown):
        return exc.outage
    service, kind = getattr(exc, "service", None), getattr(exc, "outage_kind", None)  # channels.SendError
    if service in DEPENDENCIES and kind in (TIMEOUT, THROTTLE):
        return Outage(service, kind)
    if isinstance(exc, (bce.ConnectionError, bce.HTTPClientError)):
        return Outage("dynamodb" if dynamodb else (_by_endpoint(exc) or "dynamodb"), TIMEOUT)
    if isinstance(exc, bce.ClientError):
        code = _code(exc)
        if code in THROTTLING_CODES:
            return Outage("dynamodb" if dynamodb else _by_operation(exc.operation_name), THROTTLE)
        if code == "TransactionCanceledException":
            reasons = getattr(exc, "cancellation_reasons", None) or ()
            if any(r is not None and r.code in THROTTLING_CODES for r in reasons):
                return Outage("dynamodb", THROTTLE)
    stripe = sys.modules.get("stripe")  # loaded only where money moves
    if stripe is not None:
        if isinstance(exc, stripe.RateLimitError):
            return Outage("stripe", THROTTLE)
        if isinstance(exc, stripe.APIConnectionError):
            return Outage("stripe", TIMEOUT)
    return None


def _code(exc: Any) -> str | None:
    response = getattr(exc, "response", None)
    return (response.get("Error") or {}).get("Code") if isinstance(response, dict) else None


def classify(exc: BaseException) -> Outage | None:
    """The outage behind `exc`, or None when it is anything else (a bug, a refusal...)."""
    dynamodb = False
    for current in _chain(exc):
        dynamodb = dynamodb or isinstance(current, PynamoDBException)
        if isinstance(current, PynamoDBException) and _code(current.cause) in THROTTLING_CODES:
            return Outage("dynamodb", THROTTLE)
        outage = _one(current, dynamodb)
        if outage is not None:
            return outage
    return None


def raise_if_down(exc: BaseException) -> None:
    outage = classify(exc)
    if outage is not None:
        raise DependencyDown(outage) from exc


def record(outage: Outage) -> None:
    """One count of `outage`'s metric (flushed by the handler's middleware), and a log line."""
    metrics.add_metric(name=outage.metric, unit=MetricUnit.Count, value=1)
    logger.warning("dependency unavailable", extra={"dependency": outage.dependency, "kind": outage.kind})
