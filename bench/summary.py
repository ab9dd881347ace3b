"""The speed targets in one table, read from the raw figures every benchmark module of this
`make bench` run left in bench/results_*.json. A figure written by another run (its run id is
not this run's) is shown as not measured in this run, never as this run's.

Run last by `make bench`; `python -m bench.summary` rewrites the table from whatever results
are there (outside `make bench`, every row says which run it comes from).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.report import run_id, write_section

RESULTS = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Row:
    figure: str
    before: str  # when the targets were set, on main
    source: str  # results_<source>.json
    measure: Callable[[dict[str, Any]], float | None]
    show: Callable[[float], str]
    at_most: float | None = None  # the target: the figure <= at_most ...
    at_least: float | None = None  # ... or >= at_least
    target: str = ""

    def met(self, value: float) -> bool:
        if self.at_most is not None and value > self.at_most:
            return False
        return not (self.at_least is not None and value < self.at_least)


def _get(data: dict[str, Any], *path: Any) -> Any:
    for key in path:
        if isinstance(data, list) and callable(key):
            data = next((item for item in data if key(item)), None)
        elif isinstance(data, dict):
            data = data.get(key)
        else:
            return None
        if data is None:
            return None
    return data


def _distribution(n: int) -> Callable[[dict[str, Any]], float | None]:
    return lambda r: _get(r, "runs", lambda run: run.get("coproducers") == n, "ratio")


def _paged_ratio(results: dict[str, Any]) -> float | None:
    walls: dict[int, list[float]] = {}
    for run in results.get("paged") or []:
        walls.setdefault(int(run["workers"]), []).append(float(run["seconds"]))
    if 1 not in walls or not walls.keys() - {1}:
        return None
    return min(sum(w) / len(w) for n, w in walls.items() if n != 1) / (sum(walls[1]) / len(walls[1]))


def _longest_invocation(results: dict[str, Any]) -> float | None:
    runs = results.get("paged") or []
    if not runs:
        return None
    return max(max(float(r["first_invocation_seconds"]), float(r["longest_page_seconds"])) for r in runs)


def _requests_per_pledge(path: str) -> Callable[[dict[str, Any]], float | None]:
    return lambda r: _get(r, "requests_per_pledge", path, "total")


def _fan_out_ratio(results: dict[str, Any]) -> float | None:
    fan, raw = _get(results, "fan_out", "seconds"), _get(results, "raw", "seconds")
    return float(fan) / float(raw) if fan and raw else None


def _ratio(value: float) -> str:
    return f"{value:.2f}"


ROWS = (
    Row("DynamoDB requests per confirmed pledge (request + webhook), paid in the browser (the web client)",
        "not measured (the issue: 4.02)", "pledges", _requests_per_pledge("browser"), lambda v: f"{v:.2f}",
        at_most=2, target="<= 2"),
    Row("DynamoDB requests per confirmed pledge (request + webhook), card confirmed by the server", "12.02; 7 before the PaymentIntent was opened first",
        "pledges", _requests_per_pledge("server"), lambda v: f"{v:.2f}", at_most=2, target="<= 2"),
    Row("`contributions.confirm` vs raw TransactWriteItems", "0.49", "pledges",
        lambda r: _get(r, "confirm_throughput", "ratio_service_to_raw"), _ratio, at_least=0.85, target=">= 0.85"),
    Row("`GET /films/{film_id}` in process vs a bare GetItem route", "2.03", "pledges",
        lambda r: _get(r, "get_film", "ratio"), _ratio, at_most=1.3, target="<= 1.3"),
    Row("first `GET /films/{film_id}` in a fresh process vs a bare route", "not measured", "cold_start",
        lambda r: _get(r, "first_request", "get_film", "ratio"), _ratio, at_most=1.2, target="<= 1.2"),
    Row("first `POST /films/{film_id}/pledges` in a fresh process vs a bare route", "not measured", "cold_start",
        lambda r: _get(r, "first_request", "create_pledge", "ratio"), _ratio, at_most=1.2, target="<= 1.2"),
    Row("royalty distribution vs raw BatchWriteItem, 10,000 co-producers", "1.51", "royalties",
        _distribution(10_000), _ratio, at_most=1.2, target="<= 1.2"),
    Row("royalty distribution vs raw BatchWriteItem, 100,000 co-producers", "1.28", "royalties",
        _distribution(100_000), _ratio, at_most=1.15, target="<= 1.15"),
    Row("largest-remainder allocation of 1,000,000 shares (CPU s)", "2.57", "royalties",
        lambda r: _get(r, "allocation", "cpu_seconds"), lambda v: f"{v:.2f} CPU s", at_most=0.8,
        target="<= 0.8 CPU s"),
    Row("one film's royalty run in pages, wall(N) / wall(1), fewest of N = 4, 8", "one message per film", "royalties",
        _paged_ratio, _ratio, at_most=0.35, target="<= 0.35"),
    Row("one film's royalty run in pages, longest invocation (s)", "one invocation per film", "royalties",
        _longest_invocation, lambda v: f"{v:.1f} s", at_most=120, target="<= 120 s"),
    Row("one milestone's fan-out vs raw publishing, same concurrency", "1.45", "notifications",
        lambda r: _fan_out_ratio(r), _ratio, at_most=1.15, target="<= 1.15"),
    Row("monthly royalty run for 100,000 co-producers, cost model (USD)", "1,460.62", "cost",
        lambda r: _get(r, "royalty_run", "total_usd"), lambda v: f"{v:,.2f}", at_most=15, target="<= 15"),
)


def load(source: str, directory: Path = RESULTS) -> dict[str, Any] | None:
    path = directory / f"results_{source}.json"
    return json.loads(path.read_text()) if path.exists() else None


def rows(run: str | None, directory: Path = RESULTS) -> list[list[str]]:
    """figure, before, measured, target, verdict: one line per target."""
    table = []
    for row in ROWS:
        results = load(row.source, directory)
        value = row.measure(results) if results is not None else None
        if value is None:
            table.append([row.figure, row.before, "not measured", row.target, "-"])
            continue
        shown = row.show(float(value))
        if run is not None and results.get("run") != run:  # type: ignore[union-attr]
            table.append([row.figure, row.before, f"{shown} (another run: {results.get('run')})",  # type: ignore[union-attr]
                          row.target, "not in this run"])
            continue
        table.append([row.figure, row.before, shown, row.target, "met" if row.met(float(value)) else "not met"])
    return table


def report(table: list[list[str]], run: str | None) -> str:
    lines = [
        "## Targets at a glance",
        "",
        f"Every row comes from this `make bench` run ({run})." if run else
        "Rewritten outside `make bench`: each figure is from the run its module last made.",
        " Before: `main` when the targets were set. The sections below give each figure's baseline,"
        " what it counts, and, where a target is not met, the profile that explains the gap.",
        "",
        "| figure | before | this run | target | |",
        "| --- | --- | --- | --- | --- |",
        *("| " + " | ".join(line) + " |" for line in table),
    ]
    return "\n".join(lines)


def main() -> None:
    run = run_id()
    table = rows(run)
    write_section("summary", report(table, run), first=True)
    for line in table:
        print(" | ".join(line))


if __name__ == "__main__":
    main()
