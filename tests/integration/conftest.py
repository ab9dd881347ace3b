import pytest


@pytest.fixture(autouse=True)
def _services(local_services):
    return local_services
