"""The run: prepare the demo, start the real processes, drive the load, then check that nothing was lost.

1. Refuses SQLite (the embedded mode serves one process with jobs run in-process: a figure measured
   there says nothing about the deployment) and needs DATABASE_URL and REDIS_URL.
2. Migrates and loads the demo (load_demo tops up an existing one and changes nothing else), then
   prepares the accounts: one staff account per simulated staff member (loadtest.staff.NN, each on
   one district, all with the demo password), a write token each, one region staff account per
   simulated batch writer (loadtest.region.NN: the region grid and imports), a read token, and a signed-in
   session per official reader. Readers' sessions are created in the session store, as a browser that
   signed in earlier holds one: 200 sign-ins would measure the password hash (about 0.6 s of CPU
   each), not the dashboards. Staff do sign in through the form, as the scenario's writers.
3. Starts, on loopback, gunicorn on a free port and a Celery worker with its beat (the outbox sweep),
   all on a queue of this run's own (harness/settings.py). gunicorn runs 3 processes x 4 threads
   (gthread) for 2 cores: one process per core plus one, so a core is never idle while another
   process waits on PostgreSQL; threads so that a request waiting on a row lock (a save holds its
   district's) or on the database does not hold up a whole process; no more, because the driver,
   the worker and PostgreSQL share the same two cores, and 12 connections stay well inside
   PostgreSQL's limit. Keep-alive is 30 s, above the users' pauses: at gunicorn's default of 2 s the
   server closes an idle connection just as the client sends the next request on it, and a POST
   lost that way is a client-side race, not the application's error (a proxy in front decides this
   in production).
4. Drives the scenario (loadtest/scenario.py) with locust as a library: headless, one process, its
   gevent users are cheap enough that 220 of them cost the server little CPU, and its statistics
   give per-kind percentiles and errors without a collector of our own. At the end nobody starts
   anything new and the run waits for every request in hand to be answered, so no write is cut off
   mid-flight.
5. Waits until the worker has done all owed coverage work (outbox and queue empty), stops it (a warm
   shutdown finishes the job in hand), then checks: every accepted write is in the audit trail with
   its value, every district-day holds the last value written to it, and the coverage snapshots
   equal what a full recompute from nothing gives (computed in a transaction that is rolled back).
6. Prints the table, ends every process it started, and exits 1 on any error, lost write or
   snapshot difference.
"""

import argparse
import datetime
import functools
import io
import json
import math
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

import gevent

from harness import ports
from harness.environment import child_env
from harness.ports import answers_http, free_port
from harness.processes import QUIET_WORKER, Children, celery_command, gunicorn_command

REGION = "270000000"
# High enough that a throttle never answers 429 to the scenario: the load figure is the server's, not the limit's.
THROTTLE = "1000000/minute"
GUNICORN_WORKERS = 3
GUNICORN_THREADS = 4
# The run waits with gevent's sleep: locust's users go on meanwhile.
wait_for = functools.partial(ports.wait_for, sleep=gevent.sleep)


class Refused(SystemExit):
    pass


# --- Environment ---------------------------------------------------------------------------------


def environment(queue: str) -> dict:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url or database_url.startswith("sqlite"):
        raise Refused(
            "make loadtest needs PostgreSQL: set DATABASE_URL=postgres://... (SQLite is the embedded mode, one process "
            "with jobs run in-process: a load figure measured there says nothing about a deployment)."
        )
    if not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise Refused(f"make loadtest needs PostgreSQL; DATABASE_URL is {database_url.split(':', 1)[0]}:...")
    if not redis_url:
        raise Refused("make loadtest needs Redis and a real Celery worker: set REDIS_URL=redis://...")
    # The run's processes have DEBUG=False, as servers do, so they need a key (settings refuse the public development one):
    # the one set for the run, else one made for it.
    return child_env(
        secret_key=os.environ.get("SECRET_KEY"),
        DJANGO_SETTINGS_MODULE="harness.settings",
        HARNESS_QUEUE=queue,
        LOG_LEVEL="WARNING",
        API_THROTTLE_READ=THROTTLE,
        API_THROTTLE_WRITE=THROTTLE,
        API_THROTTLE_ANON=THROTTLE,
        # Every simulated person signs in from 127.0.0.1: one address, far over the per-address sign-in rate.
        CENSUS_SIGNIN_RATE=THROTTLE,
        # The sweep that publishes work whose publish failed: often, so a run never waits a minute for it.
        OUTBOX_SWEEP_SECONDS="5",
    )


# --- Preparing the database ----------------------------------------------------------------------


def prepare(readers: int, staff: int, batches: int = 0):
    """Demo, accounts, tokens and sessions; returns the plan the simulated people follow."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db.models import Max

    from census.access import issue_token
    from census.accounts import provision_user
    from census.demo import DEMO_PASSWORD
    from census.models import Campaign, DailyCount
    from loadtest.scenario import Plan
    from regions.models import District, Region

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    campaign = Campaign.objects.current()
    region = Region.objects.get(kato=REGION)
    districts = list(District.objects.filter(region=region).order_by("kato"))
    users = get_user_model().objects

    def session_of(username: str) -> str:
        user = users.get(username=username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    # Officials read with sessions made here (their passwords are not needed); API readers with a country-wide read token.
    _token, read_key = issue_token(name=f"loadtest read {uuid.uuid4().hex[:6]}", region=None, can_write=False)
    kinds = ("region", "national", "public", "api")
    reader_sessions = []
    for number in range(max(readers, 1)):
        kind = kinds[number % len(kinds)]
        secret = {"region": "akimat.wko", "national": "official.kz"}.get(kind)
        reader_sessions.append((kind, session_of(secret) if secret else read_key if kind == "api" else ""))

    # Each staff member has district-days no one else writes: days on which both channels were open in the
    # region, shared out among the staff of one district. A form save then never meets another's version.
    # Every fourth such day is the region staff's (grid and imports), each day one region staff member's:
    # their batches lock the same districts as the single saves, on district-days no single save writes.
    open_days = _open_days(campaign, region)
    batch_days = [day for i, day in enumerate(open_days) if i % 4 == 3] if batches else []
    days = [day for day in open_days if day not in batch_days]
    per_district = math.ceil(staff / len(districts))
    password_hash = make_password(DEMO_PASSWORD)  # one hash for every account: 20 hashes would cost seconds for nothing
    staff_plan = []
    for number in range(staff):
        district = districts[number % len(districts)]
        username = f"loadtest.staff.{number + 1:02}"
        users.filter(username=username).update(is_active=True)  # an earlier run's account, switched off after it
        user = provision_user(username=username, role="staff", kato=district.kato)
        user.password, user.is_active = password_hash, True
        user.save(update_fields=["password", "is_active"])
        _token, key = issue_token(name=f"loadtest {username} {uuid.uuid4().hex[:6]}", region=region, can_write=True)
        share = number // len(districts)
        slots = [(district.kato, day.isoformat()) for i, day in enumerate(days) if i % per_district == share]
        staff_plan.append({"username": username, "password": DEMO_PASSWORD, "token": key, "slots": slots, "user_id": user.pk})

    batch_plan = []
    for number in range(batches):
        username = f"loadtest.region.{number + 1:02}"
        users.filter(username=username).update(is_active=True)
        user = provision_user(username=username, role="staff", kato=region.kato)
        user.password, user.is_active = password_hash, True
        user.save(update_fields=["password", "is_active"])
        own = [day.isoformat() for i, day in enumerate(batch_days) if i % batches == number]
        batch_plan.append({"username": username, "password": DEMO_PASSWORD, "days": own, "user_id": user.pk})

    highest = DailyCount.objects.filter(campaign=campaign).aggregate(top=Max("online"))["top"] or 0
    return campaign, Plan(
        region_kato=REGION,
        district_katos=[d.kato for d in districts],
        reader_sessions=reader_sessions,
        staff=staff_plan,
        batch_staff=batch_plan,
        first_value=highest + 1,
    )


def _open_days(campaign, region) -> list[datetime.date]:
    from census.calendar import CampaignCalendar  # Django is set up in main(), once the environment is known

    calendar = CampaignCalendar.load(campaign)
    first = max(p.starts_on for p in calendar.phases)
    last = min(p.effective_end(region) for p in calendar.phases)
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def finish_accounts(plan) -> None:
    """The run's staff accounts and tokens stop working: a load test leaves no way in behind it."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from census.models import ApiToken

    accounts = [s["user_id"] for s in plan.staff + plan.batch_staff]
    get_user_model().objects.filter(pk__in=accounts).update(is_active=False)
    Session.objects.filter(
        session_key__in=[secret for kind, secret in plan.reader_sessions if kind in ("region", "national")]
    ).delete()
    ApiToken.objects.filter(name__startswith="loadtest ", revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- Processes -----------------------------------------------------------------------------------


def start_server(processes: Children, port: int) -> None:
    processes.start(
        "gunicorn",
        gunicorn_command("census.wsgi", port, "--workers", str(GUNICORN_WORKERS), "--threads", str(GUNICORN_THREADS),
                         "--worker-class", "gthread", "--timeout", "60", "--keep-alive", "30", "--log-level", "warning"),
    )  # fmt: skip

    if not wait_for(lambda: answers_http(port), 60):
        raise RuntimeError("gunicorn did not answer:\n" + processes.log("gunicorn"))


def start_worker(processes: Children, queue: str) -> None:
    processes.start(
        "worker",
        celery_command("worker", "--beat", "--schedule", str(processes.workdir / "beat-schedule"),
                       "-Q", queue, "-n", f"{queue}@%h", "--concurrency", "2", "--loglevel", "WARNING", *QUIET_WORKER),
    )  # fmt: skip


def drained(redis_client, queue: str) -> bool:
    """No coverage work owed, no job waiting in the run's queue, and none in hand (acks late: a job in hand stays unacked)."""
    from reports.models import RecomputeRequest

    if RecomputeRequest.objects.exists() or redis_client.llen(queue):
        return False
    # kombu's Redis transport keeps each delivered, unacknowledged message as [payload, exchange, routing key].
    return not any(json.loads(value)[2] == queue for value in redis_client.hvals("unacked"))


def warm_up(host: str, plan) -> None:
    """A few requests to every kind of page before measuring: each gunicorn process imports views and
    loads its URL map and translations on its first requests, which is start-up, not load."""
    import urllib.request

    session = next((secret for kind, secret in plan.reader_sessions if kind == "national"), "")
    pages = [f"/{lang}/{page}" for lang in ("kk", "ru", "en") for page in ("public/", f"dashboard/{REGION}/", "dashboard/")]
    pages += ["/ru/login/", f"/api/v1/coverage/?region={REGION}"]

    def fetch(path: str) -> None:
        headers = {"Cookie": f"sessionid={session}"} if session else {}
        request = urllib.request.Request(host + path, headers=headers)  # noqa: S310 -- loopback URL built here
        try:
            with urllib.request.urlopen(request, timeout=60):  # noqa: S310 -- loopback URL built here
                pass
        except Exception:  # noqa: S110 -- only warming up: the measured run reports every error
            pass

    gevent.joinall([gevent.spawn(fetch, path) for _round in range(GUNICORN_WORKERS * 2) for path in pages])


def drained_twice(redis_client, queue: str) -> bool:
    """Drained, and still so a second later: a job published at the last moment is not missed."""
    if not drained(redis_client, queue):
        return False
    gevent.sleep(1)
    return drained(redis_client, queue)


# --- The load ------------------------------------------------------------------------------------


def drive(plan, host: str, readers: int, staff: int, seconds: float, batches: int = 0):
    """Run the scenario with locust in this process; returns its statistics and the run's wall time."""
    from locust.env import Environment

    from loadtest import scenario

    scenario.PLAN = plan
    scenario.Reader.fixed_count = readers
    scenario.Staff.fixed_count = staff
    scenario.BatchStaff.fixed_count = batches
    counts = ((scenario.Reader, readers), (scenario.Staff, staff), (scenario.BatchStaff, batches))
    user_classes = [cls for cls, count in counts if count]
    env = Environment(user_classes=user_classes, host=host, catch_exceptions=True)
    runner = env.create_local_runner()
    started = time.monotonic()
    everyone = readers + staff + batches
    runner.start(everyone, spawn_rate=max(50, staff + batches))
    # The clock starts once every user is running and every staff member has signed in (seconds each on a busy
    # machine: the password hash is slow on purpose); the sign-ins are measured all the same.
    wait_for(lambda: runner.user_count == everyone and plan.signed_in >= staff + batches, 300)
    gevent.sleep(seconds)
    # Nobody starts anything new, and every request in hand gets its answer before the users are stopped:
    # a save cut off mid-flight would leave the server's side of it unknown.
    plan.stopping = True
    wait_for(lambda: plan.busy == 0, 600)
    elapsed = time.monotonic() - started
    runner.stop()
    runner.quit()
    return env.stats, elapsed


# --- Checks --------------------------------------------------------------------------------------


def check_writes(campaign, plan, since) -> dict:
    """Every accepted write in the audit trail with its value, and every district-day holding its last write."""
    from census.models import AuditEntry, DailyCount
    from regions.models import District

    district_ids = dict(District.objects.filter(kato__in=plan.district_katos).values_list("kato", "id"))
    audited = set()
    for district_id, day, changes in AuditEntry.objects.filter(
        campaign=campaign, subject=AuditEntry.Subject.COUNT, at__gte=since, district_id__in=district_ids.values()
    ).values_list("district_id", "date", "changes"):
        if "online" in changes:
            audited.add((district_id, day.isoformat(), changes["online"][1]))
    accepted = [w for w in plan.writes if w.accepted]
    missing = [w for w in accepted if (district_ids[w.kato], w.date, w.online) not in audited]

    stored = {
        (kato, day.isoformat()): (online, offline)
        for kato, day, online, offline in DailyCount.objects.filter(
            campaign=campaign, district__kato__in=district_ids
        ).values_list("district__kato", "date", "online", "offline")
    }
    by_slot: dict[tuple, list] = {}
    for write in plan.writes:
        by_slot.setdefault((write.kato, write.date), []).append(write)
    overwritten = []
    for slot, writes in by_slot.items():
        last_accepted = max((i for i, w in enumerate(writes) if w.accepted), default=None)
        if last_accepted is None:
            continue
        # The last accepted value, or a later attempt the server may have taken though its answer was an error.
        possible = {(w.online, w.offline) for w in writes[last_accepted:]}
        if stored.get(slot) not in possible:
            overwritten.append((slot, stored.get(slot), (writes[last_accepted].online, writes[last_accepted].offline)))
    from axes.models import AccessAttempt
    from django.db.models import Sum

    # A failed sign-in shows as an error anyway; this says whether django-axes holds any towards a lockout.
    sign_in_failures = (
        AccessAttempt.objects.filter(username__in=[s["username"] for s in plan.staff + plan.batch_staff]).aggregate(
            failures=Sum("failures_since_start")
        )["failures"]
        or 0
    )
    return {
        "sign_in_failures": sign_in_failures,
        "accepted": len(accepted),
        "accepted_form": sum(w.via == "form" for w in accepted),
        "accepted_api": sum(w.via == "api" for w in accepted),
        "accepted_grid": sum(w.via == "grid" for w in accepted),
        "accepted_import": sum(w.via == "import" for w in accepted),
        "attempted": len(plan.writes),
        "district_days": len(by_slot),
        "accepted_writes": [(w.kato, w.date, w.online, w.offline, w.via) for w in accepted],
        "missing": [(w.kato, w.date, w.online) for w in missing],
        "overwritten": overwritten,
        "lost": len(missing) + len(overwritten),
    }


SNAPSHOT_SKIP = ("id", "computed_at")


def snapshot_values(campaign) -> dict:
    from reports.models import CoverageSnapshot

    fields = [f.attname for f in CoverageSnapshot._meta.concrete_fields if f.name not in SNAPSHOT_SKIP]
    return {(row["kato"], row["date"]): row for row in CoverageSnapshot.objects.filter(campaign=campaign).values(*fields)}


def check_snapshots(campaign) -> dict:
    """The stored snapshots against a full recompute from nothing, done in a transaction that is rolled back."""
    from django.db import transaction

    from reports.models import CoverageSnapshot
    from reports.services import recompute_coverage

    with transaction.atomic():
        stored = snapshot_values(campaign)
        CoverageSnapshot.objects.filter(campaign=campaign).delete()
        recompute_coverage(campaign=campaign)
        fresh = snapshot_values(campaign)
        transaction.set_rollback(True)
    differences = [(*key, "row", key in stored, key in fresh) for key in sorted(stored.keys() ^ fresh.keys())]
    for key in sorted(stored.keys() & fresh.keys()):
        differences.extend((*key, f, stored[key][f], fresh[key][f]) for f in stored[key] if stored[key][f] != fresh[key][f])
    return {"rows": len(fresh), "differences": [[str(v) for v in d] for d in differences[:20]], "equal": not differences}


# --- Report --------------------------------------------------------------------------------------


def summary(stats, elapsed: float, writes: dict, snapshots: dict, drain_seconds: float, readers: int, staff: int) -> dict:
    rows = []
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        rows.append(_row(entry.name, entry, elapsed))
    rows.append(_row("all requests", stats.total, elapsed))
    errors = {f"{e.name}: {e.error}": e.occurrences for e in stats.errors.values()}
    return {
        "readers": readers,
        "staff": staff,
        "seconds": round(elapsed, 1),
        "rows": rows,
        "errors": errors,
        "error_count": sum(errors.values()),
        "writes": writes,
        "drain_seconds": round(drain_seconds, 1),
        "snapshots": snapshots,
    }


def _row(name: str, entry, elapsed: float) -> dict:
    return {
        "name": name,
        "requests": entry.num_requests,
        "rps": round(entry.num_requests / elapsed, 1) if elapsed else 0.0,
        "p50": entry.get_response_time_percentile(0.5) if entry.num_requests else 0,
        "p95": entry.get_response_time_percentile(0.95) if entry.num_requests else 0,
        "p99": entry.get_response_time_percentile(0.99) if entry.num_requests else 0,
        "errors": entry.num_failures,
    }


def print_table(result: dict) -> None:
    print(
        f"\nLoad: {result['readers']} readers + {result['staff']} staff + {result.get('batches', 0)} region staff, "
        f"{result['seconds']} s in all (loopback)"
    )
    load = result["load_average"]
    print(f"machine: {os.cpu_count()} cores, load average (1 min) {load['before']} before the load, {load['after']} at its end\n")
    print(f"{'kind':28} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for row in result["rows"]:
        print(
            f"{row['name']:28} {row['requests']:9} {row['rps']:8.1f} {row['p50']:8.0f} {row['p95']:8.0f} "
            f"{row['p99']:8.0f} {row['errors']:7}"
        )
    print()
    if result["errors"]:
        print("errors by kind:")
        for kind, count in sorted(result["errors"].items()):
            print(f"  {count:6}  {kind}")
    else:
        print("errors by kind: none")
    writes, snapshots = result["writes"], result["snapshots"]
    print(
        f"accepted writes: {writes['accepted']} (form {writes['accepted_form']}, api {writes['accepted_api']}, "
        f"region grid {writes['accepted_grid']}, import {writes['accepted_import']}; "
        f"{writes['attempted']} attempted on {writes['district_days']} district-days)"
    )
    print(f"lost writes: {writes['lost']}")
    print(f"failed sign-ins counted towards a lockout: {writes['sign_in_failures']}")
    for kato, day, value in writes["missing"][:10]:
        print(f"  not in the audit trail: {kato} {day} online={value}")
    for slot, stored, expected in writes["overwritten"][:10]:
        print(f"  {slot[0]} {slot[1]} holds {stored}, last accepted write was {expected}")
    cpu = result.get("cpu_seconds", {})
    print("CPU seconds during the load: " + ", ".join(f"{name} {value}" for name, value in cpu.items()))
    requests = result["rows"][-1]["requests"]
    if requests and cpu.get("gunicorn"):
        # What a request costs the web processes whatever else the machine runs: the figure to size a server by.
        print(f"gunicorn CPU per request: {1000 * cpu['gunicorn'] / requests:.1f} ms")
    print(f"worker drained the outbox and its queue {result['drain_seconds']} s after the load stopped")
    verdict = "equal to a full recompute" if snapshots["equal"] else f"DIFFER from a full recompute: {snapshots['differences']}"
    print(f"snapshots: {snapshots['rows']} rows, {verdict}")


def failed(result: dict) -> bool:
    writes = result["writes"]
    return bool(result["error_count"] or writes["lost"] or writes["sign_in_failures"] or not result["snapshots"]["equal"])


# --- Main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtest", description="A bounded load on loopback; see loadtest/run.py.")
    parser.add_argument("--readers", type=int, default=200, help="dashboard readers (default 200)")
    parser.add_argument("--staff", type=int, default=20, help="staff saving counts (default 20)")
    parser.add_argument(
        "--batches", type=int, default=2, help="region staff saving the region grid and imports in turn (default 2)"
    )
    parser.add_argument("--seconds", type=float, default=60, help="seconds of load once every user is in (default 60)")
    parser.add_argument("--drain-timeout", type=float, default=300, help="longest wait for the worker afterwards (default 300)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    args = parser.parse_args(argv)
    if args.staff < 1 or args.readers < 0 or args.batches < 0 or args.seconds <= 0:
        parser.error("--staff must be at least 1, --readers and --batches at least 0 and --seconds positive")

    queue = f"census-loadtest-{uuid.uuid4().hex[:8]}"
    try:
        env = environment(queue)
    except Refused as refused:
        print(refused, file=sys.stderr)
        sys.exit(2)
    os.environ.update(env)
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.utils import timezone

    if settings.PRODUCTION:
        print("make loadtest creates accounts with the demo's published password: not on a production database.", file=sys.stderr)
        sys.exit(2)

    # Stopped from outside (a CI timeout, Ctrl-C): the finally below still ends every process this run started.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    redis_client = redis.Redis.from_url(settings.REDIS_URL)
    workdir = Path(tempfile.mkdtemp(prefix="census-loadtest-"))
    processes = Children(env, workdir)
    result = None
    try:
        began = time.monotonic()
        print("preparing the demo, accounts and sessions ...", flush=True)
        campaign, plan = prepare(args.readers, args.staff, args.batches)
        port = free_port()
        start_worker(processes, queue)
        start_server(processes, port)
        prepared = time.monotonic()
        # Start from a settled state: the demo's own coverage work and dashboards done.
        if not wait_for(lambda: drained(redis_client, queue), args.drain_timeout, 0.5):
            raise RuntimeError("the worker did not drain the demo's coverage work:\n" + processes.log("worker"))
        warm_up(f"http://127.0.0.1:{port}", plan)
        print(
            f"ready: demo and accounts {prepared - began:.0f} s, worker settled and server warmed {time.monotonic() - prepared:.0f} s",
            flush=True,
        )
        cpu_before = processes.cpu_seconds()
        load_before = round(os.getloadavg()[0], 1)
        cpu_before["driver (locust)"] = sum(os.times()[:2])
        since = timezone.now()
        print(
            f"load: {args.readers} readers + {args.staff} staff + {args.batches} region staff for {args.seconds:.0f} s "
            f"on http://127.0.0.1:{port} ...",
            flush=True,
        )
        stats, elapsed = drive(plan, f"http://127.0.0.1:{port}", args.readers, args.staff, args.seconds, args.batches)
        stopped = time.monotonic()
        load_after = round(os.getloadavg()[0], 1)
        cpu = processes.cpu_seconds()
        cpu["driver (locust)"] = round(sum(os.times()[:2]), 1)
        if not wait_for(lambda: drained_twice(redis_client, queue), args.drain_timeout):
            raise RuntimeError("the worker did not drain the outbox in time:\n" + processes.log("worker")[-5000:])
        drain_seconds = time.monotonic() - stopped
        processes.stop("worker")  # warm shutdown: the job in hand finishes first
        processes.stop("gunicorn")
        writes = check_writes(campaign, plan, since)
        snapshots = check_snapshots(campaign)
        result = summary(stats, elapsed, writes, snapshots, drain_seconds, args.readers, args.staff)
        result["load_average"] = {"before": load_before, "after": load_after}
        result["batches"] = args.batches
        result["cpu_seconds"] = {name: round(value - cpu_before.get(name, 0), 1) for name, value in cpu.items()}
        finish_accounts(plan)
    finally:
        processes.stop_all()
        redis_client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    print_table(result)
    for name in ("gunicorn", "worker"):
        text = processes.log(name)
        if "Traceback" in text or " ERROR" in text:
            print(f"\n{name} log ({workdir / (name + '.log')}):\n{text[-4000:]}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, default=str))
    sys.exit(1 if failed(result) else 0)
