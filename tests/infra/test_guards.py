"""Synthesis refuses what would deploy a wrong or over-privileged platform."""

from __future__ import annotations

import pytest

from infra.functions import FUNCTIONS, FunctionSpec
from infra.settings import StageSettings
from tests.infra.conftest import synthesize, write_fixture_app


class Node:
    def __init__(self, context):
        self.context = context

    def try_get_context(self, key):
        return self.context.get(key)


def test_a_function_missing_from_functions_py_fails_synth(tmp_path):
    source = write_fixture_app(tmp_path / "app", {"api_handler": FUNCTIONS["api_handler"],
                                                  "rogue_job": FunctionSpec(timeout=1, memory=128)})
    with pytest.raises(Exception, match=r"RogueJob.*no entry in infra/functions.py"):
        synthesize("dev", tmp_path / "out", source_dir=source)


def test_a_schedule_that_differs_from_functions_py_fails_synth(tmp_path):
    source = write_fixture_app(tmp_path / "app", {"close_campaigns": FUNCTIONS["close_campaigns"]},
                               schedules={"close_campaigns": "rate(1 day)"})
    with pytest.raises(Exception, match=r"close_campaigns: app.py schedules"):
        synthesize("dev", tmp_path / "out", source_dir=source)


@pytest.mark.parametrize("value", ["sk_live_abc", "whsec_abc", "stripe-key"])
def test_stripe_settings_take_parameter_names_not_secrets(value):
    with pytest.raises(ValueError, match="parameter NAMES"):
        StageSettings.from_context(Node({"stripe_secret_key_param": value}), "dev")


def test_stage_specific_context_wins_and_pool_needs_its_client():
    s = StageSettings.from_context(Node({"ses_sender": "a@x.org", "prod:ses_sender": "b@x.org"}), "prod")
    assert s.ses_sender == "b@x.org"
    with pytest.raises(ValueError, match="cognito"):
        StageSettings.from_context(Node({"cognito_user_pool_id": "eu-west-3_x"}), "dev")
    with pytest.raises(ValueError, match="unknown stage"):
        StageSettings.from_context(Node({}), "staging")
