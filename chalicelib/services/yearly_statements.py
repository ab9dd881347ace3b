"""A co-producer's yearly statement (`GET /me/statements/yearly/{year}`), read from what the
platform keeps: the ledger's credits (one Query by user), the distributions of the months
credited (one BatchGet), the paid payouts (the payouts' `by_user` index) and the profile's tax
details. Nothing is stored for it: it always equals the ledger. JSON, CSV or PDF."""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.adapters.tables.royalties import LedgerRecord
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.lazy import statement_pdf  # fpdf2 loads only with the PDF
from chalicelib.domain import events, spreadsheets
from chalicelib.domain import yearly_statements as rules
from chalicelib.services import distributions, outbox, payouts, profiles, rights, statements
from chalicelib.services.campaigns import SCHEDULE_BUDGET_SECONDS, Budget

PAID = "paid"


def platform_identity() -> dict[str, Any]:
    s = settings()
    return {"name": s.platform_name, "registration_number": s.platform_registration_number,
            "address_lines": list(s.platform_address)}


def coproducer_identity(user_id: str) -> dict[str, Any]:
    """The name and postal address the co-producer gave as tax details (their display name when
    they gave none; nothing once erased)."""
    record = profiles.find(user_id)
    tax = (record.tax_details if record else None) or {}
    return {"user_id": user_id, "name": tax.get("full_name") or (record.display_name if record else None),
            "address_lines": list(tax.get("address_lines") or []), "postal_code": tax.get("postal_code"),
            "city": tax.get("city"), "country": tax.get("country")}


def parse_year(text: str) -> int:
    return rules.parse_year(text, clock.today().year)


def yearly(caller: Caller, year_text: str) -> dict[str, Any]:
    year = parse_year(year_text)
    return statement_of(caller.user_id, year)


def statement_of(user_id: str, year: int) -> dict[str, Any]:
    ledger = payouts.credits_of(user_id)
    credits = [rules.CreditFact(c.film_id, c.period, int(c.amount_cents), int(c.your_confirmed_cents))
               for c in ledger]
    first, after = f"{year:04d}-01", f"{year + 1:04d}-01"
    pairs = {(c.film_id, c.period) for c in credits if first <= c.period < after}
    months = {pair: rules.MonthFact(int(r.rights_received_cents or 0), int(r.pool_cents or 0),
                                    int(r.film_confirmed_cents or 0))
              for pair, r in distributions.records_for(sorted(pairs)).items()}
    titles = statements.titles_of(sorted({film_id for film_id, _ in pairs}))
    paid = [rules.PayoutFact(p.payout_id, p.created_at, int(p.amount_cents or 0), p.transfer_id)
            for p in payouts.payouts_of(user_id) if p.status == PAID]
    body = rules.build(year, credits, months, titles, paid)
    return {"year": year, "generated_at": clock.iso(), "platform": platform_identity(),
            "coproducer": coproducer_identity(user_id), **{k: v for k, v in body.items() if k != "year"}}


def as_csv(statement: dict[str, Any]) -> str:
    return spreadsheets.csv_text(rules.CSV_COLUMNS, rules.csv_rows(statement))  # titles never run as formulas


def as_pdf(statement: dict[str, Any]) -> bytes:
    return statement_pdf.render(statement)


# --- January: "your statement is ready" --------------------------------------------------

def credited_users(year: int) -> dict[str, int]:
    """Every co-producer credited for a month of `year`, with what they were credited (positive
    credits): for each month, the films with receipts (the receipts' `by_period` index), then
    each film's credits of that month (the ledger's `by_film` index, key prefix the period)."""
    credited: dict[str, int] = {}
    for period in rules.months_of(year):
        for film_id in rights.films_with_receipts(period):
            for credit in LedgerRecord.by_film.query(film_id, LedgerRecord.film_entry.startswith(f"{period}#")):
                if int(credit.amount_cents) > 0:
                    credited[credit.user_id] = credited.get(credit.user_id, 0) + int(credit.amount_cents)
    return credited


def announce(budget_seconds: float = SCHEDULE_BUDGET_SECONDS) -> dict[str, Any]:
    """In January, one event per co-producer credited in the past year, through the outbox: its id
    is derived from (year, co-producer), so a run again (the schedule runs daily in January, a
    Lambda retries) records nothing twice. The notifier sends it by e-mail to verified addresses
    only. Outside January: nothing."""
    today = clock.today()
    report: dict[str, Any] = {"year": None, "coproducers": 0, "emitted": 0, "done": True}
    if today.month != 1:
        return report
    year = today.year - 1
    budget = Budget(budget_seconds)
    credited = credited_users(year)
    report.update(year=year, coproducers=len(credited))
    for user_id in sorted(credited):
        if budget.exhausted():
            report["done"] = False  # the next day's run goes on where this one stopped
            break
        report["emitted"] += outbox.emit(events.Event(
            events.YEARLY_STATEMENT, f"{year}#{user_id}", clock.iso(), events.Audience(events.USER, user_id=user_id),
            data={"year": year, "credited_cents": credited[user_id]}))
    return report
