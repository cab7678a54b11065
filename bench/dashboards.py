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
import re
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

DB = os.environ.get("BENCH_DASHBOARDS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/census_bench_dash")
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
PORT = int(os.environ.get("BENCH_PORT", "8791"))
WKO = "270000000"
TASKALA = "276000000"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "20"))
ROOT = Path(__file__).resolve().parent.parent


# --- The server's URL map: the project's, plus the minimal view to compare with ------------------

_django_app = None


def minimal(request):
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


def _urlpatterns():
    from django.urls import path

    from census import urls

    # Appended at the top level: the project's i18n_patterns must stay in the root URL map.
    return [path("bench/minimal/", minimal), *urls.urlpatterns]


def application(environ, start_response):
    """The WSGI app gunicorn serves: the project with this module as its URL map."""
    global _django_app
    if _django_app is None:
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application

        _django_app = get_wsgi_application()
        settings.ROOT_URLCONF = __name__
    return _django_app(environ, start_response)


def __getattr__(name):
    # Django reads `urlpatterns` from the ROOT_URLCONF module; built lazily, once Django is set up.
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


# --- The run -------------------------------------------------------------------------------------


def _environment() -> dict:
    return {
        **os.environ,
        "DATABASE_URL": DB,
        "REDIS_URL": REDIS,
        "DEBUG": "False",
        "DJANGO_SETTINGS_MODULE": "census.settings",
        "LOG_LEVEL": "WARNING",
    }


def _ensure_database() -> None:
    import psycopg2

    name = DB.rsplit("/", 1)[1]
    conn = psycopg2.connect(DB.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _setup_django() -> None:
    os.environ.update(_environment())
    import django

    django.setup()


def _wait_for(url: str, seconds: float = 30) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 -- loopback URL built here
                return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def _wrk(url: str, cookie: str | None) -> float:
    command = ["wrk", "-t2", "-c8", f"-d{SECONDS}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} failed responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


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


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        # A worker finishing a long PDF job would keep the run waiting: its result no longer matters.
        process.kill()
        process.wait(timeout=30)


def throughput() -> dict:
    cookie = _session_cookie()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "bench.dashboards:application", "--workers", "2",
         "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"],
        cwd=ROOT, env=_environment(),
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{PORT}"
        _wait_for(f"{base}/bench/minimal/")
        dashboard = f"{base}/ru/dashboard/{WKO}/"
        # The first request renders and stores the page if the job has not yet; then every request serves it.
        subprocess.run(["wrk", "-t1", "-c1", "-d2s", "-H", f"Cookie: {cookie}", dashboard], check=True, capture_output=True)
        minimal_rps = _wrk(f"{base}/bench/minimal/", None)
        dashboard_rps = _wrk(dashboard, cookie)
    finally:
        _stop(server)
    return {"minimal": minimal_rps, "dashboard": dashboard_rps}


def latency() -> list[float]:
    """Seconds from a committed count to the region dashboard (ru) rendered from it, through a real worker."""
    from census.celery import app
    from census.models import AuditEntry, Campaign, DailyCount
    from census.services import record_count
    from regions.models import District
    from reports.models import RenderedDashboard
    from reports.rendering import source_of

    queue = app.conf.task_default_queue
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "census", "worker", "-Q", queue, "-c", "2",
         "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
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
        _stop(worker)
        import redis

        redis.Redis.from_url(REDIS).delete(queue, f"_kombu.binding.{queue}")
    return timings


def main() -> None:
    _ensure_database()
    _setup_django()
    import io

    from django.core.management import call_command

    from census.celery import app

    # A queue of this run's own: no other worker takes its jobs, and nothing is left in the shared default queue.
    app.conf.task_default_queue = f"census-bench-{uuid.uuid4().hex[:8]}"
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    from census.models import Campaign
    from reports.rendering import render_after_recompute
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
