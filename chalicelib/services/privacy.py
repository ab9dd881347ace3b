"""Personal data (GDPR): everything the platform holds about the caller in one document
(`GET /me/export`), and erasure (`DELETE /me`).

Erasure removes the profile's personal data (name, e-mail, phone, tax details, payout
account, verifications), turns every message off, shows the person as "former co-producer" in forums,
takes their names out of films' credits and blanks their casting notes. The financial records the law requires (pledges, refunds,
backings, royalty credits, payouts) are kept under the account id, which no longer leads to
anyone once the profile (and the Cognito user) is gone; films' totals and statements still
reconcile. A co-producer who is still owed money (a balance, or a payout on its way) gets 409
`balance_outstanding` with the amount: they must be paid first.
"""

from __future__ import annotations

from typing import Any, Iterator

from chalicelib import clock
from chalicelib.adapters.tables import (
    BackingRecord,
    CastingApplicationRecord,
    CastingCallRecord,
    ConsentRecord,
    DeliveryRecord,
    FilmRecord,
    ForumPostRecord,
    ForumThreadRecord,
    PayoutRecord,
    PledgeRecord,
    RefundRecord,
    RsvpRecord,
    SessionRecord,
    UserRecord,
    VerificationRecord,
    find,
)
from chalicelib.auth import Caller
from chalicelib.errors import Conflict
from chalicelib.services import credits, payouts, pledges, profiles, statements

FORMER = "Former co-producer"


def _films_of(user_id: str) -> list[str]:
    """Films the person backs or produces: where their posts, RSVPs and casting notes are."""
    backed = [b.film_id for b in BackingRecord.by_user.query(user_id)]
    produced = [f.film_id for f in FilmRecord.by_producer.query(user_id)]
    return list(dict.fromkeys(backed + produced))


def _threads_and_posts(film_ids: list[str], user_id: str) -> Iterator[tuple[ForumThreadRecord, list[ForumPostRecord]]]:
    for film_id in film_ids:
        for thread in ForumThreadRecord.query(film_id):
            yield thread, [p for p in ForumPostRecord.query(thread.thread_id) if p.author_id == user_id]


def _under_films(film_ids: list[str], user_id: str, parent: Any, key: str, model: Any) -> list[Any]:
    """The person's item (`model`, keyed (parent's `key`, user_id)) under each `parent` of each film."""
    found = []
    for film_id in film_ids:
        for item in parent.query(film_id):
            mine = find(model, getattr(item, key), user_id)
            if mine is not None:
                found.append(mine)
    return found


def _rsvps(film_ids: list[str], user_id: str) -> list[RsvpRecord]:
    return _under_films(film_ids, user_id, SessionRecord, "session_id", RsvpRecord)


def _applications(film_ids: list[str], user_id: str) -> list[CastingApplicationRecord]:
    return _under_films(film_ids, user_id, CastingCallRecord, "call_id", CastingApplicationRecord)


def _consents(user_id: str) -> list[dict[str, Any]]:
    return [{"channel": c.channel, "granted": bool(c.granted), "source": c.source,
             "wording_version": c.wording_version, "recorded_at": c.recorded_at}
            for c in ConsentRecord.query(user_id)]


def export(caller: Caller) -> dict[str, Any]:
    user_id = caller.user_id
    film_ids = _films_of(user_id)
    own_pledges = list(PledgeRecord.by_user.query(user_id))
    refunds = [r for r in (find(RefundRecord, p.pledge_id) for p in own_pledges) if r is not None]
    royalties = statements.royalties(caller)
    periods = sorted({c["period"] for c in royalties["credits"]})
    posts, threads = [], []
    for thread, mine in _threads_and_posts(film_ids, user_id):
        if thread.author_id == user_id:
            threads.append({"film_id": thread.film_id, "thread_id": thread.thread_id, "title": thread.title,
                            "created_at": thread.created_at})
        posts += [{"film_id": p.film_id, "thread_id": p.thread_id, "post_id": p.post_id, "body": p.body,
                   "created_at": p.created_at, "edited_at": p.edited_at} for p in mine]
    return {
        "user_id": user_id,
        "exported_at": clock.iso(),
        "profile": profiles.get(caller),
        "consents": _consents(user_id),
        "pledges": [pledges.view(p) for p in own_pledges],
        "refunds": [{"pledge_id": r.pledge_id, "film_id": r.film_id, "amount_cents": int(r.amount_cents),
                     "status": r.status, "reason": r.reason, "created_at": r.created_at,
                     "succeeded_at": r.succeeded_at} for r in refunds],
        "backings": [{"film_id": b.film_id, "confirmed_cents": int(b.confirmed_cents or 0),
                      "first_confirmed_at": b.first_confirmed_at} for b in BackingRecord.by_user.query(user_id)],
        "forum_threads": threads,
        "forum_posts": posts,
        "rsvps": [{"film_id": r.film_id, "session_id": r.session_id, "status": r.status, "rsvp_at": r.rsvp_at}
                  for r in _rsvps(film_ids, user_id)],
        "casting_applications": [{"film_id": a.film_id, "call_id": a.call_id, "note": a.note, "status": a.status,
                                  "applied_at": a.applied_at} for a in _applications(film_ids, user_id)],
        "balance_cents": royalties["balance_cents"],
        "credits": royalties["credits"],
        "payouts": royalties["payouts"],
        "statements": [statements.statement(caller, period) for period in periods],
        "messages_sent": [{"event_id": d.event_id, "channel": d.channel, "status": d.status, "sent_at": d.sent_at,
                           "updated_at": d.updated_at} for d in DeliveryRecord.by_user.query(user_id)],
        "film_credits": credits.of_user(user_id),
    }


def erase(caller: Caller) -> dict[str, Any]:
    user_id = caller.user_id
    owed = payouts.balance(user_id)
    guard = find(PayoutRecord, payouts.account_key(user_id))
    if owed > 0 or (guard is not None and guard.pending_payout):
        raise Conflict(f"{owed} cents are still due to you (a balance or a payout on its way): they are paid "
                       "out first, then your data can be erased", code="balance_outstanding")
    now = clock.iso()
    UserRecord(user_id).update(actions=[
        UserRecord.display_name.remove(), UserRecord.email.remove(), UserRecord.phone.remove(),
        UserRecord.stripe_account_id.remove(), UserRecord.connect_account_id.remove(),
        UserRecord.payouts_enabled.remove(), UserRecord.email_verified_for.remove(),
        UserRecord.phone_verified_for.remove(), UserRecord.locale.remove(), UserRecord.tax_details.remove(),
        UserRecord.notify_email.set(False), UserRecord.notify_sms.set(False),
        UserRecord.erased_at.set(now), UserRecord.updated_at.set(now),
    ])
    for channel in ("email", "sms"):
        profiles.consent(user_id, channel, False, "DELETE /me", now).save()
        VerificationRecord(user_id, channel).delete()
    film_ids = _films_of(user_id)
    for thread, mine in _threads_and_posts(film_ids, user_id):
        if thread.author_id == user_id:
            thread.update(actions=[ForumThreadRecord.author_name.set(FORMER)])
        for post in mine:
            post.update(actions=[ForumPostRecord.author_name.set(FORMER)])
    for application in _applications(film_ids, user_id):
        application.update(actions=[CastingApplicationRecord.note.set("(erased)")])
    credits.erase(user_id)  # names in films' credits
    return {"user_id": user_id, "erased_at": now,
            "kept": ["pledges", "refunds", "backings", "royalty credits", "payouts", "consents"]}
