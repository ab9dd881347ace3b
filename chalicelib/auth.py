"""Who is calling: one verification path for every stage.

AWS stages verify Cognito user-pool ID tokens (RS256, keys from the pool's JWKS, cached);
stage `local` verifies HS256 tokens signed with LOCAL_JWT_SECRET. Both go through
`verify`, with issuer, audience, expiry and subject required, `token_use` "id", 30 s of
clock leeway, and the algorithm pinned so that `alg: none` or an algorithm swap is refused.

Fails closed: HS256 (whose secret is public) exists on stage `local` only, and only when no
pool is configured; any other stage without a pool refuses every token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping

from chalicelib import clock
from chalicelib.config import settings
from chalicelib.errors import Forbidden, Unauthorized
from chalicelib.lazy import jwt

ADMIN = "admin"
PRODUCER = "producer"
LEEWAY_SECONDS = 30  # clocks of the issuer and of the Lambda may differ this much
TOKEN_USE = "id"  # Cognito ID tokens only: an access token carries no e-mail and no audience


@dataclass(frozen=True)
class Caller:
    user_id: str
    email: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)
    email_verified: bool = False  # Cognito checked `email` (its email_verified claim)

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.groups

    @property
    def is_producer(self) -> bool:
        return PRODUCER in self.groups

    def require(self, *roles: str) -> "Caller":
        if not self.groups.intersection(roles):
            raise Forbidden(f"this action needs the role {' or '.join(roles)}")
        return self


@lru_cache(maxsize=1)
def _jwks_client() -> Any:  # a jwt.PyJWKClient
    s = settings()
    url = f"https://cognito-idp.{s.region}.amazonaws.com/{s.cognito_user_pool_id}/.well-known/jwks.json"
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600)


def _key_and_algorithm(token: str) -> tuple[Any, str]:
    s = settings()
    if s.cognito_user_pool_id:
        return _jwks_client().get_signing_key_from_jwt(token).key, "RS256"
    if s.is_local:
        return s.local_jwt_secret, "HS256"
    raise ValueError(f"stage {s.stage!r} has no user pool: every token is refused")


def verify(token: str) -> Caller:
    s = settings()
    try:
        key, algorithm = _key_and_algorithm(token)
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=s.jwt_audience,
            issuer=s.jwt_issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "sub", "iss", "aud", "token_use"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired", code="token_expired")
    except (jwt.PyJWTError, ValueError):
        raise Unauthorized("the token is not valid", code="invalid_token")
    sub = claims.get("sub")
    groups = claims.get("cognito:groups") or []
    if claims.get("token_use") != TOKEN_USE:
        raise Unauthorized("the token is not an ID token", code="invalid_token")
    if not isinstance(sub, str) or not sub or len(sub) > 128 or not isinstance(groups, list):
        raise Unauthorized("the token is not valid", code="invalid_token")
    return Caller(user_id=sub, email=claims.get("email"), groups=frozenset(map(str, groups)),
                  email_verified=claims.get("email_verified") in (True, "true"))


def caller_from_headers(headers: Mapping[str, str], *, required: bool = True) -> Caller | None:
    header = headers.get("authorization")
    if not header:
        if required:
            raise Unauthorized("sign in: send Authorization: Bearer <token>", code="missing_token")
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'", code="invalid_token")
    return verify(token.strip())


def issue_local_token(sub: str, *, groups: list[str] | None = None, email: str | None = None,
                      ttl_seconds: int = 12 * 3600, email_verified: bool = False) -> str:
    """An HS256 token for stage `local` (used by `make token`, the seed and tests)."""
    s = settings()
    now = clock.wall_epoch()  # PyJWT checks exp and iat against the wall clock, never a frozen one
    claims = {
        "sub": sub,
        "email": email or f"{sub}@example.org",
        "cognito:groups": list(groups or []),
        "token_use": TOKEN_USE,
        **({"email_verified": True} if email_verified else {}),
        "iss": s.jwt_issuer,
        "aud": s.jwt_audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, s.local_jwt_secret, algorithm="HS256")
