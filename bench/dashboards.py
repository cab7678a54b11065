"""`python -m bench --dashboards`: how fast the dashboards are served and refreshed, on the demo region.

In a database of its own (BENCH_DASHBOARDS_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/census_bench_dash) with the demo loaded, prints:

- requests/s of the region dashboard served from its stored page, and of a
  minimal Django view (a constant response through the same middleware), side
  by side on one gunicorn server in one run (wrk on loopback; goal: the
  dashboard at least 0.8x the minimal view);
- the time from a committed count to the updated stored dashboard, through
  Redis and a real Celery worker (goal: p95 under 2 s).

Needs PostgreSQL, Redis (REDIS_URL, default redis://127.0.0.1:6379/0), wrk and gunicorn.
"""

import os
import statistics
import subprocess
import time
import uuid

from bench import server
from harness.environment import ROOT
from harness.processes import QUIET_WORKER, celery_command

DB = os.environ.get("BENCH_DASHBOARDS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/census_bench_dash")
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
WKO = "270000000"
TASKALA = "276000000"
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "20"))


# --- The run -------------------------------------------------------------------------------------


def _environment() -> dict:
    return server.environment(DB, REDIS)


def _setup_django() -> None:
    os.environ.update(_environment())
    import django

    django.setup()


def _session_cookie() -> str:
    """A signed-in session of the region's official, as the browser would hold it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username="akimat.wko")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def throughput() -> dict:
    cookie = f"Cookie: {_session_cookie()}"
    with server.gunicorn(_environment()) as base:
        dashboard = f"{base}/ru/dashboard/{WKO}/"
        # The first request renders and stores the page if the job has not yet; then every request serves it.
        server.wrk(dashboard, cookie, connections=1, seconds=2)
        minimal_rps = server.wrk(f"{base}/bench/minimal/")["rps"]
        dashboard_rps = server.wrk(dashboard, cookie)["rps"]
    return {"minimal": minimal_rps, "dashboard": dashboard_rps}


def latency() -> list[float]:
    """Seconds from a committed count to the region dashboard (ru) rendered from it, through a real worker."""
    from census.celery import app
    from census.models import AuditEntry, Campaign, DailyCount
    from census.services import record_count
    from regions.models import District
    from reports.dashboards.store import source_of
    from reports.models import RenderedDashboard

    queue = app.conf.task_default_queue
    worker = subprocess.Popen(
        celery_command("worker", "-Q", queue, "-c", "2", "--loglevel", "WARNING", *QUIET_WORKER),
        cwd=ROOT, env=_environment(), stdout=subprocess.DEVNULL,
    )  # fmt: skip
    campaign = Campaign.objects.current()
    district = District.objects.get(kato=TASKALA)
    last_day = source_of(campaign, WKO)[0]
    pages = RenderedDashboard.objects.filter(campaign=campaign, kind="region", kato=WKO, as_of=last_day)
    timings = []
    try:
        time.sleep(3)  # the worker connects to the broker
        for n in range(SAMPLES + 1):
            row = DailyCount.objects.get(campaign=campaign, district=district, date=last_day)
            before = pages.filter(language="ru").values_list("rendered_at", flat=True).first()
            started = time.monotonic()
            record_count(
                campaign=campaign, district=district, date=last_day, online=row.online + (1 if n % 2 == 0 else -1),
                offline=row.offline, reason="benchmark", source=AuditEntry.Source.COMMAND,
            )  # fmt: skip
            deadline = started + 30
            while time.monotonic() < deadline:
                now = pages.filter(language="ru").values_list("rendered_at", flat=True).first()
                if now is not None and now != before:
                    break
                time.sleep(0.01)
            elapsed = time.monotonic() - started
            if n:  # the first change also warms the worker
                timings.append(elapsed)
            # Let the PDF job of this change finish, so each sample starts with an idle worker.
            while time.monotonic() < deadline and pages.filter(language="en", pdf__isnull=True).exists():
                time.sleep(0.05)
            time.sleep(0.3)
    finally:
        server.end(worker)
        import redis

        redis.Redis.from_url(REDIS).delete(queue, f"_kombu.binding.{queue}")
    return timings


def main() -> None:
    server.ensure_database(DB)
    _setup_django()
    import io

    from django.core.management import call_command

    from census.celery import app

    # A queue of this run's own: no other worker takes its jobs, and nothing is left in the shared default queue.
    app.conf.task_default_queue = f"census-bench-{uuid.uuid4().hex[:8]}"
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    from census.models import Campaign
    from reports.dashboards.store import render_after_recompute
    from reports.services import drain_recompute_outbox

    # As the jobs after the demo's commit would: its coverage, then every page, stored before we measure.
    drain_recompute_outbox()
    render_after_recompute(campaign=Campaign.objects.current(), district_ids=None)

    rates = throughput()
    timings = latency()
    ratio = rates["dashboard"] / rates["minimal"]
    p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else timings[0]
    print(f"{'measure':52} {'value':>12}  goal")
    print(f"{'minimal Django view, requests/s':52} {rates['minimal']:12.0f}")
    print(f"{'region dashboard from its stored page, requests/s':52} {rates['dashboard']:12.0f}")
    print(f"{'  dashboard / minimal':52} {ratio:12.2f}  >= 0.80 {'ok' if ratio >= 0.8 else 'MISSED'}")
    print(f"{'count to updated dashboard, p50 (s)':52} {statistics.median(timings):12.3f}")
    print(f"{'count to updated dashboard, p95 (s)':52} {p95:12.3f}  < 2.00 {'ok' if p95 < 2 else 'MISSED'}")
