"""The HTTP edge: parsing bodies and query strings, responses, and the error shape.

Every 4xx/5xx leaves as `{"error": {"code": ..., "message": ...}}` (plus `field` when one
field is at fault), whether a service raised it, validation refused the input, or
Chalice itself answered (405, 415, unhandled errors).
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, Mapping, TypeVar

from chalice.app import Response

from chalicelib import paging
from chalicelib.domain.errors import IllegalMove, InvalidValue, RefusedValue, RuleBroken
from chalicelib.errors import ApiError, BadRequest, Conflict, Unavailable, Unprocessable, invalid_field

T = TypeVar("T")

MAX_BODY_BYTES = 64 * 1024
JSON_HEADERS: dict[str, str | list[str]] = {"Content-Type": "application/json"}
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# RFC 8058: a mail client's one-click unsubscribe POSTs "List-Unsubscribe=One-Click" as a form.
UNSUBSCRIBE_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "application/json",
                             "text/plain")


def parse_body(request: Any, model: type[T]) -> T:
    """Validate the JSON body against a pydantic model; 400 names the first bad field."""
    from pydantic import ValidationError  # pydantic loads only on routes that take a body

    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise BadRequest(f"the body must be at most {MAX_BODY_BYTES} bytes", code="body_too_large")
    if not raw.strip():
        raise BadRequest("a JSON object body is required", code="malformed_json", field="body")
    try:
        return model.model_validate_json(raw)  # type: ignore[attr-defined]
    except ValidationError as exc:
        raise _validation_error(exc.errors(include_url=False, include_input=False))


def _validation_error(errors: list[Any]) -> BadRequest:
    first = errors[0]
    kind = first.get("type", "")
    field = ".".join(str(part) for part in first.get("loc", ())) or "body"
    if kind == "json_invalid":
        return BadRequest(f"the body is not valid JSON: {first.get('msg')}", code="malformed_json", field="body")
    if kind in ("model_type", "model_attributes_type"):
        return BadRequest("the body must be a JSON object", code="malformed_json", field="body")
    if kind == "missing":
        return BadRequest(f"{field}: is required", code="missing_field", field=field)
    if kind == "extra_forbidden":
        return BadRequest(f"{field}: is not a known field", code="unknown_field", field=field)
    message = str(first.get("msg", "is not valid"))
    message = message.removeprefix("Value error, ")
    return invalid_field(field, message)


def query_param(request: Any, name: str) -> str | None:
    params = request.query_params or {}
    return params.get(name)


def page(request: Any) -> dict[str, Any]:
    """`limit` and `next` of a list route, as every list service takes them."""
    return {"limit": paging.parse_limit(query_param(request, "limit")), "next_token": query_param(request, "next")}


def choice(request: Any, name: str, allowed: tuple[str, ...]) -> str | None:
    value = query_param(request, name)
    if value is not None and value not in allowed:
        raise invalid_field(name, f"must be one of {', '.join(allowed)}")
    return value


def check_id(value: str, name: str) -> str:
    if not ID_PATTERN.match(value or ""):
        raise invalid_field(name, "is not a valid identifier")
    return value


def created(body: Any) -> Response:
    return Response(body=body, status_code=201, headers=JSON_HEADERS)


def no_content() -> Response:
    return Response(body="", status_code=204)


# What each kind of refusal of a domain rule answers over HTTP: the one place it is decided.
HTTP_ERRORS: dict[type[RuleBroken], type[ApiError]] = {
    InvalidValue: BadRequest,
    IllegalMove: Conflict,
    RefusedValue: Unprocessable,
}


def http_error(refusal: RuleBroken) -> ApiError:
    """The HTTP error of a domain rule's refusal (its code, message and field kept)."""
    kind = next((error for rule, error in HTTP_ERRORS.items() if isinstance(refusal, rule)), Unprocessable)
    return kind(refusal.message, code=refusal.code, field=refusal.field)


def error_response(error: ApiError) -> Response:
    headers = JSON_HEADERS
    if error.status == 503:  # come back later: when, in seconds
        from chalicelib.config import settings

        headers = {**JSON_HEADERS, "Retry-After": str(settings().retry_after_seconds)}
    return Response(body=error.body(), status_code=error.status, headers=headers)


def _unavailable(exc: BaseException, error: Unavailable | None = None) -> Unavailable | None:
    """The 503 for an outside service that did not answer in time or throttled (counted in
    its metric), or None when `exc` is no such thing."""
    from chalicelib.adapters import outages

    outage = outages.classify(exc)
    if outage is None:
        return error
    outages.record(outage)
    error = error or Unavailable(outage.message())
    error.dependency = outage.dependency
    return error


def answer_outages(view: Callable[..., Any]) -> Callable[..., Any]:
    """A route whose dependency does not answer in time (or throttles) answers 503 with
    Retry-After, never 500: Chalice turns any other exception into its 500 before the error
    middleware sees it, so the view itself is wrapped."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except Unavailable as exc:
            if exc.dependency is None:
                _unavailable(exc, exc)
            raise
        except ApiError:
            raise
        except RuleBroken as exc:
            raise http_error(exc) from exc
        except Exception as exc:
            error = _unavailable(exc)
            if error is None:
                raise
            raise error from exc

    guarded.answers_outages = True  # type: ignore[attr-defined]
    return guarded


def answer_outages_on_every_route(app: Any) -> None:
    for methods in app.routes.values():
        for entry in methods.values():
            if not getattr(entry.view_function, "answers_outages", False):
                entry.view_function = answer_outages(entry.view_function)


_CHALICE_CODES = {
    "MethodNotAllowedError": "method_not_allowed",
    "UnsupportedMediaType": "unsupported_media_type",
    "BadRequest": "invalid_request",
    "BadRequestError": "invalid_request",
    "NotFoundError": "not_found",
    "InternalServerError": "internal_error",
}


def _normalize(response: Response) -> Response:
    body = response.body
    if response.status_code >= 400 and isinstance(body, Mapping) and "Code" in body:
        code = _CHALICE_CODES.get(str(body["Code"]), "error")
        message = str(body.get("Message", "")) if response.status_code < 500 else "an internal error occurred"
        response.body = {"error": {"code": code, "message": message}}
        response.headers = {**response.headers, **JSON_HEADERS}
    return response


def error_middleware(logger: Any) -> Callable[[Any, Callable[[Any], Response]], Response]:
    """Chalice HTTP middleware: ApiError -> its JSON body; anything else -> a bare 500."""

    def middleware(event: Any, get_response: Callable[[Any], Response]) -> Response:
        try:
            return _normalize(get_response(event))
        except ApiError as exc:
            return error_response(exc)
        except RuleBroken as exc:
            return error_response(http_error(exc))
        except Exception:  # the details go to the log, never to the client
            logger.exception("unhandled error")
            return Response(
                body={"error": {"code": "internal_error", "message": "an internal error occurred"}},
                status_code=500,
                headers=JSON_HEADERS,
            )

    return middleware


def caller(request: Any, *, required: bool = True):
    """The verified caller of this request (None when anonymous and `required` is False)."""
    from chalicelib.auth import caller_from_headers

    return caller_from_headers(request.headers or {}, required=required)


def base_url(request: Any) -> str:
    """The API's public base URL, for links in what it sends: on AWS from API Gateway's request
    context (the API cannot be told its own URL: that would depend on itself), else API_URL."""
    from chalicelib.config import settings

    s = settings()
    context = getattr(request, "context", None) or {}
    if not s.is_local and context.get("domainName") and context.get("stage"):
        return f"https://{context['domainName']}/{context['stage']}"
    return s.api_url
