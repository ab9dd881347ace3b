"""A running local stack, started as `make run` starts it (honcho supervising DynamoDB Local on
disk, moto's server, localstripe and chalice local), on free ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import requests

from devstack import services
from tests.conftest import ROOT


class RunningStack:
    def __init__(self, data_dir, seed: bool, log_path):
        self.ports = services.Ports.free()
        env = {**os.environ, "PORT": str(self.ports.api), "DYNAMODB_PORT": str(self.ports.dynamodb),
               "EMULATOR_PORT": str(self.ports.emulator), "STRIPE_PORT": str(self.ports.stripe), "WEB_PORT": str(self.ports.web),
               "DATA_DIR": str(data_dir), "SEED": "1" if seed else "0", "PYTHONPATH": str(ROOT)}
        self.log_path = log_path
        self.process = subprocess.Popen([sys.executable, "-m", "devstack.run"], cwd=ROOT, env=env,
                                        stdout=open(log_path, "wb"), stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.url = f"http://127.0.0.1:{self.ports.api}"
        self.web_url = f"http://127.0.0.1:{self.ports.web}"

    def wait_ready(self, timeout=480):  # a seeded start on a shared, loaded machine can take minutes
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                if requests.get(self.url + "/stats", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        log = self.log()
        self.stop()  # the caller gets no stack to stop: leave no process behind
        raise AssertionError("the API never answered:\n" + log)

    def log(self):
        return self.log_path.read_text(errors="replace")

    def stop(self):
        """Ctrl-C, as a developer would: every child process must end."""
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise AssertionError("the stack did not stop on Ctrl-C:\n" + self.log())

    def children_alive(self):
        try:
            os.killpg(self.process.pid, 0)
            return True
        except ProcessLookupError:
            return False
