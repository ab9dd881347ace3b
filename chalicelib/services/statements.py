"""What a co-producer sees of their royalties: balance and history, the statement of a
period (the whole chain from the rights received to their cents), and their portfolio."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters import counters
from chalicelib.adapters.tables import BackingRecord, FilmRecord
from chalicelib.auth import Caller
from chalicelib.domain import royalties as rules
from chalicelib.domain import spreadsheets
from chalicelib.errors import invalid_field
from chalicelib.services import distributions, payouts

STATEMENT_COLUMNS = ("film_id", "title", "batch", "rights_received_cents", "coproducer_rate_bps", "pool_cents",
                     "your_confirmed_cents", "film_confirmed_cents", "amount_cents")


def _films(film_ids: list[str]) -> dict[str, FilmRecord]:
    ids = list(dict.fromkeys(film_ids))
    return {f.film_id: f for f in FilmRecord.batch_get(ids)} if ids else {}


def _titles(film_ids: list[str]) -> dict[str, str]:
    return {film_id: film.title for film_id, film in _films(film_ids).items()}


titles_of = _titles  # the films' titles, by id (yearly statements)


def royalties(caller: Caller) -> dict[str, Any]:
    credits = payouts.credits_of(caller.user_id)
    history = payouts.payouts_of(caller.user_id)
    titles = _titles([c.film_id for c in credits])
    return {
        "balance_cents": sum(int(c.amount_cents) for c in credits) - payouts.paid_out(caller.user_id),
        "credits": [{"period": c.period, "film_id": c.film_id, "title": titles.get(c.film_id), "batch": int(c.batch),
                     "amount_cents": int(c.amount_cents), "your_confirmed_cents": int(c.your_confirmed_cents),
                     "created_at": c.created_at} for c in credits],
        "payouts": [payouts.payout_view(p) for p in history],
    }


def statement(caller: Caller, period: str) -> dict[str, Any]:
    try:
        rules.parse_period(period)
    except ValueError as exc:
        raise invalid_field("period", str(exc))
    credits = [c for c in payouts.credits_of(caller.user_id) if c.period == period]
    records = distributions.records_for((c.film_id, period) for c in credits)
    titles = _titles([c.film_id for c in credits])
    lines = []
    for credit in sorted(credits, key=lambda c: (titles.get(c.film_id, ""), c.film_id, int(c.batch))):
        record = records[(credit.film_id, period)]
        batch = next(b for b in record.batches if b["batch"] == int(credit.batch))
        lines.append({
            "film_id": credit.film_id, "title": titles.get(credit.film_id), "batch": int(credit.batch),
            "rights_received_cents": int(batch["rights_received_cents"]),
            "coproducer_rate_bps": int(batch["coproducer_rate_bps"]), "pool_cents": int(batch["pool_cents"]),
            "your_confirmed_cents": int(credit.your_confirmed_cents),
            "film_confirmed_cents": int(record.film_confirmed_cents or 0), "amount_cents": int(credit.amount_cents),
        })
    return {"period": period, "lines": lines, "total_cents": sum(line["amount_cents"] for line in lines)}


def statement_csv(body: dict[str, Any]) -> str:
    return spreadsheets.csv_text(STATEMENT_COLUMNS, body["lines"])  # titles never run as formulas


def portfolio(caller: Caller) -> dict[str, Any]:
    backings = list(BackingRecord.by_user.query(caller.user_id))
    film_ids = [b.film_id for b in backings]
    totals = counters.read_many(counters.film_counter(f) for f in film_ids) if film_ids else {}
    records = _films(film_ids)
    titles = {film_id: film.title for film_id, film in records.items()}
    received: dict[str, int] = {}
    for credit in payouts.credits_of(caller.user_id):
        received[credit.film_id] = received.get(credit.film_id, 0) + int(credit.amount_cents)
    items = []
    for backing in backings:
        yours = int(backing.confirmed_cents or 0)
        film_total = totals[counters.film_counter(backing.film_id)]["raised_cents"]
        items.append({
            "film_id": backing.film_id, "title": titles.get(backing.film_id), "your_confirmed_cents": yours,
            "film_confirmed_cents": film_total, "share_ppm": rules.share_ppm(yours, film_total),
            "royalties_received_cents": received.get(backing.film_id, 0),
            "first_confirmed_at": backing.first_confirmed_at, "film_status": records[backing.film_id].status if backing.film_id in records else None,
        })
    return {"items": items, "royalties_received_cents": sum(received.values()), "next": None}
