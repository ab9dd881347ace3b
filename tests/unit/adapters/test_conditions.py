import pytest
from botocore.exceptions import ClientError
from pynamodb.exceptions import CancellationReason, PutError, TransactWriteError, UpdateError, VerboseClientError

from chalicelib.adapters import conditions


def _error(kind, code):
    cause = ClientError({"Error": {"Code": code, "Message": "m"}}, "PutItem")
    return kind("refused", cause=cause)


def test_a_refused_condition_is_not_written_and_other_errors_raise():
    def refused():
        raise _error(UpdateError, "ConditionalCheckFailedException")

    def throttled():
        raise _error(PutError, "ProvisionedThroughputExceededException")

    assert conditions.written(lambda: None) is True
    assert conditions.written(refused) is False
    with pytest.raises(PutError):
        conditions.written(throttled)


def test_the_items_of_a_transaction_whose_condition_failed():
    cause = VerboseClientError({"Error": {"Code": "TransactionCanceledException", "Message": "m"}},
                               "TransactWriteItems", cancellation_reasons=[
                                   None, CancellationReason(code="ConditionalCheckFailed"),
                                   CancellationReason(code="TransactionConflict")])
    exc = TransactWriteError("cancelled", cause=cause)
    assert conditions.failed_items(exc) == {1}
    assert conditions.item_failed(exc, 1) and not conditions.item_failed(exc, 2)
