"""`make run`: every local service under one supervisor (honcho); Ctrl-C stops them all."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from honcho.manager import Manager

from devstack.services import (ROOT, Ports, app_environment, dynamodb_command, emulator_command, stripe_command,
                               web_command)


def main() -> int:
    ports = Ports.from_env()
    data_dir = Path(os.environ.get("DATA_DIR", ROOT / ".local")).resolve()
    (data_dir / "dynamodb").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **app_environment(ports), "DATA_DIR": str(data_dir),
           "PYTHONPATH": str(ROOT), "PORT": str(ports.api),
           "DYNAMODB_PORT": str(ports.dynamodb), "EMULATOR_PORT": str(ports.emulator),
           "STRIPE_PORT": str(ports.stripe), "WEB_PORT": str(ports.web)}
    manager = Manager()
    manager.add_process("dynamodb", shlex.join(dynamodb_command(ports.dynamodb, data_dir / "dynamodb")), env=env, cwd=str(ROOT))
    manager.add_process("emulator", shlex.join(emulator_command(ports.emulator)), env=env, cwd=str(ROOT))
    manager.add_process("stripe", shlex.join(stripe_command(ports.stripe, data_dir / "localstripe.pickle")), env=env, cwd=str(ROOT))
    manager.add_process("api", shlex.join([sys.executable, "-m", "devstack.prepare"]), env=env, cwd=str(ROOT))
    manager.add_process("scheduler", shlex.join([sys.executable, "-m", "devstack.close_campaigns", "--every", "60"]), env=env, cwd=str(ROOT))
    manager.add_process("reconciler", shlex.join([sys.executable, "-m", "devstack.reconcile", "--every", "60"]), env=env, cwd=str(ROOT))
    manager.add_process("announcer", shlex.join([sys.executable, "-m", "devstack.announce_statements", "--every", "3600"]), env=env, cwd=str(ROOT))
    manager.add_process("web", shlex.join(web_command()), env=env, cwd=str(ROOT))
    manager.add_process("pump", shlex.join([sys.executable, "-m", "devstack.pump"]), env=env, cwd=str(ROOT))
    manager.loop()
    return manager.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
