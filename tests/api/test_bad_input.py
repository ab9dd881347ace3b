"""Every route refuses bad input with a 4xx, the error shape and the offending field, and
writes nothing."""

import pytest

from tests import factories

PRODUCER = factories.producer()
ADMIN = factories.admin()
GOOD_PROFILE = {"display_name": "Alice", "email": "alice@example.org"}


def assert_error(response, status, field=None):
    assert response.status_code == status, (response.status_code, response.data)
    assert set(response.data) == {"error"}
    error = response.data["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"]
    assert "Traceback" not in error["message"]
    if field is not None:
        assert error.get("field") == field, error
        assert field.split(".")[0] in error["message"] or field == "body"


@pytest.mark.parametrize("overrides,field", [
    ({"goal_cents": "300000"}, "goal_cents"),
    ({"goal_cents": 3000.0}, "goal_cents"),
    ({"goal_cents": 3000.5}, "goal_cents"),
    ({"goal_cents": True}, "goal_cents"),
    ({"goal_cents": -1}, "goal_cents"),
    ({"goal_cents": 999}, "goal_cents"),
    ({"goal_cents": 10**30}, "goal_cents"),
    ({"min_pledge_cents": 500}, "min_pledge_cents"),
    ({"min_pledge_cents": 400_000}, "min_pledge_cents"),
    ({"kind": "musical"}, "kind"),
    ({"kind": 3}, "kind"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": None}, "title"),
    ({"synopsis": "x" * 5001}, "synopsis"),
    ({"deadline": "2020-01-01"}, "deadline"),
    ({"deadline": "31/12/2030"}, "deadline"),
    ({"deadline": "2030-02-30"}, "deadline"),
    ({"deadline": 20301231}, "deadline"),
    ({"budget": 1}, "budget"),
])
def test_create_film_bad_fields(api, overrides, field):
    response = api.post("/films", factories.film_body(**overrides), caller=PRODUCER)
    assert_error(response, 400, field)


@pytest.mark.parametrize("missing", ["title", "kind", "goal_cents", "deadline"])
def test_create_film_missing_fields(api, missing):
    body = factories.film_body()
    del body[missing]
    response = api.post("/films", body, caller=PRODUCER)
    assert_error(response, 400, missing)
    assert response.data["error"]["code"] == "missing_field"


@pytest.mark.parametrize("raw", ["{", "not json", "[]", "\"a string\"", "42", "null", "", "{\"title\": }"])
def test_malformed_bodies(api, raw):
    before = api.get("/me/films?limit=100", caller=PRODUCER).data["items"]
    response = api.call("POST", "/films", raw=raw, caller=PRODUCER)
    assert_error(response, 400, "body")
    assert response.data["error"]["code"] == "malformed_json"
    assert api.get("/me/films?limit=100", caller=PRODUCER).data["items"] == before


def test_huge_body(api):
    response = api.post("/films", factories.film_body(synopsis="x" * 70_000), caller=PRODUCER)
    assert_error(response, 400)
    assert response.data["error"]["code"] == "body_too_large"


@pytest.mark.parametrize("body,field", [
    ({"status": "closed"}, "status"),
    ({"stage": "editing"}, "stage"),
    ({"title": 5}, "title"),
    ({"title": None}, "title"),
    ({"colour": "red"}, "colour"),
    ({"goal_cents": "10"}, "goal_cents"),
])
def test_patch_film_bad_fields(api, body, field):
    film = api.post("/films", factories.film_body(), caller=ADMIN).data
    response = api.patch(f"/films/{film['film_id']}", body, caller=ADMIN)
    assert_error(response, 400, field)
    assert api.get(f"/films/{film['film_id']}", caller=ADMIN).data == film


@pytest.mark.parametrize("path", ["/films/x%27%20OR%201", "/films/" + "a" * 65, "/films/..%2F.."])
def test_bad_film_ids(api, path):
    response = api.get(path)
    assert response.status_code in (400, 404)
    assert_error(response, response.status_code)


@pytest.mark.parametrize("query,field", [
    ("status=closed", "status"), ("kind=opera", "kind"), ("limit=0", "limit"),
    ("limit=101", "limit"), ("limit=ten", "limit"), ("next=forged", "next"),
])
def test_list_films_bad_query(api, query, field):
    assert_error(api.get(f"/films?{query}"), 400, field)


@pytest.mark.parametrize("body,field", [
    ({**GOOD_PROFILE, "email": "not-an-email"}, "email"),
    ({**GOOD_PROFILE, "email": "a@b"}, "email"),
    ({**GOOD_PROFILE, "phone": "0612345678"}, "phone"),
    ({**GOOD_PROFILE, "phone": "+33 6 12 34 56 78"}, "phone"),
    ({**GOOD_PROFILE, "phone": 33612345678}, "phone"),
    ({**GOOD_PROFILE, "locale": "de"}, "locale"),
    ({**GOOD_PROFILE, "notify_sms": "yes"}, "notify_sms"),
    ({**GOOD_PROFILE, "display_name": "x" * 101}, "display_name"),
    ({**GOOD_PROFILE, "is_admin": True}, "is_admin"),
    ({"email": "alice@example.org"}, "display_name"),
])
def test_profile_bad_fields(api, body, field):
    caller = factories.member()
    assert_error(api.put("/me", body, caller=caller), 400, field)
    assert api.get("/me", caller=caller).data["display_name"] is None


@pytest.mark.parametrize("header", [
    "Bearer not-a-token", "Bearer ", "Token abc", "bearer", "Bearer a.b.c",
])
@pytest.mark.parametrize("method,path", [("GET", "/me"), ("PUT", "/me"), ("POST", "/films"), ("GET", "/me/films")])
def test_bad_tokens_are_401(api, header, method, path):
    response = api.call(method, path, GOOD_PROFILE, headers={"Authorization": header})
    assert_error(response, 401)


def test_expired_token_is_401(api):
    token = factories.token(factories.member(), ttl_seconds=-10)
    response = api.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401)
    assert response.data["error"]["code"] == "token_expired"


def test_wrong_method_and_media_type_keep_the_error_shape(api):
    assert_error(api.call("DELETE", "/stats"), 405)
    response = api.call("POST", "/films", raw="title=x", caller=PRODUCER,
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(response, 415)
