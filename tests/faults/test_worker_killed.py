"""A worker killed with SIGKILL in the middle of a full recompute: the job comes back and the snapshots end exact."""

import time

import pytest
from django.db import connection

from harness.ports import wait_for
from harness.processes import celery_process, run_python
from harness.servers import RedisServer
from reports.models import CoverageSnapshot
from reports.services import recompute_coverage
from tests.processes import child_env

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
VISIBILITY_TIMEOUT = 3
FIELDS = [f.name for f in CoverageSnapshot._meta.fields if f.name not in ("id", "computed_at")]


def snapshot_values(campaign):
    return {(s["kato"], s["date"]): s for s in CoverageSnapshot.objects.filter(campaign=campaign).values(*FIELDS)}


def recompute_holds_its_lock() -> bool:
    with connection.cursor() as cursor:
        # pg_locks lists every database's locks: count only this test database's.
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return cursor.fetchone()[0] > 0


def test_a_recompute_killed_mid_way_is_redelivered_and_ends_equal_to_a_clean_run(wide_campaign):
    # given: our own Redis, and a worker that gets a job back 3 s after its holder died
    redis = RedisServer()
    redis.start()
    env = child_env(redis.url, CELERY_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT)
    try:
        with celery_process("worker", env) as (first_worker, _log):
            published = run_python(
                f"from reports.tasks import recompute_all_task; recompute_all_task.delay({wide_campaign.pk})", env
            )
            assert published.returncode == 0, published.stderr

            # when: the job is running (it holds the recompute lock), the worker is killed outright
            assert wait_for(recompute_holds_its_lock, 60), "the recompute never started"
            first_worker.kill()
            first_worker.wait(timeout=10)

        # then: what it had done was rolled back with its transaction...
        assert not CoverageSnapshot.objects.filter(campaign=wide_campaign).exists()

        # ...and a worker started once the visibility timeout has passed gets the job back and finishes it
        time.sleep(VISIBILITY_TIMEOUT + 1)
        with celery_process("worker", env) as (_second_worker, log):
            expected = 300 * 60 + 2 * 60 + 60  # district-days, region-days, country-days
            done = wait_for(lambda: CoverageSnapshot.objects.filter(campaign=wide_campaign).count() == expected, 90)
            assert done, log.read_text()[-3000:]
            assert wait_for(lambda: not recompute_holds_its_lock(), 30)
    finally:
        redis.stop()
    after_redelivery = snapshot_values(wide_campaign)

    CoverageSnapshot.objects.filter(campaign=wide_campaign).delete()
    recompute_coverage(campaign=wide_campaign)
    assert after_redelivery == snapshot_values(wide_campaign)
