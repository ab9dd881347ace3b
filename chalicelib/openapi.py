"""GET /openapi.json: an OpenAPI 3.1 document built from chalicelib/contract.py and the
pydantic models that validate requests (chalicelib/schemas.py) and describe responses
(chalicelib/responses.py). Nothing here is written by hand per route."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic.json_schema import models_json_schema

from chalicelib import contract, responses

REF = "#/components/schemas/{model}"
ERRORS = {
    400: "The request is malformed: a field, parameter or header is invalid (named in error.field)",
    401: "Not signed in, or the token is expired or invalid",
    403: "Signed in, but not allowed",
    404: "No such resource (or not visible to the caller)",
    409: "The resource's state does not allow it",
    422: "Well-formed, but refused (for example an Idempotency-Key reused with another body)",
    410: "This route is retired (the message says what replaces it)",
    429: "Too many requests of this kind for now (the message says until when)",
    503: "A service the platform depends on did not answer; try again",
}


def _security(auth: str) -> list[dict[str, list[str]]] | None:
    if auth == contract.PUBLIC:
        return []
    if auth == contract.OPTIONAL:
        return [{}, {"bearer": []}]
    return [{"bearer": []}]


def _error_responses(op: contract.Operation) -> dict[str, Any]:
    error = {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}
    codes = {400, 404, *op.extra_responses}
    if op.auth in (contract.USER, contract.ADMIN):
        codes |= {401, 403}
    if op.auth == contract.OPTIONAL:
        codes |= {401}
    if op.method in ("POST", "PATCH", "PUT", "DELETE"):
        codes |= {409, 422}
    out = {str(code): {"description": ERRORS.get(code, "Error"), "content": error} for code in sorted(codes)}
    out["503"] = {"description": "A dependency did not answer in time or throttled (error.dependency names it); "
                  "nothing was lost: retry (with the same Idempotency-Key) after Retry-After seconds",
                  "headers": {"Retry-After": {"description": "Seconds to wait before retrying",
                                              "schema": {"type": "integer", "minimum": 1}}},
                  "content": error}
    out["default"] = {"description": "Any other error (405, 413, 415, 5xx) has the same body", "content": error}
    return out


def _operation(op: contract.Operation) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "operationId": op.operation_id, "summary": op.summary, "tags": [op.tag],
        "security": _security(op.auth),
        "parameters": [
            {"name": p.name, "in": p.location, "required": p.required, "schema": p.schema,
             **({"description": p.description} if p.description else {})}
            for p in op.params
        ],
    }
    if op.auth == contract.ADMIN:
        doc["description"] = "Admins only (Cognito group `admin`)."
    if op.body is not None:
        media = {"schema": {"$ref": REF.format(model=op.body.__name__)}}
        if op.example:
            media["example"] = op.example
        doc["requestBody"] = {"required": True, "content": {t: media for t in op.content_types}}
    elif op.content_types != ("application/json",):
        doc["requestBody"] = {"required": True, "content": {t: {"schema": {}} for t in op.content_types}}
    successes = {}
    for status in (op.status, *op.also):
        success: dict[str, Any] = {"description": {200: "OK", 201: "Created", 204: "No content"}.get(status, "OK")}
        if op.response is not None:
            success["content"] = {"application/json": {"schema": {"$ref": REF.format(model=op.response.__name__)}}}
            if op.csv:
                success["content"]["text/csv"] = {"schema": {"type": "string"}}
        successes[str(status)] = success
    doc["responses"] = {**successes, **_error_responses(op)}
    return doc


def _absent_is_not_null(model: dict[str, Any]) -> None:
    """A field that may be left out but not sent as null (a PATCH's `title`): pydantic writes
    `"default": null` next to a type that excludes null; the document says only what is sent."""
    for field in model.get("properties", {}).values():
        if "default" in field and field["default"] is None and "anyOf" not in field and "type" in field:
            del field["default"]


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    models = {responses.Error}
    for op in contract.OPERATIONS:
        models.update(m for m in (op.body, op.response) if m is not None)
    modes = [(m, "validation" if m.__module__.endswith("schemas") else "serialization")
             for m in sorted(models, key=lambda m: m.__name__)]
    _, schemas = models_json_schema(modes, ref_template=REF)
    for schema in schemas.get("$defs", {}).values():
        _absent_is_not_null(schema)
    paths: dict[str, dict[str, Any]] = {}
    for op in contract.OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Film co-production platform API",
            "version": "1.0.0",
            "description": "Co-produce films from EUR 10. Money is in integer euro cents (`*_cents`). "
                           "Every error body is `{\"error\": {\"code\", \"message\", \"field\"}}`.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "Cognito ID token on AWS; `make token` locally (HS256)."}},
        },
    }
