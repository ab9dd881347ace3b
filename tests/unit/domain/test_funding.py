from chalicelib.domain import funding


def test_days_between_movements_are_filled_and_totals_run_on():
    days = funding.series({"2026-12-03": (-500, -1), "2026-11-30": (2500, 2)})
    assert days == [
        {"date": "2026-11-30", "raised_cents": 2500, "total_cents": 2500, "coproducers": 2},
        {"date": "2026-12-01", "raised_cents": 0, "total_cents": 2500, "coproducers": 2},
        {"date": "2026-12-02", "raised_cents": 0, "total_cents": 2500, "coproducers": 2},
        {"date": "2026-12-03", "raised_cents": -500, "total_cents": 2000, "coproducers": 1},
    ]
    assert funding.series({}) == []


def test_a_day_is_the_utc_date_and_its_shards_add_up():
    assert funding.day_of("2026-11-27T23:59:59.999999Z") == "2026-11-27"
    assert funding.day_from_number(funding.day_number("2027-01-05")) == "2027-01-05"
    assert funding.merge([("2027-01-05", 100, 1), ("2027-01-05", -30, 0), ("2027-01-06", 5, 0)]) == {
        "2027-01-05": (70, 1), "2027-01-06": (5, 0)}
