"""Co-producer perks: what unlocks them, who goes first, and the text rule of their services.

Pure functions over plain values. A perk unlocks for a co-producer when the film has reached
the perk's stage and the co-producer's confirmed, unrefunded total in the film reaches the
perk's level (every co-producer has at least one confirmed cent; level 0 means "every
co-producer"). The total is read live, so a refund that takes someone below a level takes
the perk away as well.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from chalicelib.domain.films import STAGES

PRIVATE_FORUM = "private_forum"
TEAM_DISCUSSION = "team_discussion"
EXTRA_CASTING = "extra_casting"
FILMING_INVITATION = "filming_invitation"
PREVIEW_INVITATION = "preview_invitation"
OTHER = "other"
KINDS = (PRIVATE_FORUM, TEAM_DISCUSSION, EXTRA_CASTING, FILMING_INVITATION, PREVIEW_INVITATION, OTHER)

# Which kinds of perk give access to a scheduled session (seats, RSVP, waitlist).
SESSION_KINDS = (TEAM_DISCUSSION, FILMING_INVITATION, PREVIEW_INVITATION)
# Invitations give their waitlisted seats by priority; discussions first come, first served.
PRIORITY_SEATED_KINDS = (FILMING_INVITATION, PREVIEW_INVITATION)

UNLOCKED = "unlocked"
LOCKED = "locked"

MAX_CENTS = 10**13  # wider than any pledge total: priority keys are fixed-width below it


@dataclass(frozen=True)
class PerkTerms:
    min_pledge_cents: int
    available_from_stage: str
    min_referrals: int = 0  # co-producers the co-producer's share link must have brought


# What the platform itself writes in a new film's catalogue (title, description), in every
# locale a co-producer reads; the catalogue keeps the CATALOGUE_LOCALE copy, messages show the
# reader's (`title_in`).
DEFAULT_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    PRIVATE_FORUM: {
        "fr": ("Forum privé", "Échangez avec l'équipe du film et les autres coproducteurs."),
        "en": ("Private forum", "Talk with the film's team and the other co-producers."),
    },
}
CATALOGUE_LOCALE = "en"


def default_catalogue() -> list[dict[str, object]]:
    """A new film's perks: the private forum for every co-producer from the first pledge.
    Every other kind is off until the producer adds it."""
    title, description = DEFAULT_TEXTS[PRIVATE_FORUM][CATALOGUE_LOCALE]
    return [{
        "kind": PRIVATE_FORUM,
        "title": title,
        "description": description,
        "min_pledge_cents": 0,
        "available_from_stage": STAGES[0],
        "capacity": None,
    }]


def title_in(kind: str, title: str, locale: str) -> str:
    """A perk's title for a reader of `locale`: a default perk's title (as the platform wrote it,
    in any locale) in the reader's own; a title the producer wrote, as they wrote it."""
    texts = DEFAULT_TEXTS.get(kind, {})
    if locale in texts and any(title == default for default, _ in texts.values()):
        return texts[locale][0]
    return title


def required_cents(min_pledge_cents: int) -> int:
    """The level to reach: at least one confirmed cent, i.e. being a co-producer."""
    return max(1, min_pledge_cents)


def stage_reached(film_stage: str, available_from_stage: str) -> bool:
    return STAGES.index(film_stage) >= STAGES.index(available_from_stage)


def is_unlocked(confirmed_cents: int, film_stage: str, perk: PerkTerms, referrals: int = 0) -> bool:
    return confirmed_cents >= required_cents(perk.min_pledge_cents) and stage_reached(
        film_stage, perk.available_from_stage) and referrals >= perk.min_referrals


def needs_referrals(perk: PerkTerms) -> bool:
    return perk.min_referrals > 0


def referrals_missing_text(missing: int) -> str:
    return f"{missing} more co-producer{'s' if missing != 1 else ''} to bring"


def unlock_status(confirmed_cents: int, film_stage: str, perk: PerkTerms,
                  referrals: int = 0) -> tuple[str, str | None]:
    """("unlocked", None) or ("locked", what is missing)."""
    missing = []
    short = required_cents(perk.min_pledge_cents) - max(0, confirmed_cents)
    if short > 0:
        missing.append(f"pledge level short by {short} cents")
    if not stage_reached(film_stage, perk.available_from_stage):
        missing.append(f"stage {perk.available_from_stage} not reached yet (the film is in {film_stage})")
    to_bring = perk.min_referrals - max(0, referrals)
    if to_bring > 0:
        missing.append(referrals_missing_text(to_bring))
    return (LOCKED, "; ".join(missing)) if missing else (UNLOCKED, None)


def unlocked_by_pledge(old_cents: int, new_cents: int, film_stage: str, perk: PerkTerms) -> bool:
    """A rise of a co-producer's total that unlocks the perk (the stage being reached). Perks
    that need referrals are not told this way: the stream does not know who brought whom."""
    return not needs_referrals(perk) and is_unlocked(new_cents, film_stage, perk) and not is_unlocked(old_cents, film_stage, perk)


def unlocked_by_stage(old_stage: str, new_stage: str, perk: PerkTerms) -> bool:
    """A stage change that opens the perk to the co-producers at its level (perks that need
    referrals are not told to a whole level: not everyone there brought anyone)."""
    return not needs_referrals(perk) and stage_reached(new_stage, perk.available_from_stage) and not stage_reached(
        old_stage, perk.available_from_stage)


def priority_key(confirmed_cents: int, first_confirmed_at: str | None) -> str:
    """Sorts ascending as priority goes: higher confirmed total first, then the earlier
    first confirmed pledge. Fixed-width digits so that text order is number order."""
    cents = min(max(0, confirmed_cents), MAX_CENTS - 1)
    return f"{MAX_CENTS - 1 - cents:013d}#{first_confirmed_at or '~'}"


# --- text of the forum, notes and sessions ---------------------------------------------------

# Bidirectional overrides and isolates reorder what readers see: refused like control codes.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str, *, multiline: bool) -> str:
    """Plain text as it will be stored and returned (never interpreted as HTML).

    Line endings become \\n; control characters (C0, C1, DEL) other than \\n and \\t, and
    bidirectional overrides, are refused; surrounding blanks are trimmed; blank text is
    refused. `<`, `>` and `&` are kept as typed: clients render the text as text.
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    allowed = "\n\t" if multiline else "\t"
    for char in text:
        if char not in allowed and unicodedata.category(char) == "Cc":
            raise ValueError("must not contain control characters")
    if _BIDI.search(text):
        raise ValueError("must not contain bidirectional override characters")
    text = text.strip()
    if not text:
        raise ValueError("must not be blank")
    return text
