"""Public ids of people that cannot link one person across films: an HMAC of (film, user),
the same for one person within a film (a forum reads as a conversation), different from one
film to the next, and never the account id (the Cognito `sub`). Pure."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "pid_"


def per_film(key: bytes, film_id: str, user_id: str | None) -> str | None:
    if not user_id:
        return None
    digest = hmac.new(key, f"person\x1f{film_id}\x1f{user_id}".encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest[:24]
