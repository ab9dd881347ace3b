"""Campaign lifecycle: closing at the deadline (or now, by its producer) and the refunds it leads to."""

from chalice import Blueprint

from chalicelib import web
from chalicelib.lazy import campaigns, refunds

bp = Blueprint(__name__)


@bp.schedule("rate(15 minutes)")
def close_campaigns(event):
    return campaigns.run(campaigns.budget_for(event.context))


@bp.route("/films/{film_id}/close", methods=["POST"])
def close_film(film_id):
    return campaigns.close_now(web.caller(bp.current_request), web.check_id(film_id, "film_id"))


@bp.route("/admin/refunds", methods=["GET"])
def admin_refunds():
    return refunds.list_admin(
        web.caller(bp.current_request),
        status=web.choice(bp.current_request, "status", refunds.LISTED_STATUSES),
        **web.page(bp.current_request),
    )
