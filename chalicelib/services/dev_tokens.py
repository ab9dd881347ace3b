"""`POST /dev/token`: the web client's "sign in as" on stage `local`. Elsewhere it does not
exist (404): AWS stages sign in with Cognito's hosted UI."""

from __future__ import annotations

from chalicelib.auth import issue_local_token
from chalicelib.config import settings
from chalicelib.errors import NotFound


def issue(user_id: str, groups: list[str]) -> dict[str, str]:
    s = settings()
    if not s.is_local or s.cognito_user_pool_id:
        raise NotFound("no local sign-in on this stage")
    return {"token": issue_local_token(user_id, groups=sorted(set(groups)))}
