"""Word of mouth, measured: share codes, what an attributed pledge is, and the referral report's
arithmetic. Pure: plain values in, plain values out.

A co-producer's code for a film is an HMAC of (film, user), so it is the same every time it is
asked for and says nothing about the person; a producer's tag code is an HMAC of (film, name).
A pledge carries the code it came through; it counts for that code while it is confirmed, nothing
of it was refunded and no dispute holds its charge. Self-referral never counts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import quote

LINK, TAG = "link", "tag"
CODE_LENGTH = 12
MAX_TAGS = 100  # per film
BPS = 10_000


def _code(key: bytes, prefix: str, *parts: str) -> str:
    digest = hmac.new(key, "\x1f".join(("referral", *parts)).encode(), hashlib.sha256).digest()
    return prefix + base64.b32encode(digest).decode().lower()[:CODE_LENGTH - 1]


def link_code(key: bytes, film_id: str, user_id: str) -> str:
    """A co-producer's personal code for a film: stable, unguessable, unlinkable across films."""
    return _code(key, "r", LINK, film_id, user_id)


def tag_code(key: bytes, film_id: str, name: str) -> str:
    """A producer's tag: one code per name (case and surrounding blanks ignored) in a film."""
    return _code(key, "t", TAG, film_id, " ".join(name.casefold().split()))


def share_url(web_base_url: str, film_id: str, code: str) -> str:
    """The web client's page of the film (a hash route, served by any static host), carrying the code."""
    return f"{web_base_url.rstrip('/')}/#/films/{quote(film_id, safe='')}?ref={quote(code, safe='')}"


def counts(status: str, amount_refunded_cents: int, disputed: bool) -> bool:
    """Whether an attributed pledge counts: confirmed, nothing refunded, no dispute holding it."""
    return status == "confirmed" and amount_refunded_cents == 0 and not disputed


def attributable(referrer_id: str | None, pledger_id: str) -> bool:
    """A code counts for someone else's pledge only: self-referral is ignored."""
    return referrer_id is not None and referrer_id != pledger_id


def share_bps(amount_cents: int, total_cents: int) -> int:
    """A part of a total in basis points, rounded down (integers only: no floats near money)."""
    if total_cents <= 0:
        return 0
    return max(0, amount_cents) * BPS // total_cents


@dataclass(frozen=True)
class Attributed:
    code: str
    user_id: str
    amount_cents: int


@dataclass
class Line:
    pledges: int = 0
    amount_cents: int = 0
    coproducers: set[str] | None = None

    def add(self, user_id: str, amount_cents: int) -> None:
        self.pledges += 1
        self.amount_cents += amount_cents
        if self.coproducers is None:
            self.coproducers = set()
        self.coproducers.add(user_id)


def by_code(pledges: Iterable[Attributed]) -> dict[str, Line]:
    """Counting pledges grouped by the code they came through."""
    lines: dict[str, Line] = {}
    for pledge in pledges:
        lines.setdefault(pledge.code, Line()).add(pledge.user_id, pledge.amount_cents)
    return lines


def unattributed(total_cents: int, confirmed_pledges: int, attributed: Iterable[Line]) -> Line:
    """The rest of the film's counted total, and of its confirmed pledges, once every
    attributed line is taken off (never below zero)."""
    lines = list(attributed)
    amount = total_cents - sum(line.amount_cents for line in lines)
    pledges = confirmed_pledges - sum(line.pledges for line in lines)
    return Line(pledges=max(0, pledges), amount_cents=max(0, amount))
