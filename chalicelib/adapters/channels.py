"""SNS, SES and SQS as the notifications use them. On stage `local` they are moto's server
(AWS_ENDPOINT).

botocore's own retries are off: the notifier retries with its own backoff, so that how
many attempts a throttled message gets is decided (and tested) in one place.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Mapping

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from chalicelib.adapters.clients import aws_client
from chalicelib.config import resource_name, settings

THROTTLING_CODES = frozenset({
    "Throttling", "ThrottlingException", "TooManyRequestsException", "LimitExceededException",
    "ThrottledException", "RequestLimitExceeded", "SlowDown",
})


class SendError(Exception):
    """A send that failed; `retryable` when waiting may help (throttling, network).
    `service` and `outage_kind` ("timeout", "throttle" or None) name it for adapters/outages.py."""

    def __init__(self, message: str, *, retryable: bool, service: str | None = None,
                 outage_kind: str | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.service = service
        self.outage_kind = outage_kind


@lru_cache(maxsize=None)
def client(service: str) -> Any:
    """Timeouts and attempts: AWS_* settings (adapters/clients.py; one attempt by default)."""
    return aws_client(service, max_pool_connections=32)


def _service(name: str) -> str:
    return "ses" if name == "sesv2" else name


def _call(service: str, operation: str, **params: Any) -> dict[str, Any]:
    try:
        return getattr(client(service), operation)(**params)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        raise SendError(f"{service} {code or status}: {exc}",
                        retryable=code in THROTTLING_CODES or status >= 500, service=_service(service),
                        outage_kind="throttle" if code in THROTTLING_CODES else None) from exc
    except BotoCoreError as exc:  # connection errors, timeouts
        raise SendError(f"{service}: {exc}", retryable=True, service=_service(service),
                        outage_kind="timeout" if isinstance(exc, (BotocoreConnectionError, HTTPClientError)) else None) from exc


def send_email(to: str, subject: str, html: str, text: str, headers: Mapping[str, str] | None = None) -> str:
    """`headers`: extra header fields (List-Unsubscribe...)."""
    s = settings()
    params: dict[str, Any] = {
        "FromEmailAddress": s.ses_sender,
        "Destination": {"ToAddresses": [to]},
        "Content": {"Simple": {
            "Subject": {"Data": subject, "Charset": "UTF-8"},
            "Body": {"Text": {"Data": text, "Charset": "UTF-8"}, "Html": {"Data": html, "Charset": "UTF-8"}},
        }},
    }
    if headers:
        params["Content"]["Simple"]["Headers"] = [{"Name": name, "Value": value} for name, value in headers.items()]
    if s.ses_configuration_set:
        params["ConfigurationSetName"] = s.ses_configuration_set
    return _call("sesv2", "send_email", **params)["MessageId"]


def send_sms(phone: str, message: str) -> str:
    return _call("sns", "publish", PhoneNumber=phone, Message=message, MessageAttributes={
        "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
    })["MessageId"]


def publish_event(body: str, attributes: Mapping[str, str]) -> str:
    return _call("sns", "publish", TopicArn=settings().events_topic_arn, Message=body, MessageAttributes={
        name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()
    })["MessageId"]


@lru_cache(maxsize=None)
def queue_url(short: str) -> str:
    configured = settings().notifications_queue_url if short == "notifications" else None
    return configured or _call("sqs", "get_queue_url", QueueName=resource_name(short))["QueueUrl"]


def send_to_queue(short: str, body: Mapping[str, Any]) -> None:
    _call("sqs", "send_message", QueueUrl=queue_url(short), MessageBody=json.dumps(body, sort_keys=True))
