"""Deployment parameters, from CDK context (`-c key=value`, cdk.json, or `<stage>:key`).

| context key                  | default                                  |
| ---------------------------- | ---------------------------------------- |
| ses_sender                   | no-reply@example.com (email or domain)   |
| cognito_user_pool_id         | unset: a pool `coprod-<stage>-users` is created |
| cognito_app_client_id        | required with cognito_user_pool_id       |
| cognito_domain               | with cognito_user_pool_id: its hosted UI's address (https://<prefix>.auth.<region>.amazoncognito.com), for signing out there |
| stripe_secret_key_param      | /coprod/<stage>/stripe/secret-key        |
| stripe_webhook_secret_param  | /coprod/<stage>/stripe/webhook-secret    |
| token_secret_param           | /coprod/<stage>/token-secret (HMAC key of cursors and unsubscribe links) |
| stripe_kms_key_arn           | unset: SecureStrings use the aws/ssm key |
| alarm_email                  | unset: alarms only go to the alarms topic |
| api_throttle_rate            | 100 (requests per second, the API stage's steady rate) |
| api_throttle_burst           | 200 (the API stage's burst)              |
| waf_requests_per_ip          | 1000 (per 5 minutes; more from one IP is blocked by the WAF) |
| sms_monthly_spend_limit_usd  | 10 on dev, 100 on prod (the account's SNS SMS spend limit) |
| sms_sender_id                | Coprod (alphanumeric sender, where countries allow it) |
| platform_name, platform_registration_number, platform_address | unset: chalicelib/config.py's; the identity on yearly statements (address lines separated by a vertical bar) |
| web_base_url                 | https://coprod.example.org (the web client: share links point there) |
| web_domain_name              | unset: the client is on the distribution's *.cloudfront.net name |
| web_certificate_arn          | ACM certificate (us-east-1) of web_domain_name; with it, TLS 1.2 at least |

A stage-specific value (`prod:ses_sender`) wins over the plain key.
"""

from __future__ import annotations

from dataclasses import dataclass

STAGES = ("dev", "prod")


@dataclass(frozen=True)
class StageSettings:
    stage: str
    ses_sender: str
    stripe_secret_key_param: str
    stripe_webhook_secret_param: str
    token_secret_param: str = ""
    stripe_kms_key_arn: str | None = None
    cognito_user_pool_id: str | None = None
    cognito_app_client_id: str | None = None
    cognito_domain: str | None = None
    alarm_email: str | None = None
    api_throttle_rate: float = 100.0
    api_throttle_burst: int = 200
    waf_requests_per_ip: int = 1000
    sms_monthly_spend_limit_usd: int = 10
    sms_sender_id: str = "Coprod"
    # The platform's identity on yearly statements (the API's PLATFORM_* variables).
    platform_name: str | None = None
    platform_registration_number: str | None = None
    platform_address: str | None = None
    web_base_url: str = "https://coprod.example.org"
    web_domain_name: str | None = None
    web_certificate_arn: str | None = None

    @property
    def prod(self) -> bool:
        return self.stage == "prod"

    @property
    def prefix(self) -> str:
        return f"coprod-{self.stage}"

    @classmethod
    def from_context(cls, node, stage: str) -> "StageSettings":
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; expected one of {STAGES}")

        def get(key: str, default: str | None = None) -> str | None:
            for k in (f"{stage}:{key}", key):
                value = node.try_get_context(k)
                if value not in (None, ""):
                    return str(value)
            return default

        settings = cls(
            stage=stage,
            ses_sender=get("ses_sender", "no-reply@example.com"),
            stripe_secret_key_param=get("stripe_secret_key_param",
                                        f"/coprod/{stage}/stripe/secret-key"),
            stripe_webhook_secret_param=get("stripe_webhook_secret_param",
                                            f"/coprod/{stage}/stripe/webhook-secret"),
            token_secret_param=get("token_secret_param", f"/coprod/{stage}/token-secret"),
            stripe_kms_key_arn=get("stripe_kms_key_arn"),
            cognito_user_pool_id=get("cognito_user_pool_id"),
            cognito_app_client_id=get("cognito_app_client_id"),
            cognito_domain=get("cognito_domain"),
            alarm_email=get("alarm_email"),
            api_throttle_rate=float(get("api_throttle_rate", "100")),
            api_throttle_burst=int(get("api_throttle_burst", "200")),
            waf_requests_per_ip=int(get("waf_requests_per_ip", "1000")),
            sms_monthly_spend_limit_usd=int(get("sms_monthly_spend_limit_usd", "100" if stage == "prod" else "10")),
            sms_sender_id=get("sms_sender_id", "Coprod"),
            platform_name=get("platform_name"),
            platform_registration_number=get("platform_registration_number"),
            platform_address=get("platform_address"),
            web_base_url=get("web_base_url", "https://coprod.example.org"),
            web_domain_name=get("web_domain_name"),
            web_certificate_arn=get("web_certificate_arn"),
        )
        if bool(settings.cognito_user_pool_id) != bool(settings.cognito_app_client_id):
            raise ValueError("give both cognito_user_pool_id and cognito_app_client_id, or neither")
        for name in (settings.stripe_secret_key_param, settings.stripe_webhook_secret_param,
                     settings.token_secret_param):
            if not name.startswith("/") or name.startswith(("sk_", "whsec_")):
                raise ValueError(f"Stripe settings take SSM parameter NAMES (/a/b), got {name[:8]}...")
        return settings
