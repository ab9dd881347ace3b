"""The perk catalogue, what a co-producer has unlocked, and the unlock events."""

import app as application
from chalicelib.adapters.tables import OutboxRecord
from chalicelib.services import outbox
from tests import coproducers, factories


def perk_body(**overrides):
    body = {"kind": "filming_invitation", "title": "A day on set", "description": "Watch a scene being shot.",
            "min_pledge_cents": 5_000, "available_from_stage": "shooting", "capacity": 4}
    body.update(overrides)
    return body


def test_a_new_film_has_the_default_catalogue(api):
    producer = factories.producer()
    film = factories.make_film(producer, open_it=False)
    # A draft's catalogue is its producer's business only.
    assert api.get(f"/films/{film['film_id']}/perks").status_code == 404
    items = api.get(f"/films/{film['film_id']}/perks", caller=producer).data["items"]
    assert items == [{"perk_id": items[0]["perk_id"], "kind": "private_forum", "title": "Private forum",
                      "description": items[0]["description"], "min_pledge_cents": 0,
                      "available_from_stage": "development", "capacity": None, "min_referrals": 0}]


def test_the_producer_edits_the_catalogue_and_everyone_reads_it(api):
    producer, stranger, admin = factories.producer(), factories.member(), factories.admin()
    film_id = factories.make_film(producer)["film_id"]
    created = api.post(f"/films/{film_id}/perks", perk_body(), caller=producer)
    assert created.status_code == 201, created.data
    perk = created.data
    assert perk["perk_id"].startswith("prk_") and perk["capacity"] == 4 and perk["min_pledge_cents"] == 5_000
    assert api.post(f"/films/{film_id}/perks", perk_body(), caller=stranger).status_code == 403
    assert api.post(f"/films/{film_id}/perks", perk_body(), caller=factories.producer()).status_code == 403
    assert api.post(f"/films/{film_id}/perks", perk_body(kind="backstage")).status_code == 401
    bad = api.post(f"/films/{film_id}/perks", perk_body(kind="backstage"), caller=producer)
    assert bad.status_code == 400 and bad.data["error"]["field"] == "kind"
    bad = api.post(f"/films/{film_id}/perks", perk_body(title="a\x00b"), caller=producer)
    assert bad.status_code == 400 and bad.data["error"]["field"] == "title"
    patched = api.patch(f"/films/{film_id}/perks/{perk['perk_id']}", {"min_pledge_cents": 2_000, "capacity": None},
                        caller=admin)
    assert patched.status_code == 200 and patched.data["min_pledge_cents"] == 2_000 and patched.data["capacity"] is None
    assert api.patch(f"/films/{film_id}/perks/{perk['perk_id']}", {"title": None},
                     caller=producer).data["error"]["field"] == "title"
    assert api.patch(f"/films/{film_id}/perks/{perk['perk_id']}", {"title": "x"}, caller=stranger).status_code == 403
    listed = api.get(f"/films/{film_id}/perks").data["items"]
    assert [p["kind"] for p in listed if p["perk_id"] == perk["perk_id"]] == ["filming_invitation"]
    assert api.delete(f"/films/{film_id}/perks/{perk['perk_id']}", caller=stranger).status_code == 403
    assert api.delete(f"/films/{film_id}/perks/{perk['perk_id']}", caller=producer).status_code == 204
    assert api.delete(f"/films/{film_id}/perks/{perk['perk_id']}", caller=producer).status_code == 404
    assert len(api.get(f"/films/{film_id}/perks").data["items"]) == 1


def test_my_perks_say_what_is_missing_and_a_refund_removes_access(api):
    producer, alice = factories.producer(), factories.member()
    film_id = factories.make_film(producer)["film_id"]
    invitation = api.post(f"/films/{film_id}/perks", perk_body(), caller=producer).data

    def mine():
        return {p["kind"]: (p["status"], p["reason"]) for p in
                api.get(f"/me/films/{film_id}/perks", caller=alice).data["items"]}

    assert api.get(f"/me/films/{film_id}/perks").status_code == 401
    assert mine() == {"private_forum": ("locked", "pledge level short by 1 cents"),
                      "filming_invitation": ("locked", "pledge level short by 5000 cents; stage shooting not "
                                             "reached yet (the film is in development)")}
    first = coproducers.back(film_id, alice, 3_000)
    assert mine()["private_forum"] == ("unlocked", None)
    assert mine()["filming_invitation"][1].startswith("pledge level short by 2000 cents")
    second = coproducers.back(film_id, alice, 2_000)
    assert api.patch(f"/films/{film_id}", {"stage": "shooting"}, caller=producer).status_code == 200
    assert mine() == {"private_forum": ("unlocked", None), "filming_invitation": ("unlocked", None)}
    assert set(api.get(f"/me/films/{film_id}/perks", caller=alice).data["items"][0]) == {
        "perk_id", "kind", "title", "status", "reason"}
    # A partial refund takes her below the invitation's level; a full refund out of the forum.
    assert coproducers.refund(second, 500) == 500
    assert mine()["filming_invitation"] == ("locked", "pledge level short by 500 cents")
    assert api.get(f"/films/{film_id}/forum/threads", caller=alice).status_code == 200
    coproducers.refund(second, 2_000)
    coproducers.refund(first, 3_000)
    assert mine()["private_forum"] == ("locked", "pledge level short by 1 cents")
    assert api.get(f"/films/{film_id}/forum/threads", caller=alice).status_code == 403
    assert invitation["perk_id"] in {p["perk_id"] for p in api.get(f"/films/{film_id}/perks").data["items"]}


def test_a_stage_change_records_one_unlock_event_per_perk_it_opens(api):
    producer = factories.producer()
    film = factories.make_film(producer)
    film_id = film["film_id"]
    shooting = api.post(f"/films/{film_id}/perks", perk_body(), caller=producer).data
    preview = api.post(f"/films/{film_id}/perks", perk_body(kind="preview_invitation", title="Preview",
                                                             available_from_stage="post_production",
                                                             min_pledge_cents=0), caller=producer).data
    assert api.patch(f"/films/{film_id}", {"stage": "pre_production"}, caller=producer).status_code == 200
    assert list(outbox.film_events(film_id, prefix="perk.")) == []
    assert api.patch(f"/films/{film_id}", {"stage": "shooting"}, caller=producer).status_code == 200
    (event,) = outbox.film_events(film_id, prefix="perk.")
    assert event.key == f"{shooting['perk_id']}#shooting"
    assert event.audience.kind == "coproducers" and event.audience.min_cents == 5_000
    assert event.data == {"title": film["title"], "perk_id": shooting["perk_id"], "kind": "filming_invitation",
                          "perk_title": "A day on set"}
    assert api.patch(f"/films/{film_id}", {"stage": "released"}, caller=producer).status_code == 200
    keys = [e.key for e in outbox.film_events(film_id, prefix="perk.")]
    assert sorted(keys) == sorted([f"{shooting['perk_id']}#shooting", f"{preview['perk_id']}#released"])


def test_the_backings_stream_tells_a_coproducer_once_what_their_pledge_unlocks(api):
    producer, bob = factories.producer(), factories.member()
    film = factories.make_film(producer)
    film_id = film["film_id"]
    vip = api.post(f"/films/{film_id}/perks", perk_body(kind="team_discussion", title="Meet the director",
                                                         available_from_stage="development"), caller=producer).data
    forum_id = next(p["perk_id"] for p in api.get(f"/films/{film_id}/perks").data["items"]
                    if p["kind"] == "private_forum")
    handler = application.watch_backings

    def told():
        return sorted(e.key for e in outbox.film_events(film_id, prefix="perk.") if e.audience.user_id == bob.user_id)

    # First pledge (INSERT, no old image): the forum, not yet the discussion.
    assert handler(coproducers.stream_event(film_id, bob.user_id, None, 2_000), None) == {"batchItemFailures": []}
    assert told() == [f"{forum_id}#{bob.user_id}"]
    # A second pledge crosses 50 EUR; a redelivery of the same record tells nobody twice.
    event = coproducers.stream_event(film_id, bob.user_id, 2_000, 6_000, seq="2")
    handler(event, None)
    handler(event, None)
    assert told() == sorted([f"{forum_id}#{bob.user_id}", f"{vip['perk_id']}#{bob.user_id}"])
    record = OutboxRecord.get(f"perk.unlocked#{film_id}#{vip['perk_id']}#{bob.user_id}")
    assert record.audience == {"kind": "user", "user_id": bob.user_id, "min_cents": 0}
    assert record.data["perk_title"] == "Meet the director" and record.data["title"] == film["title"]
    # A refund (lower total) and a rise that crosses nothing tell nothing.
    handler(coproducers.stream_event(film_id, bob.user_id, 6_000, 1_000, seq="3"), None)
    handler(coproducers.stream_event(film_id, bob.user_id, 6_000, 7_000, seq="4"), None)
    assert len(told()) == 2


def test_a_failing_stream_record_is_reported_for_retry(api, monkeypatch):
    from chalicelib.services import perks

    film_id = factories.make_film()["film_id"]
    first = coproducers.stream_event(film_id, "u1", None, 1_000, seq="10")
    second = coproducers.stream_event(film_id, "u2", None, 1_000, seq="11")
    calls = []

    def flaky(film_id, user_id, old, new):
        calls.append(user_id)
        if user_id == "u2":
            raise RuntimeError("DynamoDB throttled")
        return 1

    monkeypatch.setattr(perks, "on_backing_change", flaky)
    result = application.watch_backings({"Records": first["Records"] + second["Records"]}, None)
    assert result == {"batchItemFailures": [{"itemIdentifier": "11"}]} and calls == ["u1", "u2"]
