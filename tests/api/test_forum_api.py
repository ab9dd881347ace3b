"""The private forum: who reads and writes, pins, hides, edits, paging and safe text."""

import pytest

from tests import coproducers, factories


@pytest.fixture
def forum(api):
    producer, alice, bob = factories.producer(), factories.member(), factories.member()
    film_id = factories.make_film(producer)["film_id"]
    coproducers.back(film_id, alice, 1_000)
    coproducers.back(film_id, bob, 2_500)
    api.put("/me", {"display_name": "Alice", "email": "alice@example.org", "phone": "+33612345678"}, caller=alice)
    return film_id, producer, alice, bob


def new_thread(api, film_id, caller, title="Shooting days", body="When do we start?"):
    response = api.post(f"/films/{film_id}/forum/threads", {"title": title, "body": body}, caller=caller)
    assert response.status_code == 201, response.data
    return response.data


def test_coproducers_and_the_producer_talk_in_threads(api, forum):
    film_id, producer, alice, bob = forum
    thread = new_thread(api, film_id, alice)
    assert thread["title"] == "Shooting days" and thread["post_count"] == 1 and thread["author_name"] == "Alice"
    (first,) = thread["posts"]
    assert first["body"] == "When do we start?" and first["author_role"] == "coproducer"
    assert "email" not in first and "phone" not in first
    reply = api.post(f"/films/{film_id}/forum/threads/{thread['thread_id']}/posts", {"body": "In March!"},
                     caller=producer)
    assert reply.status_code == 201 and reply.data["author_role"] == "producer"
    api.post(f"/films/{film_id}/forum/threads/{thread['thread_id']}/posts", {"body": "Great"}, caller=bob)
    page = api.get(f"/films/{film_id}/forum/threads/{thread['thread_id']}/posts", caller=bob).data
    assert [p["body"] for p in page["items"]] == ["When do we start?", "In March!", "Great"]
    assert page["thread"]["post_count"] == 3 and page["next"] is None and page["pinned"] == []
    threads = api.get(f"/films/{film_id}/forum/threads", caller=factories.admin()).data
    assert [t["thread_id"] for t in threads["items"]] == [thread["thread_id"]]
    other = api.get(f"/films/{factories.make_film()['film_id']}/forum/threads", caller=alice)
    assert other.status_code == 403 and other.data["error"]["code"] == "perk_locked"
    unknown = api.get(f"/films/{film_id}/forum/threads/t-nope/posts", caller=alice)
    assert unknown.status_code == 404 and unknown.data["error"]["field"] == "thread_id"


def test_pages_of_threads_and_posts(api, forum):
    film_id, _, alice, _ = forum
    threads = [new_thread(api, film_id, alice, title=f"Thread {i}") for i in range(3)]
    first = api.get(f"/films/{film_id}/forum/threads?limit=2", caller=alice).data
    assert [t["title"] for t in first["items"]] == ["Thread 2", "Thread 1"] and first["next"]
    second = api.get(f"/films/{film_id}/forum/threads?limit=2&next={first['next']}", caller=alice).data
    assert [t["title"] for t in second["items"]] == ["Thread 0"] and second["next"] is None
    path = f"/films/{film_id}/forum/threads/{threads[0]['thread_id']}/posts"
    for i in range(4):
        api.post(path, {"body": f"post {i}"}, caller=alice)
    page = api.get(f"{path}?limit=3", caller=alice).data
    rest = api.get(f"{path}?limit=3&next={page['next']}", caller=alice).data
    assert [p["body"] for p in page["items"] + rest["items"]] == ["When do we start?"] + [f"post {i}" for i in range(4)]
    # A token of another list is refused.
    assert api.get(f"/films/{film_id}/forum/threads?next={page['next']}", caller=alice).status_code == 404
    assert api.get(f"{path}?limit=101", caller=alice).data["error"]["field"] == "limit"


def test_the_producer_pins_and_hides_and_authors_edit_their_own(api, forum):
    film_id, producer, alice, bob = forum
    thread = new_thread(api, film_id, alice)
    post = thread["posts"][0]
    path = f"/films/{film_id}/forum/threads/{thread['thread_id']}/posts/{post['post_id']}"
    assert api.patch(path, {"body": "Edited"}, caller=bob).status_code == 403
    assert api.patch(path, {"body": "Edited"}, caller=producer).status_code == 403
    assert api.patch(path, {"pinned": True}, caller=alice).status_code == 403
    edited = api.patch(path, {"body": "Edited"}, caller=alice).data
    assert edited["body"] == "Edited" and edited["edited_at"]
    assert api.patch(path, {"pinned": True}, caller=producer).data["pinned"] is True
    listing = api.get(f"/films/{film_id}/forum/threads/{thread['thread_id']}/posts", caller=bob).data
    assert [p["post_id"] for p in listing["pinned"]] == [post["post_id"]]
    hidden = api.patch(path, {"hidden": True, "pinned": False}, caller=factories.admin()).data
    assert hidden["hidden"] is True and hidden["pinned"] is False
    as_bob = api.get(f"/films/{film_id}/forum/threads/{thread['thread_id']}/posts", caller=bob).data
    assert as_bob["items"][0] == {**as_bob["items"][0], "hidden": True, "body": None} and as_bob["pinned"] == []
    assert api.get(f"/films/{film_id}/forum/threads/{thread['thread_id']}/posts",
                   caller=alice).data["items"][0]["body"] == "Edited"
    assert api.get(f"/films/{film_id}/forum/threads/{thread['thread_id']}/posts",
                   caller=producer).data["items"][0]["body"] == "Edited"
    assert api.patch(path.replace(post["post_id"], "p-nope"), {"body": "x"}, caller=alice).status_code == 404


def test_text_is_plain_bounded_and_returned_as_json_only(api, forum):
    film_id, _, alice, _ = forum
    markup = "<script>alert('x')</script> & <b>bold</b>"
    thread = new_thread(api, film_id, alice, title="<img src=x onerror=alert(1)>", body=markup)
    path = f"/films/{film_id}/forum/threads/{thread['thread_id']}/posts"
    response = api.get(path, caller=alice)
    # A dict body is serialized as JSON; no Content-Type means application/json at API Gateway
    # and chalice local (the e2e run checks it over HTTP). Never text/html.
    assert response.headers.get("Content-Type", "application/json") == "application/json"
    assert response.data["items"][0]["body"] == markup  # stored as typed, returned inside JSON strings
    for body, field in [("a\x00b", "body"), ("\x1b[2J", "body"), ("x" * 5001, "body"), ("   ", "body"),
                        ("hi \u202e", "body")]:
        refused = api.post(path, {"body": body}, caller=alice)
        assert refused.status_code == 400 and refused.data["error"]["field"] == field, body
    refused = api.post(f"/films/{film_id}/forum/threads", {"title": "two\nlines", "body": "x"}, caller=alice)
    assert refused.data["error"]["field"] == "title"
    refused = api.post(path, {"body": "x", "html": True}, caller=alice)
    assert refused.data["error"]["code"] == "unknown_field"
    ok = api.post(path, {"body": "line one\r\nline two"}, caller=alice)
    assert ok.status_code == 201 and ok.data["body"] == "line one\nline two"
