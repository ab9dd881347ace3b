"""Run the `reconcile_payments` schedule handler against the local stack.

`make reconcile` runs it once and prints what it found and repaired; `make run` starts it with
`--every 60` as its `reconciler` process (EventBridge's role on AWS).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from devstack.close_campaigns import LocalContext, scheduled_event
from devstack.services import ROOT, Ports, app_environment, wait_for_port


def run_once() -> dict:
    import app

    return app.reconcile_payments(scheduled_event(), LocalContext())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--every", type=float, default=0, help="seconds between runs (0: run once)")
    args = parser.parse_args()
    ports = Ports.from_env()
    os.environ.update({k: v for k, v in app_environment(ports).items() if k not in os.environ})
    sys.path.insert(0, str(ROOT))
    if not args.every:
        print(json.dumps(run_once(), indent=2), flush=True)
        return 0
    wait_for_port(ports.api, timeout=3600)  # the API listens once tables exist and demo data is in
    while True:
        try:
            report = run_once()
            if report["repaired_count"] or report["unrepaired_count"]:
                print(f"reconcile_payments: {json.dumps(report)}", flush=True)
        except Exception as exc:  # keep the scheduler alive: the next minute tries again
            print(f"reconcile_payments failed: {exc!r}", flush=True)
        time.sleep(args.every)


if __name__ == "__main__":
    sys.exit(main())
