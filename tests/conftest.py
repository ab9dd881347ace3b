"""Test-wide set-up: the local services on free ports, started once per session.

The environment is set here, at import, before any test module imports chalicelib, so
that the PynamoDB models and the Stripe client point at this session's services.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devstack import services  # noqa: E402

PORTS = services.Ports.free()
os.environ.update(services.isolated_environment(PORTS, "coprod-test"))


class LocalServices:
    def __init__(self, ports: services.Ports, log_dir: Path):
        self.ports = ports
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str, command: list[str], port: int) -> None:
        log = open(self.log_dir / f"{name}.log", "wb")
        self.processes.append(subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                               start_new_session=True))
        services.wait_for_port(port, timeout=90)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def local_services(tmp_path_factory):
    """DynamoDB Local in memory, moto's server (SNS/SES/SQS), localstripe from scratch; tables,
    topic and queues created."""
    stack = LocalServices(PORTS, tmp_path_factory.mktemp("services"))
    try:
        stack.start("dynamodb", services.dynamodb_command(PORTS.dynamodb, None), PORTS.dynamodb)
        stack.start("emulator", services.emulator_command(PORTS.emulator), PORTS.emulator)
        stack.start("stripe", services.stripe_command(PORTS.stripe, None), PORTS.stripe)
        from chalicelib.adapters.tables import create_missing_tables
        from devstack import messaging

        create_missing_tables()
        messaging.ensure()  # the events topic, the notifications queue, a verified sender
        yield stack
    finally:
        stack.stop()


@pytest.fixture(autouse=True)
def settings_follow_the_environment():
    """Settings are read once and cached; a test that runs under another environment (Chalice's
    test Client sets its stage's variables while it is open) must not leave the settings it read
    there to the tests after it."""
    yield
    from chalicelib import config

    if config.settings.cache_info().currsize and config.settings() != config.settings.__wrapped__():
        from chalicelib.adapters import clients

        clients.rebuild()
