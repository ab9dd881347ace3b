"""Synthesize the CDK app in-process, once per session per case, into temporary dirs.

`real`: the platform's own app.py for dev and prod. `fixture`: a tiny generated Chalice
app that defines every function of infra/functions.py FUNCTIONS (app.py does not have the
scheduled/queue/stream handlers yet), so per-function settings are checked on real
synthesized resources; it also uses an existing Cognito pool (context) to cover that path.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-west-3"
ACCOUNT = "123456789012"
EXISTING_POOL = {"cognito_user_pool_id": "eu-west-3_Existing1", "cognito_app_client_id": "existingclient123"}


@dataclass
class Synth:
    stage: str
    template: Any  # aws_cdk.assertions.Template
    json: dict
    stack: Any
    seconds: float
    nag: list[str]  # cdk-nag AwsSolutions errors and warnings left unsuppressed: "<path> <rule: text>"

    @property
    def text(self) -> str:
        return json.dumps(self.json)

    def resources(self, type_: str) -> dict[str, dict]:
        return {k: v for k, v in self.json["Resources"].items() if v["Type"] == type_}


def synthesize(stage: str, workdir: Path, *, source_dir: Path = ROOT,
               context: dict | None = None) -> Synth:
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    from infra import nag
    from infra.settings import StageSettings
    from infra.stack import CoprodStack

    started = time.monotonic()
    outdir = workdir / "cdk.out"
    app = cdk.App(outdir=str(outdir), context={
        "aws:cdk:disable-asset-staging": True,  # no 30 MB copy of deployment.zip per synth
        **(context or {})})
    stack = CoprodStack(app, f"coprod-{stage}", settings=StageSettings.from_context(app.node, stage),
                        build_dir=str(workdir), source_dir=str(source_dir),
                        env=cdk.Environment(account=ACCOUNT, region=REGION))
    cdk.Aspects.of(app).add(nag.checks())
    template = Template.from_stack(stack)
    synth = Synth(stage, template, template.to_json(), stack, time.monotonic() - started,
                  nag_findings(stack))
    shutil.rmtree(workdir / "chalice.out", ignore_errors=True)
    shutil.rmtree(outdir, ignore_errors=True)
    return synth


def nag_findings(stack: Any) -> list[str]:
    from aws_cdk.assertions import Annotations, Match

    found = Annotations.from_stack(stack)
    return [f"{m.id} {m.entry.data}".strip()
            for find in (found.find_error, found.find_warning)
            for m in find("*", Match.string_like_regexp("AwsSolutions-"))]


def write_fixture_app(directory: Path, functions: dict[str, Any], *,
                      schedules: dict[str, str] | None = None) -> Path:
    """A Chalice project defining `functions` the way infra/functions.py expects them."""
    lines = ["from chalice import Chalice", "", 'app = Chalice(app_name="coprod")', ""]
    for name, spec in functions.items():
        schedule = (schedules or {}).get(name, getattr(spec, "schedule", None))
        if name == "api_handler":
            lines += ['@app.route("/")', "def index():", "    return {}", ""]
        elif schedule:
            lines += [f"@app.schedule({schedule!r})", f"def {name}(event):", "    return None", ""]
        else:
            lines += [f"@app.lambda_function(name={name!r})", f"def {name}(event, context):",
                      "    return None", ""]
    (directory / ".chalice").mkdir(parents=True, exist_ok=True)
    (directory / "app.py").write_text("\n".join(lines))
    (directory / "requirements.txt").write_text("")
    (directory / ".chalice" / "config.json").write_text(json.dumps({
        "version": "2.0", "app_name": "coprod",
        "stages": {"dev": {"api_gateway_stage": "api"}, "prod": {"api_gateway_stage": "api"}}}))
    return directory


@pytest.fixture(scope="session")
def real(tmp_path_factory) -> dict[str, Synth]:
    # the client's deployment has its own synth (tests/infra/test_client.py): here, never built
    return {stage: synthesize(stage, tmp_path_factory.mktemp(f"infra-{stage}"),
                              context={"web_dist": str(tmp_path_factory.getbasetemp() / "no-client")})
            for stage in ("dev", "prod")}


@pytest.fixture(scope="session")
def fixture_synth(tmp_path_factory) -> Synth:
    from infra.functions import FUNCTIONS

    source = write_fixture_app(tmp_path_factory.mktemp("fixture-app"), FUNCTIONS)
    return synthesize("prod", tmp_path_factory.mktemp("infra-fixture"), source_dir=source,
                      context={**EXISTING_POOL, "web_dist": str(tmp_path_factory.getbasetemp() / "no-client")})
