import csv
import io

import pytest

from chalicelib.domain import spreadsheets


@pytest.mark.parametrize("typed", ['=HYPERLINK("https://evil.example","Click")', "+1+1", "-2+3", "@SUM(A1)",
                                   "\t=1", "\r=1", "=cmd|' /C calc'!A0"])
def test_a_text_cell_that_a_spreadsheet_would_run_is_prefixed(typed):
    assert spreadsheets.safe_cell(typed) == "'" + typed


@pytest.mark.parametrize("value", ["Les Vendanges", "", "1+1", "a=b", " =x", -1500, 0, None])
def test_other_cells_are_kept(value):
    assert spreadsheets.safe_cell(value) == value


def test_csv_text_prefixes_every_text_cell_and_keeps_numbers():
    text = spreadsheets.csv_text(("title", "amount_cents"), [{"title": "=1+1", "amount_cents": -20}])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows == [{"title": "'=1+1", "amount_cents": "-20"}]
