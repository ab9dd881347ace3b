"""Run the `reconcile_payments` schedule handler against the local stack.

`make reconcile` runs it once and prints what it found and repaired; `make run` starts it with
`--every 60` as its `reconciler` process (EventBridge's role on AWS).
"""

from __future__ import annotations

import sys

from devstack import schedules


def _did_something(report: dict) -> bool:
    return bool(report["repaired_count"] or report["unrepaired_count"])


if __name__ == "__main__":
    sys.exit(schedules.main("reconcile_payments", __doc__, _did_something))
