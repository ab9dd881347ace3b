"""Films: the catalogue, a producer's film page and its edits."""

from chalice import Blueprint

from chalicelib import web
from chalicelib.domain.films import KINDS, STATUSES
from chalicelib.lazy import schemas
from chalicelib.services import films

bp = Blueprint(__name__)


@bp.route("/films", methods=["GET"])
def list_films():
    return films.list_films(
        web.caller(bp.current_request, required=False),
        status=web.choice(bp.current_request, "status", STATUSES),
        kind=web.choice(bp.current_request, "kind", KINDS),
        **web.page(bp.current_request),
    )


@bp.route("/films", methods=["POST"])
def create_film():
    caller = web.caller(bp.current_request)
    return web.created(films.create(caller, web.parse_body(bp.current_request, schemas.FilmCreate)))


@bp.route("/films/{film_id}", methods=["GET"])
def get_film(film_id):
    return films.get(web.check_id(film_id, "film_id"), web.caller(bp.current_request, required=False))


@bp.route("/films/{film_id}", methods=["PATCH"])
def update_film(film_id):
    caller = web.caller(bp.current_request)
    return films.patch(caller, web.check_id(film_id, "film_id"), web.parse_body(bp.current_request, schemas.FilmPatch))
