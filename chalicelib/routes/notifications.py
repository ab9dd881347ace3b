"""Notifications: milestones, the outbox relay, sending, unsubscribing, failures.

Stream and queue consumers are plain Lambda functions taking the raw event: infra wires
their sources from infra/functions.py (on_dynamodb_record / on_sns_message would need the
stage's ARNs at package time); `make run` feeds them through devstack/pump.py.
"""

from chalice import Blueprint

from chalicelib import web
from chalicelib.lazy import milestones, notifications

bp = Blueprint(__name__)


@bp.lambda_function(name="watch_counters")
def watch_counters(event, context):
    return milestones.watch(event)


@bp.lambda_function(name="relay_outbox")
def relay_outbox(event, context):
    return notifications.relay(event)


@bp.lambda_function(name="send_notifications")
def send_notifications(event, context):
    return notifications.notify(event, context)


@bp.route("/films/{film_id}/milestones", methods=["GET"])
def film_milestones(film_id):
    return milestones.list_for(web.check_id(film_id, "film_id"), web.caller(bp.current_request, required=False))


@bp.route("/unsubscribe", methods=["GET"])
def unsubscribe():
    request = bp.current_request
    return notifications.unsubscribe_preview(web.query_param(request, "token"), web.base_url(request))


@bp.route("/unsubscribe", methods=["POST"], content_types=list(web.UNSUBSCRIBE_CONTENT_TYPES))
def unsubscribe_now():
    return notifications.unsubscribe(web.query_param(bp.current_request, "token"))


@bp.route("/admin/notifications", methods=["GET"])
def failed_notifications():
    caller = web.caller(bp.current_request)
    return notifications.failures(
        caller, status=web.choice(bp.current_request, "status", ("failed",)) or "failed",
        **web.page(bp.current_request),
    )
