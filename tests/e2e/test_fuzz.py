"""schemathesis against the stack as `make run` starts it (SEED=0, free ports), with a valid
token for each role: no 5xx, every response (errors included) matches GET /openapi.json, and
no request the document allows is answered 400 (positive_data_acceptance, see schemathesis.toml).

`make test` sends at least FUZZ_MIN_REQUESTS requests; `make fuzz` raises FUZZ_EXAMPLES."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import factories
from tests.e2e.stack import RunningStack

# Four schemathesis runs (900 s each at most): the session-wide 600 s of pytest.ini is too short
# for all of them on a loaded machine (seen: 561 s passing, then over 600 s with other suites running).
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
MIN_REQUESTS = int(os.environ.get("FUZZ_MIN_REQUESTS", "1000"))
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance,positive_data_acceptance")
CONFIG = Path(__file__).with_name("schemathesis.toml")
ROLES = {
    "anonymous": None,
    "member": factories.member(),
    "producer": factories.producer(),
    "admin": factories.admin(),
}


def _schemathesis(stack: RunningStack, role: str, caller, report_dir: Path) -> subprocess.CompletedProcess:
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(CONFIG), "run",
        f"{stack.url}/openapi.json",
        "--checks", CHECKS, "--max-examples", str(EXAMPLES),
        # the coverage phase (boundary values, every HTTP method) once, with the widest access
        "--phases", "examples,coverage,fuzzing" if role == "admin" else "examples,fuzzing",
        # One worker: CPython 3.11's AST conversion keeps its recursion depth per interpreter, so two
        # threads describing hypothesis strategies at once (ast.parse) can fail with "AST constructor
        # recursion depth mismatch", a SystemError of the fuzzer's process, not of the API.
        "--workers", "1", "--request-timeout", "30", "--continue-on-failure", "--no-color",
        "--report", "har", "--report-dir", str(report_dir), "--seed", "20261127",
        "--suppress-health-check", "all",
    ]
    if caller is not None:
        command += ["--header", f"Authorization: Bearer {factories.token(caller)}"]
    return subprocess.run(command, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "SCHEMATHESIS_HOOKS": ""})


def _requests_in(report_dir: Path) -> int:
    total = 0
    for har in report_dir.glob("har-*.json"):
        total += len(json.loads(har.read_text())["log"]["entries"])
    return total


def test_fuzzing_finds_no_server_error_and_no_undocumented_response(tmp_path):
    stack = RunningStack(tmp_path / "data", seed=False, log_path=tmp_path / "run.log").wait_ready()
    try:
        sent, failures = 0, []
        for role, caller in ROLES.items():
            report_dir = tmp_path / f"report-{role}"
            result = _schemathesis(stack, role, caller, report_dir)
            sent += _requests_in(report_dir)
            if result.returncode != 0:
                failures.append(f"--- {role} ---\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
    finally:
        stack.stop()
    assert not failures, "\n".join(failures)
    print(f"schemathesis sent {sent} requests over {len(ROLES)} roles")
    assert sent >= MIN_REQUESTS, f"only {sent} requests were sent"
