"""A co-producer's yearly statement, from the ledger's facts. Pure: plain values in and out.

Months are the periods the rights were received for (the ledger's `period`, as in the monthly
statement `GET /me/statements/{period}`): a year's statement adds up its twelve monthly ones.
Per film and month: the film's rights received and the co-producers' pool (the distribution of
that month), the co-producer's weight (their confirmed cents and the film's when the weights
were taken), what they were credited and what corrections took back (clawbacks: negative
credits). Payouts are the paid ones, dated by when they were made. The balance carried into the
next year is the opening balance (everything credited for earlier months, less what was paid out
before the year) plus the year's net credits, less the year's payouts.

The statement lists facts; it gives no tax advice, and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from chalicelib.domain.errors import invalid, refused

NOTICE = "This statement lists facts; it is not tax advice."
YEAR_PATTERN = re.compile(r"^(\d{4})$")
FIRST_YEAR = 2000

CSV_COLUMNS = ("kind", "film_id", "title", "month", "rights_received_cents", "pool_cents", "your_confirmed_cents",
               "film_confirmed_cents", "credited_cents", "clawback_cents", "net_cents", "payout_date",
               "payout_reference", "amount_cents")


@dataclass(frozen=True)
class CreditFact:
    film_id: str
    period: str  # YYYY-MM
    amount_cents: int  # negative: a clawback
    your_confirmed_cents: int


@dataclass(frozen=True)
class MonthFact:
    """A film's distribution of a month: its totals over every batch."""

    rights_received_cents: int
    pool_cents: int
    film_confirmed_cents: int


@dataclass(frozen=True)
class PayoutFact:
    payout_id: str
    made_at: str  # ISO timestamp
    amount_cents: int
    reference: str | None  # the transfer's id


def parse_year(text: str, current_year: int) -> int:
    """A malformed year, or one before the platform's first, is invalid (400); a year to come is
    well formed but has no statement yet: refused (422)."""
    match = YEAR_PATTERN.match(text or "")
    if not match:
        raise invalid("year", "must be a year written YYYY")
    year = int(match.group(1))
    if year < FIRST_YEAR:
        raise invalid("year", f"must be {FIRST_YEAR} or later")
    if year > current_year:
        raise refused("year", "is in the future")
    return year


def months_of(year: int) -> list[str]:
    return [f"{year:04d}-{month:02d}" for month in range(1, 13)]


def _split(amounts: Iterable[int]) -> tuple[int, int]:
    """(credited, clawed back), both >= 0."""
    amounts = list(amounts)
    return sum(a for a in amounts if a > 0), -sum(a for a in amounts if a < 0)


def build(year: int, credits: Iterable[CreditFact], months: Mapping[tuple[str, str], MonthFact],
          titles: Mapping[str, str | None], payouts: Iterable[PayoutFact]) -> dict[str, Any]:
    """The statement's figures: per film per month, payouts, totals and balances."""
    first, after = f"{year:04d}-01", f"{year + 1:04d}-01"
    credits, payouts = list(credits), list(payouts)
    in_year = [c for c in credits if first <= c.period < after]
    opening_credits = sum(c.amount_cents for c in credits if c.period < first)
    paid_before = sum(p.amount_cents for p in payouts if p.made_at[:4] < f"{year:04d}")
    year_payouts = sorted((p for p in payouts if p.made_at[:4] == f"{year:04d}"), key=lambda p: (p.made_at, p.payout_id))
    films = []
    for film_id in sorted({c.film_id for c in in_year}, key=lambda f: ((titles.get(f) or "").lower(), f)):
        rows: list[dict[str, Any]] = []
        for month in months_of(year):
            mine = [c for c in in_year if c.film_id == film_id and c.period == month]
            fact = months.get((film_id, month)) if mine else None
            credited, clawed = _split(c.amount_cents for c in mine)
            rows.append({
                "month": month,
                "rights_received_cents": fact.rights_received_cents if fact else None,
                "pool_cents": fact.pool_cents if fact else None,
                "your_confirmed_cents": max(c.your_confirmed_cents for c in mine) if mine else None,
                "film_confirmed_cents": fact.film_confirmed_cents if fact else None,
                "credited_cents": credited, "clawback_cents": clawed, "net_cents": credited - clawed,
            })
        films.append({
            "film_id": film_id, "title": titles.get(film_id), "months": rows,
            "totals": {
                "rights_received_cents": sum(r["rights_received_cents"] or 0 for r in rows),
                "pool_cents": sum(r["pool_cents"] or 0 for r in rows),
                "credited_cents": sum(r["credited_cents"] for r in rows),
                "clawback_cents": sum(r["clawback_cents"] for r in rows),
                "net_cents": sum(r["net_cents"] for r in rows),
            },
        })
    credited, clawed = _split(c.amount_cents for c in in_year)
    paid = sum(p.amount_cents for p in year_payouts)
    opening = opening_credits - paid_before
    return {
        "year": year,
        "films": films,
        "payouts": [{"payout_id": p.payout_id, "date": p.made_at[:10], "amount_cents": p.amount_cents,
                     "reference": p.reference or p.payout_id} for p in year_payouts],
        "totals": {"credited_cents": credited, "clawback_cents": clawed, "net_cents": credited - clawed,
                   "paid_out_cents": paid, "opening_balance_cents": opening,
                   "closing_balance_cents": opening + credited - clawed - paid},
        "notice": NOTICE,
    }


def csv_rows(statement: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per film and month, one per film's total, one per payout, and the year's total."""
    rows: list[dict[str, Any]] = []
    for film in statement["films"]:
        for month in film["months"]:
            rows.append({"kind": "month", "film_id": film["film_id"], "title": film["title"], **month})
        rows.append({"kind": "film_total", "film_id": film["film_id"], "title": film["title"], **film["totals"]})
    for payout in statement["payouts"]:
        rows.append({"kind": "payout", "payout_date": payout["date"], "payout_reference": payout["reference"],
                     "amount_cents": payout["amount_cents"]})
    totals = statement["totals"]
    rows.append({"kind": "year_total", "month": str(statement["year"]), "credited_cents": totals["credited_cents"],
                 "clawback_cents": totals["clawback_cents"], "net_cents": totals["net_cents"],
                 "amount_cents": totals["paid_out_cents"]})
    rows.append({"kind": "opening_balance", "amount_cents": totals["opening_balance_cents"]})
    rows.append({"kind": "closing_balance", "amount_cents": totals["closing_balance_cents"]})
    return rows


def euros(cents: int) -> str:
    """12345 -> "123.45", -5 -> "-0.05": cents as euros, exactly (no float)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{part:02d}"
