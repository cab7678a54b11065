"""The API's tests: clients holding tokens, and the demo region loaded once per module."""

import pytest
from rest_framework.test import APIClient

from census.access import issue_token
from regions.models import Region

WKO = "270000000"


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def token_client():
    """A client holding a fresh token: token_client(region=..., can_write=...) -> (client, token)."""

    def make(*, region=None, can_write=False, **kwargs):
        token, key = issue_token(name="test client", region=region, can_write=can_write, **kwargs)
        return client_with(key), token

    return make


@pytest.fixture
def demo(demo_loaded, db):
    """Each test reads (and may change) the module's demo inside its own savepoint."""
    return Region.objects.get(kato=WKO)


@pytest.fixture
def wko_reader(demo, token_client):
    """The communications service's read-only token for West Kazakhstan."""
    client, _token = token_client(region=demo)
    return client


@pytest.fixture
def wko_writer(demo, token_client):
    client, _token = token_client(region=demo, can_write=True)
    return client
