"""One batch sent five times at once (a device retrying on a flaky connection, or two tabs): each entry is written once.

The test makes the interleaving certain, as tests/api/test_idempotency_race.py
does: it holds the district's lock until every copy is inside the write of its
first item, then lets them go.
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
from tests.api.test_idempotency_race import _waiting_on_locks

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

URL = "/api/v1/daily-counts/batch/"
COPIES = 5


def test_a_batch_sent_five_times_at_once_writes_each_entry_once(campaign, after_campaign):
    # given: a district, a write token, and one batch of two days
    region = factories.RegionFactory(kato="130000000")
    district = factories.DistrictFactory(region=region, kato="131000000")
    factories.BaselineFactory(district=district, campaign=campaign, population=1000)
    token, key = issue_token(name="field tablet", region=region, can_write=True)
    items = [
        {"key": "dev-1/5", "district": district.kato, "date": "2021-10-05", "online": 10, "offline": 20, "version": 0},
        {"key": "dev-1/6", "district": district.kato, "date": "2021-10-06", "online": 3, "offline": 4, "version": 0},
    ]
    responses = [None] * COPIES

    def send(i):
        try:
            responses[i] = client_with(key).post(URL, {"items": items}, format="json")
        finally:
            connection.close()

    # when: every copy waits for the district inside its first item's write, before any commits
    threads = [threading.Thread(target=send, args=(i,)) for i in range(COPIES)]
    with transaction.atomic():
        District.objects.select_for_update().get(pk=district.pk)
        for thread in threads:
            thread.start()
        assert wait_for(lambda: _waiting_on_locks() == COPIES, 20), "the requests never reached the write"
    for thread in threads:
        thread.join(timeout=30)

    # then: two rows, each written once with one audit entry; every copy was told "created" with the same records
    assert all(r is not None and r.status_code == 200 for r in responses)
    results = [r.json()["results"] for r in responses]
    assert all([item["status"] for item in result] == ["created", "created"] for result in results)
    assert all([item["record"] for item in result] == [item["record"] for item in results[0]] for result in results)
    assert sum(bool(item.get("replayed")) for result in results for item in result) == 2 * (COPIES - 1)
    assert sorted(DailyCount.objects.filter(district=district).values_list("online", "offline", "version")) == [
        (3, 4, 1),
        (10, 20, 1),
    ]
    assert AuditEntry.objects.filter(district=district).count() == 2
    assert IdempotentRequest.objects.filter(token=token).count() == 2
