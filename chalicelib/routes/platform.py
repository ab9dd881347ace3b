"""The platform as a whole: its figures and its API document."""

from chalice import Blueprint

from chalicelib.lazy import openapi, stats

bp = Blueprint(__name__)


@bp.route("/stats", methods=["GET"])
def platform_stats():
    return stats.platform()


@bp.route("/openapi.json", methods=["GET"])
def openapi_document():
    return openapi.document()
