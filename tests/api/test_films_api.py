from tests import factories


def test_create_then_read_a_film(api):
    producer = factories.producer()
    created = api.post("/films", factories.film_body(), caller=producer)
    assert created.status_code == 201, created.data
    film = created.data
    assert film["status"] == "draft" and film["stage"] == "development"
    assert film["producer_id"] == producer.user_id
    assert film["raised_cents"] == 0 and film["coproducer_count"] == 0 and film["percent_funded"] == 0
    # A draft is invisible to the public, visible to its producer.
    assert api.get(f"/films/{film['film_id']}").status_code == 404
    assert api.get(f"/films/{film['film_id']}", caller=producer).status_code == 200
