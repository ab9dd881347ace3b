"""What the synthesized CloudFormation of infra/ must contain, for both stages."""

from __future__ import annotations

import json
import os
import re

import pytest
from aws_cdk.assertions import Match

from infra import messaging, tables
from infra.functions import FUNCTIONS, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, TOKEN_SECRET, FunctionSpec
from infra.stack import DEPENDENCY_METRIC_ALARMS, ROLE_PLACEHOLDER
from tests.infra.conftest import ACCOUNT, EXISTING_POOL, REGION

STAGES = ("dev", "prod")
NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SES::ConfigurationSet": "Name",
    "AWS::SES::EmailIdentity": "EmailIdentity",
    "AWS::IAM::Role": "RoleName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Serverless::Api": "Name",
    "AWS::Cognito::UserPool": "UserPoolName",
    "AWS::Cognito::UserPoolClient": "ClientName",
    "AWS::KMS::Key": "Description",  # keys have no name: infra/stack.py describes each by what it guards
}


# --- helpers ---------------------------------------------------------------------------

def key_schema(pk, sk):
    keys = [{"AttributeName": pk.name, "KeyType": "HASH"}]
    if sk:
        keys.append({"AttributeName": sk.name, "KeyType": "RANGE"})
    return keys


def resource_name(synth, logical: str, attr: str | None = None) -> str:
    resource = synth.json["Resources"][logical]
    name = resource["Properties"][NAME_PROPERTY[resource["Type"]]]
    return f"{name}/stream" if attr == "StreamArn" else name


def render(synth, value) -> str:
    """A CloudFormation value as text, named resources replaced by their physical names."""
    pseudo = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT,
              "AWS::URLSuffix": "amazonaws.com"}
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        ref = value["Ref"]
        return pseudo.get(ref) or resource_name(synth, ref)
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        logical, attr = value["Fn::GetAtt"]
        return resource_name(synth, logical, attr)
    if isinstance(value, dict) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return sep.join(render(synth, p) for p in parts)
    raise AssertionError(f"unexpected CloudFormation value {value!r}")


def function(synth, name: str) -> tuple[str, dict]:
    wanted = f"coprod-{synth.stage}-{name}"
    found = [(k, v["Properties"]) for k, v in synth.resources("AWS::Serverless::Function").items()
             if v["Properties"].get("FunctionName") == wanted]
    assert len(found) == 1, f"function {wanted}: {len(found)} found"
    return found[0]


def present_functions(synth) -> list[str]:
    prefix = f"coprod-{synth.stage}-"
    return sorted(v["Properties"]["FunctionName"].removeprefix(prefix)
                  for v in synth.resources("AWS::Serverless::Function").values())


def statements(synth, role_logical: str) -> list[dict]:
    """The role's inline policy, plus the overflow policies CDK splits off when it grows past
    IAM's size limit (customer-managed, written from the same statements, attached by "Roles")."""
    out = []
    policies = {**synth.resources("AWS::IAM::Policy"), **synth.resources("AWS::IAM::ManagedPolicy")}
    for policy in policies.values():
        if {"Ref": role_logical} in policy["Properties"].get("Roles", []):
            out += policy["Properties"]["PolicyDocument"]["Statement"]
    role = synth.json["Resources"][role_logical]["Properties"]
    for inline in role.get("Policies", []):
        out += inline["PolicyDocument"]["Statement"]
    return out


def as_list(x) -> list:
    return x if isinstance(x, list) else [x]


def granted(synth, name: str) -> dict[str, set[str]]:
    """action -> physical names/ARNs it is allowed on, for function `name`'s role."""
    _, props = function(synth, name)
    role_logical = props["Role"]["Fn::GetAtt"][0]
    out: dict[str, set[str]] = {}
    for st in statements(synth, role_logical):
        assert st["Effect"] == "Allow" and "Condition" not in st or st["Action"] == "kms:Decrypt"
        for action in as_list(st["Action"]):
            if "NotResource" in st:  # SMS: any publish that is not to a topic
                out.setdefault(action, set()).update(f"not {r}" for r in as_list(st["NotResource"]))
            else:
                out.setdefault(action, set()).update(render(synth, r) for r in as_list(st["Resource"]))
    return out


def expected_grants(stage: str, name: str, spec: FunctionSpec, ses_sender: str,
                    pool_id: str | None = None) -> dict[str, set[str]]:
    pool_id = pool_id or f"coprod-{stage}-users"  # the stack's own pool (rendered by its name)
    arn = f"arn:aws:%s:{REGION}:{ACCOUNT}:%s"
    t = lambda short: f"coprod-{stage}-{short}"  # noqa: E731
    out: dict[str, set[str]] = {}

    def add(actions, targets):
        if targets:
            for a in actions:
                out.setdefault(a, set()).update(targets)

    add(["logs:CreateLogStream", "logs:PutLogEvents"],
        [arn % ("logs", f"log-group:/aws/lambda/coprod-{stage}-{name}:*")])
    add(["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"],
        [x for s in spec.reads
         for x in [t(s)] + [f"{t(s)}/index/{g.name}" for g in tables.BY_SHORT[s].gsis]])
    add(["dynamodb:PutItem", "dynamodb:UpdateItem",
         "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"], [t(s) for s in spec.writes])
    add(["dynamodb:DeleteItem"], [t(s) for s in spec.deletes])
    add(["dynamodb:Scan"], [t(s) for s in spec.scans])
    add(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
         "dynamodb:ListStreams"], [f"{t(s)}/stream" for s in spec.streams])
    add(["sqs:SendMessage"], [t(f"{s}-stream-dlq") for s in spec.streams] + [t(q) for q in spec.sends])
    add(["sns:Publish"], [t(s) for s in spec.publishes])
    add(["kms:GenerateDataKey", "kms:Decrypt"], [t(s) for s in spec.publishes])  # the topic's own key
    add(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
         "sqs:GetQueueAttributes"], [t(q) for q in spec.consumes])
    params = {STRIPE_SECRET_KEY: f"/coprod/{stage}/stripe/secret-key",
              STRIPE_WEBHOOK_SECRET: f"/coprod/{stage}/stripe/webhook-secret",
              TOKEN_SECRET: f"/coprod/{stage}/token-secret"}
    add(["ssm:GetParameter"], [arn % ("ssm", "parameter" + params[p]) for p in spec.secrets])
    if spec.sends_email:
        add(["ses:SendEmail", "ses:SendRawEmail"],
            [arn % ("ses", f"identity/{ses_sender}"), arn % ("ses", f"configuration-set/coprod-{stage}")])
    if spec.sends_sms:
        add(["sns:Publish"], ["not arn:aws:sns:*:*:*"])
    if spec.lists_users:
        add(["cognito-idp:ListUsers"], [arn % ("cognito-idp", f"userpool/{pool_id}")])
    return out


# --- tables ----------------------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("spec", tables.TABLES, ids=lambda t: t.short)
def test_table(real, stage, spec):
    synth = real[stage]
    props = {
        "TableName": f"coprod-{stage}-{spec.short}",
        "KeySchema": key_schema(spec.pk, spec.sk),
        "BillingMode": "PAY_PER_REQUEST",
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "GlobalSecondaryIndexes": [
            {"IndexName": g.name, "KeySchema": key_schema(g.pk, g.sk),
             "Projection": {"ProjectionType": "ALL"}} for g in spec.gsis] or Match.absent(),
        "StreamSpecification": ({"StreamViewType": spec.stream} if spec.stream else Match.absent()),
        "TimeToLiveSpecification": ({"AttributeName": spec.ttl, "Enabled": True}
                                    if spec.ttl else Match.absent()),
    }
    synth.template.has_resource_properties("AWS::DynamoDB::Table", props)
    (table,) = [v for v in synth.resources("AWS::DynamoDB::Table").values()
                if v["Properties"]["TableName"] == props["TableName"]]
    definitions = {d["AttributeName"]: d["AttributeType"]
                   for d in table["Properties"]["AttributeDefinitions"]}
    keys = [spec.pk, spec.sk] + [k for g in spec.gsis for k in (g.pk, g.sk)]
    assert definitions == {k.name: k.type for k in keys if k}


@pytest.mark.parametrize("stage", STAGES)
def test_table_count_and_deletion_protection(real, stage):
    found = real[stage].resources("AWS::DynamoDB::Table")
    assert len(found) == len(tables.TABLES)
    for logical, table in found.items():
        if stage == "prod":
            assert table["Properties"].get("DeletionProtectionEnabled") is True, logical
            assert table["DeletionPolicy"] == "Retain", logical
        else:
            assert not table["Properties"].get("DeletionProtectionEnabled"), logical
            assert table["DeletionPolicy"] == "Delete", logical


@pytest.mark.parametrize("stage", STAGES)
def test_tables_match_the_pynamodb_models(real, stage):
    """Every table AWS gets is the one DynamoDB Local gets from the model's own schema
    (PynamoDB's create_table, as tables.registry.create_missing_tables sends it): keys, types,
    GSIs, stream; its TTL attribute is a number of the model. No other table but UNMODELLED."""
    from chalicelib.adapters.tables import ALL_MODELS

    synthesized = {t["Properties"]["TableName"]: t["Properties"]
                   for t in real[stage].resources("AWS::DynamoDB::Table").values()}

    def keys(key_schema):
        return sorted((k["AttributeName"], k["KeyType"]) for k in key_schema)

    names = set()
    for model in ALL_MODELS:
        name = f"coprod-{stage}-{model.Meta.short_name}"
        names.add(name)
        assert name in synthesized, f"{model.__name__}: no table {name}"
        props, schema = synthesized[name], model._get_schema()
        assert keys(props["KeySchema"]) == keys(schema["key_schema"]), name
        assert ({(d["AttributeName"], d["AttributeType"]) for d in props["AttributeDefinitions"]}
                == {(d["AttributeName"], d["AttributeType"]) for d in schema["attribute_definitions"]}), name
        assert ({g["IndexName"]: (keys(g["KeySchema"]), g["Projection"]) for g in props.get("GlobalSecondaryIndexes", [])}
                == {g["index_name"]: (keys(g["key_schema"]), g["projection"])
                    for g in schema["global_secondary_indexes"]}), name
        assert not schema["local_secondary_indexes"], name
        assert (props.get("StreamSpecification", {}).get("StreamViewType")
                == getattr(model.Meta, "stream_view_type", None)), name
        ttl = props.get("TimeToLiveSpecification", {}).get("AttributeName")
        assert ttl == model.Meta.ttl_attribute, name
        if ttl:
            assert model.get_attributes()[ttl].attr_type == "N", name
    assert set(synthesized) - names == {f"coprod-{stage}-{t.short}" for t in tables.UNMODELLED}


# --- messaging -------------------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGES)
def test_topics_queues_and_dead_letter_queues(real, stage):
    synth = real[stage]
    topics = {v["Properties"]["TopicName"]: k for k, v in synth.resources("AWS::SNS::Topic").items()}
    assert set(topics) == {f"coprod-{stage}-{t}" for t in messaging.TOPICS} | {f"coprod-{stage}-alarms"}
    queues = {v["Properties"]["QueueName"]: (k, v["Properties"])
              for k, v in synth.resources("AWS::SQS::Queue").items()}
    for q in messaging.QUEUES:
        logical, props = queues[f"coprod-{stage}-{q.short}"]
        dlq_logical, dlq = queues[f"coprod-{stage}-{q.short}-dlq"]
        assert props["RedrivePolicy"] == {
            "deadLetterTargetArn": {"Fn::GetAtt": [dlq_logical, "Arn"]},
            "maxReceiveCount": q.max_receive_count}
        assert props["SqsManagedSseEnabled"] is True and dlq["SqsManagedSseEnabled"] is True
        assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
        consumers = [f.timeout for f in FUNCTIONS.values() if q.short in f.consumes]
        assert props["VisibilityTimeout"] >= max([q.min_visibility_seconds] + [6 * t for t in consumers])
        if q.subscribe_to:
            synth.template.has_resource_properties("AWS::SNS::Subscription", {
                "Protocol": "sqs", "RawMessageDelivery": True,
                "TopicArn": {"Ref": topics[f"coprod-{stage}-{q.subscribe_to}"]},
                "Endpoint": {"Fn::GetAtt": [logical, "Arn"]}})
    for short, spec in tables.BY_SHORT.items():
        if spec.stream:
            assert f"coprod-{stage}-{short}-stream-dlq" in queues
    assert len(queues) == 2 * len(messaging.QUEUES) + sum(1 for t in tables.TABLES if t.stream)


@pytest.mark.parametrize("stage", STAGES)
def test_ses_configuration_set_and_identity(real, stage):
    synth = real[stage]
    synth.template.has_resource_properties("AWS::SES::ConfigurationSet", {"Name": f"coprod-{stage}"})
    synth.template.has_resource_properties("AWS::SES::EmailIdentity", {
        "EmailIdentity": "no-reply@example.com",
        "ConfigurationSetAttributes": {"ConfigurationSetName": Match.any_value()}})


# --- alarms ----------------------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGES)
def test_alarms(real, stage):
    synth = real[stage]
    alarms = {v["Properties"]["AlarmName"]: v["Properties"]
              for v in synth.resources("AWS::CloudWatch::Alarm").values()}
    p = f"coprod-{stage}-"
    (alarm_topic,) = [k for k, v in synth.resources("AWS::SNS::Topic").items()
                      if v["Properties"]["TopicName"] == f"{p}alarms"]
    dlqs = [f"{q.short}-dlq" for q in messaging.QUEUES] + [
        f"{t.short}-stream-dlq" for t in tables.TABLES if t.stream]
    expected = {f"{p}{d}-depth" for d in dlqs}
    expected |= {f"{p}{t.short}-throttles" for t in tables.TABLES}
    expected |= {f"{p}{f}-{m}" for f in present_functions(synth) for m in ("errors", "throttles")}
    expected |= {f"{p}refund-failed", f"{p}payout-failed"}
    expected |= {f"{p}reconciliation-unrepaired"}
    expected |= {f"{p}erasure-held"}  # a deleted Cognito user still owed money
    expected |= {f"{p}{name}" for name in DEPENDENCY_METRIC_ALARMS}
    assert set(alarms) == expected
    for name, props in alarms.items():
        assert props["Threshold"] == 0 and props["ComparisonOperator"] == "GreaterThanThreshold", name
        assert props["AlarmActions"] == [{"Ref": alarm_topic}], name
    for d in dlqs:
        props = alarms[f"{p}{d}-depth"]
        assert props["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert render(synth, props["Dimensions"][0]["Value"]) == f"{p}{d}"
    for f in present_functions(synth):
        for metric in ("Errors", "Throttles"):
            props = alarms[f"{p}{f}-{metric.lower()}"]
            assert (props["Namespace"], props["MetricName"]) == ("AWS/Lambda", metric)
            assert props["Dimensions"] == [{"Name": "FunctionName", "Value": f"{p}{f}"}]
    for t in tables.TABLES:
        metrics = alarms[f"{p}{t.short}-throttles"]["Metrics"]
        names = {m["MetricStat"]["Metric"]["MetricName"] for m in metrics if "MetricStat" in m}
        assert names == {"ReadThrottleEvents", "WriteThrottleEvents"}
        for m in metrics:
            if "MetricStat" in m:
                assert m["MetricStat"]["Metric"]["Dimensions"] == [
                    {"Name": "TableName", "Value": f"{p}{t.short}"}]
    for alarm, metric in (("refund-failed", "RefundFailed"), ("payout-failed", "PayoutFailed")):
        props = alarms[f"{p}{alarm}"]
        assert (props["Namespace"], props["MetricName"], props["Statistic"]) == ("Coprod", metric, "Sum")


@pytest.mark.parametrize("stage", STAGES)
def test_unrepaired_payments_raise_an_alarm(real, stage):
    """A pledge the reconciliation could not settle from Stripe pages someone."""
    synth = real[stage]
    alarms = {v["Properties"]["AlarmName"]: v["Properties"]
              for v in synth.resources("AWS::CloudWatch::Alarm").values()}
    props = alarms[f"coprod-{stage}-reconciliation-unrepaired"]
    assert (props["Namespace"], props["MetricName"], props["Statistic"]) == ("Coprod", "ReconciliationUnrepaired",
                                                                               "Sum")
    assert props["Dimensions"] == [{"Name": "service", "Value": "coprod"}]
    assert props["Threshold"] == 0 and props["ComparisonOperator"] == "GreaterThanThreshold"
    # The schedule that emits it is deployed, every 15 minutes.
    assert "reconcile_payments" in present_functions(synth)
    _, function_props = function(synth, "reconcile_payments")
    schedules = [e["Properties"]["Schedule"] for e in (function_props.get("Events") or {}).values()
                 if e["Type"] == "Schedule"]
    assert schedules == ["rate(15 minutes)"]


def test_every_dependency_metric_the_app_counts_has_its_alarm(real):
    from chalicelib.adapters import outages

    assert set(DEPENDENCY_METRIC_ALARMS.values()) == set(outages.METRIC_NAMES)
    p = "coprod-prod-"
    alarms = {v["Properties"]["AlarmName"]: v["Properties"]
              for v in real["prod"].resources("AWS::CloudWatch::Alarm").values()}
    for name, metric in DEPENDENCY_METRIC_ALARMS.items():
        props = alarms[f"{p}{name}"]
        assert (props["Namespace"], props["MetricName"], props["Statistic"]) == ("Coprod", metric, "Sum")
        assert props["Dimensions"] == [{"Name": "service", "Value": "coprod"}]
        assert props["Period"] == 300 and props["Threshold"] == 0
    assert alarms[f"{p}dynamodb-timeouts"]["MetricName"] == "DynamoDBTimeouts"
    assert alarms[f"{p}stripe-throttles"]["MetricName"] == "StripeThrottles"


# --- functions -------------------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGES)
def test_real_app_functions_have_their_settings(real, stage):
    synth = real[stage]
    names = present_functions(synth)
    assert "api_handler" in names
    assert set(names) <= set(FUNCTIONS)
    for name in names:
        spec = FUNCTIONS[name]
        _, props = function(synth, name)
        assert (props["Timeout"], props["MemorySize"]) == (spec.timeout, spec.memory), name
        schedules = [e["Properties"]["Schedule"] for e in (props.get("Events") or {}).values()
                     if e["Type"] == "Schedule"]
        assert schedules == ([spec.schedule] if spec.schedule else []), name
        assert props["Runtime"] == "python3.11"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_configured_function_gets_its_settings(fixture_synth, name):
    """Per-function timeout/memory/schedule, on a synthesized app that has them all."""
    spec = FUNCTIONS[name]
    logical, props = function(fixture_synth, name)
    assert props["Timeout"] == spec.timeout
    assert props["MemorySize"] == spec.memory
    events = props.get("Events") or {}
    if spec.schedule:
        assert events == {f"{logical}Event": {"Type": "Schedule", "Properties": {
            "Schedule": spec.schedule, "Name": f"coprod-prod-{name}",
            "Description": f"{name} on stage prod"}}}
    else:
        assert not events
    mappings = [m["Properties"] for m in fixture_synth.resources("AWS::Lambda::EventSourceMapping").values()
                if m["Properties"]["FunctionName"] == {"Ref": logical}]
    sources = sorted(render(fixture_synth, m["EventSourceArn"]) for m in mappings)
    assert sources == sorted([f"coprod-prod-{q}" for q in spec.consumes]
                             + [f"coprod-prod-{t}/stream" for t in spec.streams])
    for m in mappings:
        assert m["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert m["BatchSize"] == spec.batch_size
        if "/stream" in render(fixture_synth, m["EventSourceArn"]):
            assert render(fixture_synth, m["DestinationConfig"]["OnFailure"]["Destination"]).endswith(
                "-stream-dlq")


def test_scheduled_jobs_get_more_than_the_defaults():
    scheduled = {n: s for n, s in FUNCTIONS.items() if s.schedule}
    assert {"close_campaigns", "distribute_royalties"} <= set(scheduled)
    for name, spec in scheduled.items():
        assert (spec.timeout, spec.memory) == (900, 1024), name


# --- IAM -------------------------------------------------------------------------------

def all_statements(synth) -> list[dict]:
    out = []
    for r in synth.json["Resources"].values():
        if r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            out += r["Properties"]["PolicyDocument"]["Statement"]
        elif r["Type"] == "AWS::IAM::Role":
            for inline in r["Properties"].get("Policies", []):
                out += inline["PolicyDocument"]["Statement"]
    return out


@pytest.mark.parametrize("which", ["dev", "prod", "fixture"])
def test_no_wildcards_in_identity_policies(real, fixture_synth, which):
    synth = fixture_synth if which == "fixture" else real[which]
    found = all_statements(synth)
    assert found
    for st in found:
        actions = as_list(st["Action"])
        assert not any(a == "*" or a.endswith(":*") for a in actions), st
        if "NotResource" in st:  # only SMS: publishes that are not to a topic
            assert actions == ["sns:Publish"] and st["NotResource"] == "arn:aws:sns:*:*:*", st
            continue
        if actions == ["sns:SetSMSAttributes"]:  # the account's SMS settings: no resource to name
            assert st["Resource"] == "*", st
            continue
        if any(a.split(":")[0] in {"dynamodb", "sns", "sqs", "ssm"} for a in actions):
            assert "*" not in json.dumps(st["Resource"]), st
    for role in synth.resources("AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"]


@pytest.mark.parametrize("stage", STAGES)
def test_real_app_roles_are_exactly_what_functions_py_lists(real, stage):
    synth = real[stage]
    for name in present_functions(synth):
        assert granted(synth, name) == expected_grants(stage, name, FUNCTIONS[name],
                                                       "no-reply@example.com"), name


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_role_is_exactly_what_functions_py_lists(fixture_synth, name):
    assert granted(fixture_synth, name) == expected_grants("prod", name, FUNCTIONS[name],
                                                           "no-reply@example.com",
                                                           EXISTING_POOL["cognito_user_pool_id"])


@pytest.mark.parametrize("which", ["dev", "prod", "fixture"])
def test_each_function_has_its_own_role(real, fixture_synth, which):
    synth = fixture_synth if which == "fixture" else real[which]
    assert ROLE_PLACEHOLDER not in synth.text
    roles = set()
    for logical, fn in synth.resources("AWS::Serverless::Function").items():
        role = fn["Properties"]["Role"]["Fn::GetAtt"][0]
        assert synth.json["Resources"][role]["Type"] == "AWS::IAM::Role"
        assert synth.json["Resources"][role]["Properties"]["RoleName"] == fn["Properties"]["FunctionName"]
        roles.add(role)
    assert len(roles) == len(synth.resources("AWS::Serverless::Function"))


# --- configuration passed to the Lambdas ------------------------------------------------

SECRET_LITERAL = re.compile(r"(sk|rk|pk)_(live|test)_|whsec_")


@pytest.mark.parametrize("which", ["dev", "prod", "fixture"])
def test_no_secret_literal_in_template(real, fixture_synth, which):
    synth = fixture_synth if which == "fixture" else real[which]
    assert not SECRET_LITERAL.search(synth.text)


@pytest.mark.parametrize("stage", STAGES)
def test_environment_of_the_api_handler(real, stage):
    synth = real[stage]
    _, props = function(synth, "api_handler")
    env = props["Environment"]["Variables"]
    assert env["STAGE"] == stage and env["TABLE_PREFIX"] == f"coprod-{stage}"
    assert env["STRIPE_SECRET_KEY_PARAM"] == f"/coprod/{stage}/stripe/secret-key"
    assert env["STRIPE_WEBHOOK_SECRET_PARAM"] == f"/coprod/{stage}/stripe/webhook-secret"
    assert env["TOKEN_SECRET_PARAM"] == f"/coprod/{stage}/token-secret"
    assert "TOKEN_SECRET" not in env  # a name, never the secret
    (pool,) = synth.resources("AWS::Cognito::UserPool")
    (client,) = synth.resources("AWS::Cognito::UserPoolClient")
    assert env["COGNITO_USER_POOL_ID"] == {"Ref": pool}
    assert env["COGNITO_APP_CLIENT_ID"] == {"Ref": client}
    (pool_props,) = [v["Properties"] for v in synth.resources("AWS::Cognito::UserPool").values()]
    assert pool_props.get("DeletionProtection") == ("ACTIVE" if stage == "prod" else "INACTIVE")
    groups = {v["Properties"]["GroupName"] for v in synth.resources("AWS::Cognito::UserPoolGroup").values()}
    assert groups == {"admin", "producer"}


@pytest.mark.parametrize("stage", STAGES)
def test_messages_link_to_the_stage_api(real, stage):
    _, props = function(real[stage], "send_notifications")
    url = props["Environment"]["Variables"]["API_URL"]
    assert url == {"Fn::Sub": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api"}
    assert "RestAPI" in real[stage].json["Resources"]


def test_environment_of_every_function_with_an_existing_user_pool(fixture_synth):
    assert not fixture_synth.resources("AWS::Cognito::UserPool")
    for name, spec in FUNCTIONS.items():
        _, props = function(fixture_synth, name)
        env = props["Environment"]["Variables"]
        assert env["COGNITO_USER_POOL_ID"] == EXISTING_POOL["cognito_user_pool_id"]
        assert env["COGNITO_APP_CLIENT_ID"] == EXISTING_POOL["cognito_app_client_id"]
        assert ("STRIPE_SECRET_KEY_PARAM" in env) == (STRIPE_SECRET_KEY in spec.secrets), name
        assert ("STRIPE_WEBHOOK_SECRET_PARAM" in env) == (STRIPE_WEBHOOK_SECRET in spec.secrets), name
        assert ("SES_CONFIGURATION_SET" in env) == spec.sends_email, name
        for q in spec.sends:
            assert render(fixture_synth, env[q.upper().replace("-", "_") + "_QUEUE_URL"]) == f"coprod-prod-{q}"
        for t in spec.publishes:
            assert render(fixture_synth, env[f"{t.upper()}_TOPIC_ARN"]) == f"coprod-prod-{t}"


def test_no_deployed_stage_runs_without_a_user_pool(real, fixture_synth):
    """Without COGNITO_USER_POOL_ID a deployed function would refuse every token (auth.py):
    every function of every stage names a pool, created here or given in context."""
    from infra.settings import STAGES as DEPLOYED

    assert "local" not in DEPLOYED and set(DEPLOYED) == set(real)
    for synth in (*real.values(), fixture_synth):
        pools = [{"Ref": logical} for logical in synth.resources("AWS::Cognito::UserPool")]
        expected = pools[0] if pools else EXISTING_POOL["cognito_user_pool_id"]
        assert len(pools) <= 1
        for name in present_functions(synth):
            env = function(synth, name)[1]["Environment"]["Variables"]
            assert env["STAGE"] == synth.stage != "local", name
            assert env.get("COGNITO_USER_POOL_ID") == expected, name
            assert env.get("COGNITO_APP_CLIENT_ID"), name


# --- abuse and cost --------------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGES)
def test_api_stage_throttling(real, stage):
    (settings,) = real[stage].json["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    assert settings == {"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 100,
                        "ThrottlingBurstLimit": 200}


def test_api_throttling_and_waf_rate_are_settings(tmp_path):
    from tests.infra.conftest import synthesize

    synth = synthesize("dev", tmp_path, context={"api_throttle_rate": "7", "api_throttle_burst": "9",
                                                 "waf_requests_per_ip": "300", "platform_name": "Films SAS",
                                                 "platform_address": "1 rue A | 75001 Paris"})
    (settings,) = synth.json["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == (7, 9)
    env = function(synth, "api_handler")[1]["Environment"]["Variables"]  # the yearly statements' identity
    assert (env["PLATFORM_NAME"], env["PLATFORM_ADDRESS"]) == ("Films SAS", "1 rue A | 75001 Paris")
    assert "PLATFORM_REGISTRATION_NUMBER" not in env  # unset: chalicelib/config.py's default
    (acl,) = synth.resources("AWS::WAFv2::WebACL").values()
    assert [r["Statement"]["RateBasedStatement"]["Limit"] for r in acl["Properties"]["Rules"]] == [300, 300]


@pytest.mark.parametrize("stage", STAGES)
def test_a_waf_web_acl_limits_each_ip_on_the_api(real, stage):
    synth = real[stage]
    (logical, acl), = synth.resources("AWS::WAFv2::WebACL").items()
    props = acl["Properties"]
    assert props["Scope"] == "REGIONAL" and props["DefaultAction"] == {"Allow": {}}
    rule, through_cloudfront = props["Rules"]  # the second: tests/infra/test_client.py
    for each in (rule, through_cloudfront):
        assert each["Action"] == {"Block": {}}
        assert {k: v for k, v in each["Statement"]["RateBasedStatement"].items()
                if k in ("Limit", "EvaluationWindowSec")} == {"Limit": 1000, "EvaluationWindowSec": 300}
    assert rule["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    (association,) = synth.resources("AWS::WAFv2::WebACLAssociation").values()
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [logical, "Arn"]}
    assert association["Properties"]["ResourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/api"}


@pytest.mark.parametrize("stage", STAGES)
def test_refund_notification_and_royalty_functions_keep_their_concurrency(real, stage):
    kept = {"close_campaigns", "send_notifications", "distribute_royalties", "distribute_royalties_chunk"}
    assert {name for name, spec in FUNCTIONS.items() if spec.reserved_concurrency} == kept
    for name in present_functions(real[stage]):
        _, props = function(real[stage], name)
        assert props.get("ReservedConcurrentExecutions") == FUNCTIONS[name].reserved_concurrency, name


@pytest.mark.parametrize("stage,limit", [("dev", "10"), ("prod", "100")])
def test_sms_spend_limit_and_transactional_sender(real, stage, limit):
    (resource,) = real[stage].resources("Custom::AWS").values()
    create = json.loads(render_join(resource["Properties"]["Create"]))
    assert create["service"] == "SNS" and create["action"] == "setSMSAttributes"
    assert create["parameters"]["attributes"] == {"MonthlySpendLimit": limit, "DefaultSMSType": "Transactional",
                                                  "DefaultSenderID": "Coprod"}


def render_join(value) -> str:
    """A Create/Update property of a custom resource: a string, or an Fn::Join of strings."""
    if isinstance(value, str):
        return value
    parts = value["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else "x" for p in parts)


# --- naming ----------------------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGES)
def test_stage_in_every_resource_name(real, stage):
    synth = real[stage]
    other = "prod" if stage == "dev" else "dev"
    assert f"coprod-{other}" not in synth.text
    named = 0
    for logical, r in synth.json["Resources"].items():
        prop = NAME_PROPERTY.get(r["Type"])
        if prop and r["Type"] != "AWS::SES::EmailIdentity":
            assert f"coprod-{stage}" in render(synth, r["Properties"][prop]), logical
            named += 1
    assert named >= len(tables.TABLES) + 2 * len(messaging.QUEUES) + 10


def test_child_process_packaging_leaves_this_process_alone(real):
    # tests/conftest.py set these for the app's own tests; packaging dev/prod must not leak.
    assert os.environ["TABLE_PREFIX"] == "coprod-test"
    assert os.environ.get("STAGE") in (None, "local")
