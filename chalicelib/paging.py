"""Opaque, signed `next` tokens for every list route.

A token carries DynamoDB's LastEvaluatedKey and the list it belongs to (its scope), signed
with HMAC so that a client can neither forge a key into another partition nor replay a
token against another list or filter.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, TypeVar

from chalicelib import signing
from chalicelib.errors import NotFound, invalid_field

T = TypeVar("T")

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
TOKEN_PATTERN = signing.TOKEN_PATTERN


def encode(key: dict[str, Any] | None, scope: str) -> str | None:
    if key is None:
        return None
    return signing.seal({"k": key, "s": scope})


def decode(token: str | None, scope: str) -> dict[str, Any] | None:
    if token is None:
        return None
    if not signing.well_formed(token):
        raise invalid_field("next", "is not a page token (copy `next` as the previous page gave it)")
    try:
        data = signing.unseal(token)
        if data["s"] != scope:
            raise ValueError("other list")
        return data["k"]
    except (ValueError, KeyError, TypeError):
        # Well formed, but no page of this list: forged, from another list or other filters.
        raise NotFound("next: is not a token this list handed out (use the same filters)", code="unknown_page",
                       field="next")


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise invalid_field("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def take_page(results: Iterable[T], limit: int) -> tuple[list[T], dict[str, Any] | None]:
    """Up to `limit` items of a PynamoDB ResultIterator, and the key to resume after them.

    Peeks one item further so that the last page says `next: null` instead of leading to
    an empty page. Query with ``limit=limit + 1``.
    """
    iterator: Iterator[T] = iter(results)
    items: list[T] = []
    resume_key = None
    for item in iterator:
        if len(items) == limit:
            return items, resume_key
        items.append(item)
        resume_key = results.last_evaluated_key  # type: ignore[attr-defined]
    return items, None
