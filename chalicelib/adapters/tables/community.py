"""PynamoDB models of the community features: share codes and tags, updates from the film
team, names in the credits. Access patterns (keys) are listed in docs/architecture/community.md."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.adapters.tables.base import _index_meta, _meta


class ReferralCodesByFilm(GlobalSecondaryIndex):
    """A film's codes: its producer's tags (`tag#...`) and its co-producers' links (`link#...`)."""

    Meta = _index_meta("by_film")
    film_id = UnicodeAttribute(hash_key=True)
    film_key = UnicodeAttribute(range_key=True)  # "<kind>#<created_at>#<code>"


class ReferralCodesBySharer(GlobalSecondaryIndex):
    """Sparse: the personal links of one co-producer, one per film (`GET /me/referrals`)."""

    Meta = _index_meta("by_sharer")
    sharer_id = UnicodeAttribute(hash_key=True)
    film_id = UnicodeAttribute(range_key=True)


class ReferralCodeRecord(Model):
    """One share code: a co-producer's personal link for a film, or a producer's named tag.
    Codes are derived (chalicelib/domain/referrals.py), so writing one again is a no-op."""

    Meta = _meta("referral_codes")
    code = UnicodeAttribute(hash_key=True)
    film_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # link | tag
    owner_id = UnicodeAttribute()  # who brings the pledges: the co-producer, or the tag's creator
    name = UnicodeAttribute(null=True)  # a tag's name
    created_at = UnicodeAttribute()
    film_key = UnicodeAttribute()
    sharer_id = UnicodeAttribute(null=True)  # links only

    by_film = ReferralCodesByFilm()
    by_sharer = ReferralCodesBySharer()


class FilmUpdateRecord(Model):
    """News from the film's team, newest first by its sort key."""

    Meta = _meta("film_updates")
    film_id = UnicodeAttribute(hash_key=True)
    update_key = UnicodeAttribute(range_key=True)  # "<created_at>#<update_id>"
    update_id = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    audience = UnicodeAttribute()  # public | coproducers
    created_at = UnicodeAttribute()


class CreditsByUser(GlobalSecondaryIndex):
    """A person's names in credits (export, erasure)."""

    Meta = _index_meta("by_user")
    user_id = UnicodeAttribute(hash_key=True)
    film_id = UnicodeAttribute(range_key=True)


class CreditRecord(Model):
    """A co-producer's choice to be named in a film's credits, and the name."""

    Meta = _meta("credits")
    film_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    credit_name = UnicodeAttribute()
    credited_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    by_user = CreditsByUser()


MODELS: tuple[type[Model], ...] = (ReferralCodeRecord, FilmUpdateRecord, CreditRecord)
