"""A write's answer is its own: value, version and ETag as this write left them, whatever another writer does next.

PostgreSQL, real transactions: another writer saves the same district-day in
the moment after this write and before its answer is read.
"""

import datetime
import threading

import pytest
from django.db import connection

import census.api.counts
from census.services import record_count
from harness.ports import wait_for
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("after_campaign")]

URL = "/api/v1/daily-counts/"
DAY = datetime.date(2021, 10, 6)


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction the statistics views keep their first snapshot unless told to take a new one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def test_a_write_without_idempotency_key_answers_with_its_own_value_not_the_next_writers(campaign, token_client, monkeypatch):
    # given: a district, a write token, and a colleague who saves the same day just as this write finishes
    region = factories.RegionFactory(kato="130000000")
    district = factories.DistrictFactory(region=region, kato="131000000")
    factories.BaselineFactory(district=district, campaign=campaign, population=1000)
    client, _token = token_client(region=region, can_write=True)
    colleague_done = threading.Event()

    def colleague():
        try:
            record_count(campaign=campaign, district=district, date=DAY, online=99, offline=9, reason="Recount", source="form")
        finally:
            colleague_done.set()
            connection.close()

    reading = census.api.counts.daily_counts_with_totals

    def colleague_saves_then_read(*args, **kwargs):
        threading.Thread(target=colleague, daemon=True).start()
        # Until the colleague has either saved or is waiting for this write's lock.
        assert wait_for(lambda: colleague_done.is_set() or _waiting_on_locks() >= 1, 20)
        return reading(*args, **kwargs)

    monkeypatch.setattr(census.api.counts, "daily_counts_with_totals", colleague_saves_then_read)

    # when
    response = client.post(URL, {"district": district.kato, "date": DAY.isoformat(), "online": 10, "offline": 1}, format="json")
    assert colleague_done.wait(20)

    # then: the answer is this write's row; the colleague's save came after it, as version 2
    assert response.status_code == 201
    body = response.json()
    assert (body["online"], body["offline"], body["version"], response["ETag"]) == (10, 1, 1, '"1"')
    assert (body["online_cumulative"], body["offline_cumulative"]) == (10, 1)
    row = district.daily_counts.get(date=DAY)
    assert (row.online, row.offline, row.version) == (99, 9, 2)
