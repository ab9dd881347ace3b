from tests import factories

PROFILE = {"display_name": "Alice", "email": "Alice@Example.org", "phone": "+33612345678",
           "locale": "en", "notify_email": True, "notify_sms": True}


def test_profile_defaults_before_anything_is_saved(api):
    caller = factories.member()
    me = api.get("/me", caller=caller)
    assert me.status_code == 200
    assert me.data["user_id"] == caller.user_id and me.data["email"] == caller.email
    assert me.data["locale"] == "fr" and me.data["notify_email"] is True and me.data["notify_sms"] is False


def test_put_then_get(api):
    caller = factories.member()
    saved = api.put("/me", PROFILE, caller=caller)
    assert saved.status_code == 200, saved.data
    assert saved.data["email"] == "alice@example.org" and saved.data["phone"] == "+33612345678"
    again = api.get("/me", caller=caller).data
    assert {k: again[k] for k in PROFILE} == {**PROFILE, "email": "alice@example.org"}
    # Dropping the phone turns it off.
    cleared = api.put("/me", {**PROFILE, "phone": None, "notify_sms": False}, caller=caller)
    assert cleared.data["phone"] is None


def test_profile_needs_a_token(api):
    assert api.get("/me").status_code == 401
    assert api.put("/me", PROFILE).status_code == 401


def test_sms_needs_a_phone(api):
    response = api.put("/me", {**PROFILE, "phone": None}, caller=factories.member())
    assert response.status_code == 422 and response.data["error"]["field"] == "phone"


def test_profiles_are_private(api):
    alice = factories.member()
    api.put("/me", PROFILE, caller=alice)
    bob = api.get("/me", caller=factories.member()).data
    assert bob["email"] != "alice@example.org" and bob["phone"] is None
