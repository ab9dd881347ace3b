"""GET /films/{film_id}/simulation: its answer equals, per co-producer and to the cent, what the
distribution run that follows credits."""

from __future__ import annotations

import uuid

from chalicelib import clock
from chalicelib.domain import royalties as rules
from tests import factories
from tests.integration.royalty_helpers import back, film_credits

PERIOD = rules.period_of(clock.today())


def _film(amounts, rate_bps=7_500):
    film_id = factories.make_film(factories.producer(), min_pledge_cents=1_000)["film_id"]
    users = [factories.member() for _ in amounts]
    for user, cents in zip(users, amounts):
        back(film_id, user.user_id, cents)
    _set_rate(film_id, rate_bps)
    return film_id, users


def _set_rate(film_id, rate_bps):
    from chalicelib.schemas import Rights
    from chalicelib.services import rights

    rights.put_rights(factories.admin(), film_id, Rights(description="Net receipts", coproducer_rate_bps=rate_bps))


def _distribute(api, film_id, rights_cents):
    admin = factories.admin()
    receipt = api.post(f"/films/{film_id}/receipts", {"period": PERIOD, "rights_received_cents": rights_cents,
                                                     "reference": f"sim-{uuid.uuid4().hex}"}, caller=admin)
    assert receipt.status_code == 201, receipt.data
    run = api.post("/admin/distributions", {"period": PERIOD}, caller=admin)
    assert run.status_code == 200, run.data
    return {c.user_id: int(c.amount_cents) for c in film_credits(film_id, PERIOD)}


def test_the_simulation_is_what_the_distribution_then_credits_to_the_cent(api):
    amounts = [5_000, 2_500, 2_500, 3_333, 1_000, 1_000, 7_777]
    film_id, users = _film(amounts)
    rights_cents = 123_457
    anonymous = api.get(f"/films/{film_id}/simulation?rights_cents={rights_cents}")
    assert anonymous.status_code == 200, anonymous.data
    assert anonymous.data["pool_cents"] == rights_cents * 7_500 // 10_000 == 92_592
    assert anonymous.data["platform_cents"] == rights_cents - 92_592
    assert anonymous.data["film_confirmed_cents"] == sum(amounts) and anonymous.data["coproducers"] == 7
    assert anonymous.data["per_100_eur_pledged_cents"] == 92_592 * 10_000 // sum(amounts)
    assert "yours" not in anonymous.data  # nobody's cents to an anonymous caller
    simulated = {}
    for user, cents in zip(users, amounts):
        body = api.get(f"/films/{film_id}/simulation?rights_cents={rights_cents}", caller=user).data
        assert body["yours"]["your_confirmed_cents"] == cents
        simulated[user.user_id] = body["yours"]["your_cents"]
    stranger = api.get(f"/films/{film_id}/simulation?rights_cents={rights_cents}", caller=factories.member())
    assert stranger.data["yours"] == {"your_confirmed_cents": 0, "your_cents": 0}

    credited = _distribute(api, film_id, rights_cents)
    assert credited == simulated
    assert sum(credited.values()) == 92_592


def test_a_co_producer_topping_up_is_simulated_exactly(api):
    film_id, users = _film([4_000, 4_000, 1_500], rate_bps=8_000)
    rights_cents = 99_999
    before = api.get(f"/films/{film_id}/simulation?rights_cents={rights_cents}", caller=users[2]).data
    more = api.get(f"/films/{film_id}/simulation?rights_cents={rights_cents}&pledge_cents=1000", caller=users[2])
    assert more.status_code == 200, more.data
    assert more.data["pledge"]["your_confirmed_cents"] == 2_500  # 1,500 held + 1,000 more
    assert more.data["pledge"]["pledge_earns_cents"] == more.data["pledge"]["your_cents"] - before["yours"]["your_cents"]
    back(film_id, users[2].user_id, 1_000)
    credited = _distribute(api, film_id, rights_cents)
    assert credited[users[2].user_id] == more.data["pledge"]["your_cents"]


def test_a_single_new_pledge_is_simulated_exactly(api):
    film_id, users = _film([3_000, 3_001, 2_999], rate_bps=8_000)
    newcomer = factories.member()
    rights_cents = 77_777
    body = api.get(f"/films/{film_id}/simulation?rights_cents={rights_cents}&pledge_cents=1234",
                   caller=newcomer).data
    anonymous = api.get(f"/films/{film_id}/simulation?rights_cents={rights_cents}&pledge_cents=1234").data
    assert anonymous["pledge"]["your_cents"] == body["pledge"]["your_cents"]  # a newcomer either way
    back(film_id, newcomer.user_id, 1_234)
    credited = _distribute(api, film_id, rights_cents)
    assert credited[newcomer.user_id] == body["pledge"]["your_cents"] == body["pledge"]["pledge_earns_cents"]
    assert body["pledge"]["film_confirmed_cents"] == 3_000 + 3_001 + 2_999 + 1_234


def test_bad_input_names_the_field(api):
    film_id, _ = _film([1_000])
    base = f"/films/{film_id}/simulation"
    for query, field in (("", "rights_cents"), ("?rights_cents=1.5", "rights_cents"),
                         ("?rights_cents=-1", "rights_cents"), ("?rights_cents=1e3", "rights_cents"),
                         ("?rights_cents=%2B5", "rights_cents"), ("?rights_cents=10000000000001", "rights_cents"),
                         ("?rights_cents=100&pledge_cents=0", "pledge_cents"),
                         ("?rights_cents=100&pledge_cents=999", "pledge_cents"),  # below the platform's minimum
                         ("?rights_cents=100&pledge_cents=abc", "pledge_cents")):
        response = api.get(base + query)
        assert response.status_code == 400, (query, response.data)
        assert response.data["error"]["field"] == field and response.data["error"]["code"] == "invalid_field"
    # Well formed, but refused: under this film's own minimum, over the platform's maximum pledge.
    dearer = factories.make_film(factories.producer(), min_pledge_cents=2_500)["film_id"]
    for query in ("?rights_cents=100&pledge_cents=2000", "?rights_cents=100&pledge_cents=5000001"):
        response = api.get(f"/films/{dearer}/simulation" + query)
        assert (response.status_code, response.data["error"]["field"]) == (422, "pledge_cents"), (query, response.data)
    missing = api.get("/films/flm_nope/simulation?rights_cents=100")
    assert missing.status_code == 404 and missing.data["error"]["field"] == "film_id"
    draft = factories.make_film(factories.producer(), open_it=False)["film_id"]
    assert api.get(f"/films/{draft}/simulation?rights_cents=100").status_code == 404
