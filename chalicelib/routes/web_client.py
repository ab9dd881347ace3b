"""Routes the web client needs beside the API's resources: a card set up with Stripe.js before
a pledge, and stage `local`'s "sign in as"."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import web

bp = Blueprint(__name__)


@bp.route("/me/setup-intents", methods=["POST"])
def create_setup_intent():
    from chalicelib.services import card_setup

    return web.created(card_setup.start(web.caller(bp.current_request)))


@bp.route("/dev/token", methods=["POST"])
def dev_token():
    from chalicelib.schemas import DevToken
    from chalicelib.services import dev_tokens

    body = web.parse_body(bp.current_request, DevToken)
    return dev_tokens.issue(body.user_id, list(body.groups))
