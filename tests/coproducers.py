"""Co-producers for perk tests: money counted through the contributions service (the same
transaction a paid pledge goes through), without a round trip to Stripe."""

from __future__ import annotations

import uuid

from chalicelib import clock
from chalicelib.adapters import streams
from chalicelib.adapters.tables import BackingRecord, PledgeRecord
from chalicelib.auth import Caller
from chalicelib.services import contributions


def back(film_id: str, caller: Caller, amount_cents: int) -> str:
    """A confirmed pledge of `amount_cents`; returns its id (to refund it)."""
    now = clock.iso()
    pledge_id = f"plg_{uuid.uuid4().hex}"
    pledge = PledgeRecord(pledge_id, film_id=film_id, user_id=caller.user_id, amount_cents=amount_cents,
                          status="pending", request_hash="test", created_at=now, updated_at=now,
                          created_key=f"{now}#{pledge_id}")
    pledge.save()
    assert contributions.confirm(pledge) is not None
    return pledge_id


def refund(pledge_id: str, total_refunded_cents: int) -> int:
    return contributions.refund(pledge_id, total_refunded_cents)


def stream_event(film_id: str, user_id: str, old_cents: int | None, new_cents: int, *, seq: str = "1") -> dict:
    """A Lambda event from the backings stream (NEW_AND_OLD_IMAGES), as AWS delivers it."""
    table = BackingRecord.Meta.table_name

    def image(cents: int) -> dict:
        return {"film_id": {"S": film_id}, "user_id": {"S": user_id}, "confirmed_cents": {"N": str(cents)},
                "first_confirmed_at": {"S": "2026-11-27T10:00:00.000000Z"}}

    dynamodb = {"Keys": {"film_id": {"S": film_id}, "user_id": {"S": user_id}}, "NewImage": image(new_cents),
                "SequenceNumber": seq, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if old_cents is not None:
        dynamodb["OldImage"] = image(old_cents)
    record = {"eventID": uuid.uuid4().hex, "eventName": "MODIFY" if old_cents is not None else "INSERT",
              "eventSource": "aws:dynamodb", "awsRegion": "eu-west-3", "dynamodb": dynamodb,
              "eventSourceARN": f"arn:aws:dynamodb:eu-west-3:123456789012:table/{table}/stream/2026-11-27T00:00:00.000"}
    assert next(streams.records({"Records": [record]})).new["film_id"] == film_id
    return {"Records": [record]}
