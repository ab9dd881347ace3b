from datetime import date

import pytest

from chalicelib.domain import films as rules
from chalicelib.errors import BadRequest, Conflict, Unprocessable

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize("current,target", [("draft", "open"), ("open", "funded"), ("open", "failed")])
def test_legal_status_transitions(current, target):
    rules.check_status_transition(current, target)


@pytest.mark.parametrize("current,target", [
    ("draft", "funded"), ("draft", "failed"), ("open", "draft"), ("funded", "open"),
    ("failed", "funded"), ("funded", "failed"), ("failed", "open"),
])
def test_illegal_status_transitions_name_both_states(current, target):
    with pytest.raises(Conflict) as exc:
        rules.check_status_transition(current, target)
    assert current in exc.value.message and target in exc.value.message
    assert exc.value.field == "status"


def test_stage_moves_forward_one_or_several_steps():
    rules.check_stage_transition("development", "pre_production")
    rules.check_stage_transition("development", "shooting")
    rules.check_stage_transition("post_production", "released")


@pytest.mark.parametrize("current,target", [
    ("shooting", "pre_production"), ("released", "development"), ("shooting", "shooting"),
])
def test_stage_never_moves_back(current, target):
    with pytest.raises(Conflict) as exc:
        rules.check_stage_transition(current, target)
    assert current in exc.value.message and target in exc.value.message


@pytest.mark.parametrize("goal,minimum,deadline,field,error", [
    (999, 1000, date(2026, 12, 31), "goal_cents", BadRequest),  # bounds the OpenAPI document states
    (10**12, 1000, date(2026, 12, 31), "goal_cents", BadRequest),
    (5000, 999, date(2026, 12, 31), "min_pledge_cents", BadRequest),
    (5000, 6000, date(2026, 12, 31), "min_pledge_cents", Unprocessable),  # against another field
    (5000, 1000, TODAY, "deadline", Unprocessable),  # against the clock
    (5000, 1000, date(2020, 1, 1), "deadline", Unprocessable),
])
def test_campaign_terms_name_the_field(goal, minimum, deadline, field, error):
    with pytest.raises(error) as exc:
        rules.check_campaign_terms(goal, minimum, deadline, TODAY)
    assert exc.value.field == field


def test_campaign_terms_accept_the_platform_minimums():
    rules.check_campaign_terms(1000, 1000, date(2026, 11, 28), TODAY)


@pytest.mark.parametrize("raised,goal,percent", [
    (0, 1000, 0), (999, 1000, 99), (1000, 1000, 100), (1999, 1000, 199), (-5, 1000, 0), (10, 0, 0),
    (1_875_000, 6_250_000, 30),
])
def test_percent_funded_rounds_down(raised, goal, percent):
    assert rules.percent_funded(raised, goal) == percent
