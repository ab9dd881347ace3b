"""`make run`'s demo co-producer with a year of statements: credits every month, a clawback, two
payouts, and a yearly PDF with those figures."""

from __future__ import annotations

import io

from chalicelib import clock
from chalicelib.domain.yearly_statements import euros
from chalicelib.services import payouts, yearly_statements
from devstack import seed


def test_the_demo_coproducer_has_a_year_of_statements(local_services):
    report = seed.seed_statements()
    assert report["statement_films"] == 3
    year = clock.today().year - 1
    statement = yearly_statements.statement_of(seed.STATEMENT_USER.user_id, year)
    assert len(statement["films"]) == 3
    first = next(f for f in statement["films"] if f["title"] == seed.STATEMENT_FILMS[0][0])
    assert all(month["credited_cents"] > 0 for month in first["months"])  # every month of the year
    assert next(m for m in first["months"] if m["month"] == f"{year}-03")["clawback_cents"] > 0
    assert [p["date"] for p in statement["payouts"]] == [f"{year}-07-03", f"{year}-12-03"]
    totals = statement["totals"]
    assert totals["paid_out_cents"] > 0 and totals["clawback_cents"] > 0
    assert totals["closing_balance_cents"] == payouts.balance(seed.STATEMENT_USER.user_id)
    assert statement["coproducer"]["name"] == seed.STATEMENT_TAX["full_name"]

    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(yearly_statements.as_pdf(statement))).pages)
    assert f"Balance carried into {year + 1}: {euros(totals['closing_balance_cents'])} EUR" in text
    assert f"Paid out: {euros(totals['paid_out_cents'])} EUR" in text
