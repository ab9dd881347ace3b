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
