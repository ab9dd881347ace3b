"""Every client of an outside service gets its deadline here: DynamoDB (PynamoDB models, the
low-level client of transactions and bulk writes), Stripe, SNS, SES, SQS and SSM.

Each has an explicit connect timeout, read timeout and a bounded number of attempts, all
settings (chalicelib/config.py, documented in README "When a dependency stalls"). The
defaults are chosen so that one HTTP request ends in under HTTP_DEADLINE_SECONDS even when
DynamoDB and Stripe both stop answering: `worst_case_seconds` is that arithmetic, and a unit
test holds the defaults to it. Botocore's and Stripe's own defaults (60-80 s reads, several
retries) never apply.
"""

from __future__ import annotations

from typing import Any

from botocore.config import Config

from chalicelib.config import Settings, settings
from chalicelib.domain import backoff
from chalicelib.lazy import boto3, stripe
# These adapters import this module back: read on first use, when rebuilding them.
from chalicelib.lazy import channels, payments, tables

HTTP_DEADLINE_SECONDS = 10.0  # API Gateway cuts at 29 s; a co-producer waits far less
BOTOCORE_MAX_BACKOFF = 20.0  # botocore "standard" mode: random * 2 ** (attempt - 1), capped
STRIPE_INITIAL_DELAY, STRIPE_MAX_DELAY = 0.5, 5.0  # stripe-python's network retry backoff


def dynamodb_options(s: Settings | None = None) -> dict[str, Any]:
    """PynamoDB's names (Model.Meta attributes and Connection arguments): botocore "standard"
    retries with `dynamodb_max_attempts` attempts in all."""
    s = s or settings()
    return {"connect_timeout_seconds": s.dynamodb_connect_timeout,
            "read_timeout_seconds": s.dynamodb_read_timeout,
            "max_retry_attempts": s.dynamodb_max_attempts - 1}


def aws_config(**extra: Any) -> Any:
    """botocore Config of the SNS, SES, SQS and SSM clients."""
    s = settings()
    return Config(connect_timeout=s.aws_connect_timeout, read_timeout=s.aws_read_timeout,
                  retries={"mode": "standard", "total_max_attempts": s.aws_max_attempts}, **extra)


def aws_client(service: str, **extra: Any) -> Any:
    """A boto3 client of `service` (sns, sesv2, sqs, ssm) with its deadline."""
    s = settings()
    endpoint = s.aws_endpoint if service != "ssm" else None
    return boto3.client(service, region_name=s.region, endpoint_url=endpoint, config=aws_config(**extra))


def stripe_options() -> dict[str, Any]:
    """Arguments of stripe.StripeClient: a requests client with (connect, read) timeouts, and
    the network retries stripe-python does itself (with the same idempotency key)."""
    s = settings()
    return {"max_network_retries": s.stripe_max_network_retries,
            "http_client": stripe.RequestsClient(timeout=(s.stripe_connect_timeout, s.stripe_read_timeout))}


def _botocore_worst(attempts: int, connect: float, read: float) -> float:
    waits = sum(backoff.ceiling(k - 1, base=1.0, cap=BOTOCORE_MAX_BACKOFF) for k in range(1, attempts))
    return attempts * (connect + read) + waits


def worst_case_seconds(dependency: str, s: Settings | None = None) -> float:
    """The longest one call to `dependency` can take before it gives up, whatever it does:
    every attempt waits its connect and read timeouts, plus the longest backoffs between."""
    s = s or settings()
    if dependency == "dynamodb":
        return _botocore_worst(s.dynamodb_max_attempts, s.dynamodb_connect_timeout, s.dynamodb_read_timeout)
    if dependency == "stripe":
        retries = s.stripe_max_network_retries
        waits = sum(backoff.ceiling(n - 1, base=STRIPE_INITIAL_DELAY, cap=STRIPE_MAX_DELAY) for n in range(1, retries + 1))
        return (retries + 1) * (s.stripe_connect_timeout + s.stripe_read_timeout) + waits
    if dependency in ("sns", "ses", "sqs", "ssm"):
        return _botocore_worst(s.aws_max_attempts, s.aws_connect_timeout, s.aws_read_timeout)
    raise ValueError(f"unknown dependency {dependency!r}")


def rebuild() -> None:
    """Read the settings again and drop every client built from them, so that the next call
    builds it anew (tests and benchmarks that move an endpoint or lower a deadline)."""
    settings.cache_clear()
    tables.reconnect()
    payments.client.cache_clear()
    channels.client.cache_clear()
