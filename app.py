"""The film co-production platform's API and event handlers: its table of contents.

Each section is a blueprint in chalicelib/routes/: its routes parse the request, identify the
caller and call one service in chalicelib; its schedules, streams and queues hand their event to one.
"""

from chalice import Chalice

from chalicelib import entry, web
from chalicelib.observability import event_middleware, http_middleware, logger
from chalicelib.routes import (campaigns, casting, community, dev, films, forum, funding, me, notifications, payments,
                               perks, platform, pledges, royalties, sessions, simulation, statements_yearly, web_client)

app = Chalice(app_name="coprod")
app.register_middleware(http_middleware, "http")
app.register_middleware(web.error_middleware(logger), "http")
# Every other kind of handler (schedules, streams, queues, the royalty chunk): a correlation id, metrics flushed.
for _kind in ("scheduled", "pure_lambda", "sqs", "sns", "s3", "cloudwatch"):
    app.register_middleware(event_middleware, _kind)

# One line per section; a new section goes above the `Every route` block below.
app.register_blueprint(films.bp)          # the catalogue and a film's page
app.register_blueprint(funding.bp)        # a film's funding day by day
app.register_blueprint(pledges.bp)        # pledges and Stripe's webhook
app.register_blueprint(platform.bp)       # figures and the API document
app.register_blueprint(me.bp)             # profile, contacts, personal data
app.register_blueprint(perks.bp)          # co-producer services
app.register_blueprint(forum.bp)          # a film's forum
app.register_blueprint(sessions.bp)       # a film's sessions
app.register_blueprint(casting.bp)        # a film's casting calls
app.register_blueprint(campaigns.bp)      # closing campaigns, refunds
app.register_blueprint(payments.bp)       # reconciliation, disputes
app.register_blueprint(notifications.bp)  # milestones, messages, unsubscribing
app.register_blueprint(royalties.bp)      # rights, distributions, statements, payouts
app.register_blueprint(statements_yearly.bp)  # yearly statements (JSON, CSV, PDF) and their January notice
app.register_blueprint(simulation.bp)     # the earnings simulator
app.register_blueprint(community.bp)      # share links, referrals, updates, credits
app.register_blueprint(web_client.bp)     # what the web client needs: a card set up, a local sign-in
app.register_blueprint(dev.bp)            # the local stack's outbox and Connect onboarding
app.api.binary_types.append(statements_yearly.PDF)  # the yearly statement's PDF leaves as bytes


@app.lambda_function(name="public_api")
def public_api(event, context):
    """The public routes (infra/functions.py PUBLIC_ROUTES), which API Gateway sends to this function:
    the same routing, under a role without the Stripe keys and without any delete."""
    return app(event, context)


# --- Every route ------------------------------------------------------------------------
# A dependency that does not answer in time, or throttles: 503 with Retry-After, never a 500.
web.answer_outages_on_every_route(app)
# --- Every other Lambda (schedules, streams, queues) enters here: app.<handler> ---------
globals().update(entry.lambda_entries(app, __name__))
