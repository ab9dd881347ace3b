"""Money, counts and months as a reader's locale writes them (Babel): "1 250,00 €" in French,
"€1,250.00" in English. The notifier passes `FORMATS` to domain/messages.py.

Babel and its locale data load with this module, which only the notifier reaches, through
`chalicelib.lazy`: `import app` and every other Lambda never load them. French output keeps
its narrow no-break spaces (U+202F, U+00A0) in emails; SMS turn them into plain spaces (GSM-7).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_skeleton
from babel.numbers import format_currency, format_decimal

from chalicelib.domain.messages import Formats

CURRENCY = "EUR"
LOCALES = {"fr": "fr_FR", "en": "en_GB"}  # messages' locales -> Babel's


def _babel(locale: str) -> str:
    return LOCALES.get(locale, LOCALES["fr"])


def money(cents: int, locale: str) -> str:
    """Integer cents, exactly: Decimal(cents) scaled by 10^-2, never a float."""
    return format_currency(Decimal(int(cents)).scaleb(-2), CURRENCY, locale=_babel(locale))


def count(value: int, locale: str) -> str:
    return format_decimal(int(value), locale=_babel(locale))


def month(year: int, number: int, locale: str) -> str:
    """"novembre 2026", "November 2026"."""
    return format_skeleton("yMMMM", date(year, number, 1), locale=_babel(locale))


FORMATS = Formats(money=money, count=count, month=month)
