"""Opaque tokens the platform hands out and takes back: JSON payloads sealed with an HMAC.

One signer (the key of ``adapters.parameters.signing_key``: TOKEN_SECRET, or its SSM parameter
on AWS) for every kind of token: list cursors (paging.py)
and unsubscribe links (services/notifications.py). Each kind puts its own purpose or scope
in the payload, so a token of one kind is never accepted as another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from typing import Any

from chalicelib.adapters import parameters

MAC_BYTES = 16


def _mac(data: bytes) -> bytes:
    return hmac.new(parameters.signing_key(), data, hashlib.sha256).digest()[:MAC_BYTES]


def seal(payload: dict[str, Any]) -> str:
    data = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(_mac(data) + data).decode().rstrip("=")


# What a sealed token looks like (unpadded base64url), as GET /openapi.json states it.
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{1,2048}$"


def well_formed(token: str | None) -> bool:
    return bool(token) and re.match(TOKEN_PATTERN, token) is not None


def unseal(token: str) -> dict[str, Any]:
    """The payload of a token this platform sealed; ValueError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not a token") from exc
    mac, data = raw[:MAC_BYTES], raw[MAC_BYTES:]
    if len(mac) != MAC_BYTES or not hmac.compare_digest(mac, _mac(data)):
        raise ValueError("bad signature")
    payload = json.loads(data)
    if not isinstance(payload, dict):
        raise ValueError("not a token")
    return payload
