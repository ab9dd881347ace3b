"""Per-Lambda settings, in ONE place: timeout, memory, schedule, event sources, and the
exact data each function may touch (its IAM role is generated from this, nothing else).

Keys are Chalice function names: ``api_handler`` for all HTTP routes, otherwise the name
of the decorated function in app.py (``@app.schedule``, ``@app.lambda_function``).
Why here and not in .chalice/config.json: Chalice's CDK construct passes its stage_config
as top-level params, where per-function ``lambda_functions`` settings are never read
(chalice/config.py ``_chain_lookup``), so infra/stack.py sets these on the synthesized
functions directly.

Synthesis fails if app.py defines a function that has no entry here (it would get no role).
Entries whose function is not in app.py yet are skipped (with a synth warning).

Event sources: schedules may come from ``@app.schedule(<same expression>)`` or be added
by infra for a plain ``@app.lambda_function``; queue and stream consumers must be plain
``@app.lambda_function(name=...)`` handlers: infra wires the event source mapping
(Chalice's ``on_sqs_message``/``on_dynamodb_record`` need stage-specific literals at
package time).
"""

from __future__ import annotations

from dataclasses import dataclass

STRIPE_SECRET_KEY = "stripe_secret_key"
STRIPE_WEBHOOK_SECRET = "stripe_webhook_secret"
TOKEN_SECRET = "token_secret"  # HMAC key of page cursors and unsubscribe links


@dataclass(frozen=True)
class FunctionSpec:
    timeout: int  # seconds
    memory: int  # MB
    schedule: str | None = None  # EventBridge expression
    reads: tuple[str, ...] = ()  # table short names (table and its GSIs): Get/BatchGet/Query
    writes: tuple[str, ...] = ()  # table short names: Put/Update/BatchWrite/ConditionCheck
    # Table short names it deletes items from (DeleteItem): none holds money records (royalty
    # ledger, payouts), which nothing deletes.
    deletes: tuple[str, ...] = ()
    scans: tuple[str, ...] = ()  # table short names the function Scans (kept explicit)
    streams: tuple[str, ...] = ()  # tables whose stream invokes this function
    publishes: tuple[str, ...] = ()  # topic short names
    sends: tuple[str, ...] = ()  # queue short names it sends to
    consumes: tuple[str, ...] = ()  # queue short names that invoke this function
    secrets: tuple[str, ...] = ()  # STRIPE_SECRET_KEY / STRIPE_WEBHOOK_SECRET / TOKEN_SECRET
    sends_email: bool = False  # SES through the stage's configuration set
    sends_sms: bool = False  # SNS Publish to phone numbers (no topic ARN to scope it to)
    batch_size: int = 10  # for queue/stream event sources
    # Concurrency kept for this function alone, so that a flood on the API cannot take it all.
    reserved_concurrency: int | None = None
    serves_api: bool = False  # the API itself: its links come from the request (API_URL would be a cycle)
    lists_users: bool = False  # cognito-idp:ListUsers on the stage's user pool


# Routes anyone may call without signing in (the Stripe webhook aside: it needs the webhook
# secret): API Gateway sends them to `public_api`, whose role holds no Stripe key and deletes nothing.
PUBLIC_ROUTES: tuple[tuple[str, str], ...] = (
    ("GET", "/films"), ("GET", "/films/{film_id}"), ("GET", "/films/{film_id}/milestones"),
    ("GET", "/stats"), ("GET", "/openapi.json"), ("GET", "/unsubscribe"), ("POST", "/unsubscribe"),
    ("GET", "/films/{film_id}/funding"), ("GET", "/films/{film_id}/updates"), ("GET", "/films/{film_id}/credits"),
    ("GET", "/films/{film_id}/simulation"),
)

# What a royalty run touches (services/royalty_runs.py and below).
ROYALTY_READS = ("counters", "users", "pledges", "backings", "rights", "receipts", "distributions",
                 "royalty_snapshots", "royalty_ledger", "payouts", "disputes")  # disputes: weights as of a moment
ROYALTY_WRITES = ("receipts", "distributions", "royalty_snapshots", "royalty_ledger", "payouts", "outbox")

FUNCTIONS: dict[str, FunctionSpec] = {
    # Every HTTP route, including the Stripe webhook.
    "api_handler": FunctionSpec(
        timeout=30, memory=512,
        reads=("films", "counters", "users", "pledges", "backings", "stripe_events")
        + ("perks", "forum_threads", "forum_posts", "sessions", "rsvps", "casting_calls", "casting_applications")
        + ("campaign_closes", "refunds", "outbox", "deliveries")
        + ("rights", "receipts", "distributions", "royalty_snapshots", "royalty_ledger", "payouts")
        + ("verifications", "sms_quota", "consents")
        + ("disputes", "reconciliations")  # GET /admin/disputes, /admin/reconciliation
        + ("referral_codes", "film_updates", "credits"),  # community: referrals, updates, credits
        writes=("films", "counters", "users", "pledges", "backings", "stripe_events")
        + ("perks", "forum_threads", "forum_posts", "sessions", "rsvps", "casting_calls", "casting_applications",
           "outbox")
        + ("campaign_closes", "refunds")
        + ("rights", "receipts", "distributions", "royalty_snapshots", "royalty_ledger", "payouts")
        + ("verifications", "sms_quota", "consents")
        + ("disputes",)  # charge.dispute.* webhooks
        + ("referral_codes", "film_updates", "credits"),  # community: referrals, updates, credits
        sends=("distribution-chunks",),  # POST /admin/distributions: films too large to run inline
        # a pledge Stripe refused outright, a verification code used or erased, a perk removed
        deletes=("pledges", "verifications", "perks", "credits"),  # credits: a name taken out
        secrets=(STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, TOKEN_SECRET),
        sends_email=True, sends_sms=True, serves_api=True,  # verification codes (POST /me/verify/{channel})
    ),
    # The public routes (PUBLIC_ROUTES), for anyone: reads, and the unsubscribe link's choice and
    # its consent record. No Stripe key, no delete (tests/api/test_public_routes_role.py).
    "public_api": FunctionSpec(
        timeout=30, memory=512,
        reads=("films", "counters", "users", "backings", "outbox")
        + ("film_updates", "credits", "rights")  # a film's updates and credits, the simulator's rate
        + ("pledges", "disputes"),  # the simulator's weights: a backing changed this very moment
        writes=("users", "consents"),
        secrets=(TOKEN_SECRET,), serves_api=True,
    ),
    # Closes campaigns past their deadline (funded or failed), refunds failed ones page by
    # page from a stored cursor, retries rejected refunds; the rest waits for the next run.
    "close_campaigns": FunctionSpec(
        timeout=900, memory=1024, schedule="rate(15 minutes)",
        reads=("films", "counters", "users", "pledges", "backings", "campaign_closes", "refunds")
        + ("disputes",),  # a disputed charge is settled, not refunded
        writes=("films", "counters", "users", "pledges", "backings", "campaign_closes", "refunds",
                "outbox"),
        secrets=(STRIPE_SECRET_KEY,),
        reserved_concurrency=2,  # refunds
    ),
    # Settles pledges still waiting for Stripe after 15 minutes (services/reconciliation.py):
    # counted, refunded or canceled from what Stripe says; records each run.
    "reconcile_payments": FunctionSpec(
        timeout=900, memory=1024, schedule="rate(15 minutes)",
        reads=("films", "counters", "users", "pledges", "backings", "campaign_closes", "refunds", "disputes",
               "reconciliations"),
        writes=("films", "counters", "users", "pledges", "backings", "campaign_closes", "refunds", "outbox",
                "reconciliations"),
        secrets=(STRIPE_SECRET_KEY,),
    ),
    # The monthly royalty run (services/royalty_runs.py): distributes the previous month of
    # every film with receipts, pays balances out, records statement events; films too large
    # for one invocation go to the chunk queue.
    "distribute_royalties": FunctionSpec(
        timeout=900, memory=1024, schedule="cron(0 3 1 * ? *)",
        reads=ROYALTY_READS, writes=ROYALTY_WRITES,
        sends=("distribution-chunks",),
        secrets=(STRIPE_SECRET_KEY,),
        reserved_concurrency=2,
    ),
    # Distributes and settles one film of a run (a message per film; redelivery is harmless).
    # A film's message takes the weights and sends one message per page of co-producers
    # (distributions.PAGE_SIZE, seconds of work each); pages run at this concurrency. No message
    # is over ~120 s of work: 300 s leaves room for a stalled dependency (visibility 6 x 300 s).
    "distribute_royalties_chunk": FunctionSpec(
        timeout=300, memory=1024, consumes=("distribution-chunks",), batch_size=1,
        reads=ROYALTY_READS, writes=ROYALTY_WRITES,
        secrets=(STRIPE_SECRET_KEY,),
        reserved_concurrency=10,
    ),
    # Failed payouts whose next attempt is due (services/payouts.py retry_due): the balance is
    # paid again after 1 h, 6 h, 24 h, 72 h, then the payout is left to admins.
    "retry_payouts": FunctionSpec(
        timeout=900, memory=1024, schedule="rate(1 hour)",
        reads=("users", "royalty_ledger", "payouts"), writes=("payouts",),
        secrets=(STRIPE_SECRET_KEY,),
    ),
    # January, daily (chalicelib/routes/statements_yearly.py): one "your yearly statement is
    # ready" event per co-producer credited in the past year, in the outbox (exactly once each).
    "announce_yearly_statements": FunctionSpec(
        timeout=900, memory=1024, schedule="cron(0 6 * 1 ? *)",
        reads=("receipts", "royalty_ledger", "outbox"), writes=("outbox",),
    ),
    # Users whose Cognito account was deleted get what DELETE /me does (services/departures.py):
    # once a day, the users table against the pool; held (and alarmed) while money is due.
    "erase_departed_users": FunctionSpec(
        timeout=900, memory=1024, schedule="rate(1 day)", lists_users=True,
        scans=("users",),
        reads=("users", "backings", "films", "forum_threads", "forum_posts", "sessions", "rsvps",
               "casting_calls", "casting_applications", "royalty_ledger", "payouts", "credits"),
        writes=("users", "consents", "verifications", "forum_threads", "forum_posts", "casting_applications",
                "credits"),
        deletes=("verifications", "credits"),
    ),
    # Outbox stream -> events topic.
    "relay_outbox": FunctionSpec(
        timeout=60, memory=256, streams=("outbox",), publishes=("events",),
    ),
    # Backings stream -> PERK_UNLOCKED for a co-producer whose pledge reached a perk's level.
    "watch_backings": FunctionSpec(
        timeout=60, memory=256, streams=("backings",), reads=("films", "perks", "credits"),
        writes=("outbox", "credits"),  # credits: a name leaves them when its backing falls below the minimum
        deletes=("credits",),
    ),
    # Counters stream -> funding and co-producer milestones in the outbox.
    "watch_counters": FunctionSpec(
        timeout=60, memory=256, streams=("counters",), batch_size=100,
        reads=("films", "counters", "outbox"), writes=("outbox",),
    ),
    # Events (via the notifications queue) -> chunks of the audience -> e-mails and SMS,
    # one delivery record per (event, user, channel). Queues its own next chunks.
    "send_notifications": FunctionSpec(
        timeout=120, memory=512, consumes=("notifications",), sends=("notifications",),
        reads=("users", "backings", "deliveries", "sms_quota"), writes=("deliveries", "sms_quota"),
        sends_email=True, sends_sms=True, batch_size=1,
        secrets=(TOKEN_SECRET,),  # signs the unsubscribe links
        reserved_concurrency=20,
    ),
}
