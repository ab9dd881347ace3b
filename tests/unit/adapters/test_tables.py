"""The tables package: every model of every context is listed, importable from the package,
and becomes exactly one AWS table (infra/tables.py reads the models)."""

import importlib
import pkgutil

from pynamodb.models import Model

import chalicelib.adapters.tables as package
from chalicelib.adapters.tables.registry import ALL_MODELS, SHARING_A_TABLE
from infra import tables as infra

MODULES = [importlib.import_module(f"{package.__name__}.{m.name}") for m in pkgutil.iter_modules(package.__path__)]


def _defined_in(module):
    return {name: value for name, value in vars(module).items()
            if getattr(value, "__module__", None) == module.__name__}


def test_every_model_defined_in_a_context_is_in_all_models():
    defined = {value for module in MODULES for value in _defined_in(module).values()
               if isinstance(value, type) and issubclass(value, Model)}
    assert len(defined) >= 31
    assert defined == set(ALL_MODELS) | set(SHARING_A_TABLE)
    assert len(ALL_MODELS) == len(set(ALL_MODELS))


def test_a_model_sharing_a_table_has_the_keys_of_the_model_that_declares_it():
    assert SHARING_A_TABLE, "the royalty run's batch progress lives beside its snapshot pages"
    for model in SHARING_A_TABLE:
        owner, = [m for m in ALL_MODELS if m.Meta.table_name == model.Meta.table_name]
        assert model._hash_key_attribute().attr_name == owner._hash_key_attribute().attr_name
        assert model._range_key_attribute().attr_name == owner._range_key_attribute().attr_name


def test_every_name_of_a_context_module_stays_importable_from_the_package():
    for module in MODULES:
        for name, value in _defined_in(module).items():
            if not name.startswith("__"):
                assert getattr(package, name, None) is value, f"{module.__name__}.{name}"


def test_each_model_is_one_aws_table_with_its_own_short_name():
    shorts = [t.short for t in infra.TABLES]
    assert len(shorts) == len(set(shorts))
    assert set(shorts) == {m.Meta.short_name for m in ALL_MODELS} | {t.short for t in infra.UNMODELLED}
    for model in ALL_MODELS:
        assert model.Meta.table_name.endswith("-" + model.Meta.short_name), model.__name__


def test_the_aws_table_of_a_model_has_its_keys_indexes_stream_and_ttl():
    outbox = infra.BY_SHORT["outbox"]
    assert (outbox.pk, outbox.sk, outbox.stream, outbox.ttl) == (infra.S("event_id"), None, "NEW_IMAGE", "expires_at")
    assert outbox.gsis == (infra.Gsi("by_film", infra.S("film_id"), infra.S("occurred_key")),)
    counters = infra.BY_SHORT["counters"]
    assert (counters.sk, counters.stream, counters.ttl) == (infra.N("shard"), "KEYS_ONLY", None)
    pledges = infra.BY_SHORT["pledges"]  # in the order the model declares them
    assert [g.name for g in pledges.gsis] == ["by_user", "by_film", "by_payment_intent", "unsettled", "by_referral"]
    assert pledges.gsis[2].sk is None


def test_import_app_loads_only_the_contexts_its_services_import():
    """Cold start: the package loads a context on first use; `import app` needs no perks,
    royalties, community nor the registry of every model."""
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, app; print(' '.join(m for m in sys.modules if m.startswith('chalicelib.adapters.tables.')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[3],
                         capture_output=True, text=True, check=True)
    loaded = {m.rsplit(".", 1)[1] for m in out.stdout.split()}
    assert "films" in loaded  # the probe sees the routes' services (pledges' load on a pledge route's first call)
    assert loaded.isdisjoint({"perks", "royalties", "community", "registry"}), sorted(loaded)
