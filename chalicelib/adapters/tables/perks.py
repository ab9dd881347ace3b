"""Co-producer services a perk unlocks: perks, the private forum, sessions and their RSVPs,
casting calls and applications."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.adapters.tables.base import _index_meta, _meta


class PerkRecord(Model):
    """A perk of a film's catalogue (chalicelib/domain/perks.py)."""

    Meta = _meta("perks")
    film_id = UnicodeAttribute(hash_key=True)
    perk_id = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    min_pledge_cents = NumberAttribute(default=0)
    available_from_stage = UnicodeAttribute()
    capacity = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    min_referrals = NumberAttribute(null=True)  # co-producers the co-producer must have brought


class ForumThreadRecord(Model):
    """A thread of a film's private forum; ids sort by creation time."""

    Meta = _meta("forum_threads")
    film_id = UnicodeAttribute(hash_key=True)
    thread_id = UnicodeAttribute(range_key=True)
    title = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    last_post_at = UnicodeAttribute()
    post_count = NumberAttribute(default=0)


class ForumPinned(GlobalSecondaryIndex):
    """Sparse: only pinned posts carry `pinned_in` (their thread id)."""

    Meta = _index_meta("pinned")
    pinned_in = UnicodeAttribute(hash_key=True)
    post_id = UnicodeAttribute(range_key=True)


class ForumPostRecord(Model):
    Meta = _meta("forum_posts")
    thread_id = UnicodeAttribute(hash_key=True)
    post_id = UnicodeAttribute(range_key=True)
    film_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute(null=True)
    author_role = UnicodeAttribute()  # coproducer | producer | admin
    body = UnicodeAttribute()
    created_at = UnicodeAttribute()
    edited_at = UnicodeAttribute(null=True)
    hidden = BooleanAttribute(default=False)
    pinned_in = UnicodeAttribute(null=True)

    pinned = ForumPinned()


class SessionRecord(Model):
    """A scheduled session a perk gives access to: a discussion with the team (join link)
    or a filming / preview invitation (place). `seats_taken` never exceeds `capacity`."""

    Meta = _meta("sessions")
    film_id = UnicodeAttribute(hash_key=True)
    session_id = UnicodeAttribute(range_key=True)
    perk_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    starts_at = UnicodeAttribute()
    duration_minutes = NumberAttribute()
    place = UnicodeAttribute(null=True)
    join_link = UnicodeAttribute(null=True)
    capacity = NumberAttribute()
    seats_taken = NumberAttribute(default=0)
    waitlisted = NumberAttribute(default=0)
    created_at = UnicodeAttribute()


class RsvpWaitlist(GlobalSecondaryIndex):
    """Sparse: only waitlisted RSVPs carry `waiting_in` (their session id), in seat order."""

    Meta = _index_meta("waitlist")
    waiting_in = UnicodeAttribute(hash_key=True)
    wait_key = UnicodeAttribute(range_key=True)


class RsvpRecord(Model):
    Meta = _meta("rsvps")
    session_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    film_id = UnicodeAttribute()
    status = UnicodeAttribute()  # going | waitlisted | canceled
    rsvp_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    wait_key = UnicodeAttribute(null=True)
    waiting_in = UnicodeAttribute(null=True)

    waitlist = RsvpWaitlist()


class CastingCallRecord(Model):
    Meta = _meta("casting_calls")
    film_id = UnicodeAttribute(hash_key=True)
    call_id = UnicodeAttribute(range_key=True)
    perk_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    status = UnicodeAttribute()  # open | decided
    selected = JSONAttribute(null=True)  # user ids, once decided
    created_at = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)


class CastingApplicationRecord(Model):
    Meta = _meta("casting_applications")
    call_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    film_id = UnicodeAttribute()
    note = UnicodeAttribute()
    applied_at = UnicodeAttribute()
    status = UnicodeAttribute()  # applied | selected | not_selected


MODELS: tuple[type[Model], ...] = (PerkRecord, ForumThreadRecord, ForumPostRecord, SessionRecord, RsvpRecord, CastingCallRecord, CastingApplicationRecord)
