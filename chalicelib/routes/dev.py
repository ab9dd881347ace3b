"""The local stack's stand-ins for the outside world: the outbox of sent messages, Connect onboarding."""

from chalice import Blueprint

from chalicelib import web
from chalicelib.lazy import local_outbox, payout_accounts

bp = Blueprint(__name__)


@bp.route("/dev/outbox", methods=["GET"])
def dev_outbox():
    request = bp.current_request
    return local_outbox.messages(to=web.query_param(request, "to"), text=web.query_param(request, "q"))


@bp.route("/dev/connect/onboarding", methods=["GET"])
def local_connect_onboarding():
    return payout_accounts.complete_local(web.query_param(bp.current_request, "token"))
