"""Run the `announce_yearly_statements` schedule handler against the local stack.

`make announce-statements` runs it once and prints what it did (in January: one "your yearly
statement is ready" event per co-producer credited in the past year; other months: nothing).
"""

from __future__ import annotations

import sys

from devstack import schedules


def _did_something(report: dict) -> bool:
    return bool(report["emitted"])


if __name__ == "__main__":
    sys.exit(schedules.main("announce_yearly_statements", __doc__, _did_something))
