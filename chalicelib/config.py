"""Settings read from the environment, once, with the defaults of stage `local`.

Every deployment value (table prefix, endpoints, secrets' names) comes from here so
that no other module reads ``os.environ`` directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_LOCAL_JWT_SECRET = "local-dev-secret-not-for-production-use"
LOCAL_ACCOUNT = "123456789012"  # the account of moto's server
# Calling codes of the EU and EEA (with the EU's French outermost regions): SMS_COUNTRY_CODES.
EU_EEA_CALLING_CODES = ("30,31,32,33,34,351,352,353,354,356,357,358,359,36,370,371,372,385,386,39,40,"
                        "420,421,423,43,45,46,47,48,49,262,590,594,596")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return default if raw in (None, "") else float(raw)


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    table_prefix: str
    dynamodb_endpoint: str | None
    aws_endpoint: str | None  # SNS / SES emulator (moto server) when local
    # Auth: Cognito on AWS stages, an HS256 secret on stage `local`.
    cognito_user_pool_id: str | None
    cognito_app_client_id: str | None
    local_jwt_secret: str
    jwt_issuer: str
    jwt_audience: str
    # Signing of opaque tokens the API hands out (pagination cursors, unsubscribe links):
    # TOKEN_SECRET, or the SSM parameter TOKEN_SECRET_PARAM on AWS; the local secret on stage local only.
    token_secret: str | None
    token_secret_param: str | None
    # Money rules.
    max_pledge_cents: int
    counter_shards: int
    # Stripe.
    stripe_api_base: str | None
    stripe_secret_key: str | None
    stripe_secret_key_param: str | None
    stripe_webhook_secret: str | None
    stripe_webhook_secret_param: str | None
    # Notifications: the events topic, the queue the notifier fans out through, SES.
    events_topic_arn: str
    notifications_queue_url: str | None  # None: looked up by name (local stack)
    ses_sender: str
    ses_configuration_set: str | None
    api_url: str  # public base URL of the API, for links in messages
    # Royalties: balances from this amount are paid out; "stripe" (Connect transfers) or
    # "local" (recorded in memory, for the local stack: localstripe has no transfers).
    payout_threshold_cents: int = 1000
    payouts: str = "local"
    distribution_chunks_queue_url: str | None = None
    # Contacts: phone numbers are accepted from these calling codes only (EU/EEA by default);
    # at most this many SMS per co-producer per UTC day (verification codes included).
    sms_country_codes: tuple[str, ...] = ()
    sms_daily_cap: int = 5
    # Deadlines of every outbound call (chalicelib/adapters/clients.py builds the clients with
    # them): connect and read timeouts in seconds, and a bounded number of attempts. The
    # defaults keep the worst case of DynamoDB and Stripe together under 10 s per HTTP request.
    dynamodb_connect_timeout: float = 0.5
    dynamodb_read_timeout: float = 1.5
    dynamodb_max_attempts: int = 2  # botocore "standard" retry mode: 1 retry
    stripe_connect_timeout: float = 1.0
    stripe_read_timeout: float = 3.5
    stripe_max_network_retries: int = 0  # a client retry with the same Idempotency-Key is the retry
    aws_connect_timeout: float = 1.0  # SNS, SES, SQS, SSM
    aws_read_timeout: float = 3.0
    aws_max_attempts: int = 1  # the notifier retries sends with its own backoff
    # A 503 says when to come back (Retry-After); GET /films and GET /stats answer their last
    # good result, up to this old, while DynamoDB does not answer.
    retry_after_seconds: int = 5
    stale_reads_seconds: int = 300
    # The platform's identity, printed on yearly statements (PLATFORM_NAME,
    # PLATFORM_REGISTRATION_NUMBER, PLATFORM_ADDRESS: its lines separated by " | ").
    platform_name: str = "Coprod Films SAS"
    platform_registration_number: str = "RCS Paris 000 000 000"
    platform_address: tuple[str, ...] = ("10 rue de la Paix", "75002 Paris", "France")
    # The web client's base address: share links are <web_base_url>/#/films/<film_id>?ref=<code>.
    web_base_url: str = "http://127.0.0.1:8080"
    stripe_publishable_key: str | None = None  # for Stripe.js in the web client (POST /me/setup-intents)

    @property
    def is_local(self) -> bool:
        return self.stage == "local"


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = os.environ
    stage = env.get("STAGE", "local")
    local_secret = env.get("LOCAL_JWT_SECRET", DEFAULT_LOCAL_JWT_SECRET)
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "eu-west-3"
    pool = env.get("COGNITO_USER_POOL_ID") or None
    return Settings(
        stage=stage,
        region=region,
        table_prefix=env.get("TABLE_PREFIX", f"coprod-{stage}"),
        dynamodb_endpoint=env.get("DYNAMODB_ENDPOINT") or None,
        aws_endpoint=env.get("AWS_ENDPOINT") or None,
        cognito_user_pool_id=pool,
        cognito_app_client_id=env.get("COGNITO_APP_CLIENT_ID") or None,
        local_jwt_secret=local_secret,
        jwt_issuer=(
            f"https://cognito-idp.{region}.amazonaws.com/{pool}" if pool else "coprod-local"
        ),
        jwt_audience=env.get("COGNITO_APP_CLIENT_ID") or "coprod-local",
        token_secret=env.get("TOKEN_SECRET") or (local_secret if stage == "local" else None),
        token_secret_param=env.get("TOKEN_SECRET_PARAM") or None,
        max_pledge_cents=_int("MAX_PLEDGE_CENTS", 5_000_000),
        counter_shards=max(1, _int("COUNTER_SHARDS", 4)),
        stripe_api_base=env.get("STRIPE_API_BASE") or None,
        stripe_secret_key=env.get("STRIPE_SECRET_KEY") or None,
        stripe_secret_key_param=env.get("STRIPE_SECRET_KEY_PARAM") or None,
        stripe_webhook_secret=env.get("STRIPE_WEBHOOK_SECRET") or None,
        stripe_webhook_secret_param=env.get("STRIPE_WEBHOOK_SECRET_PARAM") or None,
        stripe_publishable_key=env.get("STRIPE_PUBLISHABLE_KEY") or ("pk_test_local" if stage == "local" else None),
        events_topic_arn=env.get("EVENTS_TOPIC_ARN") or (
            f"arn:aws:sns:{region}:{LOCAL_ACCOUNT}:{env.get('TABLE_PREFIX', f'coprod-{stage}')}-events"),
        notifications_queue_url=env.get("NOTIFICATIONS_QUEUE_URL") or None,
        ses_sender=env.get("SES_SENDER", "no-reply@example.org"),
        ses_configuration_set=env.get("SES_CONFIGURATION_SET") or None,
        api_url=env.get("API_URL", "http://127.0.0.1:8000").rstrip("/"),
        payout_threshold_cents=_int("PAYOUT_THRESHOLD_CENTS", 1000),
        payouts=env.get("PAYOUTS") or ("local" if stage == "local" else "stripe"),
        distribution_chunks_queue_url=env.get("DISTRIBUTION_CHUNKS_QUEUE_URL") or None,
        sms_country_codes=tuple(code.strip().lstrip("+") for code in env.get(
            "SMS_COUNTRY_CODES", EU_EEA_CALLING_CODES).split(",") if code.strip()),
        sms_daily_cap=_int("SMS_DAILY_CAP", 5),
        dynamodb_connect_timeout=_float("DYNAMODB_CONNECT_TIMEOUT_SECONDS", 0.5),
        dynamodb_read_timeout=_float("DYNAMODB_READ_TIMEOUT_SECONDS", 1.5),
        dynamodb_max_attempts=max(1, _int("DYNAMODB_MAX_ATTEMPTS", 2)),
        stripe_connect_timeout=_float("STRIPE_CONNECT_TIMEOUT_SECONDS", 1.0),
        stripe_read_timeout=_float("STRIPE_READ_TIMEOUT_SECONDS", 3.5),
        stripe_max_network_retries=max(0, _int("STRIPE_MAX_NETWORK_RETRIES", 0)),
        aws_connect_timeout=_float("AWS_CONNECT_TIMEOUT_SECONDS", 1.0),
        aws_read_timeout=_float("AWS_READ_TIMEOUT_SECONDS", 3.0),
        aws_max_attempts=max(1, _int("AWS_MAX_ATTEMPTS", 1)),
        retry_after_seconds=max(1, _int("RETRY_AFTER_SECONDS", 5)),
        stale_reads_seconds=max(0, _int("STALE_READS_SECONDS", 300)),
        platform_name=env.get("PLATFORM_NAME") or Settings.platform_name,
        platform_registration_number=env.get("PLATFORM_REGISTRATION_NUMBER") or Settings.platform_registration_number,
        platform_address=tuple(line.strip() for line in env["PLATFORM_ADDRESS"].split("|") if line.strip())
        if env.get("PLATFORM_ADDRESS") else Settings.platform_address,
        web_base_url=env.get("WEB_BASE_URL", "http://127.0.0.1:8080").rstrip("/"),
    )


def table_name(short: str) -> str:
    return f"{settings().table_prefix}-{short}"


def resource_name(short: str) -> str:
    """Topics and queues share the tables' prefix: ``coprod-<stage>-<short>``."""
    return f"{settings().table_prefix}-{short}"
