"""Every DynamoDB connection of the process reads botocore's service models through one loader:
a cold request that touches several models parses DynamoDB's service model once."""

from pynamodb.connection import Connection

from chalicelib.adapters import botocore_data
from chalicelib.adapters.tables import FilmRecord, PledgeRecord


def _loader_of(connection: Connection):
    return connection.session.get_component("data_loader")


def test_two_connections_share_the_loader_not_the_session():
    first, second = Connection(region="eu-west-3"), Connection(region="eu-west-3")
    assert first.session is not second.session  # botocore sessions stay one per connection and thread
    assert _loader_of(first) is _loader_of(second) is botocore_data.loader()


def test_the_models_connections_read_dynamodb_s_service_model_once(monkeypatch):
    from botocore.loaders import JSONFileLoader

    read = []
    original = JSONFileLoader.load_file

    def counted(self, file_path):
        read.append(str(file_path))
        return original(self, file_path)

    botocore_data.loader.cache_clear()  # a loader that has read nothing yet
    monkeypatch.setattr(JSONFileLoader, "load_file", counted)
    FilmRecord._connection = PledgeRecord._connection = None  # their next call opens a connection
    clients = [Connection(region="eu-west-3", host="http://127.0.0.1:9").client for _ in range(3)]
    clients += [model._get_connection().connection.client for model in (FilmRecord, PledgeRecord)]
    assert len({id(client) for client in clients}) == 5
    service_models = [path for path in read if "/dynamodb/" in path and path.endswith("/service-2")]
    assert len(service_models) == 1, read
