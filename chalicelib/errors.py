"""Errors every layer may raise; the HTTP edge turns them into `{"error": {...}}` bodies.

They derive from Chalice's ChaliceUnhandledError only so that Chalice lets them reach
the error middleware instead of turning them into its own 500 body.
"""

from __future__ import annotations

from chalice.app import ChaliceUnhandledError


class ApiError(ChaliceUnhandledError):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def body(self) -> dict:
        error: dict = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return {"error": error}


class BadRequest(ApiError):
    status = 400
    code = "invalid_request"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class Unprocessable(ApiError):
    status = 422
    code = "unprocessable"


class TooManyRequests(ApiError):
    status = 429
    code = "too_many_requests"


class Unavailable(ApiError):
    """503: answered with a `Retry-After` header; `dependency` names the outside service that
    did not answer in time or throttled (dynamodb, stripe, sns, ses, sqs, ssm), when one did."""

    status = 503
    code = "unavailable"
    dependency: str | None = None

    def body(self) -> dict:
        body = super().body()
        if self.dependency:
            body["error"]["dependency"] = self.dependency
        return body


def invalid_field(field: str, problem: str) -> BadRequest:
    return BadRequest(f"{field}: {problem}", code="invalid_field", field=field)


def refused(field: str, problem: str) -> Unprocessable:
    """422: the field is well formed (the OpenAPI document allows it), but the state refuses it:
    a date already past, a film's own minimum, a perk of another kind, a wrong code."""
    return Unprocessable(f"{field}: {problem}", code="invalid_field", field=field)


def invalid_credential(field: str, problem: str) -> Unauthorized:
    """401: a well-formed signed link or signature that the platform did not issue, or no longer accepts."""
    return Unauthorized(f"{field}: {problem}", code="invalid_token", field=field)
