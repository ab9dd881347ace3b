"""GET /me/statements/yearly/{year}: a co-producer in 3 films over the 12 months of a year, with a
clawback and two payouts. JSON, CSV and the PDF's extracted text each equal the ledger, to the cent."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timezone

import pytest

from chalicelib import clock
from chalicelib.adapters.tables import DistributionRecord, LedgerRecord, PayoutRecord, UserRecord
from chalicelib.domain.yearly_statements import euros
from chalicelib.schemas import Profile, TaxDetails
from chalicelib.services import distributions, payouts, profiles
from tests import factories
from tests.integration.royalty_helpers import back, receipt

YEAR = 2025
TAX = {"full_name": "Zoé Lefèvre-Ångström", "address_lines": ["12 rue des Vignes", "Bâtiment B"],
       "postal_code": "21200", "city": "Beaune", "country": "FR"}


def at(year, month, day=2):
    return clock.frozen(datetime(year, month, day, 9, 0, tzinfo=timezone.utc))


def distribute(film_id, period, cents, month_of_run, **kw):
    year, month = month_of_run
    with at(year, month):
        made = receipt(film_id, period, cents, **kw)
        distributions.distribute_film(film_id, period)
    return made


def pay(user_id, when):
    """A payout of the whole balance, made on `when` (the account is there for it only)."""
    UserRecord(user_id).update(actions=[UserRecord.stripe_account_id.set("acct_yearly")])
    with at(*when):
        outcome = payouts.pay_balance(user_id, f"{when[0]:04d}-{when[1]:02d}")
    UserRecord(user_id).update(actions=[UserRecord.stripe_account_id.remove()])
    assert outcome["paid_cents"] > 0
    return outcome["paid_cents"]


@pytest.fixture(scope="module")
def year_of(api):
    """Films A (every month), B (every other month, a second pledge in June) and C (the last
    quarter, and December of the year before); a correction of A's March takes cents back."""
    me, others = factories.member(), [factories.member() for _ in range(3)]
    profiles.put(me, Profile(display_name="zoe", email=f"{me.user_id}@example.org", tax_details=TaxDetails(**TAX)))
    with at(YEAR - 1, 11, 1):
        film_a, film_b, film_c = (factories.make_film(factories.producer(), title=title)["film_id"]
                                  for title in ("Les Vendanges", "=Formula Film", "Ωmega Nights"))
        for film_id, amounts in ((film_a, (5_000, 2_500, 3_333)), (film_b, (1_000, 7_777, 1_234)),
                                 (film_c, (4_444, 1_111, 9_999))):
            back(film_id, me.user_id, amounts[0])
            for other, cents in zip(others, amounts[1:]):
                back(film_id, other.user_id, cents)
    distribute(film_c, f"{YEAR - 1}-12", 12_345, (YEAR, 1))  # before the year: the opening balance
    for month in range(1, 13):
        period = f"{YEAR}-{month:02d}"
        run = (YEAR + (month == 12), 1 if month == 12 else month + 1)
        first_a = distribute(film_a, period, 100_000 + 1_111 * month, run)
        if month == 3:
            march_a = first_a
        if month % 2 == 0:
            distribute(film_b, period, 33_333 * month, run)
        if month >= 10:
            distribute(film_c, period, 77_777, run)
        if month == 5:
            with at(YEAR, 6, 1):
                back(film_b, me.user_id, 2_000)  # B's weights from June on
        if month == 6:
            pay(me.user_id, (YEAR, 7, 3))
        if month == 8:  # a correction of March, distributed with the September run: a clawback
            distribute(film_a, f"{YEAR}-03", -40_000, (YEAR, 9), reference=f"fix-{uuid.uuid4().hex}",
                       corrects=march_a["receipt_id"])
        if month == 11:
            pay(me.user_id, (YEAR, 12, 3))
    return me, (film_a, film_b, film_c)


def ledger(user_id):
    credits = list(LedgerRecord.query(user_id, consistent_read=True))
    paid = [p for p in PayoutRecord.by_user.query(user_id) if p.status == "paid"]
    return credits, paid


def expected_months(user_id, film_id):
    """Straight from the ledger and the distribution records: {month: figures}."""
    credits, _ = ledger(user_id)
    rows = {}
    for month in range(1, 13):
        period = f"{YEAR}-{month:02d}"
        mine = [int(c.amount_cents) for c in credits if c.film_id == film_id and c.period == period]
        record = DistributionRecord.get(film_id, period) if mine else None
        weight = {int(c.your_confirmed_cents) for c in credits if c.film_id == film_id and c.period == period}
        rows[period] = {
            "rights_received_cents": int(record.rights_received_cents) if record else None,
            "pool_cents": int(record.pool_cents) if record else None,
            "your_confirmed_cents": weight.pop() if weight else None,
            "film_confirmed_cents": int(record.film_confirmed_cents) if record else None,
            "credited_cents": sum(a for a in mine if a > 0), "clawback_cents": -sum(a for a in mine if a < 0),
            "net_cents": sum(mine),
        }
    return rows


def expected_totals(user_id):
    credits, paid = ledger(user_id)
    in_year = [int(c.amount_cents) for c in credits if c.period.startswith(f"{YEAR}-")]
    before = sum(int(c.amount_cents) for c in credits if c.period < f"{YEAR}-")
    paid_in_year = sum(int(p.amount_cents) for p in paid if p.created_at.startswith(f"{YEAR}-"))
    credited, clawed = sum(a for a in in_year if a > 0), -sum(a for a in in_year if a < 0)
    return {"credited_cents": credited, "clawback_cents": clawed, "net_cents": credited - clawed,
            "paid_out_cents": paid_in_year, "opening_balance_cents": before,
            "closing_balance_cents": before + credited - clawed - paid_in_year}


def test_the_json_statement_is_the_ledger(api, year_of):
    me, films = year_of
    response = api.get(f"/me/statements/yearly/{YEAR}", caller=me)
    assert response.status_code == 200, response.data
    body = response.data
    assert [f["film_id"] for f in body["films"]] == [films[1], films[0], films[2]]  # by title
    for film in body["films"]:
        expected = expected_months(me.user_id, film["film_id"])
        assert {m["month"]: {k: v for k, v in m.items() if k != "month"} for m in film["months"]} == expected
        assert film["totals"]["net_cents"] == sum(m["net_cents"] for m in expected.values())
    a = next(f for f in body["films"] if f["film_id"] == films[0])
    march = next(m for m in a["months"] if m["month"] == f"{YEAR}-03")
    assert march["clawback_cents"] > 0 and march["credited_cents"] > march["clawback_cents"]
    assert all(m["credited_cents"] > 0 for m in a["months"])  # credited every month of the year
    totals = expected_totals(me.user_id)
    assert body["totals"] == totals and totals["opening_balance_cents"] > 0 and totals["clawback_cents"] > 0
    _, paid = ledger(me.user_id)
    assert body["payouts"] == [{"payout_id": p.payout_id, "date": p.created_at[:10], "amount_cents": int(p.amount_cents),
                                "reference": p.transfer_id} for p in sorted(paid, key=lambda p: p.created_at)]
    assert [p["date"] for p in body["payouts"]] == [f"{YEAR}-07-03", f"{YEAR}-12-03"]
    # Nothing after the year: the balance carried into the next one is today's balance.
    assert body["totals"]["closing_balance_cents"] == api.get("/me/royalties", caller=me).data["balance_cents"]
    assert body["coproducer"] == {"user_id": me.user_id, "name": TAX["full_name"],
                                  "address_lines": TAX["address_lines"], "postal_code": "21200", "city": "Beaune",
                                  "country": "FR"}
    assert body["platform"]["name"] and body["platform"]["registration_number"] and body["platform"]["address_lines"]
    assert body["notice"] == "This statement lists facts; it is not tax advice."


def test_the_csv_statement_is_the_ledger(api, year_of):
    me, films = year_of
    response = api.client.http.get(f"/me/statements/yearly/{YEAR}?format=csv", headers=factories.auth(me))
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.decode())))
    as_int = lambda value: None if value == "" else int(value)  # noqa: E731
    for film_id in films:
        months = {r["month"]: r for r in rows if r["kind"] == "month" and r["film_id"] == film_id}
        for month, figures in expected_months(me.user_id, film_id).items():
            assert {k: as_int(months[month][k]) for k in figures} == figures
    title_cells = {r["title"] for r in rows if r["film_id"] == films[1]}
    assert title_cells == {"'=Formula Film"}  # never a formula in a spreadsheet
    totals = expected_totals(me.user_id)
    year_total, = (r for r in rows if r["kind"] == "year_total")
    assert (int(year_total["credited_cents"]), int(year_total["clawback_cents"]), int(year_total["amount_cents"])) == (
        totals["credited_cents"], totals["clawback_cents"], totals["paid_out_cents"])
    closing, = (r for r in rows if r["kind"] == "closing_balance")
    assert int(closing["amount_cents"]) == totals["closing_balance_cents"]
    _, paid = ledger(me.user_id)
    assert sorted((r["payout_date"], int(r["amount_cents"]), r["payout_reference"]) for r in rows
                  if r["kind"] == "payout") == sorted((p.created_at[:10], int(p.amount_cents), p.transfer_id)
                                                      for p in paid)


def test_the_pdf_statement_is_the_ledger(api, year_of):
    from pypdf import PdfReader

    me, films = year_of
    response = api.client.http.get(f"/me/statements/yearly/{YEAR}?format=pdf",
                                   headers={**factories.auth(me), "Accept": "application/pdf"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.body.startswith(b"%PDF-")
    lines = [line.strip() for page in PdfReader(io.BytesIO(response.body)).pages
             for line in page.extract_text().splitlines()]
    money = lambda cents: "-" if cents is None else euros(cents)  # noqa: E731
    for film_id in films:
        start = next(i for i, line in enumerate(lines) if line.endswith(f"({film_id})"))
        for month, f in expected_months(me.user_id, film_id).items():
            row = next(line for line in lines[start:] if line.split()[:1] == [month])  # tables may cross pages
            assert row.split() == [month, *(money(f[k]) for k in (
                "rights_received_cents", "pool_cents", "your_confirmed_cents", "film_confirmed_cents",
                "credited_cents", "clawback_cents", "net_cents"))]
    totals = expected_totals(me.user_id)
    for label, key in (("Balance brought forward", "opening_balance_cents"), ("Credited", "credited_cents"),
                       ("Clawbacks", "clawback_cents"), ("Paid out", "paid_out_cents"),
                       (f"Balance carried into {YEAR + 1}", "closing_balance_cents")):
        assert f"{label}: {euros(totals[key])} EUR" in lines
    _, paid = ledger(me.user_id)
    for p in paid:
        assert f"{p.created_at[:10]} {euros(int(p.amount_cents))} {p.transfer_id}" in lines
    assert "This statement lists facts; it is not tax advice." in lines
    assert f"Co-producer: {TAX['full_name']}" in lines and "21200 Beaune" in lines
    assert any(line.startswith("Film: Ωmega Nights") for line in lines)


def test_a_pdf_needs_an_accept_header_naming_it_and_years_are_checked(api, year_of):
    me, _ = year_of
    refused = api.client.http.get(f"/me/statements/yearly/{YEAR}?format=pdf",
                                  headers={**factories.auth(me), "Accept": "application/json"})
    assert refused.status_code == 400
    import json

    assert json.loads(refused.body)["error"]["field"] == "format"
    for year, status in (("25", 400), ("1999", 400), ("20x5", 400), ("2999", 422)):  # 2999: well formed, to come
        response = api.get(f"/me/statements/yearly/{year}", caller=me)
        assert response.status_code == status and response.data["error"]["field"] == "year", (year, response.data)
    assert api.get(f"/me/statements/yearly/{YEAR}?format=xls", caller=me).data["error"]["field"] == "format"
    assert api.get(f"/me/statements/yearly/{YEAR}").status_code == 401
    stranger = api.get(f"/me/statements/yearly/{YEAR}", caller=factories.member()).data
    assert stranger["films"] == [] and stranger["payouts"] == [] and stranger["totals"]["closing_balance_cents"] == 0
