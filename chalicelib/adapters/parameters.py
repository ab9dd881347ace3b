"""Secrets: given directly in the environment (stage `local`), or by the name of an SSM
SecureString (AWS), read once per container. Nothing falls back to a default on AWS."""

from __future__ import annotations

from functools import lru_cache

from chalicelib.adapters.clients import aws_client
from chalicelib.config import settings
from chalicelib.errors import Unavailable


@lru_cache(maxsize=8)
def _parameter(name: str) -> str:
    return aws_client("ssm").get_parameter(
        Name=name, WithDecryption=True)["Parameter"]["Value"]


def secret(value: str | None, parameter_name: str | None, what: str) -> str:
    if value:
        return value
    if parameter_name:
        return _parameter(parameter_name)
    raise Unavailable(f"{what} is not configured")


def signing_key() -> bytes:
    """Key of the HMAC on the opaque tokens the API hands out (page cursors, unsubscribe links)."""
    s = settings()
    return secret(s.token_secret, s.token_secret_param, "token signing").encode()
