"""GET /openapi.json states the server's rules: what its patterns allow, the validators accept."""

import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from chalicelib import schemas
from chalicelib.domain.perks import clean_text

RELAXED = settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])


@RELAXED
@given(st.from_regex(schemas.LINE_PATTERN, fullmatch=True))
def test_every_line_the_document_allows_is_accepted(text):
    clean_text(text, multiline=False)


@RELAXED
@given(st.from_regex(schemas.BLOCK_PATTERN, fullmatch=True))
def test_every_text_the_document_allows_is_accepted(text):
    clean_text(text, multiline=True)


@pytest.mark.parametrize("text", ["\x00a", "a\x07", "line\nbreak", "\x85x", "a\u202eb", "\u2066x", "   ", "\t", "\u3000"])
def test_what_the_text_rule_refuses_the_line_pattern_refuses(text):
    with pytest.raises(ValueError):
        clean_text(text, multiline=False)
    assert not re.match(schemas.LINE_PATTERN, text)


@RELAXED
@given(st.from_regex(schemas.UTC_MINUTE_PATTERN, fullmatch=True))
def test_every_moment_the_document_allows_is_a_real_one(moment):
    schemas._utc_minute(moment)


@pytest.mark.parametrize("moment", ["2027-02-29T10:00Z", "2027-02-30T10:00Z", "2027-04-31T10:00Z", "0000-01-01T00:00Z",
                                    "2027-01-01T24:00Z"])
def test_moments_that_never_were_are_refused_by_the_pattern(moment):
    assert not re.match(schemas.UTC_MINUTE_PATTERN, moment)
