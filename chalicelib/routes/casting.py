"""A film's casting calls: applications and the producer's decision."""

from chalice import Blueprint

from chalicelib import web
from chalicelib.lazy import casting, schemas

bp = Blueprint(__name__)


@bp.route("/films/{film_id}/casting", methods=["GET"])
def casting_calls(film_id):
    return casting.list_for(web.caller(bp.current_request), web.check_id(film_id, "film_id"),
                            **web.page(bp.current_request))


@bp.route("/films/{film_id}/casting", methods=["POST"])
def create_casting_call(film_id):
    caller = web.caller(bp.current_request)
    return web.created(casting.create(caller, web.check_id(film_id, "film_id"),
                                      web.parse_body(bp.current_request, schemas.CastingCallCreate)))


@bp.route("/films/{film_id}/casting/{call_id}/applications", methods=["POST"])
def apply_casting(film_id, call_id):
    caller = web.caller(bp.current_request)
    return web.created(casting.apply(caller, web.check_id(film_id, "film_id"), web.check_id(call_id, "call_id"),
                                     web.parse_body(bp.current_request, schemas.CastingApplication)))


@bp.route("/films/{film_id}/casting/{call_id}/applications", methods=["GET"])
def casting_applicants(film_id, call_id):
    return casting.applicants(web.caller(bp.current_request), web.check_id(film_id, "film_id"),
                              web.check_id(call_id, "call_id"), **web.page(bp.current_request))


@bp.route("/films/{film_id}/casting/{call_id}/decision", methods=["POST"])
def decide_casting(film_id, call_id):
    caller = web.caller(bp.current_request)
    body = web.parse_body(bp.current_request, schemas.CastingDecision)
    return casting.decide(caller, web.check_id(film_id, "film_id"), web.check_id(call_id, "call_id"), body.selected)
