"""What a domain rule says when it refuses: plain exceptions, no HTTP in sight.

`code` names the rule, `field` the input at fault; the HTTP edge (`chalicelib/web.py`,
`http_error`) decides which status each kind of refusal answers with.
"""

from __future__ import annotations


class RuleBroken(Exception):
    code = "rule_broken"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class InvalidValue(RuleBroken):
    """A value the rules do not accept (an amount below the film's minimum, a past deadline)."""

    code = "invalid_field"


class IllegalMove(RuleBroken):
    """A move the state machine forbids from where the thing stands (a stage going back)."""

    code = "illegal_transition"


class RefusedValue(RuleBroken):
    """A well-formed value (one the API document allows) that the state or a setting refuses:
    a deadline already past, under the film's own minimum, over the platform's maximum."""

    code = "invalid_field"


def refused(field: str, problem: str) -> RefusedValue:
    return RefusedValue(f"{field}: {problem}", field=field)


def invalid(field: str, problem: str) -> InvalidValue:
    return InvalidValue(f"{field}: {problem}", field=field)
