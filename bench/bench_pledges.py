"""Pledge benchmarks: DynamoDB requests per confirmed pledge, confirmation throughput as a
ratio to raw TransactWriteItems, and GET /films/{id} as a ratio to a bare GetItem route.

Every figure is a ratio to a baseline measured in the same run on the same engine, so a
noisy shared machine moves both sides alike. Run with `make bench`.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import uuid
from collections import Counter
from datetime import date

from bench import stack  # sets the environment first
from bench.report import write_section

PLEDGES = 300
GETS = 300


def _count_requests(counter: Counter) -> None:
    def hook(model, **_):
        counter[model.name] += 1

    for client in stack.dynamodb_clients():
        client.meta.events.register("before-call.dynamodb", hook)


def requests_per_pledge() -> dict:
    from chalicelib.services import pledges
    from tests import factories

    film = factories.make_film(goal_cents=10_000_000)
    card = __import__("chalicelib.adapters.payments", fromlist=["client"]).client().v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})["id"]
    counter: Counter = Counter()
    _count_requests(counter)
    n = 50
    for _ in range(n):
        pledges.create(factories.member(), film["film_id"], uuid.uuid4().hex, 2500, card)
    per = {op: count / n for op, count in sorted(counter.items())}
    return {"per_confirmed_pledge": per, "total": sum(per.values()), "scans": counter.get("Scan", 0)}


def confirm_throughput() -> dict:
    """contributions.confirm (the counting transaction and its guesses) vs raw
    TransactWriteItems of the same five items, sequentially, same engine."""
    import botocore.session

    from chalicelib import clock
    from chalicelib.adapters.tables import PledgeRecord, connection
    from chalicelib.config import table_name
    from chalicelib.services import contributions
    from tests import factories

    film = factories.make_film(goal_cents=10_000_000)
    records = []
    for _ in range(PLEDGES):
        now = clock.iso()
        pid = f"plg_{uuid.uuid4().hex}"
        record = PledgeRecord(pid, film_id=film["film_id"], user_id=f"u-{uuid.uuid4().hex[:8]}", amount_cents=2500,
                              status="pending", request_hash="x", created_at=now, updated_at=now,
                              created_key=f"{now}#{pid}")
        record.save()
        records.append(record)
    start = time.perf_counter()
    for record in records:
        assert contributions.confirm(record)
    service_seconds = time.perf_counter() - start

    client = connection().client
    start = time.perf_counter()
    for i in range(PLEDGES):
        user = f"raw-{uuid.uuid4().hex[:8]}"
        items = [
            {"Update": {"TableName": table_name("pledges"), "Key": {"pledge_id": {"S": records[i].pledge_id}},
                        "UpdateExpression": "SET #s = :c", "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":c": {"S": "confirmed"}}}},
            {"Update": {"TableName": table_name("backings"), "Key": {"film_id": {"S": "raw"}, "user_id": {"S": user}},
                        "UpdateExpression": "ADD confirmed_cents :a", "ExpressionAttributeValues": {":a": {"N": "2500"}}}},
            {"Update": {"TableName": table_name("users"), "Key": {"user_id": {"S": user}},
                        "UpdateExpression": "ADD confirmed_cents :a", "ExpressionAttributeValues": {":a": {"N": "2500"}}}},
            {"Update": {"TableName": table_name("counters"), "Key": {"counter_id": {"S": "film#raw"}, "shard": {"N": str(i % 4)}},
                        "UpdateExpression": "ADD raised_cents :a", "ExpressionAttributeValues": {":a": {"N": "2500"}}}},
            {"Update": {"TableName": table_name("counters"), "Key": {"counter_id": {"S": "raw"}, "shard": {"N": str(i % 4)}},
                        "UpdateExpression": "ADD raised_cents :a", "ExpressionAttributeValues": {":a": {"N": "2500"}}}},
        ]
        client.transact_write_items(TransactItems=items)
    raw_seconds = time.perf_counter() - start
    del botocore
    return {"pledges": PLEDGES, "service_per_s": PLEDGES / service_seconds, "raw_per_s": PLEDGES / raw_seconds,
            "ratio_service_to_raw": (PLEDGES / service_seconds) / (PLEDGES / raw_seconds)}


def _back_every_shard(film_id: str) -> None:
    """A film with pledges has every shard of its counter written: the page reads them all."""
    from chalicelib.adapters import counters
    from chalicelib.adapters.tables import CounterShard
    from chalicelib.config import settings

    for shard in range(settings().counter_shards):
        CounterShard(counters.film_counter(film_id), shard, raised_cents=2500, coproducer_count=1).save()


def get_film_latency() -> dict:
    from chalice import Chalice
    from chalice.test import Client

    import app as application
    from chalicelib.adapters.tables import FilmRecord
    from tests import factories

    film = factories.make_film()
    _back_every_shard(film["film_id"])
    bare = Chalice(app_name="bare")

    @bare.route("/films/{film_id}")
    def bare_get(film_id):
        return FilmRecord.get(film_id).attribute_values and {"film_id": film_id}

    def medians(clients, path):
        """Interleaved, one call of each client in turn: noise on the machine hits both alike."""
        samples: list[list[float]] = [[] for _ in clients]
        for _ in range(GETS):
            for client, timings in zip(clients, samples):
                start = time.perf_counter()
                response = client.http.get(path)
                timings.append(time.perf_counter() - start)
                assert response.status_code == 200
        return [statistics.median(timings) for timings in samples]

    path = f"/films/{film['film_id']}"
    with Client(application.app, stage_name="local") as client, Client(bare) as bare_client:
        medians((client, bare_client), path)  # warm up both
        ours, theirs = medians((client, bare_client), path)
    return {"median_ms": ours * 1000, "bare_getitem_median_ms": theirs * 1000, "ratio": ours / theirs}


def report(results: dict) -> str:
    per = results["requests_per_pledge"]
    throughput = results["confirm_throughput"]
    get = results["get_film"]
    calls = ", ".join(f"{op} {n:g}" for op, n in per["per_confirmed_pledge"].items())
    return "\n".join([
        f"## Pledges ({date.today().isoformat()})",
        "",
        "| figure | measured | baseline (same run) | ratio | target |",
        "| --- | --- | --- | --- | --- |",
        f"| DynamoDB requests per confirmed pledge (botocore event hooks, 50 pledges) | {per['total']:g} ({calls}); Scan {per['scans']} | 1 transaction + 1 idempotency record = 2 | {per['total'] / 2:.2f} | one transaction plus the idempotency record (+ the film read that checks it is open) |",
        f"| confirmations per second, service layer (`contributions.confirm`, {throughput['pledges']} sequential) | {throughput['service_per_s']:.0f}/s | raw TransactWriteItems of the same 5 items: {throughput['raw_per_s']:.0f}/s | {throughput['ratio_service_to_raw']:.2f} | |",
        f"| `GET /films/{{film_id}}` in-process median ({GETS} calls) | {get['median_ms']:.2f} ms | bare Chalice route, one GetItem: {get['bare_getitem_median_ms']:.2f} ms | {get['ratio']:.2f} | <= 1.3: one BatchGetItem, the film and its counter's shards (all written) |",
        "",
    ])


def main() -> None:
    with stack.running():
        results = {"requests_per_pledge": requests_per_pledge(), "confirm_throughput": confirm_throughput(),
                   "get_film": get_film_latency()}
    write_section("pledges", report(results))
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
