import pytest

from chalicelib.domain import events


def test_funding_milestones_are_reached_with_integer_arithmetic():
    assert events.funding_milestones_reached(0, 10_000) == ()
    assert events.funding_milestones_reached(2_499, 10_000) == ()
    assert events.funding_milestones_reached(2_500, 10_000) == (25,)
    assert events.funding_milestones_reached(10_000, 10_000) == (25, 50, 75, 100)
    assert events.funding_milestones_reached(20_000, 10_000) == (25, 50, 75, 100, 150, 200)
    # 1/3 of a goal that does not divide by 4: 25% needs 333.25 -> 334 cents
    assert events.funding_milestones_reached(333, 1_333) == ()
    assert events.funding_milestones_reached(334, 1_333) == (25,)


def test_coproducer_milestones():
    assert events.coproducer_milestones_reached(99) == ()
    assert events.coproducer_milestones_reached(250) == (100, 250)
    assert events.coproducer_milestones_reached(5_000) == (100, 250, 500, 1_000)


def test_event_id_is_derived_from_what_it_is_about():
    a = events.Event(events.FUNDING_MILESTONE, "50", "2026-11-27T10:00:00.000000Z",
                     events.Audience(events.COPRODUCERS), film_id="flm_1", data={"title": "T", "percent": 50, "raised_cents": 5_000, "goal_cents": 10_000})
    b = events.Event(events.FUNDING_MILESTONE, "50", "2026-11-28T10:00:00.000000Z",
                     events.Audience(events.COPRODUCERS), film_id="flm_1", data=a.data)
    assert a.event_id == b.event_id == "milestone.funding#flm_1#50"
    assert events.Event.from_dict(a.to_dict()) == a


def test_bad_events_are_refused():
    with pytest.raises(ValueError):
        events.Event("nope", "1", "t", events.Audience(events.COPRODUCERS))
    with pytest.raises(ValueError):
        events.Audience(events.USER)
    with pytest.raises(ValueError):
        events.Audience(events.COPRODUCERS, user_id="usr_1")


def test_every_event_type_says_what_data_it_carries():
    assert set(events.REQUIRED_DATA) == set(events.EVENT_TYPES)
    with pytest.raises(ValueError, match="needs data"):
        events.Event(events.CAMPAIGN_FUNDED, "closed", "t", events.Audience(events.COPRODUCERS),
                     film_id="flm_1", data={"title": "T"})
