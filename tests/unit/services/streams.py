"""Stream records as Lambda delivers them, for the consumers' unit tests."""

from __future__ import annotations


def record(sequence_number: str, keys: dict, new: dict | None = None, old: dict | None = None, *,
           event_name: str = "MODIFY") -> dict:
    def image(values: dict) -> dict:
        return {k: {"N": str(v)} if isinstance(v, int) else {"S": v} for k, v in values.items()}

    dynamodb = {"SequenceNumber": sequence_number, "Keys": image(keys)}
    if new is not None:
        dynamodb["NewImage"] = image(new)
    if old is not None:
        dynamodb["OldImage"] = image(old)
    return {"eventName": event_name, "eventSourceARN": "arn:aws:dynamodb:r:1:table/t/stream/x", "dynamodb": dynamodb}


def failing(seen: list, *, when, result=None):
    """A stand-in that records its calls' arguments in `seen` and fails on those `when` accepts."""
    def call(*args):
        seen.append(args)
        if when(*args):
            raise RuntimeError(f"{args} failed (DynamoDB throttled)")
        return result
    return call
