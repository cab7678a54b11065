"""Recomputes lock per region on PostgreSQL: while one region is recomputed, another region's work may go on."""

import psycopg2
import pytest
from django.db import connection

from census.models import AuditEntry
from census.services import record_count
from reports.services import COUNTRY_LOCK, RECOMPUTE_LOCK_CLASS, recompute_districts
from tests.reports.conftest import DOOR_TO_DOOR_START

pytestmark = pytest.mark.postgres
SOUTH_DISTRICT = "121000000"


def free(session, key: int) -> bool:
    """Whether another session could take this recompute lock now (taken and given back at once if so)."""
    with session.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RECOMPUTE_LOCK_CLASS, key])
        taken = cursor.fetchone()[0]
        if taken:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RECOMPUTE_LOCK_CLASS, key])
    return taken


def test_a_region_being_recomputed_leaves_the_other_regions_free_for_another_worker(census):
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"], host=settings["HOST"],
        port=settings["PORT"],
    )  # fmt: skip
    try:
        # when: a South district's change is recomputed (its transaction still open)
        record_count(
            campaign=census.campaign, district=census[SOUTH_DISTRICT], date=DOOR_TO_DOOR_START, online=10, offline=20,
            source=AuditEntry.Source.FORM,
        )  # fmt: skip
        recompute_districts(campaign=census.campaign, from_dates={census[SOUTH_DISTRICT].pk: DOOR_TO_DOOR_START})

        # then: South and the country wait for it; North is free for another worker
        assert not free(other, census.south.pk)
        assert not free(other, COUNTRY_LOCK)
        assert free(other, census.north.pk)
    finally:
        other.close()
