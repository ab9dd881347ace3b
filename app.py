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


# --- Royalties -------------------------------------------------------------------------

@app.route("/films/{film_id}/rights", methods=["PUT"])
def put_rights(film_id):
    from chalicelib.schemas import Rights
    from chalicelib.services import rights

    caller = web.caller(request())
    return rights.put_rights(caller, web.check_id(film_id, "film_id"), web.parse_body(request(), Rights))


@app.route("/films/{film_id}/receipts", methods=["POST"])
def record_receipt(film_id):
    from chalicelib.schemas import ReceiptCreate
    from chalicelib.services import rights

    caller = web.caller(request())
    receipt, created = rights.record_receipt(caller, web.check_id(film_id, "film_id"),
                                             web.parse_body(request(), ReceiptCreate))
    return web.created(receipt) if created else receipt


@app.route("/films/{film_id}/receipts", methods=["GET"])
def list_receipts(film_id):
    from chalicelib.services import rights

    return rights.list_receipts(web.caller(request()), web.check_id(film_id, "film_id"))


@app.route("/admin/distributions", methods=["POST"])
def run_distribution():
    from chalicelib.schemas import DistributionRun
    from chalicelib.services import royalty_runs

    caller = web.caller(request())
    return royalty_runs.request(caller, web.parse_body(request(), DistributionRun))


@app.route("/films/{film_id}/distributions/{period}", methods=["GET"])
def film_distribution(film_id, period):
    from chalicelib.services import distributions

    return distributions.get(web.caller(request()), web.check_id(film_id, "film_id"), period)


@app.route("/me/royalties", methods=["GET"])
def my_royalties():
    from chalicelib.services import statements

    return statements.royalties(web.caller(request()))


@app.route("/me/statements/{period}", methods=["GET"])
def my_statement(period):
    from chalicelib.services import statements

    body = statements.statement(web.caller(request()), period)
    if web.choice(request(), "format", ("json", "csv")) == "csv":
        return web.Response(body=statements.statement_csv(body), status_code=200,
                            headers={"Content-Type": "text/csv; charset=utf-8"})
    return body


@app.route("/me/portfolio", methods=["GET"])
def my_portfolio():
    from chalicelib.services import statements

    return statements.portfolio(web.caller(request()))


@app.route("/me/payout-account", methods=["PUT"])
def put_payout_account():
    from chalicelib.schemas import PayoutAccount
    from chalicelib.services import payouts

    caller = web.caller(request())
    return payouts.set_account(caller, web.parse_body(request(), PayoutAccount))


@app.route("/admin/payouts", methods=["GET"])
def failed_payouts():
    from chalicelib.services import payouts

    web.choice(request(), "status", ("failed",))
    return payouts.failed(web.caller(request()), limit=paging.parse_limit(web.query_param(request(), "limit")),
                          next_token=web.query_param(request(), "next"))


@app.schedule("cron(0 3 1 * ? *)")
def distribute_royalties(event):
    from chalicelib.services import royalty_runs

    royalty_runs.scheduled()


@app.lambda_function(name="distribute_royalties_chunk")
def distribute_royalties_chunk(event, context):
    from chalicelib.services import royalty_runs

    royalty_runs.handle_chunks(event)
