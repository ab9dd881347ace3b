"""`make distribute PERIOD=YYYY-MM`: the royalty run of a period against the local stack
(`make run` must be running), with a progress bar on stderr. Same code as the monthly
schedule and `POST /admin/distributions`."""

from __future__ import annotations

import argparse
import json
import os
import sys

from tqdm import tqdm

from devstack.services import Ports, app_environment


class ProgressBar:
    """One stderr line per stage, drawn by tqdm: `label [#####.....]  45%  4500/10000`, redrawn
    as the work advances (at most every `min_interval` seconds)."""

    FORMAT = "{desc:<40} [{bar:30}] {percentage:3.0f}%  {n_fmt}/{total_fmt}"

    def __init__(self, stream=sys.stderr, min_interval: float = 0.1):
        self.stream, self.min_interval = stream, min_interval
        self.bar: tqdm | None = None

    def start(self, label: str, total: int) -> None:
        self._end()
        self.bar = tqdm(total=max(0, total), desc=label[:40], file=self.stream, bar_format=self.FORMAT, ascii=".#",
                        mininterval=self.min_interval, miniters=1, dynamic_ncols=False, leave=True)

    def advance(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def _end(self) -> None:
        """A stage that ends is complete: its total was an estimate (the film's co-producer
        counter), the work done may be less (nothing new to distribute) or more (batches)."""
        if self.bar is not None:
            self.bar.total = self.bar.n = max(self.bar.n, self.bar.total or 0)
            self.bar.refresh()
            self.bar.close()
            self.bar = None

    def close(self) -> None:
        self._end()


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
