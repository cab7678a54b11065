"""A count committed in the web process reaches the snapshots through Redis and a real Celery worker process."""

import datetime
import signal
from pathlib import Path

import pytest

from census.models import AuditEntry
from census.services import record_count
from harness.ports import wait_for
from regions.models import COUNTRY_KATO
from reports.models import CoverageSnapshot
from tests import factories

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

WAIT_SECONDS = 30
OCT_5 = datetime.date(2021, 10, 5)


def test_a_committed_count_reaches_district_region_and_country_snapshots_through_a_real_worker(celery_worker_process):
    # given: a campaign, a region of two districts; nothing counted yet
    process, log_path = celery_worker_process
    campaign = factories.campaign_like_2021()
    region = factories.RegionFactory(kato="150000000")
    counted, quiet = (
        factories.DistrictFactory(region=region, kato="151000000"),
        factories.DistrictFactory(region=region, kato="152000000"),
    )
    factories.BaselineFactory(district=counted, campaign=campaign, population=2_000)
    factories.BaselineFactory(district=quiet, campaign=campaign, population=3_000)

    # when: a count is committed (the test runs without a wrapping transaction)
    record_count(campaign=campaign, district=counted, date=OCT_5, online=120, offline=80, source=AuditEntry.Source.FORM)

    # then: the worker picks the job up from Redis and writes the snapshots
    def reflected():
        return CoverageSnapshot.objects.filter(campaign=campaign, kato=region.kato, date=OCT_5, total=200).exists()

    if not wait_for(reflected, WAIT_SECONDS):
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        pytest.fail(f"no snapshot after {WAIT_SECONDS} s; worker log:\n{Path(log_path).read_text()}")
    district = CoverageSnapshot.objects.get(campaign=campaign, kato=counted.kato, date=OCT_5)
    assert (district.online, district.offline, district.coverage_pct) == (120, 80, 10)
    assert CoverageSnapshot.objects.get(campaign=campaign, kato=COUNTRY_KATO, date=OCT_5).total == 200
    # Every day after the count carries it, up to the end of the phase.
    assert set(
        CoverageSnapshot.objects.filter(campaign=campaign, kato=counted.kato, date__gte=OCT_5).values_list("total", flat=True)
    ) == {200}
    assert process.poll() is None, "the worker should still be running"
