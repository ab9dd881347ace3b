"""Every Lambda of app.py, blueprints included, enters through app.py, where the middleware is."""

import app as application


def _non_http_handlers():
    return [*application.app.pure_lambda_functions, *application.app.event_sources]


def test_every_schedule_stream_and_queue_handler_enters_through_app_py():
    configs = _non_http_handlers()
    assert {"close_campaigns", "relay_outbox", "distribute_royalties_chunk", "watch_backings"} <= {c.name for c in configs}
    for config in configs:
        module, function = config.handler_string.split(".")
        assert module == "app", config.handler_string
        assert getattr(application, function) is application.app.handler_map[config.name]


def test_a_blueprint_handler_runs_under_the_app_middleware(monkeypatch):
    from chalicelib import observability

    seen = []
    monkeypatch.setattr(observability.logger, "set_correlation_id", seen.append)
    monkeypatch.setattr("chalicelib.services.milestones.watch", lambda event: {"batchItemFailures": []})

    class Context:
        aws_request_id = "req-7"

    assert application.watch_counters({"Records": []}, Context()) == {"batchItemFailures": []}
    assert seen == ["req-7"]
