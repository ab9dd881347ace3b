"""Discussions and invitations: scheduling, seats, RSVP, cancel, waitlist and the join link."""

from datetime import timedelta

from chalicelib import clock
from tests import coproducers, factories


def later(days=10):
    return (clock.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%MZ")


def add_perk(api, film_id, producer, **overrides):
    body = {"kind": "filming_invitation", "title": "A day on set", "min_pledge_cents": 2_000,
            "available_from_stage": "shooting", "capacity": 2}
    body.update(overrides)
    response = api.post(f"/films/{film_id}/perks", body, caller=producer)
    assert response.status_code == 201, response.data
    return response.data


def add_session(api, film_id, producer, perk_id, **overrides):
    body = {"perk_id": perk_id, "title": "Night shoot", "starts_at": later(), "duration_minutes": 240,
            "place": "Quai de la Joliette, Marseille"}
    body.update(overrides)
    response = api.post(f"/films/{film_id}/sessions", body, caller=producer)
    assert response.status_code == 201, response.data
    return response.data


def test_an_invitation_opens_with_its_stage_and_seats_go_by_priority(api):
    producer = factories.producer()
    film_id = factories.make_film(producer)["film_id"]
    alice, bob, carol, dave, low = (factories.member() for _ in range(5))
    for caller, cents in ((alice, 2_000), (bob, 3_000), (carol, 2_500), (dave, 9_000), (low, 1_000)):
        coproducers.back(film_id, caller, cents)
    perk = add_perk(api, film_id, producer)
    session = add_session(api, film_id, producer, perk["perk_id"])
    assert session["capacity"] == 2 and session["seats_taken"] == 0 and session["kind"] == "filming_invitation"
    path = f"/films/{film_id}/sessions/{session['session_id']}"

    locked = api.post(f"{path}/rsvp", caller=alice)
    assert locked.status_code == 403 and "stage shooting not reached yet" in locked.data["error"]["message"]
    assert api.get(f"/films/{film_id}/sessions", caller=alice).data["items"] == []
    assert api.patch(f"/films/{film_id}", {"stage": "shooting"}, caller=producer).status_code == 200
    assert [s["session_id"] for s in api.get(f"/films/{film_id}/sessions", caller=alice).data["items"]] == [
        session["session_id"]]
    assert api.post(f"{path}/rsvp", caller=low).status_code == 403  # below the level

    assert api.post(f"{path}/rsvp", caller=alice).data["my_rsvp"] == "going"
    assert api.post(f"{path}/rsvp", caller=alice).data["seats_taken"] == 1  # asking again: the same seat
    assert api.post(f"{path}/rsvp", caller=bob).data["my_rsvp"] == "going"
    full = api.post(f"{path}/rsvp", caller=carol).data
    assert full["my_rsvp"] == "waitlisted" and full["seats_taken"] == 2 and full["seats_left"] == 0
    assert api.post(f"{path}/rsvp", caller=dave).data["waitlisted"] == 2
    # Dave pledged more than Carol: he is first in line although he came later.
    after = api.delete(f"{path}/rsvp", caller=alice).data
    assert after["seats_taken"] == 2 and after["waitlisted"] == 1 and after["my_rsvp"] is None
    assert api.get(path, caller=dave).data["my_rsvp"] == "going"
    assert api.get(path, caller=carol).data["my_rsvp"] == "waitlisted"
    assert api.delete(f"{path}/rsvp", caller=alice).status_code == 404  # a second cancel moves nobody
    assert api.get(path, caller=carol).data["my_rsvp"] == "waitlisted"
    # Leaving the waitlist frees no seat; a freed seat with nobody waiting is counted back.
    assert api.delete(f"{path}/rsvp", caller=carol).data["waitlisted"] == 0
    assert api.delete(f"{path}/rsvp", caller=bob).data["seats_taken"] == 1
    assert api.post(f"{path}/rsvp", caller=alice).data["my_rsvp"] == "going"  # back after cancelling
    listed = api.get(f"{path}/rsvps", caller=producer).data["items"]
    assert sorted((r["user_id"], r["status"]) for r in listed) == sorted(
        [(alice.user_id, "going"), (dave.user_id, "going")])
    assert all(set(r) == {"user_id", "display_name", "status", "rsvp_at"} for r in listed)
    assert api.get(f"{path}/rsvps", caller=alice).status_code == 403


def test_the_join_link_is_only_for_coproducers_holding_a_seat(api):
    producer, admin = factories.producer(), factories.admin()
    film_id = factories.make_film(producer)["film_id"]
    alice, bob = factories.member(), factories.member()
    coproducers.back(film_id, alice, 1_000)
    coproducers.back(film_id, bob, 1_000)
    perk = add_perk(api, film_id, producer, kind="team_discussion", title="Q&A with the director",
                    min_pledge_cents=0, available_from_stage="development", capacity=1)
    link = "https://meet.example.org/q-and-a-secret"
    session = add_session(api, film_id, producer, perk["perk_id"], place=None, join_link=link)
    path = f"/films/{film_id}/sessions/{session['session_id']}"
    assert session["join_link"] == link
    assert api.get(path, caller=alice).data["join_link"] is None
    assert api.post(f"{path}/rsvp", caller=alice).data["join_link"] == link
    waiting = api.post(f"{path}/rsvp", caller=bob)
    assert waiting.data["my_rsvp"] == "waitlisted" and link not in waiting.body.decode()
    assert link not in api.get(f"/films/{film_id}/sessions", caller=alice).body.decode()  # lists never carry it
    assert api.get(path, caller=admin).data["join_link"] == link
    assert api.delete(f"{path}/rsvp", caller=alice).data["join_link"] is None
    assert api.get(path, caller=bob).data["join_link"] == link  # moved up


def test_a_refund_below_the_level_closes_the_session_and_skips_the_waitlist(api):
    producer = factories.producer()
    film_id = factories.make_film(producer)["film_id"]
    alice, bob, carol = factories.member(), factories.member(), factories.member()
    coproducers.back(film_id, alice, 2_000)
    bob_pledge = coproducers.back(film_id, bob, 2_000)
    coproducers.back(film_id, carol, 2_000)
    perk = add_perk(api, film_id, producer, available_from_stage="development", capacity=1)
    path = f"/films/{film_id}/sessions/{add_session(api, film_id, producer, perk['perk_id'])['session_id']}"
    api.post(f"{path}/rsvp", caller=alice)
    api.post(f"{path}/rsvp", caller=bob)
    api.post(f"{path}/rsvp", caller=carol)
    coproducers.refund(bob_pledge, 1_500)
    assert api.get(path, caller=bob).status_code == 403
    api.delete(f"{path}/rsvp", caller=alice)
    assert api.get(path, caller=carol).data["my_rsvp"] == "going"  # Bob, no longer eligible, is skipped


def test_scheduling_is_checked(api):
    producer = factories.producer()
    film_id = factories.make_film(producer)["film_id"]
    forum_id = api.get(f"/films/{film_id}/perks").data["items"][0]["perk_id"]
    no_capacity = add_perk(api, film_id, producer, capacity=None)
    invitation = add_perk(api, film_id, producer)
    cases = [  # 400: malformed (the OpenAPI document refuses it too); 422: refused by the perk or the clock
        ({"perk_id": forum_id}, "perk_id", 422),
        ({"perk_id": no_capacity["perk_id"]}, "capacity", 422),
        ({"perk_id": invitation["perk_id"], "starts_at": "2020-01-01T10:00Z"}, "starts_at", 422),
        ({"perk_id": invitation["perk_id"], "starts_at": "tomorrow"}, "starts_at", 400),
        ({"perk_id": invitation["perk_id"], "starts_at": "0000-00-00T00:00Z"}, "starts_at", 400),
        ({"perk_id": invitation["perk_id"], "starts_at": "2027-02-30T10:00Z"}, "starts_at", 400),
        ({"perk_id": invitation["perk_id"], "join_link": "https://x.example.org"}, "join_link", 422),
        ({"perk_id": invitation["perk_id"], "join_link": "javascript:alert(1)"}, "join_link", 400),
        ({"perk_id": invitation["perk_id"], "capacity": 0}, "capacity", 400),
    ]
    for overrides, field, status in cases:
        body = {"perk_id": "", "title": "Night shoot", "starts_at": later(), "duration_minutes": 60, **overrides}
        response = api.post(f"/films/{film_id}/sessions", body, caller=producer)
        assert response.status_code == status and response.data["error"]["field"] == field, (overrides, response.data)
    missing = api.post(f"/films/{film_id}/sessions", {"perk_id": "prk_nope", "title": "x", "starts_at": later(),
                                                      "duration_minutes": 60}, caller=producer)
    assert missing.status_code == 404 and missing.data["error"]["field"] == "perk_id"
    assert api.get(f"/films/{film_id}/sessions/ses_nope", caller=producer).status_code == 404
