"""Names in a film's credits: co-producers who chose to be named, in French collation order.

Nobody appears without having opted in (`PUT /me/films/{film_id}/credit`). A name is listed
while its co-producer holds at least the film's minimum pledge: the list checks every
backing when it is read (a refund or a dispute below the minimum takes the name out at
once), and the backings stream deletes the choice itself (`on_backing_change`). Erasing an
account (DELETE /me) deletes its names.
"""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.adapters.tables.community import CreditRecord
from chalicelib.adapters.tables import BackingRecord, FilmRecord, find
from chalicelib.auth import Caller
from chalicelib.domain import credits as rules
from chalicelib.domain import spreadsheets
from chalicelib.errors import Forbidden, Unauthorized, invalid_field
from chalicelib.services import films

CSV_COLUMNS = ("credit_name",)


def _view(film_id: str, record: CreditRecord | None, credited: bool) -> dict[str, Any]:
    return {"film_id": film_id, "credited": credited,
            "credit_name": record.credit_name if record is not None and credited else None,
            "updated_at": record.updated_at if record is not None else None}


def put(caller: Caller, film_id: str, credited: bool, credit_name: str | None) -> dict[str, Any]:
    film = films.visible(film_id, caller)
    backing = find(BackingRecord, film_id, caller.user_id)
    confirmed = int(backing.confirmed_cents or 0) if backing else 0
    if not credited:
        CreditRecord(film_id, caller.user_id).delete()
        return _view(film_id, None, False)
    if not rules.still_credited(confirmed, int(film.min_pledge_cents or 0)):
        raise Forbidden(f"only co-producers of the film holding at least {int(film.min_pledge_cents or 0)} cents "
                        "may be named in its credits", code="not_a_coproducer", field="film_id")
    if not credit_name:
        raise invalid_field("credit_name", "is required when credited is true")
    now = clock.iso()
    current = find(CreditRecord, film_id, caller.user_id)
    record = CreditRecord(film_id, caller.user_id, credit_name=credit_name,
                          credited_at=current.credited_at if current else now, updated_at=now)
    record.save()
    return _view(film_id, record, True)


def _listed(film: FilmRecord) -> list[str]:
    """The names of the co-producers still at the film's minimum, sorted (French collation)."""
    records = list(CreditRecord.query(film.film_id))
    held: dict[str, int] = {}
    keys = [(film.film_id, r.user_id) for r in records]
    for start in range(0, len(keys), 100):
        for backing in BackingRecord.batch_get(keys[start:start + 100]):
            held[backing.user_id] = int(backing.confirmed_cents or 0)
    minimum = int(film.min_pledge_cents or 0)
    return rules.sort_names(r.credit_name for r in records if rules.still_credited(held.get(r.user_id, 0), minimum))


def list_for(caller: Caller | None, film_id: str) -> dict[str, Any]:
    """`GET /films/{film_id}/credits`: public, names only."""
    film = films.visible(film_id, caller)
    names = _listed(film)
    return {"film_id": film_id, "count": len(names), "items": [{"credit_name": n} for n in names]}


def csv_for(caller: Caller | None, film_id: str) -> str:
    """`?format=csv`: the end credits as a spreadsheet, for the film's producer and admins."""
    if caller is None:
        raise Unauthorized("sign in: send Authorization: Bearer <token>", code="missing_token")
    film = films.visible(film_id, caller)
    if not films.can_manage(caller, film):
        raise Forbidden("the credits file is for the film's producer and admins", field="format")
    return spreadsheets.csv_text(CSV_COLUMNS, ({"credit_name": n} for n in _listed(film)))


def of_user(user_id: str) -> list[dict[str, Any]]:
    """A person's names in credits (GET /me/export)."""
    return [{"film_id": r.film_id, "credit_name": r.credit_name, "credited_at": r.credited_at,
             "updated_at": r.updated_at} for r in CreditRecord.by_user.query(user_id)]


def erase(user_id: str) -> int:
    """DELETE /me: every name of the person leaves every film's credits."""
    records = list(CreditRecord.by_user.query(user_id))
    for record in records:
        CreditRecord(record.film_id, user_id).delete()
    return len(records)


def on_backing_change(film_id: str, user_id: str, old_cents: int, new_cents: int) -> bool:
    """Backings stream: a co-producer whose total fell below the film's minimum leaves its
    credits (the choice is deleted; deleting twice is harmless). True if it was deleted now."""
    if new_cents >= old_cents:
        return False
    film = find(FilmRecord, film_id)
    if film is None or rules.still_credited(new_cents, int(film.min_pledge_cents or 0)):
        return False
    if find(CreditRecord, film_id, user_id) is None:
        return False
    CreditRecord(film_id, user_id).delete()
    return True
