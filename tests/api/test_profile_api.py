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


TAX = {"full_name": "Alice Martin", "address_lines": ["3 quai des Chartrons"], "postal_code": "33000",
       "city": "Bordeaux", "country": "FR"}


def test_tax_details_are_kept_until_changed_and_removed_by_null(api):
    caller = factories.member()
    assert api.get("/me", caller=caller).data["tax_details"] is None
    saved = api.put("/me", {**PROFILE, "tax_details": TAX}, caller=caller)
    assert saved.status_code == 200 and saved.data["tax_details"] == TAX
    assert api.put("/me", {**PROFILE, "locale": "fr"}, caller=caller).data["tax_details"] == TAX  # absent: kept
    assert api.get("/me", caller=caller).data["tax_details"] == TAX
    assert api.get("/me/export", caller=caller).data["profile"]["tax_details"] == TAX
    assert api.put("/me", {**PROFILE, "tax_details": None}, caller=caller).data["tax_details"] is None


def test_tax_details_follow_the_text_rule_and_name_the_bad_field(api):
    caller = factories.member()
    for change, field in (({"country": "France"}, "tax_details.country"),
                          ({"full_name": "Alice\u202eMartin"}, "tax_details.full_name"),
                          ({"city": "Bor\ndeaux"}, "tax_details.city"),
                          ({"address_lines": []}, "tax_details.address_lines"),
                          ({"address_lines": ["a", "b", "c", "d"]}, "tax_details.address_lines"),
                          ({"postal_code": "x" * 21}, "tax_details.postal_code"),
                          ({"iban": "FR76"}, "tax_details.iban")):
        response = api.put("/me", {**PROFILE, "tax_details": {**TAX, **change}}, caller=caller)
        assert response.status_code == 400 and response.data["error"]["field"] == field, (change, response.data)
    assert api.get("/me", caller=caller).data["tax_details"] is None  # no partial write


def test_erasure_removes_the_tax_details(api):
    caller = factories.member()
    api.put("/me", {**PROFILE, "tax_details": TAX}, caller=caller)
    assert api.delete("/me", caller=caller).status_code == 200
    assert api.get("/me", caller=caller).data["tax_details"] is None
    export = api.get("/me/export", caller=caller).data
    assert "Alice Martin" not in str(export) and "Chartrons" not in str(export)
