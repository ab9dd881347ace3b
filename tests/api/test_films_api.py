from chalicelib.services import films
from tests import factories


def _create(api, caller=None, **overrides):
    response = api.post("/films", factories.film_body(**overrides), caller=caller or factories.producer())
    assert response.status_code == 201, response.data
    return response.data


def test_create_then_read_a_film(api):
    producer = factories.producer()
    film = _create(api, producer)
    assert film["status"] == "draft" and film["stage"] == "development"
    assert film["producer_id"] == films.public_id(film["film_id"], producer.user_id) != producer.user_id
    assert film["raised_cents"] == 0 and film["coproducer_count"] == 0 and film["percent_funded"] == 0
    assert film["min_pledge_cents"] == 1000 and film["goal_cents"] == 300_000
    for key in ("film_id", "title", "kind", "synopsis", "deadline", "created_at"):
        assert film[key]
    # A draft is invisible to the public and to other producers, visible to its producer.
    assert api.get(f"/films/{film['film_id']}").status_code == 404
    assert api.get(f"/films/{film['film_id']}", caller=factories.producer()).status_code == 404
    assert api.get(f"/films/{film['film_id']}", caller=producer).data["film_id"] == film["film_id"]


def test_min_pledge_defaults_to_ten_euros(api):
    body = factories.film_body()
    del body["min_pledge_cents"]
    response = api.post("/films", body, caller=factories.producer())
    assert response.status_code == 201 and response.data["min_pledge_cents"] == 1000


def test_only_admins_and_producers_create_films(api):
    assert api.post("/films", factories.film_body()).status_code == 401
    response = api.post("/films", factories.film_body(), caller=factories.member())
    assert response.status_code == 403 and response.data["error"]["code"] == "forbidden"


def test_admin_creates_for_a_producer_and_producers_cannot_name_another(api):
    film = _create(api, factories.admin(), producer_id="prod-xyz")
    assert film["producer_id"] == films.public_id(film["film_id"], "prod-xyz")
    response = api.post("/films", factories.film_body(producer_id="prod-xyz"), caller=factories.producer())
    assert response.status_code == 403 and response.data["error"]["field"] == "producer_id"


def test_publish_and_move_through_stages(api):
    producer, admin = factories.producer(), factories.admin()
    film = _create(api, producer)
    path = f"/films/{film['film_id']}"
    # The producer edits text and the stage, not the campaign status.
    assert api.patch(path, {"title": "Nouveau titre"}, caller=producer).data["title"] == "Nouveau titre"
    denied = api.patch(path, {"status": "open"}, caller=producer)
    assert denied.status_code == 403 and denied.data["error"]["field"] == "status"
    opened = api.patch(path, {"status": "open"}, caller=admin)
    assert opened.status_code == 200 and opened.data["status"] == "open" and opened.data["published_at"]
    assert api.get(path).status_code == 200
    assert api.patch(path, {"stage": "shooting"}, caller=producer).data["stage"] == "shooting"
    back = api.patch(path, {"stage": "pre_production"}, caller=producer)
    assert back.status_code == 409
    assert "shooting" in back.data["error"]["message"] and "pre_production" in back.data["error"]["message"]
    illegal = api.patch(path, {"status": "draft"}, caller=admin)
    assert illegal.status_code == 409 and "open" in illegal.data["error"]["message"]
    assert api.patch(path, {"goal_cents": 5000}, caller=admin).status_code == 409
    assert api.patch(path, {"status": "funded"}, caller=admin).data["status"] == "funded"
    # Another producer may not touch it.
    assert api.patch(path, {"title": "x"}, caller=factories.producer()).status_code == 403


def test_list_films_filters_and_pages(api):
    admin = factories.admin()
    kind = "animation"
    made = [_create(api, admin, kind=kind, title=f"Animation {i}") for i in range(5)]
    for film in made:
        api.patch(f"/films/{film['film_id']}", {"status": "open"}, caller=admin)
    seen, token, pages = [], None, 0
    while True:
        query = "/films?kind=animation&limit=2" + (f"&next={token}" if token else "")
        page = api.get(query)
        assert page.status_code == 200, page.data
        assert len(page.data["items"]) <= 2
        assert all(item["kind"] == kind for item in page.data["items"])
        seen += [item["film_id"] for item in page.data["items"]]
        token, pages = page.data["next"], pages + 1
        if token is None:
            break
    assert {film["film_id"] for film in made} <= set(seen)
    assert len(seen) == len(set(seen))
    # Newest published first.
    positions = [seen.index(f["film_id"]) for f in made]
    assert positions == sorted(positions, reverse=True)
    open_page = api.get("/films?status=open&limit=100")
    assert all(item["status"] == "open" for item in open_page.data["items"])
    # A token is bound to its filters.
    first = api.get("/films?kind=animation&limit=1")
    mismatched = api.get(f"/films?kind=short&limit=1&next={first.data['next']}")
    assert mismatched.status_code == 404 and mismatched.data["error"]["field"] == "next"


def test_drafts_are_never_listed_publicly(api):
    film = _create(api, title="Brouillon secret")
    listing = api.get("/films?limit=100")
    assert film["film_id"] not in [item["film_id"] for item in listing.data["items"]]
    assert api.get("/films?status=draft").status_code == 403
    assert api.get("/films?status=draft", caller=factories.admin()).status_code == 200


def test_my_films_lists_the_producers_drafts(api):
    producer = factories.producer()
    film = _create(api, producer)
    mine = api.get("/me/films", caller=producer)
    assert [item["film_id"] for item in mine.data["items"]] == [film["film_id"]]
    assert mine.data["next"] is None


def test_unknown_film_is_404(api):
    response = api.get("/films/" + "0" * 32)
    assert response.status_code == 404 and response.data["error"]["code"] == "not_found"
