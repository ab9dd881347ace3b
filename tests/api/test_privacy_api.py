"""Personal data: public responses that cannot link a person across films, the export of
everything held about the caller, erasure, and consent records."""

from __future__ import annotations

from tests import coproducers, factories


def test_public_ids_do_not_link_a_person_across_films(api):
    producer, alice = factories.producer(), factories.member()
    films = [factories.make_film(producer)["film_id"] for _ in range(2)]
    shown = [api.get(f"/films/{f}").data["producer_id"] for f in films]
    assert shown[0] != shown[1] and producer.user_id not in shown and all(s.startswith("pid_") for s in shown)
    authors = []
    for film_id in films:
        coproducers.back(film_id, alice, 1_000)
        thread = api.post(f"/films/{film_id}/forum/threads", {"title": "Hi", "body": "Hello"}, caller=alice).data
        reply = api.post(f"/films/{film_id}/forum/threads/{thread['thread_id']}/posts", {"body": "Again"},
                         caller=alice).data
        assert thread["author_id"] == thread["posts"][0]["author_id"] == reply["author_id"]  # one person in a film
        authors.append(reply["author_id"])
    assert authors[0] != authors[1] and alice.user_id not in authors
    for film_id in films:
        text = str(api.get(f"/films/{film_id}/forum/threads", caller=alice).data) + str(api.get(f"/films/{film_id}").data)
        assert alice.user_id not in text and producer.user_id not in text


PROFILE = {"display_name": "Alice Martin", "email": "alice.martin@example.org", "phone": "+33612345670",
           "locale": "en", "notify_email": True, "notify_sms": True}


def _coproducer_with_everything(api):
    """A co-producer with a profile, a pledge, a forum post, a casting note and a message."""
    from chalicelib.services import profiles

    producer, alice = factories.producer(), factories.member()
    film_id = factories.make_film(producer)["film_id"]
    assert api.put("/me", PROFILE, caller=alice).status_code == 200
    profiles.mark_verified(alice.user_id, "email")
    coproducers.back(film_id, alice, 50_000)
    thread = api.post(f"/films/{film_id}/forum/threads", {"title": "Set", "body": "See you there"}, caller=alice).data
    return producer, alice, film_id, thread


def test_consent_records_follow_every_change_of_choice(api):
    from chalicelib.services import notifications

    alice = factories.member()
    api.put("/me", PROFILE, caller=alice)
    api.put("/me", PROFILE, caller=alice)  # the same choices: nothing new to record
    api.put("/me", {**PROFILE, "notify_sms": False}, caller=alice)
    api.post(f"/unsubscribe?token={notifications.unsubscribe_token(alice.user_id, 'email')}")
    consents = api.get("/me/export", caller=alice).data["consents"]
    assert [(c["channel"], c["granted"], c["source"]) for c in consents] == [
        ("email", True, "PUT /me"), ("sms", True, "PUT /me"), ("sms", False, "PUT /me"),
        ("email", False, "unsubscribe link")]
    assert all(c["wording_version"] and c["recorded_at"] for c in consents)


def test_the_export_holds_everything_about_the_caller_and_nobody_else(api):
    producer, alice, film_id, thread = _coproducer_with_everything(api)
    data = api.get("/me/export", caller=alice).data
    assert data["profile"]["email"] == PROFILE["email"] and data["profile"]["display_name"] == PROFILE["display_name"]
    assert [b["film_id"] for b in data["backings"]] == [film_id]
    assert [p["body"] for p in data["forum_posts"]] == ["See you there"]
    assert [t["thread_id"] for t in data["forum_threads"]] == [thread["thread_id"]]
    assert {"pledges", "refunds", "rsvps", "casting_applications", "credits", "payouts", "statements",
            "messages_sent", "consents"} <= set(data)
    theirs = api.get("/me/export", caller=producer).data
    assert PROFILE["email"] not in str(theirs) and "See you there" not in str(theirs)
    assert api.get("/me/export").status_code == 401


def test_erasure_removes_personal_data_and_keeps_the_money_records(api):
    from chalicelib.adapters import counters

    producer, alice, film_id, thread = _coproducer_with_everything(api)
    raised = counters.read(counters.film_counter(film_id))["raised_cents"]
    erased = api.delete("/me", caller=alice)
    assert erased.status_code == 200 and "pledges" in erased.data["kept"]
    me = api.get("/me", caller=alice).data
    assert me["display_name"] is None and me["phone"] is None and me["email"] != PROFILE["email"]
    assert me["notify_email"] is False and me["notify_sms"] is False
    posts = api.get(f"/films/{film_id}/forum/threads/{thread['thread_id']}/posts", caller=producer).data
    assert [p["author_name"] for p in posts["items"]] == ["Former co-producer"]
    assert counters.read(counters.film_counter(film_id))["raised_cents"] == raised  # totals still reconcile
    export = api.get("/me/export", caller=alice).data
    assert [b["film_id"] for b in export["backings"]] == [film_id]
    assert PROFILE["email"] not in str(export) and PROFILE["phone"] not in str(export)


def test_nothing_is_sent_after_erasure(api):
    import uuid

    from chalicelib.domain import events
    from chalicelib.services import notifications

    _, alice, _, _ = _coproducer_with_everything(api)
    api.delete("/me", caller=alice)
    event = events.Event(events.STAGE_CHANGED, f"shooting#{uuid.uuid4().hex}", "t",
                         events.Audience(events.USER, user_id=alice.user_id), None,
                         {"title": "T", "stage": "shooting", "previous_stage": "development"})
    assert notifications.handle(event.to_dict())["sent"] == 0


def test_a_balance_due_blocks_erasure_with_the_amount(api):
    from chalicelib.adapters.tables import LedgerRecord

    alice = factories.member()
    api.put("/me", PROFILE, caller=alice)
    LedgerRecord(alice.user_id, "2019-01#credit#flm_x#000", kind="credit", period="2019-01", film_id="flm_x",
                 film_entry=f"2019-01#000#{alice.user_id}", batch=0, amount_cents=1234, your_confirmed_cents=1000,
                 created_at="2019-02-01T03:00:00.000000Z").save()
    refused = api.delete("/me", caller=alice)
    assert refused.status_code == 409 and refused.data["error"]["code"] == "balance_outstanding"
    assert "1234" in refused.data["error"]["message"]
    assert api.get("/me", caller=alice).data["email"] == PROFILE["email"]  # nothing erased


def test_rsvps_and_casting_notes_are_exported_then_erased(api):
    from tests.api.test_sessions_api import add_perk, add_session

    producer, alice, film_id, _ = _coproducer_with_everything(api)
    perk = add_perk(api, film_id, producer, min_pledge_cents=1_000)
    session = add_session(api, film_id, producer, perk["perk_id"])
    assert api.patch(f"/films/{film_id}", {"stage": "shooting"}, caller=producer).status_code == 200
    rsvp_path = f"/films/{film_id}/sessions/{session['session_id']}"
    assert api.post(f"{rsvp_path}/rsvp", caller=alice).data["my_rsvp"] == "going"
    casting_perk = api.post(f"/films/{film_id}/perks", {"kind": "extra_casting", "title": "Be an extra",
                                                         "min_pledge_cents": 1_000}, caller=producer).data
    call = api.post(f"/films/{film_id}/casting", {"perk_id": casting_perk["perk_id"], "title": "Café scene"},
                    caller=producer).data
    casting_path = f"/films/{film_id}/casting/{call['call_id']}"
    note = "I juggle and I live two streets away"
    assert api.post(f"{casting_path}/applications", {"note": note}, caller=alice).status_code == 201

    export = api.get("/me/export", caller=alice).data
    assert [(r["film_id"], r["session_id"], r["status"]) for r in export["rsvps"]] == [
        (film_id, session["session_id"], "going")]
    assert [(a["call_id"], a["note"], a["status"]) for a in export["casting_applications"]] == [
        (call["call_id"], note, "applied")]

    assert api.delete("/me", caller=alice).status_code == 200
    after = api.get("/me/export", caller=alice).data
    assert note not in str(after) and PROFILE["display_name"] not in str(after)
    assert [r["session_id"] for r in after["rsvps"]] == [session["session_id"]]  # the seat's record, no name
    assert [a["call_id"] for a in after["casting_applications"]] == [call["call_id"]]
    seen_by_producer = str(api.get(f"{rsvp_path}/rsvps", caller=producer).data) + str(
        api.get(f"{casting_path}/applications", caller=producer).data)
    assert note not in seen_by_producer and PROFILE["display_name"] not in seen_by_producer
