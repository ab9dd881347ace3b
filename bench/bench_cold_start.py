"""Cold start: import time of each Lambda's entry, as a ratio to a bare Chalice app that
imports boto3, measured in the same run (median of fresh processes, interleaved); and the
first request of a fresh process, import included, against DynamoDB Local and localstripe, as a
ratio to a bare Chalice route importing the same libraries.

Every figure runs on the dependencies that are deployed: a virtual environment of
requirements.txt alone (bench/.venv-deploy, built once and rebuilt when requirements.txt
changes) plus Chalice's runtime, which `chalice package` ships with the function. The
development set would mislead: stripe, for one, imports aiohttp when it is installed.

Every Lambda of a Chalice app has the same entry module, app.py; what differs is what a
handler imports lazily on its first call. So for each handler this measures `import app`
plus the modules that handler loads lazily (read from its blueprint with `ast`), which is what
its first invocation loads before doing any I/O. Routes share one Lambda (`api_handler`):
its figure is `import app` alone, the issue's target (<= 1.15), plus the heaviest route.
"""

from __future__ import annotations

import ast
import json
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
from datetime import date
from pathlib import Path

from bench.report import publish

ROOT = Path(__file__).resolve().parents[1]
REPEATS = int(os.environ.get("COLD_START_REPEATS", "21"))
TARGET_API = 1.15
BARE_APP = "import boto3\nfrom chalice import Chalice\n\napp = Chalice(app_name='bare')\n"
HEAVY = ("stripe", "pydantic", "jwt", "cryptography", "aws_xray_sdk")
TARGET_FIRST_REQUEST = 1.2
DEPLOY_VENV = ROOT / "bench" / ".venv-deploy"


def _chalice_requirement() -> str:
    """Chalice's pin of requirements-dev.txt: its runtime is packaged with every function."""
    lines = (ROOT / "requirements-dev.txt").read_text().splitlines()
    return next(line.split("#")[0].strip() for line in lines if line.startswith("chalice=="))


def deploy_python() -> Path:
    """The interpreter of bench/.venv-deploy: requirements.txt and Chalice's runtime, nothing else."""
    wanted = (ROOT / "requirements.txt").read_text() + _chalice_requirement() + "\n"
    stamp, python = DEPLOY_VENV / ".requirements", DEPLOY_VENV / "bin" / "python"
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(DEPLOY_VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(ROOT / "requirements.txt")], check=True)
    subprocess.run([*pip, "--no-deps", _chalice_requirement()], check=True)  # chalice/app.py alone is used
    stamp.write_text(wanted)
    return python


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


def _run(code: str, cwd: Path, env: dict[str, str], python: Path) -> tuple[float, str]:
    out = subprocess.run([str(python), "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    seconds, heavy = out.stdout.strip().split("\n") + [""] * (2 - len(out.stdout.strip().split("\n")))
    return float(seconds), heavy


def measure(python: Path) -> dict:
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
            _run(code, cwd, env, python)
        for _ in range(REPEATS):  # interleaved, so that noise hits every probe alike
            for name, (code, cwd) in probes.items():
                seconds, loaded = _run(code, cwd, env, python)
                samples[name].append(seconds)
                heavy[name] = loaded
    bare = statistics.median(samples["bare Chalice + boto3"])
    return {
        "repeats": REPEATS, "bare_ms": bare * 1000,
        "entries": {name: {"median_ms": statistics.median(s) * 1000, "ratio": statistics.median(s) / bare,
                           "heavy_modules_loaded": heavy[name]}
                    for name, s in samples.items() if name != "bare Chalice + boto3"},
    }


# --- The first request of a fresh process --------------------------------------------------
# Each probe is a fresh interpreter that reads its event, then (timed) imports its app and
# answers one API Gateway event through Chalice, as the Lambda runtime would.
PROBE = """import json, os, sys, time, types
event = json.loads(os.environ["PROBE_EVENT"])
context = types.SimpleNamespace(aws_request_id="cold-start", function_name="api_handler", memory_limit_in_mb=512,
    invoked_function_arn="arn:aws:lambda:eu-west-3:000000000000:function:api_handler",
    log_stream_name="cold-start", get_remaining_time_in_millis=lambda: 30000)
start = time.perf_counter()
import {module} as entry
imported = time.perf_counter()
response = entry.app(event, context)
answered = time.perf_counter()
assert response["statusCode"] == {status}, response
print(json.dumps({{"import": imported - start, "request": answered - imported}}))
"""
# The bare routes: the same libraries, the least a route can do with them.
BARE_GET = """import boto3  # noqa: F401
from chalice import Chalice
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model
import os


class Film(Model):
    class Meta:
        table_name = os.environ["BARE_FILMS_TABLE"]
        region = os.environ["AWS_REGION"]
        host = os.environ["DYNAMODB_ENDPOINT"]

    film_id = UnicodeAttribute(hash_key=True)
    title = UnicodeAttribute()


app = Chalice(app_name="bare")


@app.route("/films/{film_id}")
def get_film(film_id):
    film = Film.get(film_id, consistent_read=True)
    return {"film_id": film.film_id, "title": film.title}
"""
BARE_POST = """import os
import uuid

import boto3  # noqa: F401
import jwt  # noqa: F401
import pydantic
import stripe
from chalice import Chalice, Response
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model


class PledgeBody(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    amount_cents: int = pydantic.Field(gt=0)
    payment_method_id: str | None = None


class Pledge(Model):
    class Meta:
        table_name = os.environ["BARE_PLEDGES_TABLE"]
        region = os.environ["AWS_REGION"]
        host = os.environ["DYNAMODB_ENDPOINT"]

    pledge_id = UnicodeAttribute(hash_key=True)
    film_id = UnicodeAttribute()
    amount_cents = NumberAttribute()
    payment_intent_id = UnicodeAttribute()


app = Chalice(app_name="bare")


@app.route("/films/{film_id}/pledges", methods=["POST"])
def create_pledge(film_id):
    body = PledgeBody.model_validate_json(app.current_request.raw_body)
    client = stripe.StripeClient(os.environ["STRIPE_SECRET_KEY"], base_addresses={"api": os.environ["STRIPE_API_BASE"]})
    intent = client.v1.payment_intents.create(params={"amount": body.amount_cents, "currency": "eur",
                                                      "payment_method_types": ["card"]})
    pledge = Pledge(uuid.uuid4().hex, film_id=film_id, amount_cents=body.amount_cents, payment_intent_id=intent.id)
    pledge.save()
    return Response(body={"pledge_id": pledge.pledge_id, "client_secret": intent.client_secret}, status_code=201)
"""


def api_event(method: str, resource: str, path: str, path_parameters: dict[str, str],
              headers: dict[str, str] | None = None, body: str | None = None) -> dict:
    """An API Gateway (REST, proxy) event, as Lambda hands it to Chalice."""
    headers = {"host": "api.example.org", **(headers or {})}
    return {
        "resource": resource, "path": path, "httpMethod": method, "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters, "stageVariables": None, "body": body, "isBase64Encoded": False,
        "requestContext": {"resourcePath": resource, "httpMethod": method, "path": f"/api{path}",
                           "requestId": uuid.uuid4().hex, "stage": "api", "domainName": "api.example.org"},
    }


def _first_request(python: Path, module: str, status: int, event: dict, env: dict[str, str],
                   importtime: bool = False) -> dict:
    flags = ["-X", "importtime"] if importtime else []
    out = subprocess.run([str(python), *flags, "-c", PROBE.format(module=module, status=status)], cwd=ROOT,
                         env={**env, "PROBE_EVENT": json.dumps(event)}, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"{module}: {out.stderr[-3000:]}")
    timing = json.loads(out.stdout.strip().splitlines()[-1])
    return {**timing, "stderr": out.stderr} if importtime else timing


def import_profile(stderr: str, top: int = 8) -> list[dict]:
    """`python -X importtime` lines -> the top-level packages that cost most (self time summed
    over their modules), in ms."""
    totals: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        own, _, name = line.removeprefix("import time:").split("|")
        package = name.strip().split(".")[0]
        totals[package] = totals.get(package, 0.0) + int(own) / 1000
    ranked = sorted(totals.items(), key=lambda item: -item[1])
    return [{"package": name, "self_ms": ms} for name, ms in ranked[:top]] + [
        {"package": "(all)", "self_ms": sum(totals.values())}]


def measure_first_requests(python: Path) -> dict:
    """`GET /films/{film_id}` and `POST /films/{film_id}/pledges` as the first request of a
    fresh process, each against its bare route, interleaved. Both pledge routes open their
    PaymentIntent on localstripe (the app's one Stripe call on a pledge without a payment
    method, the browser's flow; the bare route makes the same call)."""
    from bench import stack  # the local services' environment: only when this part runs

    with stack.running():
        from chalicelib.auth import issue_local_token
        from chalicelib.config import table_name
        from tests import factories

        film_id = factories.make_film(goal_cents=10_000_000)["film_id"]
        resource, path = "/films/{film_id}", f"/films/{film_id}"
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "bare_get.py").write_text(BARE_GET)
            (Path(tmp) / "bare_post.py").write_text(BARE_POST)
            env = {**os.environ, "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}", "BARE_FILMS_TABLE": table_name("films"),
                   "BARE_PLEDGES_TABLE": table_name("pledges")}

            def pledge_event() -> dict:
                headers = {"authorization": f"Bearer {issue_local_token(f'cold-{uuid.uuid4().hex[:12]}')}",
                           "content-type": "application/json", "idempotency-key": uuid.uuid4().hex}
                return api_event("POST", f"{resource}/pledges", f"{path}/pledges", {"film_id": film_id}, headers,
                                 json.dumps({"amount_cents": 2500}))

            probes = {
                "get": lambda: _first_request(python, "app", 200, api_event("GET", resource, path, {"film_id": film_id}), env),
                "bare_get": lambda: _first_request(python, "bare_get", 200, api_event("GET", resource, path, {"film_id": film_id}), env),
                "post": lambda: _first_request(python, "app", 201, pledge_event(), env),
                "bare_post": lambda: _first_request(python, "bare_post", 201, pledge_event(), env),
            }
            samples: dict[str, list[dict]] = {name: [] for name in probes}
            for probe in probes.values():  # warm the bytecode caches and the engines
                probe()
            for _ in range(REPEATS):
                for name, probe in probes.items():
                    samples[name].append(probe())
            profiles = {name: import_profile(_first_request(python, module, 201, pledge_event(), env,
                                                            importtime=True)["stderr"])
                        for name, module in (("post", "app"), ("bare_post", "bare_post"))}

    def summary(name: str) -> dict:
        runs = samples[name]
        return {"median_ms": statistics.median(r["import"] + r["request"] for r in runs) * 1000,
                "import_median_ms": statistics.median(r["import"] for r in runs) * 1000,
                "request_median_ms": statistics.median(r["request"] for r in runs) * 1000}

    figures = {name: summary(name) for name in probes}
    return {
        "repeats": REPEATS,
        "get_film": {**figures["get"], "bare": figures["bare_get"],
                     "ratio": figures["get"]["median_ms"] / figures["bare_get"]["median_ms"]},
        "create_pledge": {**figures["post"], "bare": figures["bare_post"],
                          "ratio": figures["post"]["median_ms"] / figures["bare_post"]["median_ms"],
                          "importtime": profiles},
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
    if "first_request" in results:
        lines += ["", *first_request_report(results["first_request"])]
    return "\n".join(lines)


def first_request_report(first: dict) -> list[str]:
    get, post = first["get_film"], first["create_pledge"]

    def cell(figure: dict) -> str:
        return (f"{figure['median_ms']:.1f} ms (import {figure['import_median_ms']:.1f} ms,"
                f" request {figure['request_median_ms']:.1f} ms)")

    def profile(name: str) -> str:
        *top, total = post["importtime"][name]
        return ", ".join(f"{p['package']} {p['self_ms']:.0f}" for p in top) + f" (all: {total['self_ms']:.0f} ms)"

    return [
        "### First request of a fresh process",
        "",
        f"A fresh interpreter imports its app and answers one API Gateway event through Chalice, against"
        f" DynamoDB Local and localstripe (median of {first['repeats']}, interleaved with its baseline). Both"
        " pledge routes open one PaymentIntent on localstripe: the app's only Stripe call for a pledge without"
        " a payment method (the browser confirms it), and the same call in the bare route, so that the ratio"
        " is about import and first-request work.",
        "",
        "| figure | measured | baseline (same run) | ratio | target |",
        "| --- | --- | --- | --- | --- |",
        f"| first `GET /films/{{film_id}}` (anonymous) | {cell(get)} | bare Chalice route importing chalice,"
        f" boto3, pynamodb, one GetItem: {cell(get['bare'])} | {get['ratio']:.2f} | <= {TARGET_FIRST_REQUEST} |",
        f"| first `POST /films/{{film_id}}/pledges` (signed in, no payment method) | {cell(post)} | bare route"
        f" importing chalice, boto3, pynamodb, pydantic, PyJWT, stripe: parses the body, one PaymentIntent, one"
        f" PutItem: {cell(post['bare'])} | {post['ratio']:.2f} | <= {TARGET_FIRST_REQUEST} |",
        "",
        "`python -X importtime`, one first `POST /films/{film_id}/pledges`, self time summed per top-level"
        " package (ms):",
        "",
        f"- the app: {profile('post')}",
        f"- the bare route: {profile('bare_post')}",
    ]


def main() -> None:
    python = deploy_python()
    results = measure(python)
    if os.environ.get("COLD_START_FIRST_REQUEST", "1") != "0":
        results["first_request"] = measure_first_requests(python)
    publish("cold-start", report(results), results)


if __name__ == "__main__":
    main()
