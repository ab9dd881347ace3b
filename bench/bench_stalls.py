"""When a dependency stalls: how long the API takes to answer (503) with DynamoDB or Stripe
stalled, and how long after the resume until a retry with the same Idempotency-Key is a
confirmed pledge again. Goal: every answer under 10 s.

The app talks to DynamoDB Local and localstripe through a StallProxy each
(devstack/stall_proxy.py), in process (chalice.test.Client), with the deadlines of
production (chalicelib/config.py defaults) and then those of the local stack
(devstack/services.py LOCAL_DEADLINES). The baseline is the same pledge with nothing stalled.
Run with `make bench`.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
import uuid
from datetime import date

from bench import stack  # sets the environment first
from bench.report import publish

REPEAT = 3
RECOVERY_ATTEMPTS = 200


def _production() -> dict[str, str]:
    from chalicelib.config import Settings
    from devstack.services import LOCAL_DEADLINES

    env_of = {"dynamodb_connect_timeout": "DYNAMODB_CONNECT_TIMEOUT_SECONDS",
              "dynamodb_read_timeout": "DYNAMODB_READ_TIMEOUT_SECONDS", "dynamodb_max_attempts": "DYNAMODB_MAX_ATTEMPTS",
              "stripe_connect_timeout": "STRIPE_CONNECT_TIMEOUT_SECONDS", "stripe_read_timeout": "STRIPE_READ_TIMEOUT_SECONDS",
              "stripe_max_network_retries": "STRIPE_MAX_NETWORK_RETRIES", "retry_after_seconds": "RETRY_AFTER_SECONDS"}
    defaults = {f.name: f.default for f in dataclasses.fields(Settings)}
    values = {env: str(defaults[name]) for name, env in env_of.items()}
    assert set(LOCAL_DEADLINES) <= set(values)
    return values


def _timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def _scenario(api, deadlines: dict[str, str]) -> dict:
    from chalicelib.adapters import clients
    from tests import factories, stalls, stripe_helpers

    with stalls.proxied(**deadlines) as proxies:
        film_id = factories.make_film(goal_cents=10_000_000)["film_id"]
        card = stripe_helpers.card()

        def pledge(caller, key):
            return api.post(f"/films/{film_id}/pledges", {"amount_cents": 2500, "payment_method_id": card},
                            caller=caller, headers={"Idempotency-Key": key})

        baseline = []
        for _ in range(REPEAT):
            response, seconds = _timed(lambda: pledge(factories.member(), uuid.uuid4().hex))
            assert response.status_code == 201, response.data
            baseline.append(seconds)
        results = {"deadlines": deadlines, "baseline_s": statistics.median(baseline),
                   "worst_case_s": {d: clients.worst_case_seconds(d) for d in ("dynamodb", "stripe")}}
        for dependency in ("dynamodb", "stripe"):
            proxy = getattr(proxies, dependency)
            answers, keys = [], []
            proxy.stall()
            for _ in range(REPEAT):
                caller, key = factories.member(), uuid.uuid4().hex
                response, seconds = _timed(lambda: pledge(caller, key))  # noqa: B023 (called at once)
                assert response.status_code == 503, response.data
                assert response.data["error"]["dependency"] == dependency
                answers.append(seconds)
                keys.append((caller, key))
            if dependency == "dynamodb":
                get, get_seconds = _timed(lambda: api.get(f"/films/{film_id}"))
                assert get.status_code == 503
                results["dynamodb_get_film_s"] = get_seconds
            resumed = time.perf_counter()
            proxy.resume()
            attempts = 0
            for caller, key in keys:  # every co-producer retries with the same key until confirmed
                while True:
                    attempts += 1
                    assert attempts <= RECOVERY_ATTEMPTS, "no recovery"
                    response = pledge(caller, key)
                    if response.status_code in (200, 201) and response.data["status"] == "confirmed":
                        break
            results[dependency] = {"answer_s": answers, "median_s": statistics.median(answers),
                                   "max_s": max(answers), "recovery_s": time.perf_counter() - resumed,
                                   "retries": attempts}
            for caller, key in keys:  # one pledge and one PaymentIntent per key
                from chalicelib.domain import pledges as rules

                assert len(stripe_helpers.intents_for(rules.pledge_id_for(caller.user_id, key))) == 1
        return results


def report(results: dict) -> str:
    lines = [
        f"## When a dependency stalls ({date.today().isoformat()})",
        "",
        "The API in process, talking to DynamoDB Local and localstripe through a TCP proxy that stalls "
        f"them (devstack/stall_proxy.py); {REPEAT} pledges each while stalled, answered 503 with Retry-After. "
        "Recovery: from the resume until every one of them, retried with its Idempotency-Key, is a "
        "confirmed pledge (one PaymentIntent each, checked). Goal: every answer under 10 s.",
        "",
        "| deadlines | stalled | answer (median / max) | ratio to a pledge with nothing stalled | configured worst case | recovery after resume |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label, run in results.items():
        for dependency, name in (("dynamodb", "DynamoDB"), ("stripe", "Stripe")):
            figures = run[dependency]
            lines.append(
                f"| {label} | {name} | {figures['median_s']:.2f} s / {figures['max_s']:.2f} s | "
                f"{figures['median_s'] / run['baseline_s']:.1f} (baseline {run['baseline_s'] * 1000:.0f} ms) | "
                f"{run['worst_case_s'][dependency]:.1f} s | {figures['recovery_s']:.2f} s ({figures['retries']} requests) |")
    lines += ["", "`GET /films/{film_id}` with DynamoDB stalled: "
              + ", ".join(f"{label} {run['dynamodb_get_film_s']:.2f} s" for label, run in results.items()) + ".", ""]
    return "\n".join(lines)


def main() -> None:
    from devstack.services import LOCAL_DEADLINES
    from tests.api.client import Api, make_client

    with stack.running():
        with make_client() as client:
            api = Api(client)
            results = {"production defaults": _scenario(api, _production()),
                       "local stack (`make run`)": _scenario(api, dict(LOCAL_DEADLINES))}
    publish("stalls", report(results), results)


if __name__ == "__main__":
    main()
