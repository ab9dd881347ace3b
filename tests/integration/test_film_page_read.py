"""The film page's one BatchGetItem (counters.read_with), its answer decoded without botocore's
parser: the same film and totals as the models read them, and no other read of the same client
changed (a binary attribute still comes back as bytes)."""

from __future__ import annotations

import base64

from chalicelib.adapters import counters, raw_json
from chalicelib.adapters.tables import FilmRecord
from chalicelib.adapters.tables.films import CounterShard
from chalicelib.config import settings
from tests import factories


def test_the_film_and_its_shards_read_raw_are_what_the_models_read():
    film_id = factories.make_film()["film_id"]
    for shard in range(settings().counter_shards):
        CounterShard(counters.film_counter(film_id), shard, raised_cents=1000 + shard, coproducer_count=1).save()

    film, totals = counters.read_with(FilmRecord, {"film_id": film_id}, counters.film_counter(film_id))

    assert film is not None and film.attribute_values == FilmRecord.get(film_id).attribute_values
    assert totals == counters.read(counters.film_counter(film_id))
    assert totals["raised_cents"] == sum(1000 + s for s in range(settings().counter_shards))
    missing, nothing = counters.read_with(FilmRecord, {"film_id": "no-such-film"}, counters.film_counter("no-such-film"))
    assert missing is None and set(nothing.values()) == {0}


def test_only_the_read_that_asked_is_left_unparsed():
    client = FilmRecord._get_connection().connection.client
    table, key = CounterShard.Meta.table_name, {"counter_id": {"S": "raw-probe"}, "shard": {"N": "0"}}
    client.put_item(TableName=table, Item={**key, "blob": {"B": b"\x00\x01"}})
    request = {table: {"Keys": [key], "ConsistentRead": True}}

    raw = raw_json.call(client, "batch_get_item", RequestItems=request)
    parsed = client.batch_get_item(RequestItems=request)  # the same client, after the hook is registered

    assert raw["Responses"][table][0]["blob"] == {"B": base64.b64encode(b"\x00\x01").decode()}
    assert parsed["Responses"][table][0]["blob"] == {"B": b"\x00\x01"}
    assert "ResponseMetadata" in parsed and "ResponseMetadata" not in raw


def test_the_models_read_raw_have_no_binary_attribute():
    """Raw JSON would leave a binary attribute as base64 text: the film page's models hold none."""
    from pynamodb.attributes import BinaryAttribute, BinarySetAttribute

    for model in (FilmRecord, CounterShard):
        binary = [name for name, attribute in model.get_attributes().items()
                  if isinstance(attribute, (BinaryAttribute, BinarySetAttribute))]
        assert binary == [], (model.__name__, binary)
