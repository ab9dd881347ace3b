"""Fan-out of one milestone to N co-producers against the emulators (DynamoDB Local, moto).

The milestone is published to the events topic as the outbox relay does; the notifier takes it
from the notifications queue, queues the next chunks and sends, driven by the local event pump.
Figures: AWS requests per co-producer (botocore hooks on every client) and wall time, each as
a ratio to raw publish calls (SES SendEmail / SNS Publish to a phone) of the same count in the
same run, from the same number of threads. Rewrites only its section of BENCHMARKS.md.

N defaults to 100,000, as the platform's target (about 12 minutes on the emulators of a shared
2-core machine); BENCH_NOTIFY_N=5000 gives the same per-co-producer figures in a minute.
BENCH_PROFILE=1 fans out once more, to PROFILE_N co-producers outside the timed run, with every
thread sampled by py-spy (the handler, its senders and writers), and summarises it in the section.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from datetime import date
from concurrent.futures import ThreadPoolExecutor

from bench import stack  # sets the environment first
from bench.report import publish

N = int(os.environ.get("BENCH_NOTIFY_N", "100000"))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
PROFILE_N = min(N, 5_000)
SMS_EVERY = 2  # one co-producer in two also wants SMS
MARK = "notifications"


def _hook_all(counter: Counter) -> None:
    from chalicelib.adapters import channels

    clients = {id(client): client for client in stack.dynamodb_clients()}
    for service in ("sesv2", "sns", "sqs"):
        clients[id(channels.client(service))] = channels.client(service)

    def hook(model, **kwargs):
        counter[f"{model.service_model.service_name}:{model.name}"] += 1

    for client in clients.values():
        client.meta.events.register("before-call", hook)


def _audience(film_id: str, n: int) -> None:
    from chalicelib.adapters.tables import BackingRecord, UserRecord

    with UserRecord.batch_write() as users, BackingRecord.batch_write() as backings:
        for i in range(n):
            user_id = f"bench-{film_id[:6]}-{i:06d}"
            users.save(UserRecord(user_id, email=f"{user_id}@example.org", phone=f"+3361{i:07d}",
                                  locale="en" if i % 3 == 0 else "fr", notify_email=True,
                                  notify_sms=i % SMS_EVERY == 0, email_verified_for=f"{user_id}@example.org",
                                  phone_verified_for=f"+3361{i:07d}"))
            backings.save(BackingRecord(film_id, user_id, confirmed_cents=1000))


def fan_out(counter: Counter, n: int = N) -> dict:
    from chalicelib.adapters import channels
    from chalicelib.domain import events
    from devstack.pump import Pump, app_handlers

    film_id = uuid.uuid4().hex
    _audience(film_id, n)
    event = events.Event(events.FUNDING_MILESTONE, "50", "2026-11-27T10:00:00.000000Z",
                         events.Audience(events.COPRODUCERS), film_id,
                         {"title": "Les Heures claires", "percent": 50, "raised_cents": 1_000_000,
                          "goal_cents": 2_000_000})
    handlers = app_handlers()
    pump = Pump({"send_notifications": handlers["send_notifications"]})
    counter.clear()
    started = time.perf_counter()
    channels.publish_event(event.to_json(), {"event_type": event.event_type, "film_id": film_id})
    pump.drain()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "requests": dict(counter), "total": sum(counter.values())}


def profiled_fan_out(counter: Counter) -> dict:
    """One more fan-out, to PROFILE_N co-producers, outside the timed run, every thread sampled."""
    from bench import profiles

    with profiles.sampled() as profile:
        run = fan_out(counter, PROFILE_N)
    return {"coproducers": PROFILE_N, "seconds": run["seconds"], "summary": profiles.summary(profile)}


def raw_publishes(counter: Counter, emails: int, sms: int) -> dict:
    from chalicelib.adapters import channels
    from chalicelib.services import notifications

    jobs = [("email", i) for i in range(emails)] + [("sms", i) for i in range(sms)]

    def send(job):
        channel, i = job
        if channel == "email":
            return channels.send_email(f"raw-{i}@example.org", "Subject", "<p>html</p>", "text")
        return channels.send_sms(f"+3362{i:07d}", "Coprod: text")

    counter.clear()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=notifications.SENDERS) as pool:
        list(pool.map(send, jobs))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "total": sum(counter.values())}


def report(results: dict) -> str:
    fan, raw = results["fan_out"], results["raw"]
    messages = results["messages"]
    by_op = ", ".join(f"{k} {v}" for k, v in sorted(fan["requests"].items(), key=lambda kv: -kv[1]))
    per_user = fan["total"] / N
    raw_per_user = raw["total"] / N
    return "\n".join([
        f"## Notifications ({date.today().isoformat()})",
        "",
        f"One funding milestone fanned out to N = {N:,} co-producers ({messages['email']:,} emails, "
        f"{messages['sms']:,} SMS: every co-producer by email, one in {SMS_EVERY} also by SMS), "
        "from the events topic through the notifications queue and its chunks (the local event pump), "
        "against DynamoDB Local and moto. "
        + ("" if N >= 100_000 else "100,000 was not run here (the default; `BENCH_NOTIFY_N` lowers it). ")
        + f"The per-co-producer figures do not depend on N (chunks of {results['chunk_size']}). "
        + "Load average (1, 5, 15 min) at the start and the end of the run: "
        + " and ".join(", ".join(f"{x:.2f}" for x in load) for load in results["load_average"]) + ".",
        "",
        "| figure | measured | baseline (same run) | ratio |",
        "| --- | --- | --- | --- |",
        f"| AWS requests per co-producer | {per_user:.2f} ({by_op}) | raw publish calls, same count: "
        f"{raw_per_user:.2f} | {per_user / raw_per_user:.2f} |",
        f"| wall time of the fan-out | {fan['seconds']:.1f} s ({messages['total'] / fan['seconds']:.0f} messages/s) "
        f"| raw publish calls, same count, {results['threads']} threads: {raw['seconds']:.1f} s "
        f"({messages['total'] / raw['seconds']:.0f}/s) | {fan['seconds'] / raw['seconds']:.2f} |",
        "",
        "Beyond the publish itself, per chunk of 100 co-producers: one Query of the backings, one "
        "BatchGetItem of the users, one or two TransactWriteItems that claim its messages (100 "
        "conditional updates each) and one per claim transaction that holds SMS (their daily units), "
        "one BatchWriteItem per 25 messages sent, and the next chunk (marker read, SQS message, marker "
        "put, receive, delete). The messages of a claim transaction go to the senders as soon as it is "
        "written; the next claims, the records and the next chunk's queueing run meanwhile (the "
        f"handler's thread and {results['writers']} writer threads). Same concurrency: the raw publishes "
        f"run on {results['threads']} threads, the fan-out's publishes on its {results['threads']} senders "
        "(`SENDERS`). Chunks run one after the other here, in parallel on Lambda.",
        *_profile_lines(results.get("profile")),
    ])


def _profile_lines(profile: dict | None) -> list[str]:
    if not profile:
        return []
    return ["", f"Profile of one more fan-out to {profile['coproducers']:,} co-producers (`BENCH_PROFILE=1`, outside the "
                f"timed run; {profile['seconds']:.1f} s wall): the handler's thread, its senders and its writers.", "",
            *profile["summary"]]


def main() -> None:
    load = os.getloadavg()
    with stack.running(emulator=True):
        from chalicelib.services import notifications

        counter: Counter = Counter()
        _hook_all(counter)
        fan = fan_out(counter)
        emails = N
        sms = len(range(0, N, SMS_EVERY))
        raw = raw_publishes(counter, emails, sms)
        results = {"fan_out": fan, "raw": raw, "messages": {"email": emails, "sms": sms, "total": emails + sms},
                   "chunk_size": notifications.CHUNK_SIZE, "threads": notifications.SENDERS,
                   "writers": notifications.WRITERS, "load_average": (load, os.getloadavg())}
        if PROFILE:
            results["profile"] = profiled_fan_out(counter)
    publish(MARK, report(results), results)


if __name__ == "__main__":
    main()
