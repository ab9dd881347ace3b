"""Run the `close_campaigns` schedule handler against the local stack.

`make close-campaigns` runs it once and prints what it did; `make run` starts it with
`--every 60` as its scheduler process (EventBridge's role on AWS), which calls it every minute.
"""

from __future__ import annotations

import sys

from devstack import schedules


def _did_something(report: dict) -> bool:
    return bool(report["closed"] or report["refunds_retried"] or report["refunds_failed"] or report["errors"])


if __name__ == "__main__":
    sys.exit(schedules.main("close_campaigns", __doc__, _did_something))
