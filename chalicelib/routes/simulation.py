"""The earnings simulator: the waterfall from a film's rights to a co-producer's cents."""

from chalice import Blueprint

from chalicelib import web
from chalicelib.lazy import simulation

bp = Blueprint(__name__)


@bp.route("/films/{film_id}/simulation", methods=["GET"])
def film_simulation(film_id):
    request = bp.current_request
    return simulation.simulate(web.caller(request, required=False), web.check_id(film_id, "film_id"),
                               web.query_param(request, "rights_cents"), web.query_param(request, "pledge_cents"))
