"""A count committed in the web process reaches the snapshots through Redis and a real Celery worker process."""

import datetime
import signal
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

from census.celery import app as celery_app
from census.models import AuditEntry
from census.services import record_count
from regions.models import COUNTRY_KATO
from reports.models import CoverageSnapshot
from tests import factories
from tests.processes import celery_process, child_env, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

WAIT_SECONDS = 30
OCT_5 = datetime.date(2021, 10, 5)


@pytest.fixture
def worker_queue():
    """A queue of this test's own, so no other worker takes its jobs; the app sends to it while the test runs."""
    queue = f"census-test-{uuid.uuid4().hex[:12]}"
    default_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        celery_app.conf.task_default_queue = default_queue
        redis.Redis.from_url(settings.REDIS_URL).delete(queue, f"_kombu.binding.{queue}")


@pytest.fixture
def celery_worker_process(transactional_db, worker_queue):
    """`celery -A census worker` in its own process, on the test database and the test's queue."""
    assert not celery_app.conf.task_always_eager, "with REDIS_URL set, tasks must go through the broker"
    with celery_process("worker", child_env(settings.REDIS_URL), "-Q", worker_queue, "-n", f"{worker_queue}@%h") as started:
        yield started


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
