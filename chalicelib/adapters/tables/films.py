"""Films and their counters: the catalog, the close job's index, a producer's films, and the
sharded counters of raised cents and co-producers (film and platform)."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.adapters.tables.base import _index_meta, _meta


class FilmsByStatus(GlobalSecondaryIndex):
    """status -> films ordered by deadline (the close job and `GET /films?status=`)."""

    Meta = _index_meta("by_status")
    status = UnicodeAttribute(hash_key=True)
    status_key = UnicodeAttribute(range_key=True)  # "<deadline>#<film_id>"


class FilmsCatalog(GlobalSecondaryIndex):
    """Sparse: only published films carry `catalog`; newest first for `GET /films`."""

    Meta = _index_meta("catalog")
    catalog = UnicodeAttribute(hash_key=True)  # always "film"
    catalog_key = UnicodeAttribute(range_key=True)  # "<published_at>#<film_id>"


class FilmsByProducer(GlobalSecondaryIndex):
    Meta = _index_meta("by_producer")
    producer_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class FilmRecord(Model):
    Meta = _meta("films")
    film_id = UnicodeAttribute(hash_key=True)
    title = UnicodeAttribute()
    kind = UnicodeAttribute()
    synopsis = UnicodeAttribute(default="")
    status = UnicodeAttribute()
    stage = UnicodeAttribute()
    goal_cents = NumberAttribute()
    min_pledge_cents = NumberAttribute()
    deadline = UnicodeAttribute()  # YYYY-MM-DD, campaign ends at the end of that day (UTC)
    producer_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    published_at = UnicodeAttribute(null=True)
    goal_reached_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    closing_at = UnicodeAttribute(null=True)  # set when the close starts: no money counts after it
    status_key = UnicodeAttribute()
    catalog = UnicodeAttribute(null=True)
    catalog_key = UnicodeAttribute(null=True)

    by_status = FilmsByStatus()
    catalog_index = FilmsCatalog()
    by_producer = FilmsByProducer()


class CounterShard(Model):
    """Additive counters split over shards: `film#<id>` and `platform`.

    A writer adds to one random shard; a reader sums every shard of the counter with
    one Query. Attributes absent on a shard count as zero.
    """

    Meta = _meta("counters", stream_view_type="KEYS_ONLY")  # milestones are watched on it
    counter_id = UnicodeAttribute(hash_key=True)
    shard = NumberAttribute(range_key=True)
    raised_cents = NumberAttribute(null=True)
    coproducer_count = NumberAttribute(null=True)
    films = NumberAttribute(null=True)
    open_films = NumberAttribute(null=True)
    goal_cents = NumberAttribute(null=True)
    coproducers = NumberAttribute(null=True)


MODELS: tuple[type[Model], ...] = (FilmRecord, CounterShard)
