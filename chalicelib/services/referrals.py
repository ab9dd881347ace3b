"""Word of mouth, measured: personal share links, producers' tags, and what they brought.

Counts are derived from the pledges' own state when they are read, never kept as counters:
a pledge carries the code it came through (set once, when the pledge is created), and it
counts while it is confirmed, nothing of it was refunded and no dispute holds its charge
(chalicelib/domain/referrals.py). The pledge's state is already exactly-once under duplicate
and reordered webhooks (conditional transactions in services/contributions.py), so a count
read from it is too: no second counter that a replayed webhook could move twice, nothing added
to the money path's transactions, and a refund or a dispute takes the pledge out by itself.
"""

from __future__ import annotations

from typing import Any, Iterable


from chalicelib import clock
from chalicelib.adapters import counters, parameters
from chalicelib.adapters.conditions import written
from chalicelib.adapters.tables.community import ReferralCodeRecord
from chalicelib.adapters.tables import BackingRecord, FilmRecord, PledgeRecord, UserRecord, find
from chalicelib.auth import Caller
from chalicelib.config import settings
from chalicelib.domain import referrals as rules
from chalicelib.errors import Conflict, Forbidden
from chalicelib.services import disputes, films

FORMER = "Former co-producer"


def _is_coproducer(film_id: str, user_id: str) -> bool:
    backing = find(BackingRecord, film_id, user_id)
    return backing is not None and int(backing.confirmed_cents or 0) > 0


def _link(film_id: str, user_id: str) -> ReferralCodeRecord:
    """The co-producer's link record, written once (the code is derived: a replay is a no-op)."""
    code = rules.link_code(parameters.signing_key(), film_id, user_id)
    record = find(ReferralCodeRecord, code)
    if record is not None:
        return record
    now = clock.iso()
    record = ReferralCodeRecord(code, film_id=film_id, kind=rules.LINK, owner_id=user_id, created_at=now,
                                film_key=f"{rules.LINK}#{now}#{code}", sharer_id=user_id)
    if not written(lambda: record.save(condition=ReferralCodeRecord.code.does_not_exist())):
        return find(ReferralCodeRecord, code) or record
    return record


def _url(film_id: str, code: str) -> str:
    return rules.share_url(settings().web_base_url, film_id, code)


def share(caller: Caller, film_id: str) -> dict[str, Any]:
    """`GET /me/films/{film_id}/share`: the caller's personal link, for co-producers of the film."""
    films.visible(film_id, caller)
    if not _is_coproducer(film_id, caller.user_id):
        raise Forbidden("share links are for the film's co-producers", code="not_a_coproducer", field="film_id")
    record = _link(film_id, caller.user_id)
    return {"film_id": film_id, "code": record.code, "url": _url(film_id, record.code)}


def _tag_view(record: ReferralCodeRecord) -> dict[str, Any]:
    return {"code": record.code, "name": record.name, "url": _url(record.film_id, record.code),
            "created_at": record.created_at}


def _managed(caller: Caller, film_id: str) -> FilmRecord:
    return films.managed(caller, film_id)


def _tags(film_id: str) -> list[ReferralCodeRecord]:
    return list(ReferralCodeRecord.by_film.query(film_id, ReferralCodeRecord.film_key.startswith(f"{rules.TAG}#")))


def create_tag(caller: Caller, film_id: str, name: str) -> dict[str, Any]:
    film = _managed(caller, film_id)
    if len(_tags(film_id)) >= rules.MAX_TAGS:
        raise Conflict(f"a film has at most {rules.MAX_TAGS} tags", code="too_many_tags", field="name")
    code = rules.tag_code(parameters.signing_key(), film_id, name)
    now = clock.iso()
    # The tag's pledges are the producer's channel: a pledge of the film's producer through it is
    # self-referral (owner_id), whoever created the tag.
    record = ReferralCodeRecord(code, film_id=film_id, kind=rules.TAG, owner_id=film.producer_id or caller.user_id,
                                name=name, created_at=now, film_key=f"{rules.TAG}#{now}#{code}")
    if not written(lambda: record.save(condition=ReferralCodeRecord.code.does_not_exist())):
        raise Conflict(f"the film already has a tag named {name!r}", code="tag_exists", field="name")
    return _tag_view(record)


def list_tags(caller: Caller, film_id: str) -> dict[str, Any]:
    _managed(caller, film_id)
    return {"items": [_tag_view(r) for r in _tags(film_id)]}


def attribution_for(caller: Caller, film_id: str, code: str | None) -> str | None:
    """The code to store on a new pledge: a known code of this film that is not the pledger's
    own. An unknown code, another film's, or one's own is ignored (None), never an error."""
    if not code:
        return None
    record = find(ReferralCodeRecord, code)
    if record is None or record.film_id != film_id:
        return None
    return code if rules.attributable(record.owner_id, caller.user_id) else None


# --- what the links brought ----------------------------------------------------------------

def _disputed(pledge_id: str) -> bool:
    return disputes.holds(pledge_id)


def _counting(pledges: Iterable[PledgeRecord], owners: dict[str, str | None]) -> list[rules.Attributed]:
    """The attributed pledges that count (confirmed, unrefunded, undisputed, not self-referred)."""
    found = []
    for pledge in pledges:
        code = pledge.referral_code
        if code is None or not rules.attributable(owners.get(code), pledge.user_id):
            continue
        if pledge.status != "confirmed" or int(pledge.amount_refunded_cents or 0):
            continue  # cheap checks first: a dispute is one more Query
        if rules.counts(pledge.status, int(pledge.amount_refunded_cents or 0), _disputed(pledge.pledge_id)):
            found.append(rules.Attributed(code, pledge.user_id, int(pledge.amount_cents)))
    return found


def brought(code: str, owner_id: str) -> rules.Line:
    """What one code brought: its counting pledges, their cents and the co-producers."""
    pledges = PledgeRecord.by_referral.query(code)
    return rules.by_code(_counting(pledges, {code: owner_id})).get(code, rules.Line())


def coproducers_brought(film_id: str, user_id: str) -> int:
    """How many co-producers a co-producer's link of the film brought (perks' min_referrals)."""
    code = rules.link_code(parameters.signing_key(), film_id, user_id)
    return len(brought(code, user_id).coproducers or ())


def mine(caller: Caller) -> dict[str, Any]:
    """`GET /me/referrals`: per film, what my link brought."""
    items = []
    for link in ReferralCodeRecord.by_sharer.query(caller.user_id):
        film = find(FilmRecord, link.film_id)
        line = brought(link.code, caller.user_id)
        items.append({"film_id": link.film_id, "title": film.title if film else None, "code": link.code,
                      "url": _url(link.film_id, link.code), "coproducers_brought": len(line.coproducers or ()),
                      "confirmed_pledges": line.pledges, "amount_cents": line.amount_cents})
    return {"items": items}


def _names(user_ids: list[str]) -> dict[str, str]:
    """Display names only (never contact data); an erased account reads as a former co-producer."""
    names: dict[str, str] = {}
    for start in range(0, len(user_ids), 100):
        for user in UserRecord.batch_get(user_ids[start:start + 100], attributes_to_get=["user_id", "display_name"]):
            if user.display_name:
                names[user.user_id] = user.display_name
    return names


def _line_view(line: rules.Line, total: int) -> dict[str, Any]:
    return {"confirmed_pledges": line.pledges, "amount_cents": line.amount_cents,
            "share_bps": rules.share_bps(line.amount_cents, total)}


def report(caller: Caller, film_id: str) -> dict[str, Any]:
    """`GET /films/{film_id}/referrals` (producer, admins): per tag, per referring co-producer,
    and the unattributed rest, each with its confirmed pledges, cents and share of the total."""
    _managed(caller, film_id)
    total = int(counters.read(counters.film_counter(film_id))["raised_cents"])
    codes = {c.code: c for c in ReferralCodeRecord.by_film.query(film_id)}
    confirmed = list(PledgeRecord.by_film.query(film_id, filter_condition=PledgeRecord.status == "confirmed"))
    lines = rules.by_code(_counting(confirmed, {code: c.owner_id for code, c in codes.items()}))
    names = _names(sorted({c.owner_id for c in codes.values() if c.kind == rules.LINK}))
    tags, people = [], []
    for code, record in codes.items():
        line = lines.get(code, rules.Line())
        if record.kind == rules.TAG:
            tags.append({"code": code, "name": record.name, **_line_view(line, total),
                         "coproducers_brought": len(line.coproducers or ())})
        elif line.pledges:
            people.append({"display_name": names.get(record.owner_id, FORMER), **_line_view(line, total),
                           "coproducers_brought": len(line.coproducers or ())})
    tags.sort(key=lambda t: (-t["amount_cents"], t["name"]))
    people.sort(key=lambda p: (-p["amount_cents"], p["display_name"]))
    rest = rules.unattributed(total, len(confirmed), lines.values())
    return {"film_id": film_id, "total_cents": total, "confirmed_pledges": len(confirmed), "tags": tags,
            "coproducers": people, "unattributed": _line_view(rest, total)}
