import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.adapters.formats import FORMATS
from chalicelib.domain import events, messages

SAMPLE = {
    "title": "Le Chant des ruches", "percent": 50, "raised_cents": 125_050, "goal_cents": 250_000,
    "count": 1_000, "coproducer_count": 412, "refunded_pledges": 37, "stage": "shooting",
    "previous_stage": "pre_production", "perk_id": "prk_1", "kind": "set_visit",
    "perk_title": "Visite du plateau", "call_id": "call_1", "call_title": "Figurants, scène du bal",
    "selected": True, "period": "2026-Q3", "credited_cents": 1_234, "balance_cents": 56_789,
    "payouts_enabled": True, "year": 2026,
    "update_title": "Premier jour de tournage", "body": "On commence lundi à Ouessant.\nÀ bientôt !",
}
URL = "https://api.example.org/unsubscribe?token=abc&x=<y>"
CASES = [(t, loc) for t in events.EVENT_TYPES for loc in messages.LOCALES]


def sample(event_type: str, **overrides) -> events.Event:
    data = {name: SAMPLE[name] for name in events.REQUIRED_DATA[event_type]}
    data.update(overrides)
    film_id = None if event_type == events.ROYALTY_STATEMENT else "flm_1"
    key = "u1" if event_type == events.ROYALTY_STATEMENT else "k"
    return events.Event(event_type, key, "2026-11-27T10:00:00Z", events.Audience(events.COPRODUCERS), film_id, data)


def test_every_event_type_has_a_template_in_every_locale():
    assert set(messages.TEMPLATES) == set(events.EVENT_TYPES)
    for event_type in events.EVENT_TYPES:
        assert set(messages.TEMPLATES[event_type]) == set(messages.LOCALES), event_type


@pytest.mark.parametrize("event_type,locale", CASES)
def test_each_template_renders_its_required_data(event_type, locale):
    event = sample(event_type)
    email = messages.render_email(event, locale, URL, FORMATS)
    sms = messages.render_sms(event, locale, FORMATS)
    assert "{" not in email.text + email.subject + sms  # every placeholder was filled
    if "title" in event.data:
        assert SAMPLE["title"] in email.subject + email.text and "Chant des ruches" in sms
    assert URL in email.text and html.escape(URL, quote=True) in email.html
    assert messages.is_gsm7(sms) and len(sms) <= messages.SMS_MAX


def test_milestone_messages_name_the_film_and_the_milestone_in_the_reader_language():
    event = sample(events.FUNDING_MILESTONE)
    fr, en = messages.render_email(event, "fr", URL, FORMATS), messages.render_email(event, "en", URL, FORMATS)
    assert fr.subject == "« Le Chant des ruches » a atteint 50 % de son objectif"
    assert en.subject == '"Le Chant des ruches" reached 50% of its goal'
    assert "1\u202f250,50\u00a0€ collectés sur 2\u202f500,00\u00a0€" in fr.text and "€1,250.50 raised of €2,500.00" in en.text
    assert messages.render_sms(event, "fr", FORMATS) == (
        'Coprod: "Le Chant des ruches" a atteint 50% de son objectif (1 250,50 EUR sur 2 500,00 EUR).')
    assert messages.render_sms(event, "en", FORMATS) == (
        'Coprod: "Le Chant des ruches" reached 50% of its goal (EUR 1,250.50 of EUR 2,500.00).')
    assert messages.render_email(event, "de", URL, FORMATS) == fr  # unknown locale: French


def test_every_value_is_escaped_in_the_html():
    hostile = '<script>alert("x")</script> & "quotes"'
    email = messages.render_email(sample(events.PERK_UNLOCKED, title=hostile, perk_title=hostile), "en", URL, FORMATS)
    assert "<script>" not in email.html and html.escape(hostile) in email.html
    assert hostile in email.text  # the text part is plain


def test_gsm7_keeps_the_basic_set_and_replaces_the_rest():
    assert messages.gsm7("été à Noël, ça coûte 10 €") == "été à Noel, ca coute 10 EUR"
    assert messages.gsm7("Œuvre « longue » – 1…") == 'OEuvre " longue " - 1...'
    assert messages.gsm7("日本 {x}") == "?? (x)"
    assert messages.is_gsm7(messages.gsm7("ÀÉÎÕÜ ÿ ñ ø æ ß ¿ ¡ [] ~ ^ | \\ € 😀"))


@settings(max_examples=200, deadline=None)
@given(title=st.text(min_size=1, max_size=400), locale=st.sampled_from(messages.LOCALES),
       event_type=st.sampled_from(events.EVENT_TYPES), percent=st.integers(0, 10**6),
       cents=st.integers(0, 10**13))
def test_sms_are_gsm7_and_at_most_160_characters_whatever_the_title(title, locale, event_type, percent, cents):
    event = sample(event_type, title=title, perk_title=title, call_title=title) if "title" in \
        events.REQUIRED_DATA[event_type] else sample(event_type, credited_cents=cents, balance_cents=cents)
    if event_type == events.FUNDING_MILESTONE:
        event = sample(event_type, title=title, percent=percent, raised_cents=cents, goal_cents=cents)
    sms = messages.render_sms(event, locale, FORMATS)
    assert len(sms) <= messages.SMS_MAX and messages.is_gsm7(sms)


def test_a_long_title_is_shortened_not_the_milestone():
    event = sample(events.FUNDING_MILESTONE, title="Les Heures claires " * 20)
    for locale in messages.LOCALES:
        sms = messages.render_sms(event, locale, FORMATS)
        assert messages.SMS_MAX - 3 <= len(sms) <= messages.SMS_MAX
        assert sms.endswith("(1 250,50 EUR sur 2 500,00 EUR)." if locale == "fr" else "(EUR 1,250.50 of EUR 2,500.00).")
        assert "Les Heures claires Les" in sms and "..." in sms


def test_french_money_in_an_sms_is_gsm7_although_babel_writes_no_break_spaces():
    assert "\u202f" in FORMATS.money(125_050, "fr") and "\u00a0" in FORMATS.money(125_050, "fr")
    event = sample(events.CAMPAIGN_FUNDED, raised_cents=125_050, goal_cents=100_000_000)
    sms = messages.render_sms(event, "fr", FORMATS)
    assert messages.is_gsm7(sms) and "1 250,50 EUR sur 1 000 000,00 EUR" in sms
    assert "EUR 1,250.50 of EUR 1,000,000.00" in messages.render_sms(event, "en", FORMATS)


def test_a_royalty_period_reads_as_its_month_in_the_reader_language():
    event = sample(events.ROYALTY_STATEMENT, period="2026-11")
    assert messages.render_email(event, "fr", URL, FORMATS).subject == "Votre relevé de droits novembre 2026"
    assert messages.render_email(event, "en", URL, FORMATS).subject == "Your royalty statement for November 2026"
    assert "releve de droits novembre 2026" in messages.render_sms(event, "fr", FORMATS)


def test_a_french_message_about_a_default_perk_contains_no_english_title():
    from chalicelib.domain import perks

    (forum,) = perks.default_catalogue()
    event = sample(events.PERK_UNLOCKED, kind=forum["kind"], perk_title=forum["title"])
    fr_email, fr_sms = messages.render_email(event, "fr", URL, FORMATS), messages.render_sms(event, "fr", FORMATS)
    english = {texts["en"][0] for texts in perks.DEFAULT_TEXTS.values()}
    for text in (fr_email.subject, fr_email.text, fr_email.html, fr_sms):
        assert not any(title in text for title in english), text
    assert fr_email.subject == "« Le Chant des ruches » : Forum privé débloqué" and "Forum privé" in fr_sms
    en_email = messages.render_email(event, "en", URL, FORMATS)
    assert en_email.subject == '"Le Chant des ruches": Private forum unlocked'
    # A title the producer wrote is theirs: shown as written, in every locale.
    own = sample(events.PERK_UNLOCKED, kind=forum["kind"], perk_title="Le forum des ruches")
    assert "Le forum des ruches" in messages.render_email(own, "en", URL, FORMATS).subject
