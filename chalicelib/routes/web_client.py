"""Routes the web client needs beside the API's resources: a card set up with Stripe.js before
a pledge, and stage `local`'s "sign in as"."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import web
from chalicelib.lazy import card_setup, dev_tokens, schemas

bp = Blueprint(__name__)


@bp.route("/me/setup-intents", methods=["POST"])
def create_setup_intent():
    return web.created(card_setup.start(web.caller(bp.current_request)))


@bp.route("/dev/token", methods=["POST"])
def dev_token():
    body = web.parse_body(bp.current_request, schemas.DevToken)
    return dev_tokens.issue(body.user_id, list(body.groups))
