"""Royalties: rights and receipts, distributions, statements, payout accounts and payouts."""

from chalice import Blueprint

from chalicelib import web
from chalicelib.lazy import distributions, payout_accounts, payouts, rights, royalty_runs, schemas, statements

bp = Blueprint(__name__)


@bp.route("/films/{film_id}/rights", methods=["PUT"])
def put_rights(film_id):
    caller = web.caller(bp.current_request)
    return rights.put_rights(caller, web.check_id(film_id, "film_id"),
                             web.parse_body(bp.current_request, schemas.Rights))


@bp.route("/films/{film_id}/receipts", methods=["POST"])
def record_receipt(film_id):
    caller = web.caller(bp.current_request)
    receipt, created = rights.record_receipt(caller, web.check_id(film_id, "film_id"),
                                             web.parse_body(bp.current_request, schemas.ReceiptCreate))
    return web.created(receipt) if created else receipt


@bp.route("/films/{film_id}/receipts", methods=["GET"])
def list_receipts(film_id):
    return rights.list_receipts(web.caller(bp.current_request), web.check_id(film_id, "film_id"))


@bp.route("/admin/distributions", methods=["POST"])
def run_distribution():
    caller = web.caller(bp.current_request)
    return royalty_runs.request(caller, web.parse_body(bp.current_request, schemas.DistributionRun))


@bp.route("/films/{film_id}/distributions/{period}", methods=["GET"])
def film_distribution(film_id, period):
    return distributions.get(web.caller(bp.current_request), web.check_id(film_id, "film_id"), period)


@bp.route("/me/royalties", methods=["GET"])
def my_royalties():
    return statements.royalties(web.caller(bp.current_request))


@bp.route("/me/statements/{period}", methods=["GET"])
def my_statement(period):
    body = statements.statement(web.caller(bp.current_request), period)
    if web.choice(bp.current_request, "format", ("json", "csv")) == "csv":
        return web.Response(body=statements.statement_csv(body), status_code=200,
                            headers={"Content-Type": "text/csv; charset=utf-8"})
    return body


@bp.route("/me/portfolio", methods=["GET"])
def my_portfolio():
    return statements.portfolio(web.caller(bp.current_request))


@bp.route("/me/payout-account", methods=["PUT"])
def put_payout_account():
    web.caller(bp.current_request)
    payout_accounts.retired_put()  # 410: accounts come from Stripe Connect onboarding only


@bp.route("/me/payout-account", methods=["GET"])
def get_payout_account():
    return payout_accounts.get(web.caller(bp.current_request))


@bp.route("/me/payout-account/onboarding", methods=["POST"])
def payout_account_onboarding():
    caller = web.caller(bp.current_request)
    return payout_accounts.start_onboarding(caller, web.base_url(bp.current_request))


@bp.route("/admin/payouts", methods=["GET"])
def failed_payouts():
    web.choice(bp.current_request, "status", ("failed",))
    return payouts.failed(web.caller(bp.current_request), **web.page(bp.current_request))


@bp.schedule("cron(0 3 1 * ? *)")
def distribute_royalties(event):
    royalty_runs.scheduled()


@bp.schedule("rate(1 hour)")
def retry_payouts(event):
    return payouts.retry_due()


@bp.lambda_function(name="distribute_royalties_chunk")
def distribute_royalties_chunk(event, context):
    return royalty_runs.handle_chunks(event, context)
