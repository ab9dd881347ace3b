"""The platform for one stage: tables, messaging, SES, Cognito, the Chalice app, its
least-privilege roles, and alarms. Resource names all start with `coprod-<stage>-`."""

from __future__ import annotations

import os
from typing import Any

import aws_cdk as cdk
from aws_cdk import (
    Annotations,
    Duration,
    RemovalPolicy,
    aws_apigateway as apigateway,
    aws_cloudwatch as cw,
    aws_cloudwatch_actions as cw_actions,
    aws_cognito as cognito,
    aws_dynamodb as dynamodb,
    aws_iam as iam,
    aws_kms as kms,
    aws_lambda as lambda_,
    aws_logs as logs,
    aws_ses as ses,
    aws_sns as sns,
    aws_sns_subscriptions as subs,
    aws_sqs as sqs,
    aws_wafv2 as wafv2,
    custom_resources as cr,
)
from chalice.utils import to_cfn_resource_name
from constructs import Construct

from infra import hosted_ui, messaging, nag, tables
from infra.client import EDGE_HEADER, client_hosting, edge_value
from infra.chalice_app import PackagedChalice
from infra.functions import FUNCTIONS, PUBLIC_ROUTES, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, TOKEN_SECRET, FunctionSpec
from infra.settings import StageSettings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Chalice needs *some* role ARN when it does not manage roles; every function's Role is
# then overridden with the role made here. Synthesis fails if one is left behind.
ROLE_PLACEHOLDER = "arn:aws:iam::000000000000:role/coprod-role-set-by-infra"

# Custom metrics (Powertools Metrics in chalicelib/observability.py: namespace "Coprod",
# default dimension service=coprod). One alarm each, Sum > 0 over 5 minutes.
METRIC_NAMESPACE = "Coprod"
METRIC_DIMENSIONS = {"service": "coprod"}
CUSTOM_METRIC_ALARMS = {"refund-failed": "RefundFailed", "payout-failed": "PayoutFailed"}
# Payments reconciliation: a pledge it could not settle from Stripe (services/reconciliation.py).
CUSTOM_METRIC_ALARMS["reconciliation-unrepaired"] = "ReconciliationUnrepaired"
# A deleted Cognito user still owed money: not erased until paid (services/departures.py).
CUSTOM_METRIC_ALARMS["erasure-held"] = "ErasureHeld"
# A dependency that did not answer in time, or throttled: one metric per dependency and kind
# (chalicelib/adapters/outages.py METRIC_NAMES, counted wherever the app meets one), one alarm each.
DEPENDENCY_METRIC_ALARMS = {
    f"{short}-{kind.lower()}": f"{label}{kind}"
    for short, label in (("dynamodb", "DynamoDB"), ("stripe", "Stripe"), ("sns", "SNS"), ("ses", "SES"),
                         ("sqs", "SQS"), ("ssm", "SSM"))
    for kind in ("Timeouts", "Throttles")
}
CUSTOM_METRIC_ALARMS.update(DEPENDENCY_METRIC_ALARMS)

DYNAMODB_READ = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")
DYNAMODB_WRITE = ("dynamodb:PutItem", "dynamodb:UpdateItem",
                  "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem")
DYNAMODB_DELETE = ("dynamodb:DeleteItem",)  # only on the tables a function deletes from
DYNAMODB_STREAM = ("dynamodb:DescribeStream", "dynamodb:GetRecords",
                   "dynamodb:GetShardIterator", "dynamodb:ListStreams")
SQS_CONSUME = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
               "sqs:GetQueueAttributes")

LOG_RETENTION = {"dev": "TWO_WEEKS", "prod": "THREE_MONTHS"}
PERIOD = Duration.minutes(5)


def function_name(stage: str, name: str) -> str:
    return f"coprod-{stage}-{name}"


def logical_id(name: str) -> str:
    """The SAM logical id `chalice package` gives function `name` (the REST API's handler is
    renamed APIHandler after the fact, see chalice/package.py `_generate_restapi`)."""
    return "APIHandler" if name == "api_handler" else to_cfn_resource_name(name)


SNS_ANY_TOPIC = "arn:aws:sns:*:*:*"


def env_key(short: str, suffix: str) -> str:
    return f"{short.upper().replace('-', '_')}_{suffix}"


class CoprodStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, *, settings: StageSettings,
                 build_dir: str, source_dir: str = ROOT, **kwargs: Any) -> None:
        super().__init__(scope, id, description=f"Coprod platform, stage {settings.stage}",
                         **kwargs)
        self.settings = settings
        s = settings
        cdk.Tags.of(self).add("app", "coprod")
        cdk.Tags.of(self).add("stage", s.stage)

        self.tables = {t.short: self._table(t) for t in tables.TABLES}
        self.stream_dlqs = {
            short: self._queue(f"{short}-stream-dlq", f"StreamDlq-{short}")
            for short, t in tables.BY_SHORT.items() if t.stream
        }
        # The events topic carries balances and casting outcomes: encrypted with a key of its own.
        self.topic_keys = {
            short: kms.Key(self, f"TopicKey-{short}", description=messaging.topic_name(s.stage, short),
                           enable_key_rotation=True,
                           removal_policy=RemovalPolicy.RETAIN if s.prod else RemovalPolicy.DESTROY)
            for short in messaging.TOPICS
        }
        self.topics = {
            short: sns.Topic(self, f"Topic-{short}", topic_name=messaging.topic_name(s.stage, short),
                             enforce_ssl=True, master_key=self.topic_keys[short])
            for short in messaging.TOPICS
        }
        self.queues: dict[str, sqs.Queue] = {}
        self.dlqs: dict[str, sqs.Queue] = {}
        for q in messaging.QUEUES:
            self._queue_with_dlq(q)

        self.alarm_topic = sns.Topic(self, "AlarmTopic", topic_name=f"{s.prefix}-alarms",
                                     enforce_ssl=True)
        if s.alarm_email:
            self.alarm_topic.add_subscription(subs.EmailSubscription(s.alarm_email))

        self._ses()
        self._cognito()
        self._chalice(source_dir, build_dir)
        self._client()
        self._sms_settings()
        self._hosted_ui_callbacks()
        self._alarms()
        nag.suppress(self)

    # --- data --------------------------------------------------------------------------

    def _table(self, spec: tables.TableSpec) -> dynamodb.Table:
        s = self.settings

        def attr(a: tables.Attr) -> dynamodb.Attribute:
            return dynamodb.Attribute(name=a.name, type=dynamodb.AttributeType(
                {"S": "STRING", "N": "NUMBER", "B": "BINARY"}[a.type]))

        table = dynamodb.Table(
            self, f"Table-{spec.short}",
            table_name=tables.physical_name(s.stage, spec.short),
            partition_key=attr(spec.pk),
            sort_key=attr(spec.sk) if spec.sk else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            deletion_protection=s.prod,
            removal_policy=RemovalPolicy.RETAIN if s.prod else RemovalPolicy.DESTROY,
            stream=dynamodb.StreamViewType[spec.stream] if spec.stream else None,
            time_to_live_attribute=spec.ttl,
        )
        for g in spec.gsis:
            table.add_global_secondary_index(
                index_name=g.name, partition_key=attr(g.pk),
                sort_key=attr(g.sk) if g.sk else None,
                projection_type=dynamodb.ProjectionType.ALL)
        return table

    # --- messaging ---------------------------------------------------------------------

    def _queue(self, short: str, cid: str, **kwargs: Any) -> sqs.Queue:
        return sqs.Queue(self, cid, queue_name=messaging.queue_name(self.settings.stage, short),
                         encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True, **kwargs)

    def _queue_with_dlq(self, q: messaging.QueueSpec) -> None:
        stage = self.settings.stage
        consumer_timeouts = [f.timeout for f in FUNCTIONS.values() if q.short in f.consumes]
        visibility = max([q.min_visibility_seconds] + [6 * t for t in consumer_timeouts])
        dlq = sqs.Queue(self, f"Dlq-{q.short}", queue_name=messaging.dlq_name(stage, q.short),
                        retention_period=Duration.days(14),
                        encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True)
        queue = self._queue(q.short, f"Queue-{q.short}",
                            visibility_timeout=Duration.seconds(min(visibility, 43200)),
                            dead_letter_queue=sqs.DeadLetterQueue(
                                queue=dlq, max_receive_count=q.max_receive_count))
        if q.subscribe_to:
            self.topics[q.subscribe_to].add_subscription(
                subs.SqsSubscription(queue, raw_message_delivery=True))
        self.queues[q.short] = queue
        self.dlqs[q.short] = dlq

    def _ses(self) -> None:
        s = self.settings
        self.ses_config_set = ses.ConfigurationSet(
            self, "SesConfigurationSet", configuration_set_name=s.prefix)
        identity = (ses.Identity.email(s.ses_sender) if "@" in s.ses_sender
                    else ses.Identity.domain(s.ses_sender))
        self.ses_identity = ses.EmailIdentity(self, "SesIdentity", identity=identity,
                                              configuration_set=self.ses_config_set)

    def _cognito(self) -> None:
        s = self.settings
        if s.cognito_user_pool_id:
            self.user_pool_id = s.cognito_user_pool_id
            self.app_client_id = s.cognito_app_client_id
            self.hosted_ui_domain = s.cognito_domain
            return
        pool = cognito.UserPool(
            self, "UserPool", user_pool_name=f"{s.prefix}-users",
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),
            # Self sign-up stays open (anyone may co-produce), under: a password policy, the Plus
            # plan's threat protection (compromised credentials, risky sign-ins blocked or asked
            # for MFA), optional TOTP MFA, and a verified e-mail before the first sign-in.
            password_policy=cognito.PasswordPolicy(
                min_length=12, require_lowercase=True, require_uppercase=True, require_digits=True,
                require_symbols=True, temp_password_validity=Duration.days(3)),
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            deletion_protection=s.prod,
            removal_policy=RemovalPolicy.RETAIN if s.prod else RemovalPolicy.DESTROY,
        )
        client = pool.add_client("WebClient", user_pool_client_name=f"{s.prefix}-web",
                                 generate_secret=False,
                                 auth_flows=cognito.AuthFlow(user_srp=True),
                                 **hosted_ui.oauth_options(hosted_ui.custom_domain_url(s)))
        # Cognito's hosted UI (infra/hosted_ui.py): the web client signs in there.
        domain = pool.add_domain("HostedUi", cognito_domain=cognito.CognitoDomainOptions(
            domain_prefix=f"{s.prefix}-{self.account}"))
        self.user_pool, self.web_client = pool, client
        self.hosted_ui_domain = domain.base_url()
        for group in ("admin", "producer"):  # chalicelib/auth.py ADMIN, PRODUCER
            cognito.CfnUserPoolGroup(self, f"Group-{group}", user_pool_id=pool.user_pool_id,
                                     group_name=group)
        self.user_pool_id = pool.user_pool_id
        self.app_client_id = client.user_pool_client_id
        cdk.CfnOutput(self, "UserPoolId", value=pool.user_pool_id)
        cdk.CfnOutput(self, "UserPoolClientId", value=client.user_pool_client_id)
        cdk.CfnOutput(self, "HostedUiUrl", value=self.hosted_ui_domain)

    # --- the Chalice app ---------------------------------------------------------------

    def _chalice(self, source_dir: str, build_dir: str) -> None:
        s = self.settings
        stage_config = {
            "api_gateway_stage": "api",
            "manage_iam_role": False,
            "iam_role_arn": ROLE_PLACEHOLDER,
            "autogen_policy": False,
            # No "log_retention_in_days": chalice 1.34 names the API handler's log group
            # `${ApiHandler}` while the function is `APIHandler` (broken Fn::Sub); the log
            # groups are made below instead.
            "environment_variables": {  # literals only: tokens are set after the include
                "STAGE": s.stage,
                "TABLE_PREFIX": s.prefix,
                "POWERTOOLS_SERVICE_NAME": "coprod",
                "POWERTOOLS_METRICS_NAMESPACE": METRIC_NAMESPACE,
            },
        }
        self.chalice = PackagedChalice(self, "ChaliceApp", source_dir=source_dir, stage=s.stage,
                                       stage_config=stage_config, build_dir=build_dir,
                                       region=self.region if not cdk.Token.is_unresolved(self.region)
                                       else "eu-west-3")
        packaged = self.chalice.packaged_template["Resources"]
        by_logical = {logical_id(name): name for name in FUNCTIONS}
        present = {k: v for k, v in packaged.items() if v["Type"] == "AWS::Serverless::Function"}
        unknown = sorted(set(present) - set(by_logical))
        if unknown:
            raise ValueError(f"app.py defines Lambda function(s) with SAM logical id(s) {unknown} "
                             "(CamelCase of the Chalice name) and no entry in "
                             "infra/functions.py FUNCTIONS (timeout, memory, permissions)")
        self.functions: dict[str, str] = {}  # chalice name -> logical id
        self.roles: dict[str, iam.Role] = {}
        missing = sorted(name for logical, name in by_logical.items() if logical not in present)
        if missing:
            Annotations.of(self).add_warning(
                f"infra/functions.py entries not in app.py yet (skipped): {', '.join(missing)}")
        for logical, name in sorted(by_logical.items()):
            if logical in present:
                self._function(name, logical, FUNCTIONS[name], present[logical])
        if "RestAPI" in packaged:
            self.chalice.get_resource("RestAPI").add_property_override("Name", f"{s.prefix}-api")
        if "RestAPI" in packaged:
            self._throttling()
        if "RestAPI" in packaged:
            self._access_logs()
        if "RestAPI" in packaged and "public_api" in self.functions:
            self._public_routes(packaged["RestAPI"]["Properties"]["DefinitionBody"]["paths"])

    # --- the web client ----------------------------------------------------------------

    def _client(self) -> None:
        """The built client (web/dist, or context `web_dist`) on S3 behind CloudFront, the API
        under /api of the same distribution (infra/client.py)."""
        if "RestAPI" not in self.chalice.packaged_template["Resources"]:
            return
        self.client = client_hosting(self, self.settings, rest_api_id=self.chalice.get_resource("RestAPI").ref,
                                     user_pool_id=self.user_pool_id, app_client_id=self.app_client_id,
                                     hosted_ui_domain=self.hosted_ui_domain,
                                     dist_dir=self.node.try_get_context("web_dist"))

    def _hosted_ui_callbacks(self) -> None:
        """The app client's callback and sign-out URL, the distribution's address, set once the
        distribution exists (infra/hosted_ui.py). After _sms_settings: both custom resources share
        one handler, made with the SMS settings' role."""
        client = getattr(self, "web_client", None)
        hosting = getattr(self, "client", None)
        if client is None or hosting is None or hosted_ui.custom_domain_url(self.settings):
            return
        hosted_ui.register_url(self, self.user_pool, client, hosting.url, after=[hosting.distribution])

    # --- abuse and cost ----------------------------------------------------------------

    def _throttling(self) -> None:
        """API Gateway stage throttling, and a WAF web ACL blocking an IP over its rate."""
        s = self.settings
        self.chalice.get_resource("RestAPI").add_property_override("MethodSettings", [{
            "ResourcePath": "/*", "HttpMethod": "*",
            "ThrottlingRateLimit": s.api_throttle_rate, "ThrottlingBurstLimit": s.api_throttle_burst}])
        visibility = lambda metric: wafv2.CfnWebACL.VisibilityConfigProperty(  # noqa: E731
            cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True)
        from_edge = wafv2.CfnWebACL.StatementProperty(byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(single_header={"Name": EDGE_HEADER}),
            positional_constraint="EXACTLY", search_string=edge_value(self),
            text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")]))
        acl = wafv2.CfnWebACL(
            self, "ApiWebAcl", name=f"{s.prefix}-api", scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=visibility(f"{s.prefix}-api"),
            rules=[wafv2.CfnWebACL.RuleProperty(
                name="rate-per-ip", priority=0, action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=s.waf_requests_per_ip, aggregate_key_type="IP", evaluation_window_sec=300,
                        # through the client's CloudFront, the source IP is an edge's: counted below
                        scope_down_statement=wafv2.CfnWebACL.StatementProperty(
                            not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=from_edge)))),
                visibility_config=visibility(f"{s.prefix}-rate-per-ip")),
                wafv2.CfnWebACL.RuleProperty(
                name="rate-per-client-ip", priority=1, action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=s.waf_requests_per_ip, aggregate_key_type="FORWARDED_IP", evaluation_window_sec=300,
                        forwarded_ip_config=wafv2.CfnWebACL.ForwardedIPConfigurationProperty(
                            header_name="X-Forwarded-For", fallback_behavior="MATCH"),
                        scope_down_statement=from_edge)),
                visibility_config=visibility(f"{s.prefix}-rate-per-client-ip"))])
        wafv2.CfnWebACLAssociation(
            self, "ApiWebAclAssociation", web_acl_arn=acl.attr_arn,
            resource_arn=cdk.Fn.sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/api"))

    def _public_routes(self, paths: dict[str, Any]) -> None:
        """API Gateway sends the public routes to `public_api` (its role has no Stripe key and
        deletes nothing); every other route stays with the API handler."""
        api = self.chalice.get_resource("RestAPI")
        logical = self.functions["public_api"]
        for method, path in PUBLIC_ROUTES:
            if method.lower() not in paths.get(path, {}):
                continue
            key = path.replace(".", "\\.")  # a literal dot in an override path
            api.add_property_override(
                f"DefinitionBody.paths.{key}.{method.lower()}.x-amazon-apigateway-integration.uri",
                cdk.Fn.sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                           f"${{{logical}.Arn}}/invocations"))
        lambda_.CfnPermission(
            self, "PublicApiInvokePermission", action="lambda:InvokeFunction",
            function_name=self.chalice.get_resource(logical).ref, principal="apigateway.amazonaws.com",
            source_arn=cdk.Fn.sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestAPI}/*"))

    def _access_logs(self) -> None:
        """API Gateway access logs (one JSON line per request) in a log group of the stage, and the
        account's API Gateway role that lets it write them."""
        s = self.settings
        group = logs.LogGroup(self, "Logs-api-access", log_group_name=f"/aws/apigateway/{s.prefix}-api",
                              retention=logs.RetentionDays(LOG_RETENTION[s.stage]),
                              removal_policy=RemovalPolicy.RETAIN if s.prod else RemovalPolicy.DESTROY)
        fields = {"requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
                  "requestTime": "$context.requestTime", "httpMethod": "$context.httpMethod",
                  "resourcePath": "$context.resourcePath", "status": "$context.status",
                  "responseLength": "$context.responseLength", "latency": "$context.responseLatency",
                  "wafStatus": "$context.waf.status"}
        self.chalice.get_resource("RestAPI").add_property_override("AccessLogSetting", {
            "DestinationArn": group.log_group_arn,
            "Format": "{" + ",".join(f'"{k}":"{v}"' for k, v in fields.items()) + "}"})
        role = iam.Role(self, "Role-apigateway-logs", role_name=f"{s.prefix}-apigateway-logs",
                        assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
                        description="API Gateway writes the access logs of the API")
        role.add_to_policy(iam.PolicyStatement(
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
                     "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"],
            resources=[self.format_arn(service="logs", resource="log-group", resource_name="*",
                                       arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)]))
        account = apigateway.CfnAccount(self, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn)
        self.chalice.get_resource("RestAPI").add_resource_dependency(account)

    def _sms_settings(self) -> None:
        """The account's SMS settings (SNS has no CloudFormation resource for them): a monthly
        spend limit, transactional by default, and the sender id."""
        s = self.settings
        role = iam.Role(self, "Role-sms-settings", role_name=f"{s.prefix}-sms-settings",
                        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                        description="Sets the account's SMS attributes (SNS SetSMSAttributes)")
        # SetSMSAttributes is account-wide: it takes no resource ARN.
        role.add_to_policy(iam.PolicyStatement(actions=["sns:SetSMSAttributes"], resources=["*"]))
        call = cr.AwsSdkCall(service="SNS", action="setSMSAttributes", parameters={"attributes": {
            "MonthlySpendLimit": str(s.sms_monthly_spend_limit_usd), "DefaultSMSType": "Transactional",
            "DefaultSenderID": s.sms_sender_id}}, physical_resource_id=cr.PhysicalResourceId.of(f"{s.prefix}-sms"))
        cr.AwsCustomResource(self, "SmsSettings", on_create=call, on_update=call, role=role,
                             install_latest_aws_sdk=False)

    def _function(self, name: str, logical: str, spec: FunctionSpec,
                  packaged: dict[str, Any]) -> None:
        s = self.settings
        fname = function_name(s.stage, name)
        fn = self.chalice.get_resource(logical)
        role = self._role(name, fname, spec)
        logs.LogGroup(self, f"Logs-{name}", log_group_name=f"/aws/lambda/{fname}",
                      retention=logs.RetentionDays(LOG_RETENTION[s.stage]),
                      removal_policy=RemovalPolicy.RETAIN if s.prod else RemovalPolicy.DESTROY)
        fn.add_property_override("FunctionName", fname)
        fn.add_property_override("Timeout", spec.timeout)
        fn.add_property_override("MemorySize", spec.memory)
        fn.add_property_override("Role", role.role_arn)
        if spec.reserved_concurrency:
            fn.add_property_override("ReservedConcurrentExecutions", spec.reserved_concurrency)
        for key, value in self._environment(spec).items():
            fn.add_property_override(f"Environment.Variables.{key}", value)

        events = packaged["Properties"].get("Events") or {}
        schedules = {e["Properties"]["Schedule"] for e in events.values() if e["Type"] == "Schedule"}
        others = sorted(e["Type"] for e in events.values() if e["Type"] != "Schedule")
        if schedules and schedules != {spec.schedule}:
            raise ValueError(f"{name}: app.py schedules {sorted(schedules)} but "
                             f"infra/functions.py says {spec.schedule!r}")
        if others and (spec.consumes or spec.streams):
            raise ValueError(f"{name}: event sources {others} come from app.py, but infra wires "
                             "consumes/streams itself; use @app.lambda_function")
        if spec.schedule:
            fn.add_property_override("Events", {f"{logical}Event": {
                "Type": "Schedule",
                "Properties": {"Schedule": spec.schedule, "Name": fname,
                               "Description": f"{name} on stage {s.stage}"}}})

        for short in spec.consumes:
            esm = lambda_.CfnEventSourceMapping(
                self, f"Source-{name}-{short}", function_name=fn.ref,
                event_source_arn=self.queues[short].queue_arn, batch_size=spec.batch_size,
                function_response_types=["ReportBatchItemFailures"])
            esm.node.add_dependency(role)
        for short in spec.streams:
            esm = lambda_.CfnEventSourceMapping(
                self, f"Source-{name}-{short}-stream", function_name=fn.ref,
                event_source_arn=self.tables[short].table_stream_arn,
                batch_size=spec.batch_size, starting_position="TRIM_HORIZON",
                bisect_batch_on_function_error=True, maximum_retry_attempts=10,
                function_response_types=["ReportBatchItemFailures"],
                destination_config=lambda_.CfnEventSourceMapping.DestinationConfigProperty(
                    on_failure=lambda_.CfnEventSourceMapping.OnFailureProperty(
                        destination=self.stream_dlqs[short].queue_arn)))
            esm.node.add_dependency(role)
        self.functions[name] = logical
        self.roles[name] = role

    def _environment(self, spec: FunctionSpec) -> dict[str, str]:
        s = self.settings
        env = {"COGNITO_USER_POOL_ID": self.user_pool_id,
               "COGNITO_APP_CLIENT_ID": self.app_client_id}
        if STRIPE_SECRET_KEY in spec.secrets:
            env["STRIPE_SECRET_KEY_PARAM"] = s.stripe_secret_key_param
        if STRIPE_WEBHOOK_SECRET in spec.secrets:
            env["STRIPE_WEBHOOK_SECRET_PARAM"] = s.stripe_webhook_secret_param
        if TOKEN_SECRET in spec.secrets:
            env["TOKEN_SECRET_PARAM"] = s.token_secret_param
        for short in spec.publishes:
            env[env_key(short, "TOPIC_ARN")] = self.topics[short].topic_arn
        for short in spec.sends:
            env[env_key(short, "QUEUE_URL")] = self.queues[short].queue_url
        if spec.sends_email and not spec.serves_api and "RestAPI" in self.chalice.packaged_template["Resources"]:
            env["API_URL"] = cdk.Fn.sub(  # links in messages (unsubscribe)
                "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api")
        if spec.serves_api:
            env["WEB_BASE_URL"] = s.web_base_url  # share links (GET /me/films/{film_id}/share)
        if spec.sends_email:
            env["SES_SENDER"] = s.ses_sender
            env["SES_CONFIGURATION_SET"] = self.ses_config_set.configuration_set_name
        if spec.serves_api:  # yearly statements print the platform's identity
            for key, value in (("PLATFORM_NAME", s.platform_name),
                               ("PLATFORM_REGISTRATION_NUMBER", s.platform_registration_number),
                               ("PLATFORM_ADDRESS", s.platform_address)):
                if value:
                    env[key] = value
        return env

    def _role(self, name: str, fname: str, spec: FunctionSpec) -> iam.Role:
        s = self.settings
        role = iam.Role(self, f"Role-{name}", role_name=fname,
                        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                        description=f"Lambda {fname}: only what infra/functions.py lists")

        def allow(actions, resources) -> None:
            if resources:
                role.add_to_policy(iam.PolicyStatement(actions=list(actions),
                                                       resources=list(resources)))

        allow(["logs:CreateLogStream", "logs:PutLogEvents"], [self.format_arn(
            service="logs", resource="log-group", resource_name=f"/aws/lambda/{fname}:*",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)])

        def table_arns(shorts, with_indexes: bool) -> list[str]:
            arns = []
            for short in shorts:
                table = self.tables[short]
                arns.append(table.table_arn)
                if with_indexes:
                    arns += [f"{table.table_arn}/index/{g.name}"
                             for g in tables.BY_SHORT[short].gsis]
            return arns

        allow(DYNAMODB_READ, table_arns(spec.reads, with_indexes=True))
        allow(DYNAMODB_WRITE, table_arns(spec.writes, with_indexes=False))
        allow(DYNAMODB_DELETE, table_arns(spec.deletes, with_indexes=False))
        allow(["dynamodb:Scan"], table_arns(spec.scans, with_indexes=False))
        allow(DYNAMODB_STREAM, [self.tables[t].table_stream_arn for t in spec.streams])
        allow(["sqs:SendMessage"], [self.stream_dlqs[t].queue_arn for t in spec.streams])
        allow(["sns:Publish"], [self.topics[t].topic_arn for t in spec.publishes])
        allow(["kms:GenerateDataKey", "kms:Decrypt"], [self.topic_keys[t].key_arn for t in spec.publishes])
        allow(["sqs:SendMessage"], [self.queues[q].queue_arn for q in spec.sends])
        allow(SQS_CONSUME, [self.queues[q].queue_arn for q in spec.consumes])
        params = {STRIPE_SECRET_KEY: s.stripe_secret_key_param,
                  STRIPE_WEBHOOK_SECRET: s.stripe_webhook_secret_param,
                  TOKEN_SECRET: s.token_secret_param}
        allow(["ssm:GetParameter"], [
            self.format_arn(service="ssm", resource="parameter",
                            resource_name=params[p].lstrip("/"))
            for p in spec.secrets])
        if spec.secrets and s.stripe_kms_key_arn:
            role.add_to_policy(iam.PolicyStatement(
                actions=["kms:Decrypt"], resources=[s.stripe_kms_key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"ssm.{self.region}.amazonaws.com"}}))
        if spec.sends_email:
            allow(["ses:SendEmail", "ses:SendRawEmail"], [
                self.format_arn(service="ses", resource="identity",
                                resource_name=self.ses_identity.email_identity_name),
                self.format_arn(service="ses", resource="configuration-set",
                                resource_name=self.ses_config_set.configuration_set_name)])
        if spec.lists_users:
            allow(["cognito-idp:ListUsers"], [self.format_arn(
                service="cognito-idp", resource="userpool", resource_name=self.user_pool_id)])
        if spec.sends_sms:  # SMS to phone numbers: every publish that is not to a topic
            role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], not_resources=[SNS_ANY_TOPIC]))
        return role

    # --- alarms ------------------------------------------------------------------------

    def _alarm(self, cid: str, name: str, metric: cw.IMetric, description: str) -> None:
        alarm = cw.Alarm(self, cid, alarm_name=f"{self.settings.prefix}-{name}", metric=metric,
                         threshold=0, evaluation_periods=1,
                         comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                         treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
                         alarm_description=description)
        alarm.add_alarm_action(cw_actions.SnsAction(self.alarm_topic))

    def _alarms(self) -> None:
        stage = self.settings.stage
        dlqs = {**self.dlqs, **{f"{k}-stream": v for k, v in self.stream_dlqs.items()}}
        for short, dlq in dlqs.items():
            self._alarm(f"Alarm-dlq-{short}", f"{short}-dlq-depth",
                        dlq.metric_approximate_number_of_messages_visible(
                            period=PERIOD, statistic="Maximum"),
                        f"Messages in the dead-letter queue of {short}")
        for name in self.functions:
            fname = function_name(stage, name)
            for metric_name in ("Errors", "Throttles"):
                self._alarm(f"Alarm-{name}-{metric_name}", f"{name}-{metric_name.lower()}",
                            cw.Metric(namespace="AWS/Lambda", metric_name=metric_name,
                                      dimensions_map={"FunctionName": fname},
                                      statistic="Sum", period=PERIOD),
                            f"Lambda {fname} {metric_name.lower()}")
        for short, table in self.tables.items():
            name = tables.physical_name(stage, short)
            self._alarm(f"Alarm-table-{short}-throttles", f"{short}-throttles",
                        cw.MathExpression(expression="r + w", period=PERIOD, using_metrics={
                            m: cw.Metric(namespace="AWS/DynamoDB", metric_name=metric_name,
                                         dimensions_map={"TableName": name},
                                         statistic="Sum", period=PERIOD)
                            for m, metric_name in (("r", "ReadThrottleEvents"),
                                                   ("w", "WriteThrottleEvents"))}),
                        f"DynamoDB throttles on {name}")
        for alarm_name, metric_name in CUSTOM_METRIC_ALARMS.items():
            self._alarm(f"Alarm-{metric_name}", alarm_name,
                        cw.Metric(namespace=METRIC_NAMESPACE, metric_name=metric_name,
                                  dimensions_map=METRIC_DIMENSIONS, statistic="Sum",
                                  period=PERIOD),
                        f"{metric_name} recorded by the app")
