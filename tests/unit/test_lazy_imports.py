"""Cold start: `import app` (the entry of every Lambda) must not load what only some
requests need. Checked in a fresh interpreter, since this test process has loaded them all."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAZY = ("stripe", "pydantic", "jwt", "cryptography")


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_app_loads_no_heavy_module():
    loaded = _loaded_after("import app")
    assert "chalicelib" in loaded and "chalice" in loaded  # the probe does see the app's imports
    assert loaded.isdisjoint(LAZY), sorted(loaded.intersection(LAZY))


def test_the_routes_that_need_them_still_load_them():
    assert "pydantic" in _loaded_after("import app; from chalicelib.schemas import FilmCreate")
    assert "jwt" in _loaded_after("import app; from chalicelib import auth; auth.issue_local_token('u')")


def test_event_handlers_first_calls_load_no_request_schemas_nor_stripe_at_import():
    """Each scheduled, stream and queue handler: `import app` plus the imports its body makes."""
    from bench.bench_cold_start import handlers

    entries = {name: imports for name, imports in handlers(ROOT).items()
               if not name.startswith("api_handler")}
    assert {"close_campaigns", "relay_outbox", "send_notifications", "distribute_royalties"} <= set(entries)
    for name, imports in entries.items():
        loaded = _loaded_after("; ".join(["import app", *imports]))
        assert loaded.isdisjoint(("pydantic", "stripe")), (name, sorted(loaded.intersection(("pydantic", "stripe"))))


def test_batch_processing_and_babel_load_with_their_consumers_not_with_the_app():
    """Powertools' batch processing (stream and queue consumers) and Babel (the notifier's
    money and dates) are declared lazy: `import app` loads neither."""
    loaded = _loaded_modules_after("import app")
    assert "aws_lambda_powertools" in loaded  # the probe does see Powertools' logger and metrics
    assert "aws_lambda_powertools.utilities.batch" not in loaded and "babel" not in loaded
    assert "aws_lambda_powertools.utilities.batch" in _loaded_modules_after(
        "import app; from chalicelib.services import milestones; milestones.watch({'Records': []})")
    # The outbox relay shares the notifier's module: Babel waits for the first message written.
    relay = _loaded_modules_after("import app; from chalicelib.services import notifications; "
                                  "notifications.relay({'Records': []})")
    assert "babel" not in relay and "aws_lambda_powertools.utilities.batch" in relay
    assert "babel" in _loaded_modules_after("import app; from chalicelib.lazy import formats; formats.money(1, 'fr')")


def _loaded_modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


# What a film's page does not need: the contact and message rules (the profile's routes), and
# the message bus and outbox (a film's edits). `GET /films/{film_id}` answers without them.
EDITS_ONLY = ("chalicelib.domain.contacts", "chalicelib.domain.messages", "chalicelib.services.messagebus",
              "chalicelib.services.outbox")


def test_import_app_loads_neither_the_contact_rules_nor_the_message_bus():
    loaded = _loaded_modules_after("import app")
    assert "chalicelib.services.films" in loaded  # the probe does see the film page's service
    assert loaded.isdisjoint(EDITS_ONLY), sorted(loaded.intersection(EDITS_ONLY))


def test_the_film_edits_and_the_profile_routes_still_load_them_when_called():
    after = _loaded_modules_after("import app; from chalicelib.services import films; films.messagebus.handle; "
                                  "films.outbox.add_in; from chalicelib.routes import me; me.contacts.CHANNELS")
    assert set(EDITS_ONLY) <= after, sorted(set(EDITS_ONLY) - after)
