"""Payments: the reconciliation of pledges still waiting for Stripe, and disputes."""

from chalice import Blueprint

from chalicelib import web
from chalicelib.lazy import campaigns, disputes, reconciliation

bp = Blueprint(__name__)


@bp.schedule("rate(15 minutes)")
def reconcile_payments(event):
    return reconciliation.run(campaigns.budget_for(event.context))


@bp.route("/admin/reconciliation", methods=["GET"])
def admin_reconciliation():
    return reconciliation.list_admin(web.caller(bp.current_request), **web.page(bp.current_request))


@bp.route("/admin/disputes", methods=["GET"])
def admin_disputes():
    return disputes.list_admin(web.caller(bp.current_request), **web.page(bp.current_request))
