"""cdk-nag's AwsSolutions rules on the stacks: `make synth` and the infra tests run them, and
synthesis reports every finding neither fixed nor suppressed here. Each suppression says why.

cdk-nag checks the resources CDK declares; the Chalice app's functions and API arrive as SAM
resources (AWS::Serverless::*), which its rules do not read: tests/infra holds those to the
same rules (access logs, WAF, throttling, one role per function, public routes' role).
"""

from __future__ import annotations

from typing import Any

from constructs import IConstruct


def checks() -> Any:
    """The AwsSolutions pack, as an aspect to add to an app."""
    from cdk_nag import AwsSolutionsChecks

    return AwsSolutionsChecks(verbose=True)


def _suppress(construct: IConstruct, rule: str, reason: str, applies_to: list[str] | None = None) -> None:
    from cdk_nag import NagPackSuppression, NagSuppressions

    NagSuppressions.add_resource_suppressions(
        construct, [NagPackSuppression(id=rule, reason=reason, applies_to=applies_to)], apply_to_children=True)


def suppress(stack: Any) -> None:
    """The findings kept on purpose, on the constructs they concern."""
    for dlq in stack.stream_dlqs.values():
        _suppress(dlq, "AwsSolutions-SQS3",
                  "This queue IS a dead-letter queue: the on-failure destination of a DynamoDB stream's "
                  "event source mapping (cdk-nag only recognises DLQs named in a RedrivePolicy).")
    log_streams = _regex(r"/^Resource::arn:<AWS::Partition>:logs:[^:]+:[^:]+:log-group:\/aws\/lambda\/coprod-[^:]+:\*$/g")
    for role in stack.roles.values():
        _suppress(role, "AwsSolutions-IAM5",
                  "Log streams of the function's own log group: Lambda names each stream at run time, so the "
                  "group is named and its streams are `:*`.", [log_streams])
    sms = stack.node.try_find_child("Role-sms-settings")
    if sms is not None:
        _suppress(sms, "AwsSolutions-IAM5",
                  "sns:SetSMSAttributes sets the account's SMS settings (spend limit, sender): IAM gives it no "
                  "resource type, so `*` is the only resource it accepts.", ["Resource::*"])
    apigateway_logs = stack.node.try_find_child("Role-apigateway-logs")
    if apigateway_logs is not None:
        _suppress(apigateway_logs, "AwsSolutions-IAM5",
                  "The account's API Gateway logging role: API Gateway creates and names the log groups of "
                  "every API's execution logs itself, so it is given the account's log groups in this region.",
                  [_regex(r"/^Resource::arn:<AWS::Partition>:logs:[^:]+:[^:]+:log-group:\*$/g")])
    pool = stack.node.try_find_child("UserPool")
    if pool is not None:
        _suppress(pool, "AwsSolutions-COG2",
                  "MFA is optional (TOTP), not required: anyone may sign up to co-produce from EUR 10, and a "
                  "required second factor would turn most of them away. The Plus plan's threat protection "
                  "(FULL_FUNCTION) asks for it on risky sign-ins and blocks compromised credentials.")


def _regex(pattern: str) -> Any:
    from cdk_nag import RegexAppliesTo

    return RegexAppliesTo(regex=pattern)
