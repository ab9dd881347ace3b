import pytest

from chalicelib import paging
from chalicelib.errors import BadRequest, NotFound

KEY = {"film_id": {"S": "abc"}, "status": {"S": "open"}}


def test_token_round_trip():
    token = paging.encode(KEY, "films:open:")
    assert paging.decode(token, "films:open:") == KEY


def test_no_key_means_no_token():
    assert paging.encode(None, "x") is None and paging.decode(None, "x") is None


def test_token_of_another_list_is_refused():
    token = paging.encode(KEY, "films:open:")
    with pytest.raises(NotFound) as exc:
        paging.decode(token, "films:funded:")
    assert exc.value.field == "next"


@pytest.mark.parametrize("token", ["", "!!!", "a.b", "a" * 2049])
def test_what_is_no_token_at_all_is_malformed(token):
    with pytest.raises(BadRequest):
        paging.decode(token, "films::")


@pytest.mark.parametrize("token", ["garbage", "a" * 500])
def test_a_well_formed_token_never_handed_out_is_no_page(token):
    with pytest.raises(NotFound) as exc:
        paging.decode(token, "films::")
    assert exc.value.field == "next" and exc.value.code == "unknown_page"


def test_tampered_token_is_refused():
    token = paging.encode(KEY, "films::")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(NotFound):
        paging.decode(flipped, "films::")


@pytest.mark.parametrize("raw", ["0", "101", "-1", "abc", "1.5", ""])
def test_limit_out_of_range(raw):
    with pytest.raises(BadRequest) as exc:
        paging.parse_limit(raw)
    assert exc.value.field == "limit"


def test_limit_default_and_bounds():
    assert paging.parse_limit(None) == paging.DEFAULT_LIMIT
    assert paging.parse_limit("1") == 1 and paging.parse_limit("100") == 100


def test_take_page_peeks_one_further():
    class Results:
        def __init__(self, items):
            self.items = items
            self.last_evaluated_key = None

        def __iter__(self):
            for item in self.items:
                self.last_evaluated_key = {"k": item}
                yield item

    assert paging.take_page(Results([1, 2, 3]), 2) == ([1, 2], {"k": 2})
    assert paging.take_page(Results([1, 2]), 2) == ([1, 2], None)
    assert paging.take_page(Results([]), 2) == ([], None)


def test_on_aws_stages_cursors_need_a_configured_secret(monkeypatch):
    """No fallback to the local development secret outside stage `local`."""
    from chalicelib import config
    from chalicelib.adapters import parameters
    from chalicelib.errors import Unavailable

    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.delenv("TOKEN_SECRET", raising=False)
    monkeypatch.delenv("TOKEN_SECRET_PARAM", raising=False)
    config.settings.cache_clear()
    try:
        assert config.settings().token_secret is None
        with pytest.raises(Unavailable):
            parameters.signing_key()
        monkeypatch.setenv("TOKEN_SECRET", "s3cret")
        config.settings.cache_clear()
        assert parameters.signing_key() == b"s3cret"
    finally:
        monkeypatch.undo()
        config.settings.cache_clear()
