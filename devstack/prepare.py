"""Prepare the local stack, then serve the API: the `api` process of `make run`.

Waits for the services, creates what is missing (tables), seeds the demo data unless
SEED=0, prints where everything listens, then becomes `chalice local`.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.parse
import urllib.request

from devstack.services import ROOT, Ports, api_command, wait_for_port


def prepare(ports: Ports, *, seed: bool) -> dict[str, int]:
    for port in (ports.dynamodb, ports.emulator, ports.stripe):
        wait_for_port(port, timeout=90)
    from chalicelib.adapters.tables.registry import create_missing_tables

    create_missing_tables()
    enable_missing_streams()
    from devstack import messaging

    messaging.ensure()
    seeded = {"films": 0}
    if seed:
        from devstack.seed import seed as seed_demo

        seeded = seed_demo()
    register_stripe_webhook(ports)
    return seeded


def enable_missing_streams() -> None:
    """A data directory from before a table had its stream gets it now."""
    from chalicelib.adapters.tables import ALL_MODELS, connection

    for model in ALL_MODELS:
        view = getattr(model.Meta, "stream_view_type", None)
        table = connection().client.describe_table(TableName=model.Meta.table_name)["Table"]
        if view and not table.get("StreamSpecification", {}).get("StreamEnabled"):
            connection().client.update_table(TableName=model.Meta.table_name, StreamSpecification={
                "StreamEnabled": True, "StreamViewType": view})


def wait_until_prepared(timeout: float = 180) -> None:
    """For the other processes of `make run` (the event pump): tables, topic and queues exist."""
    from chalicelib.adapters.channels import SendError, queue_url

    deadline = time.monotonic() + timeout
    while True:
        try:
            queue_url.cache_clear()
            queue_url("notifications")
            return
        except SendError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def register_stripe_webhook(ports: Ports) -> None:
    """localstripe posts every event to the local API, signed with the local secret."""
    data = urllib.parse.urlencode({
        "url": f"http://127.0.0.1:{ports.api}/webhooks/stripe",
        "secret": os.environ["STRIPE_WEBHOOK_SECRET"],
    }).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{ports.stripe}/_config/webhooks/local", data=data)
    urllib.request.urlopen(request, timeout=10).close()


def banner(ports: Ports, seeded: dict[str, int]) -> str:
    secret = os.environ["LOCAL_JWT_SECRET"]
    return "\n".join([
        "",
        "Local stack ready",
        f"  Web client                 http://127.0.0.1:{ports.web}   (API under /api)",
        f"  API (chalice local)        http://127.0.0.1:{ports.api}",
        f"  DynamoDB Local             http://127.0.0.1:{ports.dynamodb}   (data in {os.environ.get('DATA_DIR', '.local')})",
        f"  SNS/SES emulator (moto)    http://127.0.0.1:{ports.emulator}",
        f"  Stripe (localstripe)       http://127.0.0.1:{ports.stripe}   (webhooks -> /webhooks/stripe)",
        f"  LOCAL_JWT_SECRET           {secret}",
        f"  demo data                  {'seeded now: ' + str(seeded) if seeded.get('films') else 'kept as it was'}",
        "  a token:                   make token SUB=alice GROUPS=admin",
        "",
    ])


def main() -> None:
    ports = Ports.from_env()
    seeded = prepare(ports, seed=os.environ.get("SEED", "1") != "0")
    print(banner(ports, seeded), flush=True)
    os.chdir(ROOT)
    command = api_command(ports.api)
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main())
