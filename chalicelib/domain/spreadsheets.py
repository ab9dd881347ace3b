"""Files people open in a spreadsheet: a cell never becomes a formula.

A text cell starting with `=`, `+`, `-`, `@`, tab or carriage return is read as a formula
(or a command) by Excel, LibreOffice and Google Sheets: such a cell gets a leading `'`,
which spreadsheets show as text and do not display. Numbers are left alone (a negative
amount stays a number). Pure: plain values in, plain values out.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Mapping, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """CSV with a header row; every text cell made safe."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: safe_cell(value) for name, value in row.items()})
    return out.getvalue()
