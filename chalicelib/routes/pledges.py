"""Pledges and payments: a co-producer backs a film, sees and cancels a pledge; Stripe's webhook."""

from chalice import Blueprint

from chalicelib import web
from chalicelib.lazy import pledges, schemas, stripe_events

bp = Blueprint(__name__)


@bp.route("/films/{film_id}/pledges", methods=["POST"])
def create_pledge(film_id):
    request = bp.current_request
    caller = web.caller(request)
    body = web.parse_body(request, schemas.PledgeCreate)
    pledge, _ = pledges.create(caller, web.check_id(film_id, "film_id"), request.headers.get("idempotency-key"),
                               body.amount_cents, body.payment_method_id, body.referral_code)
    return web.created(pledge)


@bp.route("/films/{film_id}/pledges", methods=["GET"])
def film_coproducers(film_id):
    return pledges.coproducers(web.caller(bp.current_request), web.check_id(film_id, "film_id"),
                               **web.page(bp.current_request))


@bp.route("/me/pledges", methods=["GET"])
def my_pledges():
    return pledges.list_own(web.caller(bp.current_request), **web.page(bp.current_request))


@bp.route("/me/pledges/{pledge_id}", methods=["GET"])
def my_pledge(pledge_id):
    return pledges.view(pledges.get_own(web.caller(bp.current_request), web.check_id(pledge_id, "pledge_id")))


@bp.route("/me/pledges/{pledge_id}", methods=["DELETE"])
def cancel_pledge(pledge_id):
    return pledges.cancel(web.caller(bp.current_request), web.check_id(pledge_id, "pledge_id"))


@bp.route("/webhooks/stripe", methods=["POST"], content_types=["application/json", "text/plain"])
def stripe_webhook():
    request = bp.current_request
    return stripe_events.receive(request.raw_body or b"", request.headers.get("stripe-signature"))
