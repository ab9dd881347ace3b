"""Run a schedule handler of app.py against the local stack: once (and print what it did), or
every N seconds as a `make run` process, EventBridge's role on AWS."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from typing import Any, Callable

from devstack.services import ROOT, Ports, app_environment, wait_for_port


def scheduled_event(handler: str) -> dict:
    """An EventBridge scheduled event, as Lambda hands it to the handler."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "000000000000", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": os.environ.get("AWS_REGION", "eu-west-3"),
            "resources": [f"arn:aws:events:local:000000000000:rule/{handler}"], "detail": {}}


class LocalContext:
    """The bits of a Lambda context the handler reads: a 900 s function just started."""

    def __init__(self, timeout_seconds: int = 900):
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)


def run_once(handler: str) -> dict:
    import app

    # app.py's own schedules, or a blueprint's (chalicelib/routes/), which Chalice keeps by name
    function = getattr(app, handler, None) or app.app.handler_map[handler]
    return function(scheduled_event(handler), LocalContext())


def main(handler: str, description: str, worth_printing: Callable[[dict[str, Any]], bool]) -> int:
    """`--every N`: run every N seconds once the API listens, printing the runs that did something."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--every", type=float, default=0, help="seconds between runs (0: run once)")
    args = parser.parse_args()
    ports = Ports.from_env()
    os.environ.update({k: v for k, v in app_environment(ports).items() if k not in os.environ})
    sys.path.insert(0, str(ROOT))
    if not args.every:
        print(json.dumps(run_once(handler), indent=2), flush=True)
        return 0
    wait_for_port(ports.api, timeout=3600)  # the API listens once tables exist and demo data is in
    while True:
        try:
            report = run_once(handler)
            if worth_printing(report):
                print(f"{handler}: {json.dumps(report)}", flush=True)
        except Exception as exc:  # keep the scheduler alive: the next run tries again
            print(f"{handler} failed: {exc!r}", flush=True)
        time.sleep(args.every)
