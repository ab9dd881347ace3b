"""Which dependency an error comes from, and whether it is a timeout or a throttle."""

from __future__ import annotations

import pytest
import stripe
from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError
from pynamodb.connection.base import VerboseClientError
from pynamodb.exceptions import CancellationReason, GetError, PutError, TransactWriteError

from chalicelib.adapters import channels, outages
from chalicelib.adapters.outages import THROTTLE, TIMEOUT, Outage


def client_error(code: str, operation: str = "PutItem", reasons=()) -> VerboseClientError:
    return VerboseClientError({"Error": {"Code": code, "Message": code}}, operation, {},
                              cancellation_reasons=reasons)


def raised(exc: BaseException, cause: BaseException) -> BaseException:
    try:
        raise exc from cause
    except BaseException as caught:  # noqa: BLE001 - the chain is what is tested
        return caught


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException",
                                  "RequestLimitExceeded"])
def test_a_throttled_dynamodb_is_a_dynamodb_throttle(code):
    assert outages.classify(PutError("put", client_error(code))) == Outage("dynamodb", THROTTLE)


def test_a_transaction_cancelled_for_throttling_is_a_throttle_and_for_a_condition_is_not():
    throttled = client_error("TransactionCanceledException", "TransactWriteItems",
                             [None, CancellationReason(code="ThrottlingError")])
    assert outages.classify(TransactWriteError("tx", throttled)) == Outage("dynamodb", THROTTLE)
    refused = client_error("TransactionCanceledException", "TransactWriteItems",
                           [CancellationReason(code="ConditionalCheckFailed")])
    assert outages.classify(TransactWriteError("tx", refused)) is None


def test_timeouts_through_pynamodb_and_from_the_raw_clients():
    timeout = ReadTimeoutError(endpoint_url="https://dynamodb.eu-west-3.amazonaws.com/")
    assert outages.classify(GetError("get", timeout)) == Outage("dynamodb", TIMEOUT)
    assert outages.classify(timeout) == Outage("dynamodb", TIMEOUT)
    sqs = ConnectTimeoutError(endpoint_url="https://sqs.eu-west-3.amazonaws.com/")
    assert outages.classify(raised(RuntimeError("send failed"), sqs)) == Outage("sqs", TIMEOUT)


def test_channels_name_their_service():
    throttled = channels.SendError("sesv2 TooManyRequestsException", retryable=True, service="ses",
                                   outage_kind="throttle")
    assert outages.classify(throttled) == Outage("ses", THROTTLE)
    refused = channels.SendError("sns InvalidParameter", retryable=False, service="sns")
    assert outages.classify(refused) is None


def test_stripe_unreachable_or_rate_limited_through_our_own_error():
    from chalicelib.errors import Unavailable

    assert outages.classify(raised(Unavailable("x"), stripe.APIConnectionError("timed out"))) == Outage("stripe", TIMEOUT)
    assert outages.classify(stripe.RateLimitError("slow down")) == Outage("stripe", THROTTLE)
    assert outages.classify(stripe.CardError("declined", None, "card_declined")) is None


def test_anything_else_is_no_outage():
    assert outages.classify(ValueError("a bug")) is None
    assert outages.classify(PutError("put", client_error("ConditionalCheckFailedException"))) is None
    assert outages.classify(ClientError({"Error": {"Code": "AccessDenied"}}, "Query")) is None


def test_every_outage_has_a_metric_of_its_own():
    names = {Outage(d, k).metric for d in outages.DEPENDENCIES for k in (TIMEOUT, THROTTLE)}
    assert names == set(outages.METRIC_NAMES) and len(names) == 2 * len(outages.DEPENDENCIES)
    assert Outage("dynamodb", TIMEOUT).metric == "DynamoDBTimeouts"
    assert Outage("stripe", THROTTLE).metric == "StripeThrottles"
    assert "Traceback" not in Outage("dynamodb", TIMEOUT).message()
