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
        if status == 400:
            assert field.split(".")[0] in error["message"] or field == "body"


@pytest.mark.parametrize("overrides,field", [
    ({"goal_cents": "300000"}, "goal_cents"),
    ({"goal_cents": 3000.5}, "goal_cents"),
    ({"goal_cents": True}, "goal_cents"),
    ({"goal_cents": -1}, "goal_cents"),
    ({"goal_cents": 999}, "goal_cents"),
    ({"goal_cents": 10**30}, "goal_cents"),
    ({"min_pledge_cents": 500}, "min_pledge_cents"),
    ({"kind": "musical"}, "kind"),
    ({"kind": 3}, "kind"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": None}, "title"),
    ({"synopsis": "x" * 5001}, "synopsis"),
    ({"deadline": "31/12/2030"}, "deadline"),
    ({"deadline": "2030-02-30"}, "deadline"),
    ({"deadline": 20301231}, "deadline"),
    ({"budget": 1}, "budget"),
])
def test_create_film_bad_fields(api, overrides, field):
    response = api.post("/films", factories.film_body(**overrides), caller=PRODUCER)
    assert_error(response, 400, field)


@pytest.mark.parametrize("overrides,field", [
    ({"min_pledge_cents": 400_000}, "min_pledge_cents"),  # above the goal: no single field is malformed
    ({"deadline": "2020-01-01"}, "deadline"),  # well formed, but already past
])
def test_create_film_refused_by_the_state_is_422(api, overrides, field):
    response = api.post("/films", factories.film_body(**overrides), caller=PRODUCER)
    assert_error(response, 422, field)


def test_a_whole_number_written_with_a_fraction_is_that_integer(api):
    """JSON (and JSON Schema) has one number type: 3000.0 is the integer 3000; 3000.5 is refused above."""
    response = api.post("/films", factories.film_body(goal_cents=300_000.0, min_pledge_cents=1000.0), caller=PRODUCER)
    assert response.status_code == 201, response.data
    assert (response.data["goal_cents"], response.data["min_pledge_cents"]) == (300_000, 1000)
    assert isinstance(response.data["goal_cents"], int)


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
    ("limit=101", "limit"), ("limit=ten", "limit"), ("next=no%20such%20token", "next"),
])
def test_list_films_bad_query(api, query, field):
    assert_error(api.get(f"/films?{query}"), 400, field)


def test_a_well_formed_next_token_the_list_did_not_hand_out_is_no_page_of_it(api):
    response = api.get("/films?next=forged")
    assert_error(response, 404, "next")
    assert response.data["error"]["code"] == "unknown_page"


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
    """Expired beyond the 30 s of clock leeway."""
    token = factories.token(factories.member(), ttl_seconds=-60)
    response = api.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401)
    assert response.data["error"]["code"] == "token_expired"


def test_wrong_method_and_media_type_keep_the_error_shape(api):
    assert_error(api.call("DELETE", "/stats"), 405)
    response = api.call("POST", "/films", raw="title=x", caller=PRODUCER,
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(response, 415)


# --- Pledges ---------------------------------------------------------------------------

def _pledge(api, film_id, body, key="k-1", caller=None, raw=None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return api.call("POST", f"/films/{film_id}/pledges", body, caller=caller or factories.member(),
                    headers=headers, raw=raw)


@pytest.fixture(scope="module")
def open_film(local_services):
    return factories.make_film()


@pytest.mark.parametrize("body,field", [
    ({"amount_cents": "2500"}, "amount_cents"),
    ({"amount_cents": 25.5}, "amount_cents"),
    ({"amount_cents": -100}, "amount_cents"),
    ({"amount_cents": 999}, "amount_cents"),
    ({"amount_cents": None}, "amount_cents"),
    ({}, "amount_cents"),
    ({"amount_cents": 2500, "tip": 1}, "tip"),
    ({"amount_cents": 2500, "payment_method_id": 42}, "payment_method_id"),
    ({"amount_cents": 2500, "payment_method_id": "pm_<script>"}, "payment_method_id"),
])
def test_pledge_bad_bodies(api, open_film, body, field):
    assert_error(_pledge(api, open_film["film_id"], body), 400, field)


def test_pledge_amounts_the_state_refuses_are_422(api):
    """Within the document's bounds, but above the platform's maximum (a setting) or under the film's own minimum."""
    film = factories.make_film(min_pledge_cents=5_000)
    assert_error(_pledge(api, film["film_id"], {"amount_cents": 5_000_001}, key="over"), 422, "amount_cents")
    assert_error(_pledge(api, film["film_id"], {"amount_cents": 4_999}, key="under"), 422, "amount_cents")
    # 5000.0 is the integer 5000: past the parsing, it reaches the payment (no card: waits for one)
    assert _pledge(api, film["film_id"], {"amount_cents": 5_000.0}, key="whole").status_code == 201


@pytest.mark.parametrize("key", [None, "", "x" * 256])
def test_pledge_needs_a_good_idempotency_key(api, open_film, key):
    assert_error(_pledge(api, open_film["film_id"], {"amount_cents": 2500}, key=key), 400, "Idempotency-Key")


def test_pledge_malformed_json(api, open_film):
    assert_error(_pledge(api, open_film["film_id"], None, raw="{amount_cents: 1"), 400, "body")


def test_pledge_unknown_film(api):
    assert_error(_pledge(api, "0" * 32, {"amount_cents": 2500}), 404, "film_id")


def test_pledge_needs_sign_in(api, open_film):
    response = api.call("POST", f"/films/{open_film['film_id']}/pledges", {"amount_cents": 2500},
                        headers={"Idempotency-Key": "k"})
    assert_error(response, 401)


@pytest.mark.parametrize("status", ["draft", "funded", "failed"])
def test_pledge_on_a_film_that_is_not_open(api, status):
    film = factories.make_film(open_it=status != "draft")
    if status != "draft":
        api.patch(f"/films/{film['film_id']}", {"status": status}, caller=ADMIN)
    response = _pledge(api, film["film_id"], {"amount_cents": 2500})
    assert response.status_code in (404, 409)
    assert_error(response, response.status_code, "film_id")


def test_pledge_after_the_deadline(api):
    from datetime import datetime, timedelta, timezone

    from chalicelib import clock

    film = factories.make_film()
    later = datetime.now(timezone.utc) + timedelta(days=31)
    with clock.frozen(later):
        response = _pledge(api, film["film_id"], {"amount_cents": 2500})
    assert_error(response, 409, "film_id")
    assert response.data["error"]["code"] == "campaign_ended"


@pytest.mark.parametrize("payment_method_id", ["pm_doesnotexist", "0" * 255])
def test_pledge_unknown_payment_method_is_422_and_leaves_nothing(api, open_film, payment_method_id):
    caller = factories.member()
    response = _pledge(api, open_film["film_id"], {"amount_cents": 2500, "payment_method_id": payment_method_id},
                       key="bad-pm", caller=caller)
    assert_error(response, 422, "payment_method_id")
    assert api.get("/me/pledges", caller=caller).data["items"] == []


@pytest.mark.parametrize("path", ["/me/pledges/nope%00", "/me/pledges/" + "z" * 65])
def test_bad_pledge_ids(api, path):
    response = api.get(path, caller=factories.member())
    assert_error(response, response.status_code)
    assert response.status_code in (400, 404)


def test_my_pledges_bad_paging(api):
    assert_error(api.get("/me/pledges?limit=0", caller=factories.member()), 400, "limit")
    assert_error(api.get("/me/pledges?next=z.z", caller=factories.member()), 400, "next")
    assert_error(api.get("/me/pledges?next=zzz", caller=factories.member()), 404, "next")


# --- the text rule: no control characters, no bidirectional overrides, in any free text ---------

UNSAFE_TEXT = {"bidi_override": "Alice\u202egnp.exe", "bell": "Alice\x07", "escape": "Alice\x1b[2J",
               "isolate": "Alice\u2066x\u2069", "nul": "A\x00lice"}


def _receipt(text):
    return {"period": "2026-01", "rights_received_cents": 100, "reference": text}


@pytest.mark.parametrize("kind", sorted(UNSAFE_TEXT))
@pytest.mark.parametrize("method,path,body,field", [
    ("POST", "/films", lambda t: factories.film_body(title=t), "title"),
    ("POST", "/films", lambda t: factories.film_body(synopsis=t), "synopsis"),
    ("PATCH", "/films/{film}", lambda t: {"title": t}, "title"),
    ("PATCH", "/films/{film}", lambda t: {"synopsis": t}, "synopsis"),
    ("PUT", "/me", lambda t: {**GOOD_PROFILE, "display_name": t}, "display_name"),
    ("POST", "/films/{film}/receipts", _receipt, "reference"),
    ("PUT", "/films/{film}/rights", lambda t: {"description": t}, "description"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_free_text_refuses_control_and_bidi_characters(api, kind, method, path, body, field):
    film = factories.make_film(PRODUCER, open_it=False)["film_id"]
    caller = ADMIN if "receipts" in path or "rights" in path else PRODUCER
    response = api.call(method, path.format(film=film), body(UNSAFE_TEXT[kind]), caller=caller)
    assert_error(response, 400, field)


def test_a_synopsis_keeps_its_line_breaks_and_tabs(api):
    created = api.post("/films", factories.film_body(synopsis="Act one.\r\n\tAct two.\n"), caller=PRODUCER)
    assert created.status_code == 201 and created.data["synopsis"] == "Act one.\n\tAct two."
    assert api.post("/films", factories.film_body(synopsis=""), caller=PRODUCER).data["synopsis"] == ""
