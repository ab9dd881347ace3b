import time

import jwt
import pytest

from chalicelib import auth
from chalicelib.config import settings
from chalicelib.errors import Forbidden, Unauthorized


def _claims(**overrides):
    now = int(time.time())
    claims = {"sub": "alice", "email": "alice@example.org", "cognito:groups": ["producer"],
              "iss": settings().jwt_issuer, "aud": settings().jwt_audience, "iat": now, "exp": now + 60}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims, key=None, algorithm="HS256"):
    return jwt.encode(claims, key or settings().local_jwt_secret, algorithm=algorithm)


def test_a_local_token_identifies_the_caller():
    caller = auth.verify(auth.issue_local_token("alice", groups=["admin"]))
    assert caller.user_id == "alice" and caller.is_admin and not caller.is_producer


@pytest.mark.parametrize("token,code", [
    (lambda: _sign(_claims(exp=int(time.time()) - 10)), "token_expired"),
    (lambda: _sign(_claims(), key="another-secret-that-is-long-enough-32b"), "invalid_token"),
    (lambda: _sign(_claims(aud="someone-else")), "invalid_token"),
    (lambda: _sign(_claims(iss="https://evil.example")), "invalid_token"),
    (lambda: _sign(_claims(exp=None)), "invalid_token"),
    (lambda: _sign(_claims(sub=None)), "invalid_token"),
    (lambda: _sign(_claims(sub="")), "invalid_token"),
    (lambda: _sign(_claims(**{"cognito:groups": "admin"})), "invalid_token"),
    (lambda: jwt.encode(_claims(), None, algorithm="none"), "invalid_token"),
    (lambda: "not.a.token", "invalid_token"),
    (lambda: "", "invalid_token"),
])
def test_bad_tokens_are_refused(token, code):
    with pytest.raises(Unauthorized) as exc:
        auth.verify(token())
    assert exc.value.code == code


def test_header_forms():
    with pytest.raises(Unauthorized) as exc:
        auth.caller_from_headers({})
    assert exc.value.code == "missing_token"
    assert auth.caller_from_headers({}, required=False) is None
    with pytest.raises(Unauthorized):
        auth.caller_from_headers({"authorization": "Basic abc"})
    with pytest.raises(Unauthorized):
        auth.caller_from_headers({"authorization": "Bearer "})
    token = auth.issue_local_token("bob")
    assert auth.caller_from_headers({"authorization": f"Bearer {token}"}).user_id == "bob"


def test_roles():
    caller = auth.Caller("bob", groups=frozenset({"producer"}))
    assert caller.require("admin", "producer") is caller
    with pytest.raises(Forbidden):
        caller.require("admin")
