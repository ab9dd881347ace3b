"""The yearly statement as a PDF (fpdf2), its text extractable: every figure is the JSON's,
written in euros with two decimals. DejaVu Sans is embedded (chalicelib/fonts/, its licence
beside it) so that any name or title prints as typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from fpdf import FPDF

from chalicelib.domain.yearly_statements import euros

FONTS = Path(__file__).resolve().parents[1] / "fonts"
FAMILY = "DejaVu"
MONTH_COLUMNS = (("Month", 20), ("Rights received", 30), ("Pool", 27), ("Your weight", 22), ("Film weight", 24),
                 ("Credited", 24), ("Clawbacks", 22), ("Net", 21))


def _amount(cents: int | None) -> str:
    return "-" if cents is None else euros(cents)


class _Statement(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 7)
        self.cell(0, 5, f"Page {self.page_no()}", align="C")


def _row(pdf: FPDF, cells: Iterable[tuple[str, float]], *, bold: bool = False) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", 8)
    for index, (text, width) in enumerate(cells):  # the first column is text, the others figures
        pdf.cell(width, 5, text, border="B", align="R" if index else "L")
    pdf.ln(5)


def _lines(pdf: FPDF, lines: Iterable[str], size: int = 9) -> None:
    pdf.set_font(FAMILY, "", size)
    for line in lines:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")


def render(statement: dict[str, Any]) -> bytes:
    pdf = _Statement(format="A4")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"Royalty statement {statement['year']}")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    platform, person, totals = statement["platform"], statement["coproducer"], statement["totals"]
    pdf.set_font(FAMILY, "B", 14)
    pdf.cell(0, 8, f"Royalty statement {statement['year']}", new_x="LMARGIN", new_y="NEXT")
    _lines(pdf, [f"Issued by: {platform['name']}, registration number {platform['registration_number']}",
                 *platform["address_lines"]])
    pdf.ln(2)
    address = [*person["address_lines"], " ".join(p for p in (person["postal_code"], person["city"]) if p),
               person["country"] or ""]
    _lines(pdf, [f"Co-producer: {person['name'] or person['user_id']}", *[line for line in address if line],
                 f"Account: {person['user_id']}", f"Generated at: {statement['generated_at']}"])
    pdf.ln(2)
    _lines(pdf, [statement["notice"], "Amounts in euros (EUR). Weights: confirmed pledges in euros when the "
                 "month's weights were taken."], size=8)
    for film in statement["films"]:
        pdf.ln(3)
        pdf.set_font(FAMILY, "B", 11)
        pdf.cell(0, 6, f"Film: {film['title'] or film['film_id']} ({film['film_id']})", new_x="LMARGIN", new_y="NEXT")
        _row(pdf, MONTH_COLUMNS, bold=True)
        for month in film["months"]:
            _row(pdf, zip((month["month"], _amount(month["rights_received_cents"]), _amount(month["pool_cents"]),
                           _amount(month["your_confirmed_cents"]), _amount(month["film_confirmed_cents"]),
                           euros(month["credited_cents"]), euros(month["clawback_cents"]), euros(month["net_cents"])),
                          (w for _, w in MONTH_COLUMNS)))
        t = film["totals"]
        _row(pdf, zip(("Total", euros(t["rights_received_cents"]), euros(t["pool_cents"]), "", "",
                       euros(t["credited_cents"]), euros(t["clawback_cents"]), euros(t["net_cents"])),
                      (w for _, w in MONTH_COLUMNS)), bold=True)
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(0, 6, "Payouts made", new_x="LMARGIN", new_y="NEXT")
    if statement["payouts"]:
        _row(pdf, (("Date", 30), ("Amount", 30), ("Reference", 100)), bold=True)
        for payout in statement["payouts"]:
            _row(pdf, ((payout["date"], 30), (euros(payout["amount_cents"]), 30), (payout["reference"], 100)))
    else:
        _lines(pdf, ["No payout this year."])
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(0, 6, f"Year {statement['year']}", new_x="LMARGIN", new_y="NEXT")
    _lines(pdf, [f"Balance brought forward: {euros(totals['opening_balance_cents'])} EUR",
                 f"Credited: {euros(totals['credited_cents'])} EUR",
                 f"Clawbacks: {euros(totals['clawback_cents'])} EUR",
                 f"Net credited: {euros(totals['net_cents'])} EUR",
                 f"Paid out: {euros(totals['paid_out_cents'])} EUR",
                 f"Balance carried into {statement['year'] + 1}: {euros(totals['closing_balance_cents'])} EUR"])
    return bytes(pdf.output())
