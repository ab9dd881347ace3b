"""Money, counts and months through Babel, as the notifier writes them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.adapters import formats

NNBSP, NBSP = "\u202f", "\u00a0"  # Babel's French group separator, and the space before "€"


@pytest.mark.parametrize("cents,fr,en", [(0, "0,00 €", "€0.00"), (1_000, "10,00 €", "€10.00"),
                                         (125_000, "1 250,00 €", "€1,250.00"),
                                         (123_456_78, "123 456,78 €", "€123,456.78"), (5, "0,05 €", "€0.05"),
                                         (-5, "-0,05 €", "-€0.05")])
def test_money_is_formatted_from_integer_cents(cents, fr, en):
    assert formats.money(cents, "fr") == fr.replace(" €", NBSP + "€").replace(" ", NNBSP)
    assert formats.money(cents, "en") == en


@given(cents=st.integers(-10**13, 10**13))
def test_money_reads_back_as_the_same_cents(cents):
    fr = formats.money(cents, "fr").removesuffix(NBSP + "€").replace(NNBSP, "")
    en = formats.money(cents, "en").replace("€", "").replace(",", "")
    euros_fr, _, rest_fr = fr.partition(",")
    euros_en, _, rest_en = en.partition(".")
    for euros, rest in ((euros_fr, rest_fr), (euros_en, rest_en)):
        sign = -1 if euros.startswith("-") else 1
        assert sign * (abs(int(euros)) * 100 + int(rest or 0)) == cents


def test_counts_and_months_in_each_locale():
    assert formats.count(1_000, "fr") == f"1{NNBSP}000" and formats.count(1_000, "en") == "1,000"
    assert formats.month(2026, 11, "fr") == "novembre 2026" and formats.month(2026, 1, "en") == "January 2026"
    assert formats.money(100, "de") == formats.money(100, "fr")  # an unknown locale reads French
