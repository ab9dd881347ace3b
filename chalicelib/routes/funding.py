"""A film's funding over time (public, like the film)."""

from chalice import Blueprint

from chalicelib import web
from chalicelib.lazy import funding

bp = Blueprint(__name__)


@bp.route("/films/{film_id}/funding", methods=["GET"])
def film_funding(film_id):
    request = bp.current_request
    return funding.daily(web.check_id(film_id, "film_id"), web.caller(request, required=False))
