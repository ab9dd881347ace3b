"""Infrastructure reviewed by rules: cdk-nag's AwsSolutions pack on every synthesized stack, and
the findings it cannot see (the Chalice app's SAM resources) or that were named in review."""

from __future__ import annotations

import json

import pytest

from infra import messaging
from tests.infra.test_stack import STAGES, function, render


@pytest.mark.parametrize("which", ["dev", "prod", "fixture"])
def test_the_aws_solutions_pack_leaves_no_finding_unsuppressed(real, fixture_synth, which):
    synth = fixture_synth if which == "fixture" else real[which]
    assert synth.nag == []


def test_the_pack_runs_and_reports_on_this_cdk(tmp_path):
    """The same aspect on a stack with known faults reports them (it does run on this aws-cdk-lib)."""
    import aws_cdk as cdk
    from aws_cdk import aws_sqs as sqs

    from infra import nag
    from tests.infra.conftest import nag_findings

    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "faulty")
    sqs.Queue(stack, "Plain", encryption=sqs.QueueEncryption.UNENCRYPTED)
    cdk.Aspects.of(app).add(nag.checks())
    found = " ".join(nag_findings(stack))
    assert "AwsSolutions-SQS3" in found and "AwsSolutions-SQS4" in found


@pytest.mark.parametrize("stage", STAGES)
def test_every_suppression_gives_its_reason(real, stage):
    suppressions = [s for r in real[stage].json["Resources"].values()
                    for s in r.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])]
    assert suppressions
    for s in suppressions:
        assert s["id"].startswith("AwsSolutions-") and len(s["reason"]) >= 60, s


@pytest.mark.parametrize("stage", STAGES)
def test_the_events_topic_has_its_own_rotating_key_and_its_publishers_may_use_it(real, stage):
    synth = real[stage]
    keys = synth.resources("AWS::KMS::Key")
    for short in messaging.TOPICS:
        (topic,) = [t["Properties"] for t in synth.resources("AWS::SNS::Topic").values()
                    if t["Properties"]["TopicName"] == f"coprod-{stage}-{short}"]
        key_logical = topic["KmsMasterKeyId"]["Fn::GetAtt"][0]
        assert keys[key_logical]["Properties"]["EnableKeyRotation"] is True
    _, relay = function(synth, "relay_outbox")  # publishes to the events topic
    role = relay["Role"]["Fn::GetAtt"][0]
    kms = [st for p in synth.resources("AWS::IAM::Policy").values()
           if {"Ref": role} in p["Properties"]["Roles"]
           for st in p["Properties"]["PolicyDocument"]["Statement"] if "kms:GenerateDataKey" in st["Action"]]
    assert [sorted(st["Action"]) for st in kms] == [["kms:Decrypt", "kms:GenerateDataKey"]]
    assert render(synth, kms[0]["Resource"]) == f"coprod-{stage}-events"


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_writes_access_logs(real, stage):
    synth = real[stage]
    setting = synth.json["Resources"]["RestAPI"]["Properties"]["AccessLogSetting"]
    group = setting["DestinationArn"]["Fn::GetAtt"][0]
    assert synth.json["Resources"][group]["Properties"]["LogGroupName"] == f"/aws/apigateway/coprod-{stage}-api"
    line = json.loads(setting["Format"])
    assert {"requestId", "ip", "status", "resourcePath"} <= set(line)
    (account,) = synth.resources("AWS::ApiGateway::Account").values()
    role = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    assert synth.json["Resources"][role]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0][
        "Principal"] == {"Service": "apigateway.amazonaws.com"}


@pytest.mark.parametrize("stage", STAGES)
def test_the_user_pool_has_a_password_policy_and_threat_protection(real, stage):
    (pool,) = real[stage].resources("AWS::Cognito::UserPool").values()
    props = pool["Properties"]
    policy = props["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))
    assert props["UserPoolTier"] == "PLUS"
    assert props["UserPoolAddOns"]["AdvancedSecurityMode"] == "ENFORCED"
    assert props["MfaConfiguration"] == "OPTIONAL"
    # Self sign-up stays open, behind a verified e-mail (infra/stack.py _cognito says why).
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    assert props["AutoVerifiedAttributes"] == ["email"]


@pytest.mark.parametrize("stage", STAGES)
def test_no_role_may_delete_money_records(real, stage):
    """The API's role may delete a refused pledge, a verification code, a perk, a name taken out of
    a film's credits, and nothing else; no role deletes from the royalty ledger or the payouts."""
    from tests.infra.test_stack import granted, present_functions

    synth = real[stage]
    deletes = {name: granted(synth, name).get("dynamodb:DeleteItem", set()) for name in present_functions(synth)}
    assert deletes["api_handler"] == {f"coprod-{stage}-{t}" for t in ("pledges", "verifications", "perks", "credits")}
    for name, tables in deletes.items():
        assert not tables & {f"coprod-{stage}-royalty_ledger", f"coprod-{stage}-payouts"}, name


@pytest.mark.parametrize("stage", STAGES)
def test_public_routes_go_to_a_role_without_the_stripe_keys(real, stage):
    """API Gateway sends the public routes to `public_api`; its role reads no Stripe parameter and
    deletes nothing; every other route (the Stripe webhook among them) stays with the API handler."""
    from infra.functions import PUBLIC_ROUTES
    from tests.infra.test_stack import granted

    synth = real[stage]
    public_logical, _ = function(synth, "public_api")
    api_logical, _ = function(synth, "api_handler")
    paths = synth.json["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    for path, methods in paths.items():
        for method, operation in methods.items():
            if "x-amazon-apigateway-integration" not in operation:
                continue
            uri = json.dumps(operation["x-amazon-apigateway-integration"]["uri"])
            target = public_logical if (method.upper(), path) in PUBLIC_ROUTES else api_logical
            assert f"${{{target}.Arn}}" in uri, (method, path, uri)
    assert {(m.upper(), p) for p, ms in paths.items() for m in ms} >= set(PUBLIC_ROUTES)
    grants = granted(synth, "public_api")
    assert grants["ssm:GetParameter"] == {f"arn:aws:ssm:eu-west-3:123456789012:parameter/coprod/{stage}/token-secret"}
    assert "dynamodb:DeleteItem" not in grants and "sns:Publish" not in grants
    permissions = [p["Properties"] for p in synth.resources("AWS::Lambda::Permission").values()
                   if p["Properties"]["FunctionName"] == {"Ref": public_logical}]
    assert [p["Principal"] for p in permissions] == ["apigateway.amazonaws.com"]
