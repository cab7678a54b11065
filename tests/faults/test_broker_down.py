"""Redis down when a count is saved: the save succeeds, and the coverage work waits in the outbox until Redis is back."""

import datetime
import time

import pytest

from census.models import DailyCount
from reports.models import CoverageSnapshot, RecomputeRequest
from tests import factories
from tests.processes import RedisServer, celery_process, child_env, run_python, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
DAY = datetime.date(2021, 10, 5)
SAVE = """
import datetime
from census.models import Campaign
from census.services import record_count
from regions.models import District
record_count(campaign=Campaign.objects.get(pk={campaign}), district=District.objects.get(pk={district}),
             date=datetime.date(2021, 10, 5), online=700, offline=300, source="form")
"""


def test_a_count_saved_while_redis_is_down_is_kept_and_reaches_the_snapshots_once_redis_is_back(transactional_db):
    # given: a district, and our own Redis, stopped
    campaign = factories.CampaignFactory()
    factories.PhaseFactory(
        campaign=campaign, kind="online", starts_on=datetime.date(2021, 9, 1), ends_on=datetime.date(2021, 10, 15)
    )
    factories.PhaseFactory(
        campaign=campaign, kind="door_to_door", starts_on=datetime.date(2021, 10, 1), ends_on=datetime.date(2021, 10, 30)
    )
    district = factories.DistrictFactory(region=factories.RegionFactory(kato="630000000"), kato="631000000")
    factories.BaselineFactory(district=district, campaign=campaign, population=4_000)
    redis = RedisServer()
    redis.start()
    redis.stop()
    env = child_env(redis.url, OUTBOX_SWEEP_SECONDS=1)

    # when: a web process saves a count
    started = time.monotonic()
    saved = run_python(SAVE.format(campaign=campaign.pk, district=district.pk), env)
    took = time.monotonic() - started

    # then: the save succeeded within a few seconds, and the work owed is in the outbox
    assert saved.returncode == 0, saved.stderr
    assert took < 15, f"saving took {took:.1f} s with the broker down"
    assert DailyCount.objects.get(district=district, date=DAY).online == 700
    assert RecomputeRequest.objects.filter(district=district).exists()
    assert not CoverageSnapshot.objects.filter(kato=district.kato, date=DAY).exists()

    # when: Redis is back, with a worker and the beat's outbox sweep
    redis.start()
    try:
        with (
            celery_process("worker", env) as (_worker, worker_log),
            celery_process("beat", env, "--schedule", str(worker_log) + ".beat"),
        ):
            arrived = wait_for(lambda: CoverageSnapshot.objects.filter(kato=district.kato, date=DAY).exists(), 60)
            assert arrived, worker_log.read_text()[-3000:]
            assert wait_for(lambda: not RecomputeRequest.objects.exists(), 30)
    finally:
        redis.stop()

    # then: the snapshot holds the count, exactly once
    snapshot = CoverageSnapshot.objects.get(kato=district.kato, date=DAY)
    assert (snapshot.online, snapshot.offline, snapshot.total, snapshot.coverage_pct) == (700, 300, 1000, 25)
    assert CoverageSnapshot.objects.get(kato="630000000", date=DAY).total == 1000
