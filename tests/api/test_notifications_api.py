import dataclasses
import re
import urllib.parse

import pytest

from chalicelib import paging
from chalicelib.adapters.formats import FORMATS
from chalicelib.config import settings
from chalicelib.domain import events, messages
from chalicelib.errors import NotFound
from chalicelib.services import local_outbox, milestones, notifications, outbox
from tests import factories

PROFILE = {"display_name": "Alice", "email": "alice@example.org", "phone": "+33612345678",
           "locale": "en", "notify_email": True, "notify_sms": True}


def _path_of_link_in(email_html: str) -> str:
    href = re.search(r'href="([^"]+)"', email_html).group(1).replace("&amp;", "&")
    url = urllib.parse.urlsplit(href)
    return f"{url.path}?{url.query}"


@pytest.mark.parametrize("channel,field", [("email", "notify_email"), ("sms", "notify_sms")])
def test_the_unsubscribe_link_of_a_message_turns_that_channel_off_without_signing_in(api, channel, field):
    alice = factories.member()
    api.put("/me", PROFILE, caller=alice)
    event = events.Event(events.STAGE_CHANGED, "shooting", "t", events.Audience(events.COPRODUCERS), "flm_1",
                         {"title": "T", "stage": "shooting", "previous_stage": "development"})
    email = messages.render_email(event, "en", notifications.unsubscribe_url(alice.user_id, channel), FORMATS)
    path = _path_of_link_in(email.html)
    assert path.startswith("/unsubscribe?token=")
    looked = api.get(path)  # a link scanner, a mail preview: says what it would do, does nothing
    assert looked.status_code == 200 and looked.data["channel"] == channel and looked.data["subscribed"] is True
    assert looked.data["method"] == "POST" and looked.data["url"].endswith(path)
    assert api.get("/me", caller=alice).data[field] is True
    first = api.post(path, raw="List-Unsubscribe=One-Click",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})  # RFC 8058 one-click
    assert first.status_code == 200 and first.data == {"channel": channel, "subscribed": False}
    assert api.post(path).status_code == 200  # twice is harmless
    assert api.get(path).data["subscribed"] is False
    me = api.get("/me", caller=alice).data
    assert me[field] is False
    other = "notify_sms" if field == "notify_email" else "notify_email"
    assert me[other] is True


@pytest.mark.parametrize("token,status", [(None, 400), ("", 400), ("not%20a%20token", 400), ("garbage", 401),
                                          ("a" * 300, 401)])
def test_unsubscribe_refuses_what_it_did_not_sign(api, token, status):
    """Missing or malformed: 400; well formed but not signed by the platform: 401 (the link is the credential)."""
    path = "/unsubscribe" if token is None else f"/unsubscribe?token={token}"
    for response in (api.get(path), api.post(path)):
        assert response.status_code == status and response.data["error"]["field"] == "token"


def test_a_list_cursor_is_not_an_unsubscribe_token(api):
    cursor = paging.encode({"u": "alice", "c": "email"}, "films::")
    response = api.get(f"/unsubscribe?token={cursor}")
    assert response.status_code == 401 and response.data["error"]["field"] == "token"


def test_milestones_of_a_published_film_are_public_drafts_are_not(api):
    film = factories.make_film(goal_cents=10_000)
    assert api.get(f"/films/{film['film_id']}/milestones").data == {"items": [], "next": None}
    outbox.emit(events.Event(events.FUNDING_MILESTONE, "25", "2026-11-27T10:00:00.000000Z",
                             events.Audience(events.COPRODUCERS), film["film_id"],
                             {"title": film["title"], "percent": 25, "raised_cents": 2_600, "goal_cents": 10_000}))
    outbox.emit(events.Event(events.COPRODUCER_MILESTONE, "100", "2026-11-27T11:00:00.000000Z",
                             events.Audience(events.COPRODUCERS), film["film_id"], {"title": film["title"], "count": 100}))
    items = api.get(f"/films/{film['film_id']}/milestones").data["items"]
    assert [(i["kind"], i["milestone"], i["reached_at"]) for i in items] == [
        ("funding", 25, "2026-11-27T10:00:00.000000Z"), ("coproducers", 100, "2026-11-27T11:00:00.000000Z")]
    owner = factories.producer()
    draft = factories.make_film(owner, open_it=False)
    assert api.get(f"/films/{draft['film_id']}/milestones").status_code == 404
    assert api.get(f"/films/{draft['film_id']}/milestones", caller=factories.member()).status_code == 404
    assert api.get(f"/films/{draft['film_id']}/milestones", caller=owner).status_code == 200
    assert api.get("/films/no-such-film/milestones").status_code == 404


def test_a_stage_change_is_recorded_once_with_the_change(api):
    owner = factories.producer()
    film = factories.make_film(owner)
    assert api.patch(f"/films/{film['film_id']}", {"stage": "shooting"}, caller=owner).status_code == 200
    assert api.patch(f"/films/{film['film_id']}", {"stage": "shooting"}, caller=owner).status_code == 200
    recorded = list(outbox.film_events(film["film_id"], prefix=events.STAGE_CHANGED))
    assert [(e.key, e.data["previous_stage"], e.audience.kind) for e in recorded] == [
        ("shooting", "development", events.COPRODUCERS)]


def test_failed_notifications_are_for_admins(api):
    assert api.get("/admin/notifications?status=failed").status_code == 401
    assert api.get("/admin/notifications?status=failed", caller=factories.member()).status_code == 403
    ok = api.get("/admin/notifications?status=failed", caller=factories.admin())
    assert ok.status_code == 200 and set(ok.data) == {"items", "next"}
    bad = api.get("/admin/notifications?status=sent", caller=factories.admin())
    assert bad.status_code == 400 and bad.data["error"]["field"] == "status"


def test_the_local_outbox_exists_on_stage_local_only(api, monkeypatch):
    response = api.get("/dev/outbox")
    assert response.status_code == 200 and {"emails", "sms"} <= set(response.data)
    monkeypatch.setattr(local_outbox, "settings", lambda: dataclasses.replace(settings(), stage="dev"))
    with pytest.raises(NotFound):
        local_outbox.messages()
    assert api.get("/dev/outbox").status_code == 404


def test_milestones_service_ignores_other_counters():
    from chalicelib.adapters.streams import StreamRecord

    batch = [StreamRecord("MODIFY", "t", str(i), {"counter_id": cid, "shard": 0})
             for i, cid in enumerate(["platform", "film#a", "film#b", "film#a"])]
    assert milestones.films_moved(batch) == ["a", "b"]


@pytest.fixture
def sent_emails():
    """The parameters of every SES SendEmail call the platform makes, as it makes them."""
    from chalicelib.adapters import channels

    calls = []

    def record(params, **_):
        calls.append(params)

    channels.client("sesv2").meta.events.register("before-call.sesv2.SendEmail", record)
    yield calls
    channels.client("sesv2").meta.events.unregister("before-call.sesv2.SendEmail", record)


def _headers(params) -> dict:
    import json

    body = json.loads(params["body"])
    return {h["Name"]: h["Value"] for h in body["Content"]["Simple"].get("Headers", [])}


def test_every_email_carries_one_click_unsubscribe_headers(api, sent_emails):
    alice = factories.member()
    api.put("/me", PROFILE, caller=alice)
    assert api.post("/me/verify/email", caller=alice).status_code == 200  # a verification code
    from chalicelib.services import profiles

    profiles.mark_verified(alice.user_id, "email")
    event = events.Event(events.STAGE_CHANGED, f"shooting#{alice.user_id}", "t",
                         events.Audience(events.USER, user_id=alice.user_id), None,
                         {"title": "T", "stage": "shooting", "previous_stage": "development"})
    assert notifications.handle(event.to_dict())["sent"] == 1  # a notification
    assert len(sent_emails) == 2
    for params in sent_emails:
        headers = _headers(params)
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = re.fullmatch(r"<(https?://[^>]+/unsubscribe\?token=[^>]+)>", headers["List-Unsubscribe"]).group(1)
        url = urllib.parse.urlsplit(link)
        assert api.get(f"{url.path}?{url.query}").data == {
            "channel": "email", "subscribed": True, "method": "POST", "url": link}
