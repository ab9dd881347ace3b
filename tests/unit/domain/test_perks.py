import pytest
from hypothesis import given, strategies as st

from chalicelib.domain import perks
from chalicelib.domain.films import STAGES

cents = st.integers(min_value=0, max_value=10**12)
stages = st.sampled_from(STAGES)
terms = st.builds(perks.PerkTerms, min_pledge_cents=cents, available_from_stage=stages)


def test_the_default_catalogue_is_a_forum_for_every_coproducer():
    (forum,) = perks.default_catalogue()
    assert forum["kind"] == perks.PRIVATE_FORUM and forum["min_pledge_cents"] == 0
    assert forum["available_from_stage"] == "development"
    rule = perks.PerkTerms(0, "development")
    assert perks.unlock_status(1, "development", rule) == ("unlocked", None)
    assert perks.unlock_status(0, "development", rule) == ("locked", "pledge level short by 1 cents")


def test_reasons_say_what_is_missing():
    rule = perks.PerkTerms(5_000, "shooting")
    assert perks.unlock_status(3_000, "shooting", rule) == ("locked", "pledge level short by 2000 cents")
    assert perks.unlock_status(5_000, "pre_production", rule) == (
        "locked", "stage shooting not reached yet (the film is in pre_production)")
    status, reason = perks.unlock_status(0, "development", rule)
    assert status == "locked" and reason.startswith("pledge level short by 5000 cents; stage shooting")
    assert perks.unlock_status(5_000, "released", rule) == ("unlocked", None)


@given(cents, stages, terms)
def test_unlocked_exactly_when_level_and_stage_are_reached(total, stage, rule):
    status, reason = perks.unlock_status(total, stage, rule)
    expected = total >= max(1, rule.min_pledge_cents) and STAGES.index(stage) >= STAGES.index(
        rule.available_from_stage)
    assert (status == "unlocked") == expected == perks.is_unlocked(total, stage, rule)
    assert (reason is None) == expected
    if total < max(1, rule.min_pledge_cents):
        assert f"short by {max(1, rule.min_pledge_cents) - total} cents" in reason


@given(cents, cents, stages, terms)
def test_more_money_or_a_later_stage_never_locks(a, b, stage, rule):
    low, high = sorted((a, b))
    later = STAGES[min(len(STAGES) - 1, STAGES.index(stage) + 1)]
    if perks.is_unlocked(low, stage, rule):
        assert perks.is_unlocked(high, stage, rule) and perks.is_unlocked(low, later, rule)


@given(cents, cents, stages, terms)
def test_a_pledge_unlocks_only_when_it_crosses_the_level(old, new, stage, rule):
    crossed = perks.unlocked_by_pledge(old, new, stage, rule)
    assert crossed == (perks.is_unlocked(new, stage, rule) and not perks.is_unlocked(old, stage, rule))
    if crossed:
        assert new > old
    assert not perks.unlocked_by_pledge(new, old, stage, rule) or old > new


@given(stages, stages, terms)
def test_a_stage_change_unlocks_only_when_it_crosses_the_perk_stage(old, new, rule):
    crossed = perks.unlocked_by_stage(old, new, rule)
    start = STAGES.index(rule.available_from_stage)
    assert crossed == (STAGES.index(old) < start <= STAGES.index(new))


@given(st.lists(st.tuples(cents, st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))),
                min_size=2, max_size=20))
def test_priority_is_higher_total_first_then_earlier_first_pledge(backers):
    by_key = sorted(backers, key=lambda b: perks.priority_key(*b))
    by_rule = sorted(backers, key=lambda b: (-b[0], b[1]))
    assert by_key == by_rule


@pytest.mark.parametrize("text,multiline,expected", [
    ("  <script>alert(1)</script>  ", False, "<script>alert(1)</script>"),
    ("line one\r\nline two\rthree", True, "line one\nline two\nthree"),
    ("tab\tok", False, "tab\tok"),
    ("émoji 🎬 ok", False, "émoji 🎬 ok"),
])
def test_clean_text_keeps_plain_text_as_typed(text, multiline, expected):
    assert perks.clean_text(text, multiline=multiline) == expected


@pytest.mark.parametrize("text,multiline", [
    ("null\x00byte", True), ("escape \x1b[31m", True), ("bell\x07", True), ("del\x7f", True),
    ("c1\x85", True), ("two\nlines", False), ("rtl \u202e override", True), ("   \n\t ", True),
])
def test_clean_text_refuses_control_characters_and_blank_text(text, multiline):
    with pytest.raises(ValueError):
        perks.clean_text(text, multiline=multiline)


def test_a_perk_that_needs_referrals_says_how_many_more_to_bring():
    rules = perks
    terms = rules.PerkTerms(1_000, "development", min_referrals=2)
    assert rules.unlock_status(1_000, "development", terms, 0) == (rules.LOCKED, "2 more co-producers to bring")
    assert rules.unlock_status(1_000, "development", terms, 1) == (rules.LOCKED, "1 more co-producer to bring")
    assert rules.unlock_status(500, "development", terms, 2) == (rules.LOCKED, "pledge level short by 500 cents")
    assert rules.unlock_status(1_000, "development", terms, 3) == (rules.UNLOCKED, None)
    assert not rules.unlocked_by_pledge(0, 1_000, "development", terms)  # never told by the stream
    assert not rules.unlocked_by_stage("development", "shooting", rules.PerkTerms(0, "shooting", min_referrals=1))


def test_every_default_perk_text_exists_in_every_locale_a_coproducer_reads():
    from chalicelib.domain import messages

    for entry in perks.default_catalogue():
        texts = perks.DEFAULT_TEXTS[entry["kind"]]
        assert set(texts) == set(messages.LOCALES)
        assert (entry["title"], entry["description"]) == texts[perks.CATALOGUE_LOCALE]
        assert texts["fr"] != texts["en"] and all(title and text for title, text in texts.values())
        for locale in messages.LOCALES:
            assert perks.title_in(entry["kind"], entry["title"], locale) == texts[locale][0]
