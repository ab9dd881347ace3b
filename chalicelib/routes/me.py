"""Me: a co-producer's profile, verified contacts, personal data (export, erasure) and own films."""

from chalice import Blueprint

from chalicelib import web
from chalicelib.errors import invalid_field
from chalicelib.lazy import contacts, departures, privacy, profiles, schemas, verification
from chalicelib.services import films

bp = Blueprint(__name__)


@bp.route("/me", methods=["GET"])
def get_me():
    return profiles.get(web.caller(bp.current_request))


@bp.route("/me", methods=["PUT"])
def put_me():
    caller = web.caller(bp.current_request)
    return profiles.put(caller, web.parse_body(bp.current_request, schemas.Profile))


@bp.route("/me/verify/{channel}", methods=["POST"])
def send_verification_code(channel):
    caller = web.caller(bp.current_request)
    return verification.send_code(caller, _channel(channel), web.base_url(bp.current_request))


@bp.route("/me/verify/{channel}/confirm", methods=["POST"])
def confirm_verification_code(channel):
    caller = web.caller(bp.current_request)
    return verification.confirm(caller, _channel(channel),
                                web.parse_body(bp.current_request, schemas.VerificationCode).code)


def _channel(value: str) -> str:
    if value not in contacts.CHANNELS:
        raise invalid_field("channel", f"must be one of {', '.join(contacts.CHANNELS)}")
    return value


@bp.route("/me/export", methods=["GET"])
def export_me():
    return privacy.export(web.caller(bp.current_request))


@bp.route("/me", methods=["DELETE"])
def erase_me():
    return privacy.erase(web.caller(bp.current_request))


@bp.schedule("rate(1 day)")
def erase_departed_users(event):
    """Users whose Cognito account was deleted: erased as by DELETE /me, unless still owed money."""
    return departures.scheduled()


@bp.route("/me/films", methods=["GET"])
def my_films():
    return films.list_mine(web.caller(bp.current_request), **web.page(bp.current_request))
