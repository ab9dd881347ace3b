"""Royalty benchmarks: one film's distribution with 10,000 and 100,000 co-producers, as a
ratio to raw BatchWriteItem of the same number of ledger items (same table, same engine, same
run), t(100k)/t(10k), and the allocation of 1,000,000 shares alone in CPU seconds.

Backings are written directly with batch writes (not through pledges). Rewrites only its
own section of BENCHMARKS.md. Run with `make bench` (or `python -m bench.bench_royalties`).
"""

from __future__ import annotations

import json
import re
import sys
import time
import uuid
from pathlib import Path

from bench import stack  # sets the environment first

SIZES = (10_000, 100_000)
ALLOCATION_SHARES = 1_000_000
PERIOD = "2026-01"
MARK = "royalties"


def _backings(film_id: str, count: int) -> None:
    from chalicelib.adapters import bulk

    items = [{"film_id": {"S": film_id}, "user_id": {"S": f"bench-{i:07d}"},
              "confirmed_cents": {"N": str(1000 + (i * 7919) % 49_000)},
              "first_confirmed_at": {"S": f"2025-{1 + i % 12:02d}-01T00:00:00.000000Z"},
              "updated_at": {"S": "2025-12-01T00:00:00.000000Z"}} for i in range(count)]
    bulk.put_all("backings", items)


def _raw_ledger_writes(count: int) -> float:
    """The baseline: BatchWriteItem of `count` credit items, 25 a call, nothing else."""
    from chalicelib.adapters import bulk
    from chalicelib.adapters.tables import connection
    from chalicelib.config import table_name

    film_id = f"raw{uuid.uuid4().hex[:12]}"
    items = [bulk.credit_item(user_id=f"raw-{i:07d}", film_id=film_id, period=PERIOD, batch=1,
                              amount_cents=1234, your_confirmed_cents=5000,
                              created_at="2026-02-01T03:00:00.000000Z") for i in range(count)]
    client, name = connection().client, table_name("royalty_ledger")
    start = time.perf_counter()
    for offset in range(0, count, 25):
        pending = [{"PutRequest": {"Item": item}} for item in items[offset:offset + 25]]
        while pending:
            pending = client.batch_write_item(RequestItems={name: pending}).get("UnprocessedItems", {}).get(name, [])
    return time.perf_counter() - start


def _distribution(count: int) -> dict:
    from chalicelib.schemas import ReceiptCreate
    from chalicelib.services import distributions, rights
    from tests import factories

    film_id = factories.make_film()["film_id"]
    _backings(film_id, count)
    rights.record_receipt(factories.admin(), film_id, ReceiptCreate(
        period=PERIOD, rights_received_cents=123_456_789, reference=f"bench-{film_id}"))
    marks: dict[str, float] = {}

    def checkpoint(step: str) -> None:
        marks.setdefault(step, time.perf_counter())

    raw_before = _raw_ledger_writes(count)
    start = time.perf_counter()
    record = distributions.distribute_film(film_id, PERIOD, checkpoint=checkpoint)
    seconds = time.perf_counter() - start
    raw_after = _raw_ledger_writes(count)
    raw = (raw_before + raw_after) / 2  # brackets the run: the shared machine's load drifts
    done = distributions._load(film_id, PERIOD) or record
    assert int(done.credited_cents) == int(done.pool_cents) == 123_456_789 * 8000 // 10_000
    assert int(done.credits) == count
    return {"coproducers": count, "seconds": seconds, "raw_batch_write_seconds": raw,
            "raw_before_after": [raw_before, raw_after], "ratio": seconds / raw,
            "snapshot_seconds": marks["snapshot"] - start}


def _allocation() -> dict:
    from chalicelib.domain import royalties
    from chalicelib.domain.royalties import Share

    shares = [Share(f"user-{i:07d}", 1000 + (i * 7919) % 49_000, f"2025-{1 + i % 12:02d}")
              for i in range(ALLOCATION_SHARES)]
    start = time.process_time()
    result = royalties.allocate(987_654_321_987, shares)
    cpu = time.process_time() - start
    assert sum(result.values()) == 987_654_321_987
    return {"shares": ALLOCATION_SHARES, "cpu_seconds": cpu}


def report(results: dict) -> str:
    small, large = results["runs"]
    scale = large["seconds"] / small["seconds"]
    lines = [
        "## Royalties",
        "",
        "One film, one batch of receipts: `distributions.distribute_film` (weights streamed, snapshot",
        "pages written, allocation, credits by BatchWriteItem, page markers, totals) against raw",
        "BatchWriteItem of the same number of ledger items to the same table, in the same run (the",
        "mean of one baseline just before and one just after the run). Both write sequentially.",
        "",
        "| figure | measured | baseline (same run) | ratio | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for run in results["runs"]:
        lines.append(f"| distribution, {run['coproducers']:,} co-producers | {run['seconds']:.1f} s | "
                     f"raw BatchWriteItem of {run['coproducers']:,} ledger items: {run['raw_batch_write_seconds']:.1f} s | "
                     f"{run['ratio']:.2f} | <= 1.3 |")
    for run in results["runs"]:
        rest = run["seconds"] - run["snapshot_seconds"]
        lines.append(f"| {run['coproducers']:,}: weights snapshot (stream backings, write pages) / the rest "
                     f"(allocation, credits, page markers, totals) | {run['snapshot_seconds']:.1f} s / {rest:.1f} s | "
                     f"raw: {run['raw_batch_write_seconds']:.1f} s | the rest: {rest / run['raw_batch_write_seconds']:.2f} | |")
    lines += [
        f"| t(100k) / t(10k) | {large['seconds']:.1f} s / {small['seconds']:.1f} s | linear: 10 | {scale:.2f} | <= 11 |",
        f"| allocation of {results['allocation']['shares']:,} shares alone (largest remainder) | "
        f"{results['allocation']['cpu_seconds']:.2f} CPU s | | | |",
        "",
    ]
    return "\n".join(lines)


def write_section(path: Path, body: str) -> None:
    start, end = f"<!-- bench:{MARK} -->", f"<!-- /bench:{MARK} -->"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    section = f"{start}\n{body}{end}"
    if start in text and end in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


def main() -> None:
    with stack.running():
        results = {"runs": [_distribution(n) for n in SIZES], "allocation": _allocation()}
    write_section(Path(__file__).resolve().parents[1] / "BENCHMARKS.md", report(results))
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
