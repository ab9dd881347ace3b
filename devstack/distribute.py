"""`make distribute PERIOD=YYYY-MM`: the royalty run of a period against the local stack
(`make run` must be running), with a progress bar on stderr. Same code as the monthly
schedule and `POST /admin/distributions`."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from devstack.services import Ports, app_environment


class ProgressBar:
    """`label [#####.....]  45%  4,500/10,000` on one stderr line, redrawn at most 10x a second."""

    WIDTH = 30

    def __init__(self, stream=sys.stderr):
        self.stream, self.label, self.total, self.done, self.drawn_at = stream, "", 0, 0, 0.0

    def start(self, label: str, total: int) -> None:
        self._end()
        self.label, self.total, self.done = label, max(0, total), 0
        self._draw(force=True)

    def advance(self, count: int) -> None:
        self.done += count
        self._draw()

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.drawn_at < 0.1 and self.done < self.total:
            return
        self.drawn_at = now
        total = max(self.total, self.done, 1)
        filled = self.WIDTH * self.done // total
        self.stream.write(f"\r{self.label[:40]:<40} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                          f"{100 * self.done // total:3d}%  {self.done:,}/{total:,}")
        self.stream.flush()

    def _end(self) -> None:
        """A stage that ends is complete: its total was an estimate (the film's co-producer
        counter), the work done may be less (nothing new to distribute) or more (batches)."""
        if self.label:
            self.total = self.done = max(self.done, self.total)
            self._draw(force=True)
            self.stream.write("\n")

    def close(self) -> None:
        self._end()
        self.label = ""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--period", required=True, help="YYYY-MM")
    args = parser.parse_args()
    os.environ.update({k: v for k, v in app_environment(Ports.from_env()).items() if k not in os.environ})
    from chalicelib import clock
    from chalicelib.domain import royalties as rules
    from chalicelib.services import royalty_runs

    try:
        rules.parse_period(args.period)
    except ValueError as exc:
        print(f"PERIOD {exc}", file=sys.stderr)
        return 2
    if rules.is_future(args.period, clock.today()):
        print("PERIOD is in the future", file=sys.stderr)
        return 2
    bar = ProgressBar()
    result = royalty_runs.run_period(args.period, reporter=bar)
    bar.close()
    summary = {k: result[k] for k in ("period", "credited_cents", "paid_out_cents", "failed_payouts")}
    summary["films"] = [{k: f[k] for k in ("film_id", "status", "coproducers", "rights_received_cents", "pool_cents",
                                           "credited_cents", "unallocated_cents", "credits")} for f in result["films"]]
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
