"""The film co-production platform's API and event handlers: its table of contents.

Each route parses the request, identifies the caller and calls one service in chalicelib.
"""

from chalice import Chalice

from chalicelib import paging, web
from chalicelib.domain.films import KINDS, STATUSES
from chalicelib.observability import http_middleware, logger
from chalicelib.services import films, pledges, profiles, stats

app = Chalice(app_name="coprod")
app.register_middleware(http_middleware, "http")
app.register_middleware(web.error_middleware(logger), "http")


def request():
    return app.current_request


# --- Films -----------------------------------------------------------------------------

@app.route("/films", methods=["GET"])
def list_films():
    return films.list_films(
        web.caller(request(), required=False),
        status=web.choice(request(), "status", STATUSES),
        kind=web.choice(request(), "kind", KINDS),
        limit=paging.parse_limit(web.query_param(request(), "limit")),
        next_token=web.query_param(request(), "next"),
    )


@app.route("/films", methods=["POST"])
def create_film():
    from chalicelib.schemas import FilmCreate

    caller = web.caller(request())
    return web.created(films.create(caller, web.parse_body(request(), FilmCreate)))


@app.route("/films/{film_id}", methods=["GET"])
def get_film(film_id):
    return films.get(web.check_id(film_id, "film_id"), web.caller(request(), required=False))


@app.route("/films/{film_id}", methods=["PATCH"])
def update_film(film_id):
    from chalicelib.schemas import FilmPatch

    caller = web.caller(request())
    return films.patch(caller, web.check_id(film_id, "film_id"), web.parse_body(request(), FilmPatch))


# --- Pledges and payments ---------------------------------------------------------------

@app.route("/films/{film_id}/pledges", methods=["POST"])
def create_pledge(film_id):
    from chalicelib.schemas import PledgeCreate

    caller = web.caller(request())
    body = web.parse_body(request(), PledgeCreate)
    pledge, _ = pledges.create(caller, web.check_id(film_id, "film_id"), request().headers.get("idempotency-key"),
                               body.amount_cents, body.payment_method_id)
    return web.created(pledge)


@app.route("/films/{film_id}/pledges", methods=["GET"])
def film_coproducers(film_id):
    return pledges.coproducers(
        web.caller(request()), web.check_id(film_id, "film_id"),
        limit=paging.parse_limit(web.query_param(request(), "limit")),
        next_token=web.query_param(request(), "next"),
    )


@app.route("/me/pledges", methods=["GET"])
def my_pledges():
    return pledges.list_own(
        web.caller(request()),
        limit=paging.parse_limit(web.query_param(request(), "limit")),
        next_token=web.query_param(request(), "next"),
    )


@app.route("/me/pledges/{pledge_id}", methods=["GET"])
def my_pledge(pledge_id):
    return pledges.view(pledges.get_own(web.caller(request()), web.check_id(pledge_id, "pledge_id")))


@app.route("/me/pledges/{pledge_id}", methods=["DELETE"])
def cancel_pledge(pledge_id):
    return pledges.cancel(web.caller(request()), web.check_id(pledge_id, "pledge_id"))


@app.route("/webhooks/stripe", methods=["POST"], content_types=["application/json", "text/plain"])
def stripe_webhook():
    from chalicelib.services import stripe_events

    return stripe_events.receive(request().raw_body or b"", request().headers.get("stripe-signature"))


# --- Platform --------------------------------------------------------------------------

@app.route("/stats", methods=["GET"])
def platform_stats():
    return stats.platform()


# --- Me --------------------------------------------------------------------------------

@app.route("/me", methods=["GET"])
def get_me():
    return profiles.get(web.caller(request()))


@app.route("/me", methods=["PUT"])
def put_me():
    from chalicelib.schemas import Profile

    caller = web.caller(request())
    return profiles.put(caller, web.parse_body(request(), Profile))


@app.route("/me/films", methods=["GET"])
def my_films():
    return films.list_mine(
        web.caller(request()),
        limit=paging.parse_limit(web.query_param(request(), "limit")),
        next_token=web.query_param(request(), "next"),
    )


# --- Notifications ---------------------------------------------------------------------
# Stream and queue consumers are plain Lambda functions taking the raw event: infra wires
# their sources from infra/functions.py (on_dynamodb_record / on_sns_message would need the
# stage's ARNs at package time); `make run` feeds them through devstack/pump.py.

@app.lambda_function(name="watch_counters")
def watch_counters(event, context):
    from chalicelib.services import milestones

    return milestones.watch(event)


@app.lambda_function(name="relay_outbox")
def relay_outbox(event, context):
    from chalicelib.services import notifications

    return notifications.relay(event)


@app.lambda_function(name="send_notifications")
def send_notifications(event, context):
    from chalicelib.services import notifications

    return notifications.notify(event)


@app.route("/films/{film_id}/milestones", methods=["GET"])
def film_milestones(film_id):
    from chalicelib.services import milestones

    return milestones.list_for(web.check_id(film_id, "film_id"), web.caller(request(), required=False))


@app.route("/unsubscribe", methods=["GET"])
def unsubscribe():
    from chalicelib.services import notifications

    return notifications.unsubscribe(web.query_param(request(), "token"))


@app.route("/admin/notifications", methods=["GET"])
def failed_notifications():
    from chalicelib.services import notifications

    caller = web.caller(request())
    return notifications.failures(
        caller, status=web.choice(request(), "status", ("failed",)) or "failed",
        limit=paging.parse_limit(web.query_param(request(), "limit")),
        next_token=web.query_param(request(), "next"),
    )


@app.route("/dev/outbox", methods=["GET"])
def dev_outbox():
    from chalicelib.services import local_outbox

    return local_outbox.messages(to=web.query_param(request(), "to"), text=web.query_param(request(), "q"))
