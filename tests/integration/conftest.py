import pytest


@pytest.fixture(autouse=True)
def _services(local_services):
    return local_services


@pytest.fixture
def fake():
    """Stripe Connect transfers that remember idempotency keys for 24 hours and can time out."""
    from chalicelib.adapters import transfers

    fake = transfers.LocalTransfers()
    transfers.use(fake)
    yield fake
    transfers.use(None)
