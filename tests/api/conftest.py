"""The API's tests: clients holding tokens, the demo region loaded once per module, and schemathesis runs."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient
from schemathesis import checks

from census.access import issue_token
from census.wsgi import application
from regions.models import Region

WKO = "270000000"
# Examples per operation: enough to walk every parameter, bounded so the run stays around a minute.
EXAMPLES = 25
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


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


@pytest.fixture
def api_schema(demo):
    # Requests go straight to the WSGI app; like Django's test client, keep the test's connection
    # (and its transaction) open across them instead of closing it when each request finishes.
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


def run_schemathesis(
    schema,
    key: str | None = None,
    *,
    method: str | None = None,
    headers: dict | None = None,
    cookies: dict | None = None,
    examples: int = EXAMPLES,
) -> int:
    """Every operation (or those of `method`) with generated requests; returns how many operations ran.

    The requests carry `Authorization: Token <key>` when a key is given, and any other `headers` and
    `cookies` (a session and its CSRF token, say); with none of them they are anonymous.
    """
    sent = {**({"Authorization": f"Token {key}"} if key else {}), **(headers or {})}
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if method and operation.method.upper() != method:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            case.call_and_validate(headers=sent, cookies=cookies, checks=CHECKS)

        check()
        ran += 1
    return ran
