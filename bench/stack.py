"""Start the local services for a benchmark run (in memory, free ports), like the tests do."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devstack import services  # noqa: E402

PORTS = services.Ports.free()
os.environ.update(services.isolated_environment(PORTS, "coprod-bench"))


@contextlib.contextmanager
def running(*, emulator: bool = False) -> Iterator[services.Ports]:
    """`emulator`: also moto's server (SNS, SES, SQS), with the notification topic and queues."""
    processes = []
    commands = [(services.dynamodb_command(PORTS.dynamodb, None), PORTS.dynamodb),
                (services.stripe_command(PORTS.stripe, None), PORTS.stripe)]
    if emulator:
        commands.append((services.emulator_command(PORTS.emulator), PORTS.emulator))
    try:
        for command, port in commands:
            processes.append(subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL, start_new_session=True))
            services.wait_for_port(port, timeout=90)
        from chalicelib.adapters.tables import create_missing_tables

        create_missing_tables()
        if emulator:
            from devstack import messaging

            messaging.ensure()
        yield PORTS
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def dynamodb_clients() -> list:
    """Every botocore DynamoDB client the app talks through (the shared connection and each
    model's), once each: where benchmarks hook their request counters."""
    from chalicelib.adapters import tables

    clients = {id(tables.connection().client): tables.connection().client}
    for model in tables.ALL_MODELS:
        client = model._get_connection().connection.client
        clients[id(client)] = client
    return list(clients.values())
