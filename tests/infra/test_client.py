"""The web client on S3 behind CloudFront, the API under /api of the same distribution."""

from __future__ import annotations

import json

import pytest
from aws_cdk import aws_s3_deployment as s3deploy

from infra.client import API_PATH, EDGE_HEADER, runtime_config
from tests.infra.conftest import EXISTING_POOL, write_fixture_app

STAGES = ("dev", "prod")
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AWS managed origin request policy
EXISTING_POOL_DOMAIN = "https://films-login.auth.eu-west-3.amazoncognito.com"  # the given pool's hosted UI
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A synth with a built client (web/dist stand-in) and a custom domain, on the small fixture app."""
    from infra.functions import FUNCTIONS
    from tests.infra.conftest import synthesize

    dist = tmp_path_factory.mktemp("dist")
    (dist / "index.html").write_text("<!doctype html><title>Coprod</title>")
    (dist / "assets").mkdir()
    (dist / "assets" / "index-3f2a1b.js").write_text("console.log('coprod')")
    source = write_fixture_app(tmp_path_factory.mktemp("client-app"), FUNCTIONS)
    # The files the deployments render from data (config.json): CDK writes them to a temporary
    # directory it removes once synthesized, so they are read as they are handed to it.
    rendered = {}
    json_data = s3deploy.Source.json_data

    def recording(key, obj, *args, **kwargs):
        rendered[key] = obj
        return json_data(key, obj, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(s3deploy.Source, "json_data", recording)
        synth = synthesize("prod", tmp_path_factory.mktemp("infra-client"), source_dir=source, context={
            **EXISTING_POOL, "web_dist": str(dist), "web_domain_name": "films.example.org",
            "web_certificate_arn": CERTIFICATE, "cognito_domain": EXISTING_POOL_DOMAIN})
    synth.rendered = rendered
    return synth


def one(synth, type_):
    (found,) = synth.resources(type_).items()
    return found


def distribution(synth) -> dict:
    return one(synth, "AWS::CloudFront::Distribution")[1]["Properties"]["DistributionConfig"]


def buckets(synth) -> tuple[tuple[str, dict], tuple[str, dict]]:
    """(client bucket, logs bucket), each as (logical id, resource)."""
    found = synth.resources("AWS::S3::Bucket")
    (site,) = [(k, v) for k, v in found.items() if k.startswith("ClientBucket")]
    (logs,) = [(k, v) for k, v in found.items() if k.startswith("ClientLogs")]
    return site, logs


def policy_of(synth, bucket_logical: str) -> list[dict]:
    for policy in synth.resources("AWS::S3::BucketPolicy").values():
        if policy["Properties"]["Bucket"] == {"Ref": bucket_logical}:
            return policy["Properties"]["PolicyDocument"]["Statement"]
    raise AssertionError(f"no bucket policy for {bucket_logical}")


def nag_reasons(resource: dict) -> dict[str, str]:
    rules = resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    return {r["id"]: r["reason"] for r in rules}


def behaviors(synth) -> tuple[dict, dict]:
    config = distribution(synth)
    (api,) = config["CacheBehaviors"]
    return config["DefaultCacheBehavior"], api


@pytest.mark.parametrize("stage", STAGES)
def test_both_buckets_are_private_tls_only_encrypted_and_logged(real, stage):
    synth = real[stage]
    (site_id, site), (logs_id, logs) = buckets(synth)
    for logical, bucket in ((site_id, site), (logs_id, logs)):
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True}, logical
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
            "ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}, logical
        denies = [s for s in policy_of(synth, logical) if s["Effect"] == "Deny"]
        assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies), logical
        assert any(s["Condition"] == {"NumericLessThan": {"s3:TlsVersion": 1.2}} for s in denies), logical
        assert bucket["DeletionPolicy"] == "Retain"
    assert site["Properties"]["LoggingConfiguration"] == {"DestinationBucketName": {"Ref": logs_id},
                                                         "LogFilePrefix": "s3/"}
    assert "LoggingConfiguration" not in logs["Properties"]
    assert "AwsSolutions-S1" in nag_reasons(logs)  # the log bucket says why it logs nowhere


@pytest.mark.parametrize("stage", STAGES)
def test_cloudfront_reads_the_bucket_through_an_origin_access_control(real, stage):
    synth = real[stage]
    oac_id, oac = one(synth, "AWS::CloudFront::OriginAccessControl")
    assert oac["Properties"]["OriginAccessControlConfig"] | {"Name": None} == {
        "Name": None, "OriginAccessControlOriginType": "s3", "SigningBehavior": "always", "SigningProtocol": "sigv4"}
    (site_id, _), _ = buckets(synth)
    config = distribution(synth)
    default, _ = behaviors(synth)
    (s3_origin,) = [o for o in config["Origins"] if o["Id"] == default["TargetOriginId"]]
    assert s3_origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert s3_origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    (dist_id, _) = one(synth, "AWS::CloudFront::Distribution")
    allows = [s for s in policy_of(synth, site_id) if s["Effect"] == "Allow"]
    (reader,) = allows
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"} and reader["Action"] == "s3:GetObject"
    assert dist_id in json.dumps(reader["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert not synth.resources("AWS::CloudFront::CloudFrontOriginAccessIdentity")


@pytest.mark.parametrize("stage", STAGES)
def test_https_only_to_viewers_and_to_the_api(real, stage):
    synth = real[stage]
    default, api = behaviors(synth)
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert api["ViewerProtocolPolicy"] == "https-only"  # a redirect would drop a POST's body
    (api_origin,) = [o for o in distribution(synth)["Origins"] if o["Id"] == api["TargetOriginId"]]
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert api_origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    config = distribution(synth)
    assert config["Logging"]["Bucket"] == {"Fn::GetAtt": [buckets(synth)[1][0], "RegionalDomainName"]}
    assert "ViewerCertificate" not in config  # *.cloudfront.net's certificate: no TLS floor to set, a reason given
    assert "AwsSolutions-CFR4" in nag_reasons(one(synth, "AWS::CloudFront::Distribution")[1])


def test_a_custom_domain_gets_tls_1_2_at_least(built):
    config = distribution(built)
    assert config["Aliases"] == ["films.example.org"]
    assert config["ViewerCertificate"] == {"AcmCertificateArn": CERTIFICATE, "MinimumProtocolVersion": "TLSv1.2_2021",
                                           "SslSupportMethod": "sni-only"}
    assert "AwsSolutions-CFR4" not in nag_reasons(one(built, "AWS::CloudFront::Distribution")[1])


@pytest.mark.parametrize("stage", STAGES)
def test_security_headers_and_a_content_security_policy_that_admits_stripe_js(real, stage):
    synth = real[stage]
    policy_id, policy = one(synth, "AWS::CloudFront::ResponseHeadersPolicy")
    config = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = {d.split()[0]: d.split()[1:] for d in config["ContentSecurityPolicy"]["ContentSecurityPolicy"].split("; ")}
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'", "https://js.stripe.com"]
    assert csp["frame-src"] == ["https://js.stripe.com", "https://hooks.stripe.com"]
    assert csp["connect-src"][:2] == ["'self'", "https://api.stripe.com"]  # the API is on the same origin
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert not any("unsafe-eval" in v or "*" == v for values in csp.values() for v in values)
    assert config["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert config["StrictTransportSecurity"]["IncludeSubdomains"] is True
    assert config["ContentTypeOptions"] == {"Override": True}
    assert config["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert config["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    for behavior in behaviors(synth):
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": policy_id}


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_is_under_api_on_the_same_distribution_uncached(real, stage):
    synth = real[stage]
    _, api = behaviors(synth)
    assert api["PathPattern"] == API_PATH == "/api/*"
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    (origin,) = [o for o in distribution(synth)["Origins"] if o["Id"] == api["TargetOriginId"]]
    domain = json.dumps(origin["DomainName"])
    assert '"Ref": "RestAPI"' in domain and ".execute-api.eu-west-3." in domain
    assert "OriginPath" not in origin or origin["OriginPath"] == ""
    # API Gateway's stage is `api`: /api/films at the edge is the app's /films, no rewrite
    assert synth.json["Resources"]["RestAPI"]["Properties"]["StageName"] == "api"
    (edge_header,) = origin["OriginCustomHeaders"]
    assert edge_header["HeaderName"] == EDGE_HEADER
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    cache = synth.json["Resources"][api["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    assert (cache["DefaultTTL"], cache["MinTTL"]) == (0, 0) and cache["MaxTTL"] <= 1
    key = cache["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["HeadersConfig"] == {"HeaderBehavior": "whitelist", "Headers": ["Authorization"]}
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "all"}


def test_same_origin_means_no_cors_in_the_app():
    """The client calls /api on its own origin: the API answers no cross-origin request."""
    import app as application

    for path, methods in application.app.routes.items():
        for method, entry in methods.items():
            assert not entry.cors, f"{method} {path} allows cross-origin requests"


@pytest.mark.parametrize("stage", STAGES)
def test_the_waf_counts_callers_through_cloudfront_by_their_forwarded_ip(real, stage):
    synth = real[stage]
    (acl,) = synth.resources("AWS::WAFv2::WebACL").values()
    direct, through_edge = acl["Properties"]["Rules"]
    _, api = behaviors(synth)
    (origin,) = [o for o in distribution(synth)["Origins"] if o["Id"] == api["TargetOriginId"]]
    (edge_header,) = origin["OriginCustomHeaders"]
    match = through_edge["Statement"]["RateBasedStatement"]["ScopeDownStatement"]["ByteMatchStatement"]
    assert match["FieldToMatch"] == {"SingleHeader": {"Name": EDGE_HEADER}}
    assert match["SearchString"] == edge_header["HeaderValue"] and match["PositionalConstraint"] == "EXACTLY"
    assert "edge" in json.dumps(match["SearchString"]) and '"AWS::StackId"' in json.dumps(match["SearchString"])
    assert through_edge["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "FORWARDED_IP"
    assert through_edge["Statement"]["RateBasedStatement"]["ForwardedIPConfig"]["HeaderName"] == "X-Forwarded-For"
    assert direct["Statement"]["RateBasedStatement"]["ScopeDownStatement"] == {
        "NotStatement": {"Statement": through_edge["Statement"]["RateBasedStatement"]["ScopeDownStatement"]}}


@pytest.mark.parametrize("stage", STAGES)
def test_without_a_built_client_the_bucket_stays_empty(real, stage):
    assert not real[stage].resources("Custom::CDKBucketDeployment")
    assert "ClientUrl" in real[stage].json["Outputs"]


def test_a_built_client_is_deployed_and_the_cache_invalidated(built):
    deployments = built.resources("Custom::CDKBucketDeployment")
    assert len(deployments) == 2
    (site_id, _), _ = buckets(built)
    by_cache = {json.dumps(d["Properties"].get("SystemMetadata", {})): d["Properties"] for d in deployments.values()}
    for props in by_cache.values():
        assert props["DestinationBucketName"] == {"Ref": site_id}
    (assets,) = [p for k, p in by_cache.items() if "immutable" in k]
    (pages,) = [p for k, p in by_cache.items() if "no-cache" in k]
    assert assets["Include"] == ["assets/*"] and assets["Prune"] is False
    assert pages["Exclude"] == ["assets/*"] and pages["DistributionPaths"] == ["/*"]
    # CDK's own handler says why cdk-nag's rules on it do not apply
    handlers = [r for k, r in built.resources("AWS::Lambda::Function").items()
                if k.startswith("CustomCDKBucketDeployment")]
    assert handlers and all("AwsSolutions-L1" in nag_reasons(r) for r in handlers)


def test_the_built_client_gets_its_runtime_config_uncached(built):
    expected = {
        "api_base": "/api", "auth": "cognito", "stripe_js": "https://js.stripe.com/v3/",
        "cognito_authority": "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_Existing1",  # EXISTING_POOL
        "cognito_client_id": "existingclient123",
        "cognito_domain": EXISTING_POOL_DOMAIN, "cognito_redirect_uri": "https://films.example.org/"}
    assert built.rendered == {"config.json": expected}
    assert built.stack.client.config == expected
    # config.json is one more source of the pages' deployment (no-cache), not of the immutable assets'
    by_cache = {d["Properties"]["SystemMetadata"]["cache-control"]: d["Properties"]
                for d in built.resources("Custom::CDKBucketDeployment").values()}
    pages, assets = by_cache["no-cache"], by_cache["public, max-age=31536000, immutable"]
    assert len(pages["SourceObjectKeys"]) == 2 and len(assets["SourceObjectKeys"]) == 1
    config_key = (set(pages["SourceObjectKeys"]) - set(assets["SourceObjectKeys"])).pop()
    pages_stack = built.stack.node.find_child("ClientPages")
    (config_asset,) = [c for c in pages_stack.node.find_all()
                       if getattr(c, "s3_object_key", None) == config_key]
    assert config_asset.node.id != "Asset1"  # Asset1 is web/dist; the second source is config.json


def test_the_config_names_the_user_pool_the_stack_creates():
    import aws_cdk as cdk
    from aws_cdk import aws_cognito as cognito

    stack = cdk.Stack(cdk.App(), "config", env=cdk.Environment(account="123456789012", region="eu-west-3"))
    pool = cognito.UserPool(stack, "Pool")
    client = pool.add_client("Web")
    config = stack.resolve(runtime_config(region=stack.region, user_pool_id=pool.user_pool_id,
                                          app_client_id=client.user_pool_client_id))
    pool_id = stack.get_logical_id(pool.node.default_child)
    client_id = stack.get_logical_id(client.node.default_child)
    assert config == {
        "api_base": "/api", "auth": "cognito", "stripe_js": "https://js.stripe.com/v3/",
        "cognito_authority": {"Fn::Join": ["", ["https://cognito-idp.eu-west-3.", {"Ref": "AWS::URLSuffix"}, "/",
                                                {"Ref": pool_id}]]},
        "cognito_client_id": {"Ref": client_id}}


# --- sign-in through Cognito's hosted UI (infra/hosted_ui.py) --------------------------

def rendered(value) -> str:
    """A template value as text, CloudFormation's references written <Logical> or <Logical.Attr>."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        return value["Fn::Join"][0].join(rendered(p) for p in value["Fn::Join"][1])
    if "Ref" in value:
        return f"<{value['Ref']}>"
    if "Fn::GetAtt" in value:
        return f"<{'.'.join(value['Fn::GetAtt'])}>"
    raise AssertionError(f"unexpected template value {value}")


def references(value) -> set[str]:
    """The resources a template value names (Ref, Fn::GetAtt, ${...} of Fn::Sub)."""
    import re

    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref":
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else inner.split(".")[0])
            elif key == "Fn::Sub":
                text = inner if isinstance(inner, str) else inner[0]
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
                found |= references(inner if isinstance(inner, str) else inner[1])
            else:
                found |= references(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= references(inner)
    return found


def cycle(template: dict) -> list[str] | None:
    """A dependency cycle among the template's resources (what CloudFormation refuses), or None."""
    resources = template["Resources"]
    edges = {}
    for logical, resource in resources.items():
        depends = resource.get("DependsOn", [])
        named = references(resource.get("Properties", {})) | set([depends] if isinstance(depends, str) else depends)
        edges[logical] = sorted(named & set(resources))
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in edges[node]:
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
            if nxt not in state and (found := visit(nxt, path + [nxt])):
                return found
        state[node] = 2
        return None

    for start in resources:
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def hosted_ui_call(synth) -> tuple[dict, dict]:
    """(the custom resource, its UpdateUserPoolClient call as sent on create)."""
    (resource,) = synth.resources("Custom::HostedUiCallbacks").values()
    call = json.loads(rendered(resource["Properties"]["Create"]))
    assert json.loads(rendered(resource["Properties"]["Update"])) == call  # a change of any field sets them again
    return resource, call


def test_the_cycle_finder_finds_one():
    assert cycle({"Resources": {"A": {"Properties": {"X": {"Fn::GetAtt": ["B", "Arn"]}}},
                                "B": {"Properties": {"Y": {"Fn::Sub": "${C.Arn}"}}},
                                "C": {"Properties": {}, "DependsOn": ["A"]}}}) == ["A", "B", "C", "A"]


@pytest.mark.parametrize("stage", STAGES)
def test_the_stack_has_no_dependency_cycle(real, stage):
    assert cycle(real[stage].json) is None


@pytest.mark.parametrize("stage", STAGES)
def test_the_user_pool_has_a_hosted_ui_domain(real, stage):
    synth = real[stage]
    (pool,) = synth.resources("AWS::Cognito::UserPool")
    (domain_id, domain), = synth.resources("AWS::Cognito::UserPoolDomain").items()
    assert domain["Properties"] == {"Domain": f"coprod-{stage}-123456789012", "UserPoolId": {"Ref": pool}}
    config = synth.stack.resolve(synth.stack.client.config)
    assert rendered(config["cognito_domain"]) == f"https://<{domain_id}>.auth.eu-west-3.amazoncognito.com"
    assert "HostedUiUrl" in synth.json["Outputs"]


@pytest.mark.parametrize("stage", STAGES)
def test_the_distribution_address_is_the_app_clients_callback_once_it_exists(real, stage):
    synth = real[stage]
    (pool,) = synth.resources("AWS::Cognito::UserPool")
    (client_id, client), = synth.resources("AWS::Cognito::UserPoolClient").items()
    (dist_id, _) = one(synth, "AWS::CloudFront::Distribution")
    resource, call = hosted_ui_call(synth)
    url = f"https://<{dist_id}.DomainName>/"
    assert call["service"] == "CognitoIdentityServiceProvider" and call["action"] == "updateUserPoolClient"
    params = call["parameters"]
    assert params["UserPoolId"] == f"<{pool}>" and params["ClientId"] == f"<{client_id}>"
    assert params["CallbackURLs"] == params["LogoutURLs"] == [url]
    assert params["AllowedOAuthFlows"] == ["code"] and params["AllowedOAuthScopes"] == ["openid", "email", "profile"]
    assert params["AllowedOAuthFlowsUserPoolClient"] is True
    assert params["SupportedIdentityProviders"] == ["COGNITO"]
    # UpdateUserPoolClient resets what it is not given: every field the app client declares is given
    props = client["Properties"]
    assert "CallbackURLs" not in props and props["AllowedOAuthFlowsUserPoolClient"] is False  # no cycle
    for key, value in props.items():
        if key not in ("UserPoolId", "GenerateSecret", "AllowedOAuthFlowsUserPoolClient"):
            assert params[key] == (rendered(value) if isinstance(value, dict) else value), key
    assert {dist_id, client_id} <= set(resource["DependsOn"])
    # the same address is the client's redirect URI
    config = synth.stack.resolve(synth.stack.client.config)
    assert rendered(config["cognito_redirect_uri"]) == url
    assert rendered(config["cognito_client_id"]) == f"<{client_id}>"


@pytest.mark.parametrize("stage", STAGES)
def test_the_callback_setter_may_update_this_app_client_only(real, stage):
    synth = real[stage]
    (pool,) = synth.resources("AWS::Cognito::UserPool")
    handlers = {k: v for k, v in synth.resources("AWS::Lambda::Function").items() if k.startswith("AWS679f53fac")}
    (handler,) = handlers.values()  # one handler for the stack's SDK calls, under one role
    role = handler["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = [(p["Properties"]["Roles"], s) for p in synth.resources("AWS::IAM::Policy").values()
                  for s in p["Properties"]["PolicyDocument"]["Statement"]
                  if "cognito-idp:UpdateUserPoolClient" in json.dumps(s["Action"])]
    assert statements == [([{"Ref": role}], {"Action": "cognito-idp:UpdateUserPoolClient", "Effect": "Allow",
                                              "Resource": {"Fn::GetAtt": [pool, "Arn"]}})]


@pytest.fixture(scope="module")
def custom_domain(tmp_path_factory):
    """The stack's own user pool, the client on a custom domain (no client built)."""
    from infra.functions import FUNCTIONS
    from tests.infra.conftest import synthesize

    source = write_fixture_app(tmp_path_factory.mktemp("domain-app"), FUNCTIONS)
    return synthesize("prod", tmp_path_factory.mktemp("infra-domain"), source_dir=source, context={
        "web_dist": str(tmp_path_factory.getbasetemp() / "no-client"), "web_domain_name": "films.example.org",
        "web_certificate_arn": CERTIFICATE})


def test_a_custom_domain_is_the_app_clients_callback_from_the_start(custom_domain):
    (client,) = custom_domain.resources("AWS::Cognito::UserPoolClient").values()
    props = client["Properties"]
    assert props["AllowedOAuthFlowsUserPoolClient"] is True
    assert props["AllowedOAuthFlows"] == ["code"] and props["AllowedOAuthScopes"] == ["openid", "email", "profile"]
    assert props["CallbackURLs"] == props["LogoutURLs"] == ["https://films.example.org/"]
    assert props["SupportedIdentityProviders"] == ["COGNITO"]
    assert not custom_domain.resources("Custom::HostedUiCallbacks")
    assert custom_domain.stack.client.config["cognito_redirect_uri"] == "https://films.example.org/"
    assert cycle(custom_domain.json) is None
    assert custom_domain.nag == []
