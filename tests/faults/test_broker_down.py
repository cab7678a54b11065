"""Redis down when a count is saved: the save succeeds, and the coverage work waits in the outbox until Redis is back."""

import datetime
import json
import signal
import time

import pytest

from census.models import DailyCount
from harness.ports import wait_for
from harness.processes import celery_process, run_python
from harness.servers import RedisServer
from reports.models import CoverageSnapshot, RecomputeRequest, RenderedDashboard
from tests import factories
from tests.processes import child_env

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


# --- Redis stopped or hung while people work -------------------------------------------------------------

# A web process in a child of its own (settings are read once per process), driven through Django's test
# client: every middleware, the API throttle, the on-commit publish. It talks to Redis first (its pool is
# warm, as a running web process's is), then Redis stops (SIGTERM) or hangs (SIGSTOP: connections stay open
# and nothing answers), then it serves the scenario's requests and prints how each was answered.
SCENARIO = """
import json, os, signal, socket, time
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from reports.tasks import drain_recompute_outbox_task

staff = Client(raise_request_exception=False)
staff.force_login(get_user_model().objects.get(username="stat.hung"), backend="django.contrib.auth.backends.ModelBackend")
api = Client(raise_request_exception=False, headers={{"Authorization": "Token {key}"}})
cache.get("warm-up")
drain_recompute_outbox_task.delay()
if "{state}" == "hung":
    os.kill({pid}, signal.SIGSTOP)
else:
    os.kill({pid}, signal.SIGTERM)
    while True:
        try:
            socket.create_connection(("127.0.0.1", {port}), timeout=0.5).close()
            time.sleep(0.1)
        except OSError:
            break


class NoAnswer(BaseException):  # not an OSError: a client retrying on socket errors must not swallow it
    pass


def no_answer(*_args):
    raise NoAnswer("no answer within 20 s")


signal.signal(signal.SIGALRM, no_answer)
answers = []


def timed(label, call):
    started = time.monotonic()
    signal.alarm(20)
    try:
        response = call()
        status, body = response.status_code, response.content.decode(errors="replace")
    except BaseException as exc:
        status, body = repr(exc), ""
    finally:
        signal.alarm(0)
    answers.append({{"label": label, "status": status, "seconds": round(time.monotonic() - started, 2)}})
    return body


{requests}
print(json.dumps(answers))
"""
KATO = "631000000"
IMPORT_FILE = f"District;Date;Online;Offline\\r\\n{KATO};2021-10-06;40;60\\r\\n"
REQUESTS = {
    "form save": """
timed("form save", lambda: staff.post("/en/entry/district/{kato}/",
      {{"date": "2021-10-05", "mode": "daily", "online": 700, "offline": 300, "reason": "", "version": 0}}))
""",
    "grid save": """
timed("grid save", lambda: staff.post("/en/entry/region/630000000/",
      {{"date": "2021-10-05", "mode": "daily", "reason": "", "{kato}-version": "0", "{kato}-online-was": "",
       "{kato}-offline-was": "", "{kato}-online": "700", "{kato}-offline": "300"}}))
""",
    "API write": """
timed("API write", lambda: api.post("/api/v1/daily-counts/",
      {{"district": "{kato}", "date": "2021-10-05", "online": 700, "offline": 300}}, content_type="application/json"))
""",
    "API read": """
timed("API read", lambda: api.get("/api/v1/daily-counts/", {{"district": "{kato}"}}))
""",
    "import": """
import io, re
upload = io.BytesIO("{import_file}".encode())
upload.name = "counts.csv"
preview = timed("import preview", lambda: staff.post("/en/entry/import/", {{"file": upload, "mode": "daily", "reason": ""}}))
token = re.search(r'name="token" value="([^"]+)"', preview)
timed("import apply", lambda: staff.post("/en/entry/import/apply/", {{"token": token.group(1) if token else ""}}))
""",
    "stale dashboard": """
timed("stale dashboard", lambda: staff.get("/en/dashboard/630000000/"))
""",
}
ANSWERED = {
    "form save": 302,
    "grid save": 302,
    "API write": 201,
    "API read": 200,
    "import preview": 200,
    "import apply": 302,
    "stale dashboard": 200,
}


@pytest.fixture
def census_day(transactional_db):
    """A district with a day counted before (rendered into the region's dashboard, since made stale), a staff member, a token."""
    from census.access import issue_token
    from census.accounts import provision_user
    from reports.dashboards import store
    from reports.services import recompute_coverage

    campaign = factories.campaign_like_2021()
    region = factories.RegionFactory(kato="630000000")
    district = factories.DistrictFactory(region=region, kato=KATO)
    factories.BaselineFactory(district=district, campaign=campaign, population=4_000)
    factories.DailyCountFactory(campaign=campaign, district=district, date=datetime.date(2021, 10, 4), online=100, offline=0)
    recompute_coverage(campaign=campaign)
    page = store.dashboard_for(campaign=campaign, kind="region", kato=region.kato, as_of=None, language="en")
    # Made by an earlier release: stale, so the next view renders it again.
    RenderedDashboard.objects.filter(pk=page.pk).update(design="older-release")
    provision_user(username="stat.hung", role="staff", kato=region.kato, password=None)
    _token, key = issue_token(name="hung redis", region=region, can_write=True)
    return district, key


@pytest.fixture
def own_redis():
    """A Redis server of the test's own; whatever the test did to it, it is woken and stopped at the end."""
    redis = RedisServer()
    redis.start()
    try:
        yield redis
    finally:
        if redis.process and redis.process.poll() is None:
            redis.process.send_signal(signal.SIGCONT)
        redis.stop()


@pytest.mark.parametrize("scenario", REQUESTS)
@pytest.mark.parametrize("state", ["hung", "stopped"])
def test_with_redis_hung_or_stopped_saves_reads_imports_and_stale_pages_are_answered_within_seconds(
    census_day, own_redis, state, scenario
):
    # given: a web process whose Redis hangs (or stops) after it has talked to it
    district, key = census_day
    requests = REQUESTS[scenario].format(kato=KATO, import_file=IMPORT_FILE)
    code = SCENARIO.format(key=key, state=state, pid=own_redis.process.pid, port=own_redis.port, requests=requests)

    # when
    ran = run_python(code, child_env(own_redis.url), timeout=120)

    # then: each request was answered as it is with Redis up, within a few seconds (not after a socket's 30 s or never)
    assert ran.returncode == 0, ran.stderr[-3000:]
    answers = json.loads(ran.stdout.strip().splitlines()[-1])
    assert [(a["label"], a["status"]) for a in answers] == [(a["label"], ANSWERED[a["label"]]) for a in answers], (
        answers,
        ran.stderr[-3000:],
    )
    slow = [a for a in answers if a["seconds"] > 6]
    assert not slow, answers
    # and what was saved is kept, with the coverage work owed in the outbox for the sweep
    if scenario in ("form save", "grid save", "API write"):
        assert DailyCount.objects.get(district=district, date=DAY).online == 700
        assert RecomputeRequest.objects.filter(district=district).exists()
    if scenario == "import":
        imported = DailyCount.objects.get(district=district, date=datetime.date(2021, 10, 6))
        assert (imported.online, imported.offline) == (40, 60)
        assert RecomputeRequest.objects.filter(district=district).exists()
    if scenario == "stale dashboard":
        page = RenderedDashboard.objects.get(kind="region", kato="630000000", language="en")
        assert page.design != "older-release"


def test_a_count_saved_while_redis_hangs_reaches_the_snapshots_once_redis_wakes(census_day, own_redis):
    # given: a count saved through the form while Redis hangs
    district, key = census_day
    requests = REQUESTS["form save"].format(kato=KATO)
    code = SCENARIO.format(key=key, state="hung", pid=own_redis.process.pid, port=own_redis.port, requests=requests)
    ran = run_python(code, child_env(own_redis.url), timeout=120)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert RecomputeRequest.objects.filter(district=district).exists()

    # when / then: Redis wakes, with a worker and the beat's outbox sweep, and the day reaches the snapshots
    own_redis.process.send_signal(signal.SIGCONT)
    env = child_env(own_redis.url, OUTBOX_SWEEP_SECONDS=1)
    with (
        celery_process("worker", env) as (_worker, worker_log),
        celery_process("beat", env, "--schedule", str(worker_log) + ".beat"),
    ):
        # The day before was counted and computed already (100); the day saved during the hang adds 1,000.
        arrived = wait_for(lambda: CoverageSnapshot.objects.filter(kato=KATO, date=DAY, total=100 + 1000).exists(), 60)
        assert arrived, worker_log.read_text()[-3000:]
        assert wait_for(lambda: not RecomputeRequest.objects.exists(), 30)
