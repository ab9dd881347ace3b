"""Co-producer services (perks): a film's catalogue, what a co-producer's pledges unlock."""

from chalice import Blueprint

from chalicelib import web
from chalicelib.lazy import perks, schemas

bp = Blueprint(__name__)


@bp.route("/films/{film_id}/perks", methods=["GET"])
def film_perks(film_id):
    return perks.list_catalogue(web.caller(bp.current_request, required=False), web.check_id(film_id, "film_id"))


@bp.route("/films/{film_id}/perks", methods=["POST"])
def create_perk(film_id):
    caller = web.caller(bp.current_request)
    return web.created(perks.create(caller, web.check_id(film_id, "film_id"),
                                    web.parse_body(bp.current_request, schemas.PerkCreate)))


@bp.route("/films/{film_id}/perks/{perk_id}", methods=["PATCH"])
def update_perk(film_id, perk_id):
    caller = web.caller(bp.current_request)
    return perks.patch(caller, web.check_id(film_id, "film_id"), web.check_id(perk_id, "perk_id"),
                       web.parse_body(bp.current_request, schemas.PerkPatch))


@bp.route("/films/{film_id}/perks/{perk_id}", methods=["DELETE"])
def delete_perk(film_id, perk_id):
    perks.delete(web.caller(bp.current_request), web.check_id(film_id, "film_id"), web.check_id(perk_id, "perk_id"))
    return web.no_content()


@bp.route("/me/films/{film_id}/perks", methods=["GET"])
def my_perks(film_id):
    return perks.mine(web.caller(bp.current_request), web.check_id(film_id, "film_id"))


@bp.lambda_function(name="watch_backings")
def watch_backings(event, context):
    """Backings stream: tells a co-producer the perks a higher pledge total unlocks."""
    return perks.watch_backings(event)
