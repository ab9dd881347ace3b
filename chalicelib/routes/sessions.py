"""A film's sessions (screenings, set visits): listing, creation and RSVPs."""

from chalice import Blueprint

from chalicelib import web
from chalicelib.lazy import schemas, sessions

bp = Blueprint(__name__)


@bp.route("/films/{film_id}/sessions", methods=["GET"])
def film_sessions(film_id):
    return sessions.list_for(web.caller(bp.current_request), web.check_id(film_id, "film_id"),
                             **web.page(bp.current_request))


@bp.route("/films/{film_id}/sessions", methods=["POST"])
def create_session(film_id):
    caller = web.caller(bp.current_request)
    return web.created(sessions.create(caller, web.check_id(film_id, "film_id"),
                                       web.parse_body(bp.current_request, schemas.SessionCreate)))


@bp.route("/films/{film_id}/sessions/{session_id}", methods=["GET"])
def film_session(film_id, session_id):
    return sessions.get(web.caller(bp.current_request), web.check_id(film_id, "film_id"),
                        web.check_id(session_id, "session_id"))


@bp.route("/films/{film_id}/sessions/{session_id}/rsvp", methods=["POST"])
def rsvp_session(film_id, session_id):
    return sessions.rsvp(web.caller(bp.current_request), web.check_id(film_id, "film_id"),
                         web.check_id(session_id, "session_id"))


@bp.route("/films/{film_id}/sessions/{session_id}/rsvp", methods=["DELETE"])
def cancel_session_rsvp(film_id, session_id):
    return sessions.cancel(web.caller(bp.current_request), web.check_id(film_id, "film_id"),
                           web.check_id(session_id, "session_id"))


@bp.route("/films/{film_id}/sessions/{session_id}/rsvps", methods=["GET"])
def session_attendees(film_id, session_id):
    return sessions.attendees(web.caller(bp.current_request), web.check_id(film_id, "film_id"),
                              web.check_id(session_id, "session_id"), **web.page(bp.current_request))
