"""API tokens read from the cache (census/access.py): a client's requests cost no query, and a revoked, expired or
re-scoped token stops working at once in the process that saved it and within the generation check elsewhere.

Runs on SQLite with the local-memory cache; with DATABASE_URL and REDIS_URL set, on PostgreSQL with Redis.
Two processes: tests/api/test_token_revoked_elsewhere.py.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from census.access import issue_token
from tests.api.conftest import client_with


def test_a_token_read_again_costs_no_query(demo):
    # given: a token that made one request
    _token, key = issue_token(name="reader", region=demo, can_write=False)
    client = client_with(key)
    assert client.get("/api/v1/regions/").status_code == 200

    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/regions/")

    # then: no query names the token table
    assert response.status_code == 200
    assert [q["sql"] for q in queries.captured_queries if "census_apitoken" in q["sql"]] == []


@pytest.mark.parametrize(
    "change",
    [
        lambda token: setattr(token, "revoked_at", timezone.now()),
        lambda token: setattr(token, "expires_at", timezone.now()),
    ],
    ids=["revoked", "expired by an edit"],
)
def test_a_revoked_or_expired_token_is_refused_on_its_next_request(demo, change):
    # given: a token whose row is cached by its requests
    token, key = issue_token(name="reader", region=demo, can_write=False)
    client = client_with(key)
    assert client.get("/api/v1/regions/").status_code == 200
    assert client.get("/api/v1/regions/").status_code == 200

    # when: it is changed and saved (as the admin does)
    change(token)
    token.save()

    # then
    refused = client.get("/api/v1/regions/")
    assert refused.status_code == 401


def test_a_token_moved_to_another_region_reads_that_region_on_its_next_request(demo):
    # given: a country-wide token that has read the country's regions
    token, key = issue_token(name="reader", region=None, can_write=False)
    client = client_with(key)
    assert len(client.get("/api/v1/regions/").json()["results"]) > 1

    # when: it is limited to one region
    token.region = demo
    token.save()

    # then
    assert [row["kato"] for row in client.get("/api/v1/regions/").json()["results"]] == [demo.kato]


def test_a_token_past_its_expiry_time_is_refused_though_its_row_is_cached(demo, time_machine):
    # given: a token expiring in a minute, cached by a request
    time_machine.move_to(timezone.now(), tick=False)
    _token, key = issue_token(
        name="reader", region=demo, can_write=False, expires_at=timezone.now() + timezone.timedelta(minutes=1)
    )
    client = client_with(key)
    assert client.get("/api/v1/regions/").status_code == 200

    # when: the minute passes, with no save
    time_machine.shift(61)

    # then
    assert client.get("/api/v1/regions/").status_code == 401
