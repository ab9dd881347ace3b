"""Deleting the Cognito user has the effect of DELETE /me: the daily check is deployed, may list
the stage's pool and nothing else of Cognito, and its held erasures raise an alarm."""

from __future__ import annotations

import pytest

from tests.infra.test_stack import STAGES, function, granted, render


@pytest.mark.parametrize("stage", STAGES)
def test_the_departed_users_check_runs_daily_on_the_stage_pool(real, stage):
    synth = real[stage]
    _, props = function(synth, "erase_departed_users")
    assert [e["Properties"]["Schedule"] for e in props["Events"].values()] == ["rate(1 day)"]
    assert render(synth, props["Environment"]["Variables"]["COGNITO_USER_POOL_ID"]) == f"coprod-{stage}-users"
    grants = granted(synth, "erase_departed_users")
    assert grants["cognito-idp:ListUsers"] == {
        f"arn:aws:cognito-idp:eu-west-3:123456789012:userpool/coprod-{stage}-users"}
    assert not any(a.startswith("cognito-idp:") and a != "cognito-idp:ListUsers" for a in grants)
    assert "dynamodb:Scan" in grants and grants["dynamodb:Scan"] == {f"coprod-{stage}-users"}
    assert "ssm:GetParameter" not in grants  # no Stripe key: it moves no money


@pytest.mark.parametrize("stage", STAGES)
def test_an_erasure_held_for_money_due_raises_an_alarm(real, stage):
    alarms = [a["Properties"] for a in real[stage].resources("AWS::CloudWatch::Alarm").values()
              if a["Properties"].get("MetricName") == "ErasureHeld"]
    assert [a["AlarmName"] for a in alarms] == [f"coprod-{stage}-erasure-held"]
