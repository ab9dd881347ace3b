"""The film co-production platform's API and event handlers: its table of contents.

Each route parses the request, identifies the caller and calls one service in chalicelib.
"""

from chalice import Chalice

from chalicelib import paging, web
from chalicelib.domain.films import KINDS, STATUSES
from chalicelib.observability import event_middleware, http_middleware, logger
from chalicelib.services import films, pledges, profiles, stats

app = Chalice(app_name="coprod")
app.register_middleware(http_middleware, "http")
app.register_middleware(web.error_middleware(logger), "http")
# Every other kind of handler (schedules, streams, queues, the royalty chunk): a correlation id, metrics flushed.
for _kind in ("scheduled", "pure_lambda", "sqs", "sns", "s3", "cloudwatch"):
    app.register_middleware(event_middleware, _kind)


def request():
    return app.current_request


def _page() -> dict:
    """`limit` and `next` of a list route."""
    return {"limit": paging.parse_limit(web.query_param(request(), "limit")),
            "next_token": web.query_param(request(), "next")}


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


@app.route("/openapi.json", methods=["GET"])
def openapi_document():
    from chalicelib import openapi

    return openapi.document()


# --- Me --------------------------------------------------------------------------------

@app.route("/me", methods=["GET"])
def get_me():
    return profiles.get(web.caller(request()))


@app.route("/me", methods=["PUT"])
def put_me():
    from chalicelib.schemas import Profile

    caller = web.caller(request())
    return profiles.put(caller, web.parse_body(request(), Profile))


@app.route("/me/verify/{channel}", methods=["POST"])
def send_verification_code(channel):
    from chalicelib.services import verification

    caller = web.caller(request())
    return verification.send_code(caller, _channel(channel), web.base_url(request()))


@app.route("/me/verify/{channel}/confirm", methods=["POST"])
def confirm_verification_code(channel):
    from chalicelib.schemas import VerificationCode
    from chalicelib.services import verification

    caller = web.caller(request())
    return verification.confirm(caller, _channel(channel), web.parse_body(request(), VerificationCode).code)


def _channel(value: str) -> str:
    from chalicelib.domain.contacts import CHANNELS
    from chalicelib.errors import invalid_field

    if value not in CHANNELS:
        raise invalid_field("channel", f"must be one of {', '.join(CHANNELS)}")
    return value


@app.route("/me/export", methods=["GET"])
def export_me():
    from chalicelib.services import privacy

    return privacy.export(web.caller(request()))


@app.route("/me", methods=["DELETE"])
def erase_me():
    from chalicelib.services import privacy

    return privacy.erase(web.caller(request()))


@app.route("/me/films", methods=["GET"])
def my_films():
    return films.list_mine(
        web.caller(request()),
        limit=paging.parse_limit(web.query_param(request(), "limit")),
        next_token=web.query_param(request(), "next"),
    )


# --- Co-producer services (perks) ------------------------------------------------------

@app.route("/films/{film_id}/perks", methods=["GET"])
def film_perks(film_id):
    from chalicelib.services import perks

    return perks.list_catalogue(web.caller(request(), required=False), web.check_id(film_id, "film_id"))


@app.route("/films/{film_id}/perks", methods=["POST"])
def create_perk(film_id):
    from chalicelib.schemas import PerkCreate
    from chalicelib.services import perks

    caller = web.caller(request())
    return web.created(perks.create(caller, web.check_id(film_id, "film_id"), web.parse_body(request(), PerkCreate)))


@app.route("/films/{film_id}/perks/{perk_id}", methods=["PATCH"])
def update_perk(film_id, perk_id):
    from chalicelib.schemas import PerkPatch
    from chalicelib.services import perks

    caller = web.caller(request())
    return perks.patch(caller, web.check_id(film_id, "film_id"), web.check_id(perk_id, "perk_id"),
                       web.parse_body(request(), PerkPatch))


@app.route("/films/{film_id}/perks/{perk_id}", methods=["DELETE"])
def delete_perk(film_id, perk_id):
    from chalicelib.services import perks

    perks.delete(web.caller(request()), web.check_id(film_id, "film_id"), web.check_id(perk_id, "perk_id"))
    return web.no_content()


@app.route("/me/films/{film_id}/perks", methods=["GET"])
def my_perks(film_id):
    from chalicelib.services import perks

    return perks.mine(web.caller(request()), web.check_id(film_id, "film_id"))


@app.route("/films/{film_id}/forum/threads", methods=["GET"])
def forum_threads(film_id):
    from chalicelib.services import forum

    return forum.list_threads(web.caller(request()), web.check_id(film_id, "film_id"), **_page())


@app.route("/films/{film_id}/forum/threads", methods=["POST"])
def create_forum_thread(film_id):
    from chalicelib.schemas import ThreadCreate
    from chalicelib.services import forum

    caller = web.caller(request())
    return web.created(forum.create_thread(caller, web.check_id(film_id, "film_id"),
                                           web.parse_body(request(), ThreadCreate)))


@app.route("/films/{film_id}/forum/threads/{thread_id}/posts", methods=["GET"])
def forum_posts(film_id, thread_id):
    from chalicelib.services import forum

    return forum.list_posts(web.caller(request()), web.check_id(film_id, "film_id"),
                            web.check_id(thread_id, "thread_id"), **_page())


@app.route("/films/{film_id}/forum/threads/{thread_id}/posts", methods=["POST"])
def create_forum_post(film_id, thread_id):
    from chalicelib.schemas import PostCreate
    from chalicelib.services import forum

    caller = web.caller(request())
    return web.created(forum.create_post(caller, web.check_id(film_id, "film_id"),
                                         web.check_id(thread_id, "thread_id"), web.parse_body(request(), PostCreate)))


@app.route("/films/{film_id}/forum/threads/{thread_id}/posts/{post_id}", methods=["PATCH"])
def update_forum_post(film_id, thread_id, post_id):
    from chalicelib.schemas import PostPatch
    from chalicelib.services import forum

    caller = web.caller(request())
    return forum.patch_post(caller, web.check_id(film_id, "film_id"), web.check_id(thread_id, "thread_id"),
                            web.check_id(post_id, "post_id"), web.parse_body(request(), PostPatch))


@app.route("/films/{film_id}/sessions", methods=["GET"])
def film_sessions(film_id):
    from chalicelib.services import sessions

    return sessions.list_for(web.caller(request()), web.check_id(film_id, "film_id"), **_page())


@app.route("/films/{film_id}/sessions", methods=["POST"])
def create_session(film_id):
    from chalicelib.schemas import SessionCreate
    from chalicelib.services import sessions

    caller = web.caller(request())
    return web.created(sessions.create(caller, web.check_id(film_id, "film_id"),
                                       web.parse_body(request(), SessionCreate)))


@app.route("/films/{film_id}/sessions/{session_id}", methods=["GET"])
def film_session(film_id, session_id):
    from chalicelib.services import sessions

    return sessions.get(web.caller(request()), web.check_id(film_id, "film_id"),
                        web.check_id(session_id, "session_id"))


@app.route("/films/{film_id}/sessions/{session_id}/rsvp", methods=["POST"])
def rsvp_session(film_id, session_id):
    from chalicelib.services import sessions

    return sessions.rsvp(web.caller(request()), web.check_id(film_id, "film_id"),
                         web.check_id(session_id, "session_id"))


@app.route("/films/{film_id}/sessions/{session_id}/rsvp", methods=["DELETE"])
def cancel_session_rsvp(film_id, session_id):
    from chalicelib.services import sessions

    return sessions.cancel(web.caller(request()), web.check_id(film_id, "film_id"),
                           web.check_id(session_id, "session_id"))


@app.route("/films/{film_id}/sessions/{session_id}/rsvps", methods=["GET"])
def session_attendees(film_id, session_id):
    from chalicelib.services import sessions

    return sessions.attendees(web.caller(request()), web.check_id(film_id, "film_id"),
                              web.check_id(session_id, "session_id"), **_page())


@app.route("/films/{film_id}/casting", methods=["GET"])
def casting_calls(film_id):
    from chalicelib.services import casting

    return casting.list_for(web.caller(request()), web.check_id(film_id, "film_id"), **_page())


@app.route("/films/{film_id}/casting", methods=["POST"])
def create_casting_call(film_id):
    from chalicelib.schemas import CastingCallCreate
    from chalicelib.services import casting

    caller = web.caller(request())
    return web.created(casting.create(caller, web.check_id(film_id, "film_id"),
                                      web.parse_body(request(), CastingCallCreate)))


@app.route("/films/{film_id}/casting/{call_id}/applications", methods=["POST"])
def apply_casting(film_id, call_id):
    from chalicelib.schemas import CastingApplication
    from chalicelib.services import casting

    caller = web.caller(request())
    return web.created(casting.apply(caller, web.check_id(film_id, "film_id"), web.check_id(call_id, "call_id"),
                                     web.parse_body(request(), CastingApplication)))


@app.route("/films/{film_id}/casting/{call_id}/applications", methods=["GET"])
def casting_applicants(film_id, call_id):
    from chalicelib.services import casting

    return casting.applicants(web.caller(request()), web.check_id(film_id, "film_id"),
                              web.check_id(call_id, "call_id"), **_page())


@app.route("/films/{film_id}/casting/{call_id}/decision", methods=["POST"])
def decide_casting(film_id, call_id):
    from chalicelib.schemas import CastingDecision
    from chalicelib.services import casting

    caller = web.caller(request())
    body = web.parse_body(request(), CastingDecision)
    return casting.decide(caller, web.check_id(film_id, "film_id"), web.check_id(call_id, "call_id"), body.selected)


@app.lambda_function(name="watch_backings")
def watch_backings(event, context):
    """Backings stream: tells a co-producer the perks a higher pledge total unlocks."""
    from chalicelib.services import perks

    return perks.watch_backings(event)

# --- Campaign lifecycle ------------------------------------------------------------------


@app.schedule("rate(15 minutes)")
def close_campaigns(event):
    from chalicelib.services import campaigns

    return campaigns.run(campaigns.budget_for(event.context))


@app.route("/films/{film_id}/close", methods=["POST"])
def close_film(film_id):
    from chalicelib.services import campaigns

    return campaigns.close_now(web.caller(request()), web.check_id(film_id, "film_id"))


@app.route("/admin/refunds", methods=["GET"])
def admin_refunds():
    from chalicelib.services import refunds

    return refunds.list_admin(
        web.caller(request()),
        status=web.choice(request(), "status", refunds.LISTED_STATUSES),
        limit=paging.parse_limit(web.query_param(request(), "limit")),
        next_token=web.query_param(request(), "next"),
    )

# --- Payments: reconciliation and disputes ----------------------------------------------

@app.schedule("rate(15 minutes)")
def reconcile_payments(event):
    from chalicelib.services import campaigns, reconciliation

    return reconciliation.run(campaigns.budget_for(event.context))


@app.route("/admin/reconciliation", methods=["GET"])
def admin_reconciliation():
    from chalicelib.services import reconciliation

    return reconciliation.list_admin(web.caller(request()),
                                     limit=paging.parse_limit(web.query_param(request(), "limit")),
                                     next_token=web.query_param(request(), "next"))


@app.route("/admin/disputes", methods=["GET"])
def admin_disputes():
    from chalicelib.services import disputes

    return disputes.list_admin(web.caller(request()),
                               limit=paging.parse_limit(web.query_param(request(), "limit")),
                               next_token=web.query_param(request(), "next"))

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

    return notifications.notify(event, context)


@app.route("/films/{film_id}/milestones", methods=["GET"])
def film_milestones(film_id):
    from chalicelib.services import milestones

    return milestones.list_for(web.check_id(film_id, "film_id"), web.caller(request(), required=False))


@app.route("/unsubscribe", methods=["GET"])
def unsubscribe():
    from chalicelib.services import notifications

    return notifications.unsubscribe_preview(web.query_param(request(), "token"), web.base_url(request()))


@app.route("/unsubscribe", methods=["POST"], content_types=list(web.UNSUBSCRIBE_CONTENT_TYPES))
def unsubscribe_now():
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
    from chalicelib.services import payout_accounts

    web.caller(request())
    payout_accounts.retired_put()  # 410: accounts come from Stripe Connect onboarding only


@app.route("/me/payout-account", methods=["GET"])
def get_payout_account():
    from chalicelib.services import payout_accounts

    return payout_accounts.get(web.caller(request()))


@app.route("/me/payout-account/onboarding", methods=["POST"])
def payout_account_onboarding():
    from chalicelib.services import payout_accounts

    caller = web.caller(request())
    return payout_accounts.start_onboarding(caller, web.base_url(request()))


@app.route("/dev/connect/onboarding", methods=["GET"])
def local_connect_onboarding():
    from chalicelib.services import payout_accounts

    return payout_accounts.complete_local(web.query_param(request(), "token"))


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


@app.schedule("rate(1 hour)")
def retry_payouts(event):
    from chalicelib.services import payouts

    return payouts.retry_due()


@app.lambda_function(name="public_api")
def public_api(event, context):
    """The public routes (infra/functions.py PUBLIC_ROUTES), which API Gateway sends to this function:
    the same routing, under a role without the Stripe keys and without any delete."""
    return app(event, context)


@app.schedule("rate(1 day)")
def erase_departed_users(event):
    from chalicelib.services import departures

    return departures.scheduled()


@app.lambda_function(name="distribute_royalties_chunk")
def distribute_royalties_chunk(event, context):
    from chalicelib.services import royalty_runs

    return royalty_runs.handle_chunks(event, context)


# --- Every route ------------------------------------------------------------------------
# A dependency that does not answer in time, or throttles: 503 with Retry-After, never a 500.
web.answer_outages_on_every_route(app)
