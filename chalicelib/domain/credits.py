"""The film's credits: who is named, and in which order. Pure.

French collation without a system library: a three-level key in the manner of the Unicode
Collation Algorithm (CLDR's French is the root collation; only Canadian French compares accents
from the end). Level 1, the letters without accents or case (ligatures spelled out: "Œ" is
"oe", "ß" is "ss"), spaces and punctuation before letters and digits; level 2, the accents, from
left to right; level 3, lowercase before uppercase. "Émile" sorts with the E's, "Zoé" after
"Zoe", "de Gaulle" with the D's.
"""

from __future__ import annotations

import unicodedata
from typing import Iterable

MAX_NAME = 80

# Letters that are not a base letter plus accents in Unicode: spelled out at level 1.
_SPELLED = {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "þ": "th",
            "ĳ": "ij", "ŀ": "l"}
_SEPARATOR = " "  # every space and punctuation mark weighs the same, below letters and digits


def _units(name: str) -> list[tuple[str, str, int]]:
    """(letters at level 1, accents, case) for each character of `name`."""
    units = []
    for char in name:
        decomposed = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        accents = "".join(c for c in decomposed if unicodedata.combining(c))
        folded = base.casefold()
        folded = "".join(_SPELLED.get(c, c) for c in folded)
        upper = int(base != base.lower())
        if not folded or not any(c.isalnum() for c in folded):
            units.append((_SEPARATOR, "", 0))
            continue
        units.append((folded, accents, upper))
    return units


def collation_key(name: str) -> tuple[str, tuple[str, ...], tuple[int, ...], str]:
    units = _units(name)
    primary = "".join(u[0] for u in units)
    # Two spellings equal at level 1 compare accents position by position (left to right).
    secondary = tuple(u[1] for u in units)
    tertiary = tuple(u[2] for u in units)
    return primary, secondary, tertiary, name


def sort_names(names: Iterable[str]) -> list[str]:
    return sorted(names, key=collation_key)


def still_credited(confirmed_cents: int, min_pledge_cents: int) -> bool:
    """A name stays in the credits while its co-producer holds at least the film's minimum
    (a refund or a dispute below it takes the name out)."""
    return confirmed_cents >= max(1, min_pledge_cents)
