"""The web client on S3 behind CloudFront, and the API under `/api` on the same distribution.

- The client's bucket is private (all public access blocked, TLS only, S3-managed
  encryption, access logs): CloudFront reads it through an origin access control.
- One distribution, HTTPS only (HTTP is redirected; `/api/*` refuses plain HTTP, a redirect
  would lose a POST's body), TLS 1.2 at least when a domain and its certificate are given.
- `/api/*` goes to the REST API, whose API Gateway stage is `api`: `/api/films` there is the
  app's `/films`, no rewrite needed. Same origin for the page and the API: no CORS, and the
  content security policy's `connect-src` is `'self'`. Nothing of the API is cached
  (`Authorization` is in the key only so that CloudFront forwards it).
- Every response carries the security headers of one response headers policy, with a
  content security policy that admits Stripe.js (script and frames from js.stripe.com, 3-D
  Secure frames from hooks.stripe.com, calls to api.stripe.com) and Cognito's token endpoint.
- A BucketDeployment of `web/dist` when it exists at synth time (`web_dist` context to
  point elsewhere); otherwise the bucket is left empty, to be filled by the next synth after
  the client is built (`make synth` does not build it).
- Beside index.html, `/config.json`: the settings the client reads at start (web/src/config.ts),
  from the stack's own values: the API under `/api`, Cognito's sign-in (the user pool's OpenID
  issuer, whose discovery document names the hosted UI's endpoints, and the web client id),
  Stripe.js's address, the hosted UI's address and the client's own (the redirect URI, see
  infra/hosted_ui.py). `Cache-Control: no-cache`, like index.html: a new stack value is read at
  the next visit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import (
    Duration,
    RemovalPolicy,
    aws_certificatemanager as acm,
    aws_cloudfront as cloudfront,
    aws_cloudfront_origins as origins,
    aws_s3 as s3,
    aws_s3_deployment as s3deploy,
)
from constructs import Construct

from infra.hosted_ui import custom_domain_url
from infra.settings import StageSettings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEB_DIST = os.path.join(ROOT, "web", "dist")
API_PATH = "/api/*"
# The header CloudFront adds on its way to API Gateway: the WAF counts requests through the
# distribution per client (X-Forwarded-For), direct ones (Stripe, curl) per source IP.
EDGE_HEADER = "x-coprod-edge"

STRIPE_JS = "https://js.stripe.com"
STRIPE_JS_URL = f"{STRIPE_JS}/v3/"
STRIPE_API = "https://api.stripe.com"
STRIPE_HOOKS = "https://hooks.stripe.com"
COGNITO = "https://*.amazoncognito.com"


def content_security_policy(region: str) -> str:
    """The page's CSP: its own scripts and Stripe.js; the API on the same origin."""
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' {STRIPE_JS}",
        f"frame-src {STRIPE_JS} {STRIPE_HOOKS}",
        f"connect-src 'self' {STRIPE_API} {COGNITO} https://cognito-idp.{region}.amazonaws.com",
        "img-src 'self' data: https://*.stripe.com",
        "style-src 'self' 'unsafe-inline'",  # Stripe Elements style their own iframes' host element
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "upgrade-insecure-requests",
    ))


def cognito_authority(user_pool_id: str, region: str) -> str:
    """The user pool's OpenID issuer (oidc-client-ts' `authority`): its discovery document names
    the hosted UI's authorization and token endpoints. A given pool's id is `<region>_<id>`; a
    pool this stack creates is in the stack's region."""
    if cdk.Token.is_unresolved(user_pool_id):
        return cdk.Fn.join("", [f"https://cognito-idp.{region}.", cdk.Aws.URL_SUFFIX, "/", user_pool_id])
    return f"https://cognito-idp.{user_pool_id.split('_', 1)[0]}.amazonaws.com/{user_pool_id}"


def runtime_config(*, region: str, user_pool_id: str, app_client_id: str, hosted_ui_domain: str | None = None,
                   redirect_uri: str | None = None) -> dict[str, str]:
    """What the deployed client reads from /config.json (web/src/config.ts): with the hosted UI's
    address (its sign-out) and the client's own address, the app client's callback and sign-out URL."""
    return {
        "api_base": "/api",
        "auth": "cognito",
        "stripe_js": STRIPE_JS_URL,
        "cognito_authority": cognito_authority(user_pool_id, region),
        "cognito_client_id": app_client_id,
        **({"cognito_domain": hosted_ui_domain} if hosted_ui_domain else {}),
        **({"cognito_redirect_uri": redirect_uri} if redirect_uri else {}),
    }


# Paths without a file extension are the client's own routes: they all load index.html.
SPA_REWRITE = """function handler(event) {
  var request = event.request;
  if (request.uri.indexOf('.') === -1) { request.uri = '/index.html'; }
  return request;
}"""


def _nag_reasons(construct: Construct, *reasons: tuple[str, str]) -> None:
    """cdk-nag suppressions, as the metadata cdk-nag reads (no dependency on it here)."""
    default = construct.node.default_child
    target = default if isinstance(default, cdk.CfnResource) else construct
    target.add_metadata("cdk_nag", {"rules_to_suppress": [{"id": rule, "reason": why} for rule, why in reasons]})


def _deployment_nag_reasons(scope: cdk.Stack, deployment: s3deploy.BucketDeployment) -> None:
    """CDK's BucketDeployment brings its own handler (one for the stack): its runtime, its
    managed logging policy and its bucket-wide object actions are CDK's, not ours to narrow."""
    reasons = (("AwsSolutions-IAM4", "CDK BucketDeployment handler: AWSLambdaBasicExecutionRole for its logs"),
               ("AwsSolutions-IAM5", "CDK BucketDeployment handler: object actions on the asset and client buckets"),
               ("AwsSolutions-L1", "CDK BucketDeployment handler: the runtime CDK pins"))
    handlers = [c for c in scope.node.children if c.node.id.startswith("Custom::CDKBucketDeployment")]
    for construct in [deployment.handler_role, *handlers]:
        for child in construct.node.find_all():
            if isinstance(child, cdk.CfnResource):
                child.add_metadata("cdk_nag", {"rules_to_suppress": [{"id": r, "reason": w} for r, w in reasons]})


@dataclass
class ClientHosting:
    bucket: s3.Bucket
    logs: s3.Bucket
    distribution: cloudfront.Distribution
    deployed: bool  # whether web/dist was found and deployed
    config: dict[str, str]  # /config.json, deployed with the client
    url: str  # the client's HTTPS address, ending in "/": Cognito's callback and sign-out URL


def _bucket(scope: Construct, cid: str, **kwargs: Any) -> s3.Bucket:
    """Private, TLS only, encrypted. Kept when the stack goes (a bucket with objects cannot be
    deleted by CloudFormation; emptying it would take one more Lambda)."""
    return s3.Bucket(scope, cid, block_public_access=s3.BlockPublicAccess.BLOCK_ALL, enforce_ssl=True,
                     encryption=s3.BucketEncryption.S3_MANAGED, minimum_tls_version=1.2,
                     removal_policy=RemovalPolicy.RETAIN, **kwargs)


def client_hosting(scope: cdk.Stack, settings: StageSettings, *, rest_api_id: str, user_pool_id: str,
                   app_client_id: str, dist_dir: str | None = None,
                   hosted_ui_domain: str | None = None) -> ClientHosting:
    s = settings
    logs = _bucket(scope, "ClientLogs", object_ownership=s3.ObjectOwnership.OBJECT_WRITER,  # CloudFront logs need ACLs
                   lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(90))])
    _nag_reasons(logs, ("AwsSolutions-S1", "This is the bucket the access logs go to; logging it would loop"))
    bucket = _bucket(scope, "ClientBucket", server_access_logs_bucket=logs, server_access_logs_prefix="s3/")

    headers = cloudfront.ResponseHeadersPolicy(
        scope, "ClientHeaders", response_headers_policy_name=f"{s.prefix}-client-headers",
        security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
            content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                content_security_policy=content_security_policy(scope.region), override=True),
            strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                access_control_max_age=Duration.days(730), include_subdomains=True, preload=True, override=True),
            content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
            frame_options=cloudfront.ResponseHeadersFrameOptions(
                frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
            referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True),
            xss_protection=cloudfront.ResponseHeadersXSSProtection(protection=True, mode_block=True, override=True)),
        custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(custom_headers=[
            cloudfront.ResponseCustomHeader(header="Permissions-Policy", override=True,
                                            value="camera=(), microphone=(), geolocation=(), payment=(self)")]))

    api_cache = cloudfront.CachePolicy(
        scope, "ApiNoCache", cache_policy_name=f"{s.prefix}-api-no-cache",
        comment="Nothing of the API is cached; Authorization is in the key so that it is forwarded",
        default_ttl=Duration.seconds(0), min_ttl=Duration.seconds(0), max_ttl=Duration.seconds(1),
        header_behavior=cloudfront.CacheHeaderBehavior.allow_list("Authorization"),
        query_string_behavior=cloudfront.CacheQueryStringBehavior.all(),
        cookie_behavior=cloudfront.CacheCookieBehavior.none())
    api_origin = origins.HttpOrigin(
        cdk.Fn.join("", [rest_api_id, f".execute-api.{scope.region}.", scope.url_suffix]),
        protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        custom_headers={EDGE_HEADER: edge_value(scope)})
    certificate = (acm.Certificate.from_certificate_arn(scope, "ClientCertificate", s.web_certificate_arn)
                   if s.web_certificate_arn else None)
    distribution = cloudfront.Distribution(
        scope, "ClientDistribution", comment=f"{s.prefix} web client and API",
        default_root_object="index.html",
        domain_names=[s.web_domain_name] if s.web_domain_name and certificate else None,
        certificate=certificate,
        minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        enable_logging=True, log_bucket=logs, log_file_prefix="cloudfront/",
        default_behavior=cloudfront.BehaviorOptions(
            origin=origins.S3BucketOrigin.with_origin_access_control(bucket),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            response_headers_policy=headers,
            function_associations=[cloudfront.FunctionAssociation(
                event_type=cloudfront.FunctionEventType.VIEWER_REQUEST,
                function=cloudfront.Function(scope, "ClientRoutes", function_name=f"{s.prefix}-client-routes",
                                             runtime=cloudfront.FunctionRuntime.JS_2_0,
                                             code=cloudfront.FunctionCode.from_inline(SPA_REWRITE)))]),
        additional_behaviors={API_PATH: cloudfront.BehaviorOptions(
            origin=api_origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=api_cache,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=headers)})
    _nag_reasons(
        distribution,
        ("AwsSolutions-CFR1", "A crowdfunding platform open to every country: no geo restriction"),
        ("AwsSolutions-CFR2", "A CloudFront web ACL must live in us-east-1; the API behind /api has the "
                              "stage's regional WAF (rate per client IP, X-Forwarded-For through CloudFront)"),
        *((("AwsSolutions-CFR4", "No custom domain given (web_domain_name, web_certificate_arn): the "
                                 "default *.cloudfront.net certificate cannot pin TLS 1.2; give both to "
                                 "get TLSv1.2_2021"),) if certificate is None else ()),
    )

    url = custom_domain_url(s) or f"https://{distribution.distribution_domain_name}/"
    config = runtime_config(region=scope.region, user_pool_id=user_pool_id, app_client_id=app_client_id,
                            hosted_ui_domain=hosted_ui_domain, redirect_uri=url)

    dist = dist_dir if dist_dir is not None else WEB_DIST
    deployed = os.path.isfile(os.path.join(dist, "index.html"))
    if deployed:
        # Hashed assets are immutable; everything else (index.html) is revalidated on each visit.
        s3deploy.BucketDeployment(
            scope, "ClientAssets", sources=[s3deploy.Source.asset(dist)], destination_bucket=bucket,
            exclude=["*"], include=["assets/*"], prune=False,
            cache_control=[s3deploy.CacheControl.from_string("public, max-age=31536000, immutable")])
        pages = s3deploy.BucketDeployment(
            scope, "ClientPages", sources=[s3deploy.Source.asset(dist), s3deploy.Source.json_data("config.json", config)],
            destination_bucket=bucket,
            exclude=["assets/*"], distribution=distribution, distribution_paths=["/*"],
            cache_control=[s3deploy.CacheControl.from_string("no-cache")])
        _deployment_nag_reasons(scope, pages)
    else:
        cdk.Annotations.of(scope).add_info(
            f"{dist} has no index.html: the client's bucket is left empty. Build the client "
            "(web/) and synthesize again to deploy it.")
    cdk.CfnOutput(scope, "ClientUrl", value=f"https://{distribution.distribution_domain_name}")
    cdk.CfnOutput(scope, "ClientApiUrl", value=f"https://{distribution.distribution_domain_name}/api")
    return ClientHosting(bucket, logs, distribution, deployed, config, url)


def edge_value(stack: cdk.Stack) -> str:
    """The value CloudFront sets in EDGE_HEADER: the stack's own UUID, known to the account
    only (it is in no source file), so a caller cannot pass for CloudFront to the WAF."""
    return cdk.Fn.join("-", ["edge", cdk.Fn.select(2, cdk.Fn.split("/", stack.stack_id))])
