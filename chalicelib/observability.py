"""Structured JSON logs (Powertools Logger) and CloudWatch metrics (Powertools Metrics, EMF)."""

from __future__ import annotations

import logging
from typing import Any, Callable

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="coprod")
metrics = Metrics(namespace="Coprod", service="coprod")
# One line per boto3 client ("Found credentials in environment variables") says nothing useful.
logging.getLogger("botocore.credentials").setLevel(logging.WARNING)


def _flush() -> None:
    if metrics.metric_set:  # nothing recorded: nothing to print
        metrics.flush_metrics(raise_on_empty_metrics=False)


def http_middleware(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Tag every log line with the API Gateway request id; flush metrics after the request."""
    request_id = (getattr(event, "context", None) or {}).get("requestId")
    logger.set_correlation_id(request_id)
    try:
        return get_response(event)
    finally:
        _flush()


def event_middleware(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """For every handler that is not a route: the Lambda request id as correlation id."""
    context = getattr(event, "context", None)
    request_id = context.get("aws_request_id") if isinstance(context, dict) else getattr(context, "aws_request_id", None)
    logger.set_correlation_id(request_id)
    try:
        return get_response(event)
    except Exception as exc:  # a handler that gives up on a stalled dependency: count it too
        from chalicelib.adapters import outages

        outage = outages.classify(exc)
        if outage is not None:
            outages.record(outage)
        raise
    finally:
        _flush()
