"""Every Lambda enters through app.py, under the app's middleware.

Chalice names a blueprint's Lambda handler after the blueprint's module
(`chalicelib.routes.campaigns.close_campaigns`): AWS would import that module alone, never
app.py, and the handler would run without the middleware registered on the app (correlation
id, metrics flushed, outages counted). So schedules, streams and queues keep `app.<handler>`
as their entry, and app.py exports each of them under that name.
"""

from __future__ import annotations

from typing import Any, Callable


def lambda_entries(app: Any, module: str) -> dict[str, Callable[..., Any]]:
    """Point every non-HTTP handler of `app` at `module.<function>`; the handlers to export there."""
    entries: dict[str, Callable[..., Any]] = {}
    for config in [*app.pure_lambda_functions, *app.event_sources]:
        function = config.handler_string.rsplit(".", 1)[-1]
        config.handler_string = f"{module}.{function}"
        entries[function] = app.handler_map[config.name]
    return entries
