"""The API's tests: clients holding tokens, and the demo region loaded once per module."""

import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIClient

from census.access import issue_token
from regions.models import Region
from reports.services import drain_recompute_outbox
from tests.conftest import AFTER_CAMPAIGN

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


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module inside a transaction rolled back at the end; "today" is after the campaign."""
    with django_db_blocker.unblock(), time_machine.travel(AFTER_CAMPAIGN, tick=False):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_demo", stdout=io.StringIO())
            # The transaction never commits, so the coverage job its commit would publish is run here.
            drain_recompute_outbox()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


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
