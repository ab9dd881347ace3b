"""Royalty benchmarks: one film's distribution with 10,000 and 100,000 co-producers, as a
ratio to raw BatchWriteItem of the same number of ledger items (same table, same engine, same
run), t(100k)/t(10k), the allocation of 1,000,000 shares alone in CPU seconds (against plain
passes over the same shares), and one film's run split in pages on the chunk queue (moto's
SQS), credited by the local event pump with N = 1, 4, 8 workers: wall(N) / wall(1).

Backings are written directly with batch writes (not through pledges). Rewrites only its
own section of BENCHMARKS.md. Run with `make bench` (or `python -m bench.bench_royalties`).

BENCH_PROFILE=1: one more distribution of the first size, on its own film and outside the
timed runs, under pyinstrument, with every DynamoDB call timed by operation; the section then
says where its time goes (frames by self and by total time, requests by operation).
"""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from bench import stack  # sets the environment first
from bench.report import publish

# ROYALTY_SIZES=10000 (or PAGED_COPRODUCERS=...) for a shorter run on a loaded machine: the
# section says which sizes ran.
SIZES = tuple(int(n) for n in os.environ.get("ROYALTY_SIZES", "10000,100000").split(","))
ALLOCATION_SHARES = 1_000_000
PAGED_COPRODUCERS = int(os.environ.get("PAGED_COPRODUCERS", "20000"))
WORKERS = (1, 4, 8, 1)  # N = 1 again at the end: wall(1) is the mean of both (the machine's load drifts)
PAGED_PERIODS = ("2026-02", "2026-03", "2026-04", "2026-05")  # one film, one period per run: the same weights
PROFILED_PERIOD = "2026-06"  # BENCH_PROFILE=1: one more paged run at N = 8, sampled by py-spy
PERIOD = "2026-01"
MARK = "royalties"
DISTRIBUTION_REPEATS = int(os.environ.get("DISTRIBUTION_REPEATS", "3"))  # distributions of each size (medians)
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
PROFILE_TOP = 8


def _backings(film_id: str, count: int) -> None:
    from chalicelib.adapters import bulk

    items = [{"film_id": {"S": film_id}, "user_id": {"S": f"bench-{i:07d}"},
              "confirmed_cents": {"N": str(1000 + (i * 7919) % 49_000)},
              "first_confirmed_at": {"S": f"2025-{1 + i % 12:02d}-01T00:00:00.000000Z"},
              "updated_at": {"S": "2025-12-01T00:00:00.000000Z"}} for i in range(count)]
    bulk.put_all("backings", items)


def _raw_ledger_writes(count: int, in_flight: int = 1) -> float:
    """The baseline: BatchWriteItem of `count` credit items, 25 a call, nothing else; one call
    at a time, or (`in_flight` > 1) as many at once as the distribution keeps in flight."""
    from chalicelib.adapters import bulk
    from chalicelib.adapters.tables import connection
    from chalicelib.config import table_name

    film_id = f"raw{uuid.uuid4().hex[:12]}"
    items = [bulk.credit_item(user_id=f"raw-{i:07d}", film_id=film_id, period=PERIOD, batch=1,
                              amount_cents=1234, your_confirmed_cents=5000,
                              created_at="2026-02-01T03:00:00.000000Z") for i in range(count)]
    client, name = connection().client, table_name("royalty_ledger")
    start = time.perf_counter()
    if in_flight > 1:
        bulk.put_all("royalty_ledger", items, in_flight=in_flight)
        return time.perf_counter() - start
    for offset in range(0, count, 25):
        pending = [{"PutRequest": {"Item": item}} for item in items[offset:offset + 25]]
        while pending:
            pending = client.batch_write_item(RequestItems={name: pending}).get("UnprocessedItems", {}).get(name, [])
    return time.perf_counter() - start


def _film_to_distribute(count: int) -> str:
    """A film with `count` co-producers and one receipt in PERIOD."""
    from chalicelib.schemas import ReceiptCreate
    from chalicelib.services import rights
    from tests import factories

    film_id = factories.make_film()["film_id"]
    _backings(film_id, count)
    rights.record_receipt(factories.admin(), film_id, ReceiptCreate(
        period=PERIOD, rights_received_cents=123_456_789, reference=f"bench-{film_id}"))
    return film_id


def _distribution(count: int) -> dict:
    """DISTRIBUTION_REPEATS distributions of `count` co-producers (one above 10,000), each on its own film, each
    bracketed by raw BatchWriteItem of as many items (one call at a time) just before and just
    after, then raw BatchWriteItem with the distribution's calls in flight, as many times: the
    figures are the medians (the shared machine's load drifts from one run to the next)."""
    from chalicelib.adapters import bulk
    from chalicelib.services import distributions

    repeats = DISTRIBUTION_REPEATS if count <= 10_000 else 1  # a larger size runs once: minutes each
    films = [_film_to_distribute(count) for _ in range(repeats)]
    raws, runs, snapshots = [_raw_ledger_writes(count)], [], []
    for film_id in films:
        marks: dict[str, float] = {}

        def checkpoint(step: str, marks: dict[str, float] = marks) -> None:
            marks.setdefault(step, time.perf_counter())

        start = time.perf_counter()
        record = distributions.distribute_film(film_id, PERIOD, checkpoint=checkpoint)
        runs.append(time.perf_counter() - start)
        snapshots.append(marks["snapshot"] - start)
        raws.append(_raw_ledger_writes(count))
        done = distributions._load(film_id, PERIOD) or record
        assert int(done.credited_cents) == int(done.pool_cents) == 123_456_789 * 8000 // 10_000
        assert int(done.credits) == count
    overlapped = [_raw_ledger_writes(count, in_flight=bulk.IN_FLIGHT) for _ in films]
    seconds, raw = statistics.median(runs), statistics.median(raws)
    return {"coproducers": count, "seconds": seconds, "raw_batch_write_seconds": raw,
            "distribution_runs": runs, "raw_runs": raws, "ratio": seconds / raw,
            "in_flight": bulk.IN_FLIGHT, "raw_in_flight_seconds": statistics.median(overlapped),
            "snapshot_seconds": statistics.median(snapshots)}


def _frames(root: Any) -> tuple[dict[str, float], dict[str, float]]:
    """Self and total seconds by function over a pyinstrument tree; a function's total counts
    each of its calls once (a recursive call is inside the outer one)."""
    own: dict[str, float] = {}
    total: dict[str, float] = {}

    def walk(frame: Any, outer: frozenset[str]) -> None:
        if frame.is_synthetic:
            return
        name = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
        own[name] = own.get(name, 0.0) + frame.total_self_time
        if name not in outer:
            total[name] = total.get(name, 0.0) + frame.time
        for child in frame.children:
            walk(child, outer | {name})

    walk(root, frozenset())
    return own, total


def _profile(count: int) -> dict:
    """One distribution of `count` co-producers under pyinstrument, every DynamoDB call timed by
    operation (botocore's before-call / after-call events on every client the app uses)."""
    from pyinstrument import Profiler

    from chalicelib.services import distributions

    film_id = _film_to_distribute(count)
    calls: dict[str, list[float]] = {}

    def before(model: Any, context: dict, **_: Any) -> None:
        context["bench_started"] = time.perf_counter()

    def after(model: Any, context: dict, **_: Any) -> None:
        seen = calls.setdefault(model.name, [0, 0.0])
        seen[0] += 1
        seen[1] += time.perf_counter() - context.pop("bench_started", time.perf_counter())

    clients = stack.dynamodb_clients()
    for client in clients:
        client.meta.events.register("before-call.dynamodb", before, unique_id="bench-profile-before")
        client.meta.events.register("after-call.dynamodb", after, unique_id="bench-profile-after")
    profiler = Profiler(interval=0.001, async_mode="disabled")
    try:
        profiler.start()
        distributions.distribute_film(film_id, PERIOD)
    finally:
        session = profiler.stop()
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb", unique_id="bench-profile-before")
            client.meta.events.unregister("after-call.dynamodb", unique_id="bench-profile-after")
    own, total = _frames(session.root_frame())
    ours = {name: seconds for name, seconds in total.items() if "chalicelib/" in name}

    def top(table: dict[str, float]) -> list[list[Any]]:
        return [[name, seconds] for name, seconds in sorted(table.items(), key=lambda kv: -kv[1])[:PROFILE_TOP]]

    return {"coproducers": count, "seconds": session.duration, "cpu_seconds": session.cpu_time,
            "self": top(own), "total": top(ours),
            "requests": {name: {"calls": n, "seconds": seconds} for name, (n, seconds) in
                         sorted(calls.items(), key=lambda kv: -kv[1][1])}}


def _allocation() -> dict:
    """CPU seconds (time.process_time) of the allocation of 1,000,000 shares: as the run uses it
    (the plan, then each share's cents in the order of the shares) and as `allocate` (a dict
    keyed by user id), against plain passes over the same shares in the same run: a loop
    summing their weights, and building a dict of 1,000,000 user ids. Best of 3 each."""
    from chalicelib.domain import royalties
    from chalicelib.domain.royalties import Share

    pool = 987_654_321_987
    shares = [Share(f"user-{i:07d}", 1000 + (i * 7919) % 49_000, f"2025-{1 + i % 12:02d}")
              for i in range(ALLOCATION_SHARES)]

    def cpu(work: Any) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            work()
            best = min(best, time.process_time() - start)
        return best

    cents = royalties.amounts(royalties.plan(pool, shares), shares)
    assert sum(cents) == pool and dict(zip((s.user_id for s in shares), cents)) == royalties.allocate(pool, shares)
    return {
        "shares": ALLOCATION_SHARES,
        "cpu_seconds": cpu(lambda: royalties.amounts(royalties.plan(pool, shares), shares)),
        "allocate_cpu_seconds": cpu(lambda: royalties.allocate(pool, shares)),
        "sum_loop_cpu_seconds": cpu(lambda: sum(s.weight_cents for s in shares)),
        "dict_cpu_seconds": cpu(lambda: dict(zip([s.user_id for s in shares], range(len(shares))))),
    }


def _paged_film(count: int) -> str:
    """A film with `count` co-producers and one receipt in each period of PAGED_PERIODS."""
    from chalicelib.schemas import ReceiptCreate
    from chalicelib.services import rights
    from tests import factories

    film_id = factories.make_film()["film_id"]
    _backings(film_id, count)
    for period in (*PAGED_PERIODS, PROFILED_PERIOD):
        rights.record_receipt(factories.admin(), film_id, ReceiptCreate(
            period=period, rights_received_cents=123_456_789, reference=f"bench-{film_id}-{period}"))
    return film_id


def _paged(film_id: str, period: str, count: int, workers: int) -> dict:
    """One film's run on the chunk queue: the film's message (weights, claim, plans, one message
    per page), then its pages, credited by the local pump with `workers` at once, until the
    queue is empty. The run's settling (payouts, statements) is left out: `films` is empty."""
    from chalicelib.adapters.channels import send_to_queue
    from chalicelib.services import distributions, royalty_runs
    from devstack.pump import Pump

    invocations: list[float] = []

    def chunk(event: dict, context: Any) -> dict:
        start = time.perf_counter()
        try:
            return royalty_runs.handle_chunks(event, context)
        finally:
            invocations.append(time.perf_counter() - start)

    pump = Pump({"distribute_royalties_chunk": chunk}, workers=workers)
    cpu, start = time.process_time(), time.perf_counter()
    send_to_queue("distribution-chunks", {"film_id": film_id, "period": period, "run_period": period, "films": []})
    pump.drain()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    done = distributions._load(film_id, period)
    assert done is not None and done.status == "done"
    assert int(done.credited_cents) == int(done.pool_cents) == 123_456_789 * 8000 // 10_000
    assert int(done.credits) == count
    return {"coproducers": count, "workers": workers, "seconds": seconds, "cpu_seconds": cpu, "invocations": len(invocations),
            "first_invocation_seconds": invocations[0], "longest_page_seconds": max(invocations[1:]),
            "pages": int(done.snapshot_pages)}


def _paged_profile(film_id: str) -> dict:
    """One more paged run at N = 8, outside the timed ones, with every thread sampled (the
    pump's workers included): what the workers do with their time."""
    from bench import profiles

    with profiles.sampled() as profile:
        run = _paged(film_id, PROFILED_PERIOD, PAGED_COPRODUCERS, max(WORKERS))
    return {"run": run, "summary": profiles.summary(profile)}


def report(results: dict) -> str:
    runs = results["runs"]
    lines = [
        f"## Royalties ({date.today().isoformat()})",
        "",
        "One film, one batch of receipts: `distributions.distribute_film` (weights streamed, snapshot",
        "pages written, allocation, credits by BatchWriteItem, page markers, totals) against raw",
        "BatchWriteItem of the same number of ledger items to the same table, in the same run (the",
        "baselines just before and just after each run), one call at a time: with several runs of a size,",
        "the medians of the runs and of the baselines (each run's figures in bench/results_royalties.json). The",
        f"distribution keeps up to {runs[0].get('in_flight', 1)} BatchWriteItem calls in flight (adapters/bulk.py "
        "`put_groups`): the next", "batches are serialised and sent while DynamoDB writes the first; raw BatchWriteItem with as many",
        "calls in flight is measured too (last row of each size). Beyond the ledger items the baseline writes",
        "(one per co-producer), a distribution writes one snapshot page per 1,000 co-producers (0.001 an",
        "item per co-producer) and one page marker transaction (2 items) per page (0.002), and reads",
        "each backing once (one Query page per ~1 MB).",
        "",
        "| figure | measured | baseline (same run) | ratio | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for run in results["runs"]:
        lines.append(f"| distribution, {run['coproducers']:,} co-producers | {run['seconds']:.1f} s | "
                     f"raw BatchWriteItem of {run['coproducers']:,} ledger items: {run['raw_batch_write_seconds']:.1f} s | "
                     f"{run['ratio']:.2f} | {'<= 1.2' if run['coproducers'] <= 10_000 else '<= 1.15'} |")
    for run in results["runs"]:
        rest = run["seconds"] - run["snapshot_seconds"]
        lines.append(f"| {run['coproducers']:,}: weights snapshot (stream backings, write pages) / the rest "
                     f"(allocation, credits, page markers, totals) | {run['snapshot_seconds']:.1f} s / {rest:.1f} s | "
                     f"raw: {run['raw_batch_write_seconds']:.1f} s | the rest: {rest / run['raw_batch_write_seconds']:.2f} | |")
        if "distribution_runs" in run:
            lines.append(f"| {run['coproducers']:,}: each run / each raw baseline, in order | "
                         f"{', '.join(f'{t:.1f}' for t in run['distribution_runs'])} s | "
                         f"{', '.join(f'{t:.1f}' for t in run['raw_runs'])} s | | |")
        if "raw_in_flight_seconds" in run:
            lines.append(f"| {run['coproducers']:,}: distribution vs raw BatchWriteItem with {run['in_flight']} calls in flight "
                         f"| {run['seconds']:.1f} s | {run['raw_in_flight_seconds']:.1f} s | "
                         f"{run['seconds'] / run['raw_in_flight_seconds']:.2f} | |")
    allocation = results["allocation"]
    if len(runs) == 2:
        small, large = runs
        lines.append(f"| t(100k) / t(10k) | {large['seconds']:.1f} s / {small['seconds']:.1f} s | linear: 10 | "
                     f"{large['seconds'] / small['seconds']:.2f} | <= 11 |")
    lines += [
        f"| allocation of {allocation['shares']:,} shares (largest remainder: the plan, then each share's cents) | "
        f"{allocation['cpu_seconds']:.2f} CPU s | a loop summing their weights: {allocation['sum_loop_cpu_seconds']:.3f} CPU s"
        f" | {allocation['cpu_seconds'] / allocation['sum_loop_cpu_seconds']:.1f} | <= 0.8 CPU s |",
        f"| the same as `allocate` (a dict keyed by user id) | {allocation['allocate_cpu_seconds']:.2f} CPU s | "
        f"building a dict of {allocation['shares']:,} user ids: {allocation['dict_cpu_seconds']:.2f} CPU s | "
        f"{allocation['allocate_cpu_seconds'] / allocation['dict_cpu_seconds']:.2f} | |",
        "",
    ]
    paged = results["paged"]
    one = paged[0]
    wall_one = (paged[0]["seconds"] + paged[-1]["seconds"]) / 2
    first_one = (paged[0]["first_invocation_seconds"] + paged[-1]["first_invocation_seconds"]) / 2
    cores = os.cpu_count() or 1
    bound = (first_one + (wall_one - first_one) / cores) / wall_one
    lines += [
        f"### One film's run split in pages ({one['coproducers']:,} co-producers, {one['pages']} pages)",
        "",
        "The film's message on the chunk queue (moto's SQS) takes the weights, claims the receipts, decides the",
        "allocation's plan and sends one message per page of co-producers; the local event pump (devstack/pump.py)",
        "hands the queue's messages to N invocations of the chunk handler at once (threads, in one process), as",
        "Lambda's concurrency does on AWS. Wall time from the film's message to the queue empty and the batch",
        "closed (totals checked exact); the run's settling is not included. N = 1 runs first and last: wall(1)",
        f"is the mean of both ({paged[0]['seconds']:.1f} s, {paged[-1]['seconds']:.1f} s). CPU: of the process that runs",
        "the handlers (DynamoDB Local and moto run in their own processes, on the same cores).",
        "",
        "| workers N | wall(N) | wall(N) / wall(1) | CPU s (handlers' process) | invocations | film's message | longest page | target |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in paged[:-1]:
        lines.append(f"| {run['workers']} | {run['seconds']:.1f} s | {run['seconds'] / wall_one:.2f} | "
                     f"{run['cpu_seconds']:.1f} | {run['invocations']} | {run['first_invocation_seconds']:.1f} s | "
                     f"{run['longest_page_seconds']:.2f} s | {'<= 0.35' if run['workers'] == 8 else ''} |")
    raw = runs[0]["coproducers"] / runs[0]["raw_batch_write_seconds"]
    rates = ", ".join(f"N = {r['workers']}: {r['coproducers'] / (r['seconds'] - r['first_invocation_seconds']):,.0f}/s"
                      for r in paged[:-1])
    lines += ["", "What bounds wall(N) / wall(1) here: DynamoDB Local's write throughput on this shared machine, not "
              f"the workers. One sequential client of raw BatchWriteItem gets {raw:,.0f} items/s in this run; the pages "
              f"write their credits at {rates}: more clients do not make the engine write faster, and the handlers' "
              "process is mostly waiting (its CPU seconds are a fraction of the wall time). Even with an engine that "
              f"scaled, {cores} cores would bound it: the film's message runs alone ({first_one:.1f} s), then the pages' "
              f"work ({wall_one - first_one:.1f} s with one worker) shared by {cores} cores gives wall(N) / wall(1) >= "
              f"{bound:.2f}. On AWS each invocation has its own CPU and DynamoDB scales by partition: the bound is "
              "(film's message + pages / N) / wall(1).",
              "", f"Sizes of this run: distribution {', '.join(f'{n:,}' for n in SIZES)}; paged {PAGED_COPRODUCERS:,}. "
              f"Load average of the machine at the end of the run: {results['load_average'][0]:.1f} (2 cores).", ""]
    if "paged_profile" in results:
        sampled = results["paged_profile"]
        lines += [f"Profile of one more paged run at N = {sampled['run']['workers']} (`BENCH_PROFILE=1`, outside the "
                  f"timed runs; {sampled['run']['seconds']:.1f} s wall):", "", *sampled["summary"], ""]
    if "profile" in results:
        lines += _profile_report(results["profile"])
    return "\n".join(lines)


def _profile_report(profile: dict) -> list[str]:
    requests = profile["requests"]
    waited = sum(r["seconds"] for r in requests.values())
    writes = requests.get("BatchWriteItem", {"calls": 0, "seconds": 0.0})
    lines = [
        f"### Where a distribution's time goes (pyinstrument, {profile['coproducers']:,} co-producers)",
        "",
        f"One more distribution (`BENCH_PROFILE=1`), outside the timed runs: {profile['seconds']:.1f} s wall, "
        f"{profile['cpu_seconds']:.1f} CPU s in this process; {waited:.1f} s inside DynamoDB calls, of which "
        f"BatchWriteItem {writes['seconds']:.1f} s ({writes['calls']} calls).",
        "",
        f"- beyond the credits' BatchWriteItem: the weights' Query {requests.get('Query', {}).get('seconds', 0.0):.2f} s, "
        f"transactions (the claim, one page marker per page, sent from the caller's thread between calls) "
        f"{requests.get('TransactWriteItems', {}).get('seconds', 0.0):.2f} s, the other requests "
        f"{waited - writes['seconds'] - requests.get('Query', {}).get('seconds', 0.0) - requests.get('TransactWriteItems', {}).get('seconds', 0.0):.2f} s; "
        "the credits' calls overlap (up to the in-flight bound), so their seconds add up to more than the wall time",
        "- DynamoDB requests: " + ", ".join(f"{name} {r['calls']} ({r['seconds']:.2f} s)" for name, r in requests.items()),
        "- top frames by self time: " + "; ".join(f"{name} {seconds:.2f} s" for name, seconds in profile["self"]),
        "- top frames of chalicelib by total time: " + "; ".join(
            f"{name} {seconds:.2f} s" for name, seconds in profile["total"]),
        "",
    ]
    return lines


def rewrite() -> None:
    """The section again from bench/results_royalties.json (the last run), without running."""
    results = json.loads((Path(__file__).parent / "results_royalties.json").read_text())
    publish(MARK, report(results), results)


def main() -> None:
    with stack.running(emulator=True):
        allocation = _allocation()
        film_id = _paged_film(PAGED_COPRODUCERS)
        paged = [_paged(film_id, period, PAGED_COPRODUCERS, n) for period, n in zip(PAGED_PERIODS, WORKERS)]
        results = {"runs": [_distribution(n) for n in SIZES], "allocation": allocation, "paged": paged,
                   "load_average": os.getloadavg()}
        if PROFILE:
            results["profile"] = _profile(SIZES[0])
            results["paged_profile"] = _paged_profile(film_id)
    publish(MARK, report(results), results)


if __name__ == "__main__":
    main()
