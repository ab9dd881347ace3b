"""The AWS cost of the platform's work, from what the benchmarks count and the list prices in
bench/prices.toml: per 1,000 pledges (target <= $0.03, Stripe's fees excluded) and per
monthly royalty run for 100,000 co-producers.

Counted, not guessed: API Gateway requests and Lambda invocations are the HTTP calls made
(a pledge is its POST plus Stripe's webhook); Lambda duration is the handlers' measured time
in-process, plus the configured wait for each real Stripe call they make; DynamoDB read and
write units are the ConsumedCapacity DynamoDB Local reports for every request.
"""

from __future__ import annotations

import json
import os
import time
import tomllib
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

from bench import stack  # sets the environment first
from bench.report import publish

ROOT = Path(__file__).resolve().parents[1]
PRICES = tomllib.loads((ROOT / "bench" / "prices.toml").read_text())
PLEDGES = 200
TARGET_PER_1000_PLEDGES = 0.03
# measured; priced for ROYALTY_SCALE (the run is linear in it). BENCH_COST_COPRODUCERS=200 for a short run.
ROYALTY_COPRODUCERS = int(os.environ.get("BENCH_COST_COPRODUCERS", "2000"))
ROYALTY_SCALE = 100_000
SMS_EVERY = 5  # one co-producer in 5 takes SMS as well as e-mail
READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}


class Meter:
    """Counts DynamoDB capacity units (asks every request for its ConsumedCapacity) and Stripe calls."""

    def __init__(self) -> None:
        self.units: Counter = Counter()
        self.requests: Counter = Counter()
        self.stripe_calls = 0
        self.messages: Counter = Counter()  # (service, operation) of SNS, SES, SQS calls

    def install(self) -> None:
        from chalicelib.adapters import channels, payments

        for client in stack.dynamodb_clients():
            client.meta.events.register("provide-client-params.dynamodb", self._ask_capacity)
            client.meta.events.register("after-call.dynamodb", self._add_capacity)
        for name in ("create_intent", "open_intent", "confirm_intent", "retrieve_intent", "cancel_intent", "create_refund", "retrieve_charge"):
            if hasattr(payments, name):
                setattr(payments, name, self._counting(getattr(payments, name)))
        call = channels._call

        def counted_call(service, operation, **params):
            self.messages[(service, operation)] += 1
            return call(service, operation, **params)

        channels._call = counted_call

    def _counting(self, function):
        def wrapper(*args, **kwargs):
            self.stripe_calls += 1
            return function(*args, **kwargs)
        return wrapper

    @staticmethod
    def _ask_capacity(params, model, **_):
        if model.name in READS | {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}:
            params["ReturnConsumedCapacity"] = "TOTAL"  # over the app's own NONE: every write is counted

    def _add_capacity(self, http_response, parsed, model, **_):
        self.requests[model.name] += 1
        consumed = parsed.get("ConsumedCapacity") or []
        for entry in consumed if isinstance(consumed, list) else [consumed]:
            kind = "read" if model.name in READS else "write"
            self.units[kind] += float(entry.get("CapacityUnits") or 0)

    def reset(self) -> None:
        self.units.clear()
        self.requests.clear()
        self.messages.clear()
        self.stripe_calls = 0


def pledges_cost(meter: Meter) -> dict:
    from chalice.test import Client

    import app as application
    from infra.functions import FUNCTIONS
    from tests import factories, stripe_helpers as stripe

    film = factories.make_film(goal_cents=1_000_000_000)
    cards = [stripe.card() for _ in range(PLEDGES)]
    meter.reset()
    handler_seconds, calls = 0.0, 0
    with Client(application.app, stage_name="local") as client:
        for card in cards:
            caller = factories.member()
            headers = {**factories.auth(caller), "Idempotency-Key": uuid.uuid4().hex}
            start = time.perf_counter()
            response = client.http.post(f"/films/{film['film_id']}/pledges", headers=headers,
                                        body=json.dumps({"amount_cents": 2_500, "payment_method_id": card}))
            handler_seconds += time.perf_counter() - start
            pledge = json.loads(response.body)
            assert pledge["status"] == "confirmed", pledge
            payload = json.dumps(stripe.event("payment_intent.succeeded", stripe.intent(pledge["payment_intent_id"]))).encode()
            start = time.perf_counter()
            response = client.http.post("/webhooks/stripe", body=payload, headers={
                "Content-Type": "application/json", "Stripe-Signature": stripe.sign(payload)})
            handler_seconds += time.perf_counter() - start
            assert response.status_code == 200, response.body
            calls += 2
    memory_gb = FUNCTIONS["api_handler"].memory / 1024
    stripe_calls = meter.stripe_calls  # the webhook bodies are read through payments.client(), not counted
    return _price(per=PLEDGES, scale=1_000, api_requests=calls, invocations=calls, memory_gb=memory_gb,
                  seconds=handler_seconds + stripe_calls * PRICES["assumptions"]["stripe_call_ms"] / 1000,
                  units=dict(meter.units), dynamodb_requests=dict(meter.requests), stripe_calls=stripe_calls)


def royalty_run_cost(meter: Meter) -> dict:
    """One film's monthly run (snapshot, allocation, ledger, payouts, statement events), then
    the statements' way out: the outbox relay's publish and the notifier, per co-producer."""
    from chalicelib.adapters import bulk
    from chalicelib.adapters.tables import OutboxRecord
    from chalicelib.domain import events
    from chalicelib.schemas import ReceiptCreate
    from chalicelib.services import notifications, outbox, rights, royalty_runs
    from infra.functions import FUNCTIONS
    from tests import factories

    n, period = ROYALTY_COPRODUCERS, "2026-10"
    film_id = factories.make_film()["film_id"]
    users = [f"cost-{film_id[:8]}-{i:06d}" for i in range(n)]
    bulk.put_all("backings", [{"film_id": {"S": film_id}, "user_id": {"S": u}, "confirmed_cents": {"N": str(1000 + i % 9000)},
                               "first_confirmed_at": {"S": "2026-09-01T00:00:00.000000Z"}} for i, u in enumerate(users)])
    bulk.put_all("users", [{"user_id": {"S": u}, "email": {"S": f"{u}@example.org"}, "phone": {"S": f"+3361{i:07d}"},
                            "locale": {"S": "fr"}, "notify_email": {"BOOL": True}, "notify_sms": {"BOOL": i % SMS_EVERY == 0},
                            "email_verified_for": {"S": f"{u}@example.org"}, "phone_verified_for": {"S": f"+3361{i:07d}"},
                            "confirmed_cents": {"N": "1000"}} for i, u in enumerate(users)])
    rights.record_receipt(factories.admin(), film_id, ReceiptCreate(
        period=period, rights_received_cents=100_000_000, reference=f"cost-{film_id}"))
    meter.reset()
    start = time.perf_counter()
    result = royalty_runs.run_film(film_id, period)
    run_seconds = time.perf_counter() - start
    assert int(result["credited_cents"]) == 80_000_000 and int(result["credits"]) == n
    run_units, run_requests = dict(meter.units), dict(meter.requests)

    meter.reset()
    statement_ids = [events.event_id(events.ROYALTY_STATEMENT, None, f"{period}#{u}") for u in users]
    statements = [outbox.to_event(r) for r in OutboxRecord.batch_get(statement_ids)]
    assert len(statements) == n
    start = time.perf_counter()
    for event in statements:  # what relay_outbox and send_notifications do, one event each
        from chalicelib.adapters import channels

        channels.publish_event(event.to_json(), {"event_type": event.event_type, "film_id": "-"})
        notifications.handle(event.to_dict())
    notify_seconds = time.perf_counter() - start
    messages = dict(meter.messages)
    units = {k: run_units.get(k, 0) + meter.units.get(k, 0) for k in ("read", "write")}
    memory = {name: FUNCTIONS[name].memory / 1024 for name in ("distribute_royalties", "send_notifications")}
    gb_seconds = run_seconds * memory["distribute_royalties"] + notify_seconds * memory["send_notifications"]
    emails = messages.get(("sesv2", "send_email"), 0) + messages.get(("ses", "send_email"), 0)
    sms = sum(v for (svc, op), v in messages.items() if svc == "sns" and op == "publish") - n
    priced = _price(per=n, scale=ROYALTY_SCALE, invocations=1 + n // 100 + n, memory_gb=1.0, seconds=gb_seconds,
                    units=units, sqs=2 * n, sns=n, sms=sms, emails=emails,
                    dynamodb_requests={**{f"run:{k}": v for k, v in run_requests.items()},
                                       **{f"notify:{k}": v for k, v in meter.requests.items()}},
                    messages={f"{svc}:{op}": v for (svc, op), v in messages.items()})
    priced["without_sms_usd"] = priced["total_usd"] - priced["lines_usd"].get("SMS", 0)
    priced["measured"] = {"coproducers": n, "run_seconds": run_seconds, "notify_seconds": notify_seconds}
    return priced


def _price(*, per: int, scale: int, api_requests: int = 0, invocations: int = 0, memory_gb: float = 0.0,
           seconds: float = 0.0, units: dict | None = None, sqs: int = 0, sns: int = 0, sms: int = 0,
           emails: int = 0, **counted) -> dict:
    """Cost of `scale` operations from what `per` operations counted."""
    f = scale / per
    units = units or {}
    lines = {
        "API Gateway requests": api_requests * f * PRICES["api_gateway"]["rest_per_million_requests"] / 1e6,
        "Lambda invocations": invocations * f * PRICES["lambda"]["per_million_requests"] / 1e6,
        "Lambda duration": seconds * f * memory_gb * PRICES["lambda"]["per_gb_second"],
        "DynamoDB writes": units.get("write", 0) * f * PRICES["dynamodb"]["per_million_write_request_units"] / 1e6,
        "DynamoDB reads": units.get("read", 0) * f * PRICES["dynamodb"]["per_million_read_request_units"] / 1e6,
        "SQS requests": sqs * f * PRICES["sqs"]["per_million_requests"] / 1e6,
        "SNS publishes": sns * f * PRICES["sns"]["per_million_publishes"] / 1e6,
        "SMS": sms * f * PRICES["sns"]["per_sms_france"],
        "SES e-mails": emails * f * PRICES["ses"]["per_thousand_emails"] / 1e3,
    }
    return {
        "per": per, "scale": scale, "total_usd": sum(lines.values()),
        "lines_usd": {k: v for k, v in lines.items() if v},
        "counted_per_operation": {
            "api_requests": api_requests / per, "lambda_invocations": invocations / per,
            "lambda_seconds": seconds / per, "lambda_memory_gb": memory_gb,
            "write_units": units.get("write", 0) / per, "read_units": units.get("read", 0) / per,
            **{k: (v / per if isinstance(v, (int, float)) else {op: n / per for op, n in v.items()})
               for k, v in counted.items()},
        },
    }


def report(results: dict) -> str:
    pledges = results["pledges"]
    c = pledges["counted_per_operation"]
    lines = [
        f"## Cost model ({date.today().isoformat()})",
        "",
        f"AWS list prices from bench/prices.toml ({PRICES['region']}, recorded {PRICES['recorded']}), applied to"
        " what the benchmark counted. Stripe's fees are not included.",
        "",
        f"### Per 1,000 pledges: ${pledges['total_usd']:.4f} (target <= ${TARGET_PER_1000_PLEDGES})",
        "",
        f"Measured over {pledges['per']} pledges paid by card, each a `POST /films/{{film_id}}/pledges` and Stripe's"
        f" `payment_intent.succeeded` webhook: {c['api_requests']:g} API requests and Lambda invocations,"
        f" {c['write_units']:.1f} write and {c['read_units']:.1f} read units, {c['stripe_calls']:g} Stripe call(s)"
        f" (billed at {PRICES['assumptions']['stripe_call_ms']} ms each), {c['lambda_seconds'] * 1000:.0f} ms of"
        f" Lambda at {c['lambda_memory_gb'] * 1024:.0f} MB per pledge.",
        "",
        "| line | USD per 1,000 pledges |",
        "| --- | --- |",
        *[f"| {name} | {usd:.4f} |" for name, usd in pledges["lines_usd"].items()],
        "",
    ]
    run = results["royalty_run"]
    rc = run["counted_per_operation"]
    lines += [
        f"### Monthly royalty run for {ROYALTY_SCALE:,} co-producers: ${run['total_usd']:.2f}"
        f" (${run['without_sms_usd']:.2f} without SMS)",
        "",
        f"Measured on one film with {run['measured']['coproducers']:,} co-producers and priced for"
        f" {ROYALTY_SCALE:,} (the run is linear: see Royalties): the distribution and payouts"
        f" ({run['measured']['run_seconds']:.1f} s at 1024 MB), then each statement's way out: one SNS"
        f" publish by the outbox relay, one SQS message to the notifier ({run['measured']['notify_seconds']:.1f} s"
        f" at 512 MB), an e-mail to every co-producer (one in {SMS_EVERY} also takes SMS, but statements go by"
        " e-mail only: SMS are for what cannot wait). Per co-producer:"
        f" {rc['write_units']:.1f} write and {rc['read_units']:.1f} read units. Payouts by Stripe Connect carry"
        " Stripe's fees, not counted.",
        "",
        f"| line | USD per run of {ROYALTY_SCALE:,} |",
        "| --- | --- |",
        *[f"| {name} | {usd:.2f} |" for name, usd in run["lines_usd"].items()],
    ]
    return "\n".join(lines)


def main() -> None:
    with stack.running(emulator=True):
        meter = Meter()
        meter.install()
        results = {"pledges": pledges_cost(meter), "royalty_run": royalty_run_cost(meter)}
    publish("cost", report(results), results)


if __name__ == "__main__":
    main()
