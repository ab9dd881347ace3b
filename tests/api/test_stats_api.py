from tests import factories


def test_stats_count_published_films_and_their_goals(api):
    admin = factories.admin()
    before = api.get("/stats").data
    assert set(before) == {"films", "open_films", "goal_cents", "raised_cents", "coproducers"}
    draft = api.post("/films", factories.film_body(goal_cents=123_400), caller=admin).data
    assert api.get("/stats").data == before  # drafts are not on the platform yet
    api.patch(f"/films/{draft['film_id']}", {"status": "open"}, caller=admin)
    opened = api.get("/stats").data
    assert opened["films"] == before["films"] + 1
    assert opened["open_films"] == before["open_films"] + 1
    assert opened["goal_cents"] == before["goal_cents"] + 123_400
    api.patch(f"/films/{draft['film_id']}", {"status": "failed"}, caller=admin)
    closed = api.get("/stats").data
    assert closed["films"] == before["films"] + 1 and closed["open_films"] == before["open_films"]
