"""Cold start: import time of each Lambda's entry, as a ratio to a bare Chalice app that
imports boto3, measured in the same run (median of fresh processes, interleaved).

Every Lambda of a Chalice app has the same entry module, app.py; what differs is what a
handler imports lazily on its first call. So for each handler this measures `import app`
plus the modules that handler loads lazily (read from its blueprint with `ast`), which is what
its first invocation loads before doing any I/O. Routes share one Lambda (`api_handler`):
its figure is `import app` alone, the issue's target (<= 1.15), plus the heaviest route.
"""

from __future__ import annotations

import ast
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from bench.report import publish

ROOT = Path(__file__).resolve().parents[1]
REPEATS = int(os.environ.get("COLD_START_REPEATS", "21"))
TARGET_API = 1.15
BARE_APP = "import boto3\nfrom chalice import Chalice\n\napp = Chalice(app_name='bare')\n"
HEAVY = ("stripe", "pydantic", "jwt", "cryptography", "aws_xray_sdk")


def _decorator_kind(node: ast.expr) -> tuple[str, str | None] | None:
    """@bp.route(...) -> ("route", None); @bp.lambda_function(name="x") -> ("lambda_function", "x")."""
    call = node if isinstance(node, ast.Call) else None
    target = call.func if call else node
    if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
            and target.value.id in ("app", "bp")):
        return None
    name = next((k.value.value for k in (call.keywords if call else []) if k.arg == "name"
                 and isinstance(k.value, ast.Constant)), None)
    return target.attr, name


def _lazy_declarations(source: str) -> dict[str, str]:
    """chalicelib/lazy.py: `campaigns = lazy("chalicelib.services.campaigns")` -> {name: module}."""
    declared = {}
    for node in ast.parse(source).body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
                and node.value.func.id == "lazy" and isinstance(node.value.args[0], ast.Constant)):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    declared[target.id] = node.value.args[0].value
    return declared


def _lazy_imports(function: ast.FunctionDef, lazy_names: dict[str, str]) -> list[str]:
    """The imports a handler's first call makes: those written in its body, and the modules of
    chalicelib/lazy.py it reads."""
    statements = []
    for node in ast.walk(function):
        if isinstance(node, ast.ImportFrom) and node.module:
            statements.append(f"from {node.module} import {', '.join(a.name for a in node.names)}")
        elif isinstance(node, ast.Import):
            statements.append(f"import {', '.join(a.name for a in node.names)}")
        elif isinstance(node, ast.Name) and node.id in lazy_names:
            statements.append(f"import {lazy_names[node.id]}")
    return list(dict.fromkeys(statements))


def _sources(root: Path) -> list[str]:
    return [(root / "app.py").read_text(), *(path.read_text() for path in sorted((root / "chalicelib" / "routes").glob("*.py")))]


def handlers(root: Path) -> dict[str, list[str]]:
    """Lambda name -> the imports its first call adds to `import app` (handlers of app.py and of
    the blueprints in chalicelib/routes/)."""
    declared = _lazy_declarations((root / "chalicelib" / "lazy.py").read_text())
    found: dict[str, list[str]] = {"api_handler": []}
    heaviest_route: list[str] = []
    for source in _sources(root):
        tree = ast.parse(source)
        lazy_names = {alias.asname or alias.name: declared[alias.name] for node in tree.body
                      if isinstance(node, ast.ImportFrom) and node.module == "chalicelib.lazy"
                      for alias in node.names if alias.name in declared}
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                kind = _decorator_kind(decorator)
                if kind is None:
                    continue
                imports = _lazy_imports(node, lazy_names)
                if kind[0] == "route":
                    if len(imports) > len(heaviest_route):
                        heaviest_route = imports
                else:
                    found[kind[1] or node.name] = imports
    found["api_handler (a route that parses a body)"] = heaviest_route
    return found


def _probe(setup: str, imports: list[str], cwd: Path) -> str:
    body = "; ".join(imports) or "pass"
    return (f"import time, sys; t = time.perf_counter(); {setup}; {body}; "
            f"print(time.perf_counter() - t); print(','.join(m for m in {HEAVY!r} if m in sys.modules))")


def _run(code: str, cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    seconds, heavy = out.stdout.strip().split("\n") + [""] * (2 - len(out.stdout.strip().split("\n")))
    return float(seconds), heavy


def measure() -> dict:
    entries = handlers(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bare_app.py").write_text(BARE_APP)
        env = {**os.environ, "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}", "PYTHONDONTWRITEBYTECODE": "0"}
        probes = {"bare Chalice + boto3": (_probe("import bare_app", [], ROOT), ROOT)}
        for name, imports in entries.items():
            probes[name] = (_probe("import app", imports, ROOT), ROOT)
        samples: dict[str, list[float]] = {name: [] for name in probes}
        heavy: dict[str, str] = {}
        for name, (code, cwd) in probes.items():  # warm the bytecode caches
            _run(code, cwd, env)
        for _ in range(REPEATS):  # interleaved, so that noise hits every probe alike
            for name, (code, cwd) in probes.items():
                seconds, loaded = _run(code, cwd, env)
                samples[name].append(seconds)
                heavy[name] = loaded
    bare = statistics.median(samples["bare Chalice + boto3"])
    return {
        "repeats": REPEATS, "bare_ms": bare * 1000,
        "entries": {name: {"median_ms": statistics.median(s) * 1000, "ratio": statistics.median(s) / bare,
                           "heavy_modules_loaded": heavy[name]}
                    for name, s in samples.items() if name != "bare Chalice + boto3"},
    }


def report(results: dict) -> str:
    lines = [
        f"## Cold start ({date.today().isoformat()})",
        "",
        f"Import time of each Lambda's entry (`import app`, plus the imports its handler makes on the first call),"
        f" median of {results['repeats']} fresh processes, as a ratio to a bare Chalice app importing boto3"
        f" ({results['bare_ms']:.1f} ms) in the same run. Target for the HTTP API: <= {TARGET_API}.",
        "",
        "| Lambda | median import | ratio | heavy modules loaded |",
        "| --- | --- | --- | --- |",
    ]
    for name, entry in results["entries"].items():
        lines.append(f"| {name} | {entry['median_ms']:.1f} ms | {entry['ratio']:.2f} |"
                     f" {entry['heavy_modules_loaded'] or 'none'} |")
    return "\n".join(lines)


def main() -> None:
    results = measure()
    publish("cold-start", report(results), results)


if __name__ == "__main__":
    main()
