import pytest


@pytest.fixture(autouse=True)
def _services(local_services):
    return local_services


@pytest.fixture(scope="session")
def api(local_services):
    from tests.api.client import Api, make_client

    with make_client() as client:
        yield Api(client)
