"""Community routes: share links and referral tags, updates from the film team, credits.

Each route parses the request, identifies the caller and calls one service.
"""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import paging, web
from chalicelib.lazy import credits, referrals, schemas, updates

bp = Blueprint(__name__)


def _film_id(film_id: str) -> str:
    return web.check_id(film_id, "film_id")


# --- Word of mouth -----------------------------------------------------------------------

@bp.route("/me/films/{film_id}/share", methods=["GET"])
def my_share_link(film_id):
    return referrals.share(web.caller(bp.current_request), _film_id(film_id))


@bp.route("/films/{film_id}/referral-tags", methods=["POST"])
def create_referral_tag(film_id):
    caller = web.caller(bp.current_request)
    body = web.parse_body(bp.current_request, schemas.ReferralTagCreate)
    return web.created(referrals.create_tag(caller, _film_id(film_id), body.name))


@bp.route("/films/{film_id}/referral-tags", methods=["GET"])
def referral_tags(film_id):
    return referrals.list_tags(web.caller(bp.current_request), _film_id(film_id))


@bp.route("/films/{film_id}/referrals", methods=["GET"])
def film_referrals(film_id):
    return referrals.report(web.caller(bp.current_request), _film_id(film_id))


@bp.route("/me/referrals", methods=["GET"])
def my_referrals():
    return referrals.mine(web.caller(bp.current_request))


# --- Updates from the film team ------------------------------------------------------------

@bp.route("/films/{film_id}/updates", methods=["POST"])
def create_update(film_id):
    caller = web.caller(bp.current_request)
    body = web.parse_body(bp.current_request, schemas.UpdateCreate)
    return web.created(updates.create(caller, _film_id(film_id), body.title, body.body, body.audience))


@bp.route("/films/{film_id}/updates", methods=["GET"])
def film_updates(film_id):
    return updates.list_for(web.caller(bp.current_request, required=False), _film_id(film_id),
                            limit=paging.parse_limit(web.query_param(bp.current_request, "limit")),
                            next_token=web.query_param(bp.current_request, "next"))


# --- Credits -------------------------------------------------------------------------------

@bp.route("/me/films/{film_id}/credit", methods=["PUT"])
def put_my_credit(film_id):
    caller = web.caller(bp.current_request)
    body = web.parse_body(bp.current_request, schemas.CreditChoice)
    return credits.put(caller, _film_id(film_id), body.credited, body.credit_name)


@bp.route("/films/{film_id}/credits", methods=["GET"])
def film_credits(film_id):
    caller = web.caller(bp.current_request, required=False)
    if web.choice(bp.current_request, "format", ("json", "csv")) == "csv":
        return web.Response(body=credits.csv_for(caller, _film_id(film_id)), status_code=200,
                            headers={"Content-Type": "text/csv; charset=utf-8"})
    return credits.list_for(caller, _film_id(film_id))
