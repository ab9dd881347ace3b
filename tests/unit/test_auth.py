import time

import jwt
import pytest

from chalicelib import auth
from chalicelib.config import settings
from chalicelib.errors import Forbidden, Unauthorized


def _claims(**overrides):
    now = int(time.time())
    claims = {"sub": "alice", "email": "alice@example.org", "cognito:groups": ["producer"], "token_use": "id",
              "iss": settings().jwt_issuer, "aud": settings().jwt_audience, "iat": now, "exp": now + 60}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims, key=None, algorithm="HS256"):
    return jwt.encode(claims, key or settings().local_jwt_secret, algorithm=algorithm)


def test_a_local_token_identifies_the_caller():
    caller = auth.verify(auth.issue_local_token("alice", groups=["admin"]))
    assert caller.user_id == "alice" and caller.is_admin and not caller.is_producer


@pytest.mark.parametrize("token,code", [
    (lambda: _sign(_claims(exp=int(time.time()) - auth.LEEWAY_SECONDS - 10)), "token_expired"),
    (lambda: _sign(_claims(iat=int(time.time()) + auth.LEEWAY_SECONDS + 10)), "invalid_token"),
    (lambda: _sign(_claims(token_use="access")), "invalid_token"),
    (lambda: _sign(_claims(token_use=None)), "invalid_token"),
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


def test_thirty_seconds_of_clock_leeway():
    """A token issued by a clock one second ahead, or expired a moment ago, is still good."""
    assert auth.LEEWAY_SECONDS == 30
    assert auth.verify(_sign(_claims(iat=int(time.time()) + 1))).user_id == "alice"
    assert auth.verify(_sign(_claims(exp=int(time.time()) - 5))).user_id == "alice"


@pytest.fixture
def stage(monkeypatch):
    """Settings of another stage (no Cognito pool unless given), restored afterwards."""
    from chalicelib import config

    def use(name, **env):
        monkeypatch.setenv("STAGE", name)
        monkeypatch.delenv("COGNITO_USER_POOL_ID", raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        config.settings.cache_clear()
        auth._jwks_client.cache_clear()

    yield use
    monkeypatch.undo()
    config.settings.cache_clear()
    auth._jwks_client.cache_clear()


@pytest.mark.parametrize("name", ["prod", "dev", "staging"])
def test_without_a_user_pool_any_stage_but_local_refuses_every_token(stage, name):
    stage(name)
    forged = _sign(_claims(**{"cognito:groups": ["admin"]}))  # the public local secret
    with pytest.raises(Unauthorized) as exc:
        auth.verify(forged)
    assert exc.value.code == "invalid_token"
    with pytest.raises(Unauthorized):
        auth.verify(auth.issue_local_token("alice", groups=["admin"]))


def test_with_a_user_pool_only_its_rs256_id_tokens_pass(stage, monkeypatch):
    from cryptography.hazmat.primitives.asymmetric import rsa

    stage("prod", COGNITO_USER_POOL_ID="eu-west-3_Pool1")
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    class Keys:  # the pool's JWKS, without the network
        def get_signing_key_from_jwt(self, token):
            return type("Key", (), {"key": private.public_key()})()

    monkeypatch.setattr(auth, "_jwks_client", lambda: Keys())
    assert auth.verify(_sign(_claims(), key=private, algorithm="RS256")).user_id == "alice"
    for token in (_sign(_claims()), _sign(_claims(token_use="access"), key=private, algorithm="RS256")):
        with pytest.raises(Unauthorized) as exc:
            auth.verify(token)
        assert exc.value.code == "invalid_token"
