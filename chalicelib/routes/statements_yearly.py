"""Yearly royalty statements: `GET /me/statements/yearly/{year}` (JSON, CSV, PDF), and the
January schedule that tells each co-producer credited in the past year that theirs is ready."""

from chalice import Blueprint

from chalicelib import web
from chalicelib.lazy import campaigns, yearly_statements
from chalicelib.errors import invalid_field

bp = Blueprint(__name__)
PDF = "application/pdf"
FORMATS = ("json", "csv", "pdf")


def _accepts_pdf(request) -> bool:
    accept = (request.headers or {}).get("accept") or ""
    parts = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return PDF in parts or "*/*" in parts


@bp.route("/me/statements/yearly/{year}", methods=["GET"])
def my_yearly_statement(year):
    request = bp.current_request
    caller = web.caller(request)
    wanted = web.choice(request, "format", FORMATS) or "json"
    if wanted == "pdf" and not _accepts_pdf(request):
        raise invalid_field("format", "a PDF is sent to a request whose Accept header names application/pdf")
    body = yearly_statements.yearly(caller, year)
    if wanted == "csv":
        return web.Response(body=yearly_statements.as_csv(body), status_code=200,
                            headers={"Content-Type": "text/csv; charset=utf-8"})
    if wanted == "pdf":
        return web.Response(body=yearly_statements.as_pdf(body), status_code=200, headers={
            "Content-Type": PDF,
            "Content-Disposition": f'attachment; filename="royalty-statement-{body["year"]}.pdf"'})
    return body


@bp.schedule("cron(0 6 * 1 ? *)")
def announce_yearly_statements(event):
    """Every day of January at 06:00 UTC: "your yearly statement is ready", once per co-producer
    credited in the past year (a later run only finishes what an earlier one had no time for)."""
    return yearly_statements.announce(campaigns.budget_for(event.context))
