"""What the tests add to harness/: the URL of this run's test database, a child's environment pointing at it,
and a real Celery worker on a queue of the test's own (fixtures, imported by name where used)."""

import uuid

import pytest
import redis
from django.conf import settings
from django.db import connection

from census.celery import app as celery_app
from harness.environment import child_env as server_env
from harness.processes import celery_process


def database_url() -> str:
    """The URL of the test database this process uses, so that child processes use the same one."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def child_env(redis_url: str, **extra) -> dict:
    """A server's environment on this run's test database and the given Redis."""
    return server_env(database_url(), redis_url, **extra)


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
    """`celery -A census worker` in its own process, on the test database and the test's queue.

    The queue is the worker's default one too (harness/settings.py), so the follow-up jobs it sends (render
    after recompute, PDF after render) stay on the test's queue and this worker finishes the chain.
    """
    assert not celery_app.conf.task_always_eager, "with REDIS_URL set, tasks must go through the broker"
    env = child_env(settings.REDIS_URL, DJANGO_SETTINGS_MODULE="harness.settings", HARNESS_QUEUE=worker_queue)
    with celery_process("worker", env, "-Q", worker_queue, "-n", f"{worker_queue}@%h") as started:
        yield started
