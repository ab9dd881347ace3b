"""Extra casting: calls, applications, applicants by priority, the decision told once."""

from chalicelib.adapters.tables import OutboxRecord
from chalicelib.services import outbox
from tests import coproducers, factories


def test_applicants_by_priority_and_a_decision_told_once_to_each(api):
    producer = factories.producer()
    film = factories.make_film(producer)
    film_id = film["film_id"]
    alice, bob, carol, low = (factories.member() for _ in range(4))
    for caller, cents in ((alice, 3_000), (bob, 8_000), (carol, 3_000), (low, 1_000)):
        coproducers.back(film_id, caller, cents)
    api.put("/me", {"display_name": "Bob", "email": "bob@example.org", "phone": "+33699999999"}, caller=bob)
    perk = api.post(f"/films/{film_id}/perks", {"kind": "extra_casting", "title": "Be an extra",
                                                 "min_pledge_cents": 2_000}, caller=producer).data
    created = api.post(f"/films/{film_id}/casting", {"perk_id": perk["perk_id"], "title": "Café scene",
                                                      "description": "Ten customers, one afternoon"}, caller=producer)
    assert created.status_code == 201 and created.data["status"] == "open"
    call_id = created.data["call_id"]
    path = f"/films/{film_id}/casting/{call_id}"

    assert [c["call_id"] for c in api.get(f"/films/{film_id}/casting", caller=alice).data["items"]] == [call_id]
    assert api.get(f"/films/{film_id}/casting", caller=low).data["items"] == []
    refused = api.post(f"{path}/applications", {"note": "Pick me"}, caller=low)
    assert refused.status_code == 403 and "short by 1000 cents" in refused.data["error"]["message"]
    for caller in (carol, alice, bob):  # Carol applies before Alice: same total, earlier first pledge wins
        response = api.post(f"{path}/applications", {"note": f"I am {caller.user_id}"}, caller=caller)
        assert response.status_code == 201 and response.data["my_application"] == "applied"
    assert api.post(f"{path}/applications", {"note": "again"}, caller=alice).status_code == 409
    assert api.post(f"{path}/applications", {"note": "a\x00"}, caller=alice).data["error"]["field"] == "note"

    listed = api.get(f"{path}/applications", caller=producer).data
    assert [a["user_id"] for a in listed["items"]] == [bob.user_id, alice.user_id, carol.user_id]
    assert listed["items"][0]["display_name"] == "Bob" and listed["items"][0]["confirmed_cents"] == 8_000
    assert "bob@example.org" not in str(listed) and "+33699999999" not in str(listed)
    first = api.get(f"{path}/applications?limit=2", caller=producer).data
    rest = api.get(f"{path}/applications?limit=2&next={first['next']}", caller=producer).data
    assert [a["user_id"] for a in first["items"] + rest["items"]] == [bob.user_id, alice.user_id, carol.user_id]
    assert rest["next"] is None
    assert api.get(f"{path}/applications", caller=alice).status_code == 403

    unknown = api.post(f"{path}/decision", {"selected": [low.user_id]}, caller=producer)
    assert unknown.status_code == 422 and unknown.data["error"]["field"] == "selected"
    decided = api.post(f"{path}/decision", {"selected": [bob.user_id, carol.user_id]}, caller=producer)
    assert decided.status_code == 200 and decided.data["status"] == "decided", decided.data
    # Posting the same decision again tells nobody twice; another decision is refused.
    assert api.post(f"{path}/decision", {"selected": [carol.user_id, bob.user_id]}, caller=producer).status_code == 200
    assert api.post(f"{path}/decision", {"selected": [alice.user_id]}, caller=producer).status_code == 409
    told = {e.key: e for e in outbox.film_events(film_id, prefix="casting.")}
    assert set(told) == {f"{call_id}#{u.user_id}" for u in (alice, bob, carol)}
    event = told[f"{call_id}#{bob.user_id}"]
    assert event.audience.user_id == bob.user_id and event.data == {
        "title": film["title"], "call_id": call_id, "call_title": "Café scene", "selected": True}
    assert told[f"{call_id}#{alice.user_id}"].data["selected"] is False
    mine = api.get(f"/films/{film_id}/casting", caller=alice).data["items"][0]
    assert mine["status"] == "decided" and mine["my_application"] == "not_selected"
    assert api.post(f"{path}/applications", {"note": "late"}, caller=low).status_code == 403
    assert OutboxRecord.get(f"casting.decided#{film_id}#{call_id}#{carol.user_id}").data["selected"] is True


def test_a_decision_interrupted_halfway_is_finished_by_posting_it_again(api, monkeypatch):
    from chalicelib.services import casting

    producer = factories.producer()
    film_id = factories.make_film(producer)["film_id"]
    perk = api.post(f"/films/{film_id}/perks", {"kind": "extra_casting", "title": "Extra"}, caller=producer).data
    call_id = api.post(f"/films/{film_id}/casting", {"perk_id": perk["perk_id"], "title": "Crowd"},
                       caller=producer).data["call_id"]
    applicants = [factories.member() for _ in range(3)]
    for caller in applicants:
        coproducers.back(film_id, caller, 1_000)
        api.post(f"/films/{film_id}/casting/{call_id}/applications", {"note": "me"}, caller=caller)
    real_add_in, calls = casting.outbox.add_in, []

    def crash_on_second(write, event):
        calls.append(event.key)
        if len(calls) == 2:
            raise RuntimeError("the Lambda timed out")
        real_add_in(write, event)

    monkeypatch.setattr(casting.outbox, "add_in", crash_on_second)
    crashed = api.post(f"/films/{film_id}/casting/{call_id}/decision", {"selected": [applicants[0].user_id]},
                       caller=producer)
    assert crashed.status_code == 500 and len(list(outbox.film_events(film_id, prefix="casting."))) == 1
    monkeypatch.setattr(casting.outbox, "add_in", real_add_in)
    again = api.post(f"/films/{film_id}/casting/{call_id}/decision", {"selected": [applicants[0].user_id]},
                     caller=producer)
    assert again.status_code == 200
    assert len(list(outbox.film_events(film_id, prefix="casting."))) == 3
