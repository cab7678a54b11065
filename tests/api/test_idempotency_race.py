"""Retries that arrive at the same time with one Idempotency-Key: one write, and every caller gets its response.

A client whose connection dropped may send its retry while the first request is
still running. Both requests then find no stored key; the unique key decides,
and the loser's write rolls back with it (census/idempotency.py). The test
makes that interleaving certain: it holds the district's lock until every
request is inside the write, then lets them go.
"""

import threading

import pytest
from django.db import connection, transaction

from census.access import issue_token
from census.models import AuditEntry, DailyCount, IdempotentRequest
from harness.ports import wait_for
from regions.models import District
from tests import factories
from tests.api.conftest import client_with

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

URL = "/api/v1/daily-counts/"
RETRIES = 4


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction the statistics views keep their first snapshot unless told to take a new one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def test_simultaneous_retries_with_one_key_write_once_and_all_get_the_first_response(campaign, after_campaign):
    # given: a district, a write token, and the same request sent four times at once
    region = factories.RegionFactory(kato="130000000")
    district = factories.DistrictFactory(region=region, kato="131000000")
    factories.BaselineFactory(district=district, campaign=campaign, population=1000)
    token, key = issue_token(name="press office", region=region, can_write=True)
    body = {"district": district.kato, "date": "2021-10-06", "online": 10, "offline": 20}
    responses = [None] * RETRIES

    def send(i):
        try:
            responses[i] = client_with(key).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="retry-7")
        finally:
            connection.close()

    # when: all of them are inside the write, waiting for the district, before any commits
    threads = [threading.Thread(target=send, args=(i,)) for i in range(RETRIES)]
    with transaction.atomic():
        District.objects.select_for_update().get(pk=district.pk)
        for thread in threads:
            thread.start()
        assert wait_for(lambda: _waiting_on_locks() == RETRIES, 20), "the requests never reached the write"
    for thread in threads:
        thread.join(timeout=30)

    # then: one row written once, one audit entry, one stored key, and the same answer for everyone
    assert all(r is not None for r in responses)
    assert {r.status_code for r in responses} == {201}
    assert all(r.json() == responses[0].json() for r in responses)
    assert sum(r.get("Idempotent-Replayed") == "true" for r in responses) == RETRIES - 1
    row = DailyCount.objects.get(district=district)
    assert (row.online, row.offline, row.version) == (10, 20, 1)
    assert AuditEntry.objects.filter(district=district).count() == 1
    assert IdempotentRequest.objects.filter(token=token, key="retry-7").count() == 1
