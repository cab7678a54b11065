import contextlib
import datetime
import io
import os
import threading
import time

import pytest
import time_machine
from celery._state import _set_task_join_will_block
from django.core.management import call_command
from django.db import connection, transaction

from reports import readcache
from reports.services import drain_recompute_outbox
from tests import factories

# The demo and most tests live in autumn 2021; pin "today" just after the campaign.
AFTER_CAMPAIGN = datetime.datetime(2021, 11, 20, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Hashing a password the production way takes about a second; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    # Per-address counters live in the cache, which every test of a run shares (and with Redis, every run): signing in
    # or calling the API anonymously from 127.0.0.1 all day must not trip them. A test about a limit sets its own
    # rate and sends from an address of its own.
    settings.CENSUS_SIGNIN_RATE = "100000/minute"
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "api_anon": "100000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture(autouse=True)
def fresh_read_cache():
    # Cached reads are keyed by a generation the jobs bump on commit; a test's database is rolled back instead,
    # so each test starts a generation of its own, as if the jobs had just run, and reads nothing another cached.
    readcache.bump_generation()


@pytest.fixture(autouse=True)
def celery_in_process(request):
    """Run Celery jobs in-process, as in the embedded mode, unless a test is about the real broker and worker.

    With REDIS_URL set (CI), jobs would otherwise go to Redis where no worker
    serves the test database; tests marked `redis` start a worker of their own.
    """
    if request.node.get_closest_marker("redis"):
        yield
        return
    from census.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
    # An eager task raises Celery's process-wide "joining would block" flag while it runs and puts back the value
    # it found; two threads publishing at once (the concurrency tests) can leave it raised, and a later test's
    # EagerResult.get() would then refuse to run. Each test starts with it lowered.
    _set_task_join_will_block(False)


class _LiveServerApp:
    """The live server's application, counting the requests it has not finished answering.

    With `one_at_a_time`, it answers one request at a time: on in-memory SQLite every server thread shares the
    test's one connection, and two requests at once (a page and its outbox's send) would interleave their
    transactions on it ("no such savepoint") and leave it locked for the tests after.
    """

    def __init__(self, app, *, one_at_a_time: bool):
        self.app = app
        self.in_flight = 0
        self.count_lock = threading.Lock()
        self.turn = threading.Lock() if one_at_a_time else contextlib.nullcontext()

    def __call__(self, environ, start_response):
        self.turn.__enter__()
        with self.count_lock:
            self.in_flight += 1
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self.finished()
            raise
        return _Answer(result, self.finished)

    def finished(self):
        with self.count_lock:
            self.in_flight -= 1
        self.turn.__exit__(None, None, None)


class _Answer:
    """A response whose close() (the server calls it once it has sent the response, or given up) is reported."""

    def __init__(self, result, finished):
        self.result, self.finished = result, finished

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            self.finished()


@pytest.fixture(autouse=True)
def live_server_settled(request):
    """A browser test's database is emptied only once the live server has answered every request.

    Closing the browser does not stop a request the server is still answering (a save and the jobs it runs
    in-process, a page being drawn); emptying the tables under it would fail and leave this test's rows to the next.
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    thread = request.getfixturevalue("live_server").thread
    app = thread.httpd.get_app()
    if not isinstance(app, _LiveServerApp):
        app = _LiveServerApp(app, one_at_a_time=bool(thread.connections_override))
        thread.httpd.set_app(app)
    yield
    deadline = time.monotonic() + 60
    while app.in_flight and time.monotonic() < deadline:
        time.sleep(0.05)


@contextlib.contextmanager
def rolled_back_for_module(django_db_blocker):
    """Data a module builds once (it takes seconds), inside a transaction rolled back when the module ends.

    Time stands just after the campaign while it is built. Tests that use the
    data take `db` too, so each runs in its own savepoint on top.
    """
    with django_db_blocker.unblock(), time_machine.travel(AFTER_CAMPAIGN, tick=False):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for a module."""
    with rolled_back_for_module(django_db_blocker):
        call_command("load_demo", stdout=io.StringIO())
        # The transaction never commits, so the coverage job its commit would publish is run here;
        # the dashboards it would then render are rendered on demand by the pages.
        drain_recompute_outbox()
        yield


@pytest.fixture
def after_campaign():
    with time_machine.travel(AFTER_CAMPAIGN, tick=False):
        yield AFTER_CAMPAIGN.date()


@pytest.fixture
def campaign(db):
    """A campaign shaped like 2021's: online 1 Sep-15 Oct, door to door 1-30 Oct, no extensions."""
    return factories.campaign_like_2021()


@pytest.fixture
def district(db, campaign):
    district = factories.DistrictFactory()
    factories.BaselineFactory(district=district, campaign=campaign, population=10_000)
    return district


@pytest.fixture
def user(db):
    return factories.UserFactory(first_name="Aigerim")


@pytest.fixture
def superuser(db):
    return factories.SuperuserFactory()


@pytest.fixture
def other_district(db, campaign):
    """A district in a different region from `district`'s, for checks that one region's decisions stay there."""
    district = factories.DistrictFactory()
    factories.BaselineFactory(district=district, campaign=campaign, population=5_000)
    return district


def pytest_collection_modifyitems(config, items):
    del config
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)"))
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(pytest.mark.skip(reason="needs Redis and a real Celery worker: set REDIS_URL (CI does)"))
