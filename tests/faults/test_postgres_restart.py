"""PostgreSQL restarted in the middle of a large import: all or nothing, reported as failed, and safe to run again.

The server is a cluster of the test's own (the shared one is never restarted); the
import is the real `manage.py import_counts` in a child process. The restart comes
at a known point: the test holds a lock on the district of the file's last row, so
the import has written every other row in its transaction and waits there. The
import page is cut the same way, by ending its database session (pg_terminate_backend).
"""

import contextlib
import datetime
import shutil
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import translation

from harness.environment import child_env
from harness.ports import wait_for
from harness.servers import PostgresServer, RedisServer
from tests.entry import conftest as entry
from tests.entry.test_import_pages import GOOD, apply, upload, written

pytestmark = pytest.mark.postgres
area, staff, staff_client = entry.area, entry.staff, entry.staff_client  # the import pages' region and staff

CAMPAIGN = "restart-2021"
REGION = "270000000"
DISTRICTS = [f"27{1000 + n:04d}000" for n in range(30)]
LAST_DISTRICT = "279999000"  # only in the file's last row: the test holds its lock
FIRST_DAY, LAST_DAY = datetime.date(2021, 9, 1), datetime.date(2021, 10, 20)  # 30 x 50 + 1 = 1,501 rows
IMPORTER = "census-import-under-test"  # the child's application_name in pg_stat_activity


def figures(n: int, day: datetime.date) -> tuple[int, int]:
    """A district-day's counts: online only in the online phase, door to door only in its own."""
    online = (n * 7 + day.day * 13) % 400 + 1 if day <= datetime.date(2021, 10, 15) else 0
    offline = (n * 11 + day.day * 17) % 500 + 1 if day >= datetime.date(2021, 10, 1) else 0
    return online, offline


FIRST_DAY_COUNTS = [(kato, *figures(n, FIRST_DAY)) for n, kato in enumerate(DISTRICTS)]

SETUP = f"""
import datetime
from census.models import AuditEntry, Campaign, Phase
from census.services import CountRow, import_counts
from regions.models import District, PopulationBaseline, Region

campaign = Campaign.objects.create(slug={CAMPAIGN!r}, name_kk="Санақ", name_ru="Перепись", name_en="Census",
                                   starts_on=datetime.date(2021, 9, 1))
Phase.objects.create(campaign=campaign, kind=Phase.Kind.ONLINE,
                     starts_on=datetime.date(2021, 9, 1), ends_on=datetime.date(2021, 10, 15))
Phase.objects.create(campaign=campaign, kind=Phase.Kind.DOOR_TO_DOOR,
                     starts_on=datetime.date(2021, 10, 1), ends_on=datetime.date(2021, 10, 30))
region = Region.objects.create(kato={REGION!r}, name_kk="Облыс", name_ru="Область", name_en="Region")
for n, kato in enumerate({[*DISTRICTS, LAST_DISTRICT]!r}):
    district = District.objects.create(region=region, kato=kato, name_kk=f"Аудан {{n}}", name_ru=f"Район {{n}}",
                                       name_en=f"District {{n}}")
    PopulationBaseline.objects.create(district=district, campaign=campaign, population=20_000 + 97 * n,
                                      as_of=datetime.date(2021, 9, 1))
# The first day was imported before: the large file restates it, unchanged.
first_day = [CountRow(line=n + 2, district=District.objects.get(kato=kato), date=datetime.date(2021, 9, 1), online=online,
                      offline=offline) for n, (kato, online, offline) in enumerate({FIRST_DAY_COUNTS!r})]
assert import_counts(campaign=campaign, rows=first_day, source=AuditEntry.Source.IMPORT).applied
"""


def counts_file(path, days) -> int:
    lines = ["kato;date;online;offline"]
    for day in days:
        lines += [f"{kato};{day.isoformat()};{';'.join(map(str, figures(n, day)))}" for n, kato in enumerate(DISTRICTS)]
    if LAST_DAY in days:
        lines.append(f"{LAST_DISTRICT};{LAST_DAY.isoformat()};0;1")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return len(lines) - 1


def every_day():
    return [FIRST_DAY + datetime.timedelta(days=d) for d in range((LAST_DAY - FIRST_DAY).days + 1)]


@pytest.fixture
def cluster():
    server = PostgresServer()
    if reason := server.unavailable():
        pytest.skip(reason)
    try:
        server.start()
    except RuntimeError as exc:
        server.stop()
        pytest.skip(f"could not start a PostgreSQL cluster of the test's own: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def broker():
    """A Redis of the test's own that no worker serves: the import's coverage job waits there; the test drains the outbox."""
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server for the import's job queue")
    redis = RedisServer()
    redis.start()
    yield redis
    redis.stop()


class Database:
    """One database on the test's cluster, reached by child processes (as a deployment would) and by plain SQL."""

    def __init__(self, cluster: PostgresServer, broker: RedisServer, name: str):
        self.cluster, self.name = cluster, name
        self.env = child_env(cluster.url(name), broker.url, DJANGO_SETTINGS_MODULE="census.settings")

    def run(self, *args: str, app: str = "census-test", timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args],
            cwd=settings.BASE_DIR,
            env={**self.env, "PGAPPNAME": app},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def manage(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return self.run("manage.py", *args, **kwargs)

    def python(self, code: str) -> subprocess.CompletedProcess:
        return self.run("-c", "import django; django.setup()\n" + code)

    def query(self, sql: str, params=()) -> list[tuple]:
        with contextlib.closing(self.cluster.connect(self.name)) as conn, conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def state(self) -> dict:
        """What an import writes, without the ids and clocks two runs cannot share."""
        return {
            "counts": self.query(
                "SELECT d.kato, c.date, c.online, c.offline, c.version FROM census_dailycount c "
                "JOIN regions_district d ON d.id = c.district_id ORDER BY d.kato, c.date"
            ),
            "audit": self.query(
                "SELECT a.subject, a.source, d.kato, a.date, a.changes::text, a.reason FROM census_auditentry a "
                "LEFT JOIN regions_district d ON d.id = a.district_id ORDER BY d.kato, a.date, a.changes::text"
            ),
            "outbox": self.query(
                "SELECT d.kato, r.from_date, count(*) FROM reports_recomputerequest r "
                "LEFT JOIN regions_district d ON d.id = r.district_id GROUP BY d.kato, r.from_date ORDER BY 1, 2"
            ),
        }

    def snapshots(self) -> list[tuple]:
        columns = [
            "level", "kato", "date", "baseline", "online_day", "offline_day", "online", "offline", "total", "coverage_pct",
            "online_pct", "offline_pct", "online_share_pct", "status", "flags::text", "daily_rate", "needed_daily_rate",
            "projected_on", "outlook",
        ]  # fmt: skip
        return self.query(f"SELECT {', '.join(columns)} FROM reports_coveragesnapshot ORDER BY level, kato, date")


def importer_waits_inside_its_transaction(db: Database) -> bool:
    # Waiting on a lock, with a transaction id: it has written rows and not committed them.
    rows = db.query(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND datname = %s "
        "AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL",
        [IMPORTER, db.name],
    )
    return rows[0][0] == 1


def summary(created: int, changed: int, unchanged: int) -> str:
    return f"{created} created, {changed} changed, {unchanged} unchanged, 0 errors (written)"


def run_together(*databases_and_args) -> list[subprocess.CompletedProcess]:
    """Run commands on different databases at the same time (two cores: the test takes half as long)."""
    children = [
        subprocess.Popen(
            [sys.executable, *args], cwd=settings.BASE_DIR, env=db.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for db, args in databases_and_args
    ]
    done = []
    for child in children:
        out, err = child.communicate(timeout=180)
        done.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    return done


def test_an_import_cut_by_a_restart_saves_nothing_and_running_it_again_equals_one_clean_run(cluster, broker, tmp_path):
    # given: a migrated database with 31 districts whose first day was imported, and a copy of it
    with contextlib.closing(cluster.connect()) as admin, admin.cursor() as cursor:
        cursor.execute("CREATE DATABASE census_restart")
    db = Database(cluster, broker, "census_restart")
    migrated = db.manage("migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    made = db.python(SETUP)
    assert made.returncode == 0, made.stderr
    with contextlib.closing(cluster.connect()) as admin, admin.cursor() as cursor:
        cursor.execute("CREATE DATABASE census_clean TEMPLATE census_restart")
    clean = Database(cluster, broker, "census_clean")
    # ...and a large file that restates that day and adds 49 more, plus one row of a 31st district last
    big = tmp_path / "counts.csv"
    rows = counts_file(big, every_day())
    assert rows == 30 * 50 + 1 <= settings.CENSUS_IMPORT_MAX_ROWS
    before = db.state()
    assert len(before["counts"]) == len(before["audit"]) == 30 and before["outbox"]

    # when: the import has written every row but the last in its transaction (the test holds that district's lock)...
    holder = cluster.connect(db.name)
    holder.autocommit = False
    holder.cursor().execute("SELECT id FROM regions_district WHERE kato = %s FOR UPDATE", [LAST_DISTRICT])
    child = subprocess.Popen(
        [sys.executable, "manage.py", "import_counts", str(big), "--campaign", CAMPAIGN],
        cwd=settings.BASE_DIR,
        env={**db.env, "PGAPPNAME": IMPORTER},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        in_progress = wait_for(lambda: child.poll() is not None or importer_waits_inside_its_transaction(db), 150)
        assert in_progress and child.poll() is None, f"the import did not wait inside its transaction: {child.poll()}"
        # ...and PostgreSQL is restarted as after a crash (no checkpoint, recovery from the log at start)
        cluster.restart("immediate")
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        holder.close()

    # then: the import says it failed, that nothing was saved and to run it again; and nothing was saved
    assert child.returncode == 1, (out, err)
    assert "Traceback" not in err, err
    with translation.override(settings.LANGUAGE_CODE):
        said = translation.gettext(
            "The import of %(file)s failed: the database ended it (%(cause)s). Nothing from the file was saved; run the import again."
        )
    # The server's own words for what happened stand in the middle; the rest is the command's, as translated.
    before_cause, after_cause = (said % {"file": big, "cause": "\0"}).split("\0")
    assert before_cause in err and after_cause in err, err
    assert db.state() == before

    # when: it is run again, and the same file is imported once into the copy that never saw a failure
    again, once = run_together(
        (db, ["manage.py", "import_counts", str(big), "--campaign", CAMPAIGN]),
        (clean, ["manage.py", "import_counts", str(big), "--campaign", CAMPAIGN]),
    )

    # then: both succeed alike, and the databases hold the same counts, versions, history and owed coverage work
    assert again.returncode == 0, again.stderr
    assert once.returncode == 0, once.stderr
    assert summary(created=30 * 49 + 1, changed=0, unchanged=30) in again.stdout
    assert summary(created=30 * 49 + 1, changed=0, unchanged=30) in once.stdout
    recovered = db.state()
    assert recovered == clean.state()
    assert len(recovered["counts"]) == rows and len(recovered["audit"]) == rows
    assert recovered["counts"][1] == (DISTRICTS[0], datetime.date(2021, 9, 2), *figures(0, datetime.date(2021, 9, 2)), 1)

    # when: it is run a third time (meanwhile the copy's owed coverage work is done)
    drain = ["-c", "import django; django.setup(); from reports.services import drain_recompute_outbox; drain_recompute_outbox()"]
    third, drained = run_together((db, ["manage.py", "import_counts", str(big), "--campaign", CAMPAIGN]), (clean, drain))

    # then: nothing changes, not even the history or the owed coverage work
    assert third.returncode == 0, third.stderr
    assert summary(created=0, changed=0, unchanged=rows) in third.stdout
    assert db.state() == recovered

    # and the coverage computed from each database is the same, figure for figure
    assert drained.returncode == 0, drained.stderr
    drained = db.run(*drain)
    assert drained.returncode == 0, drained.stderr
    snapshots = db.snapshots()
    assert len(snapshots) > rows and snapshots == clean.snapshots()


@pytest.mark.usefixtures("after_campaign")
def test_an_import_page_cut_by_a_lost_connection_saves_nothing_and_keeps_the_file_to_apply_again(
    transactional_db, area, staff_client
):
    import psycopg2

    # given: a previewed file of three rows; the test holds the lock of the district of the last one
    preview = upload(staff_client, GOOD)
    before = written()
    db = connection.settings_dict
    holder = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432
    )
    watcher = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432
    )
    watcher.autocommit = True
    holder.cursor().execute("SELECT id FROM regions_district WHERE kato = %s FOR UPDATE", [area.districts[2].kato])
    responses = []

    def press_apply():
        try:
            responses.append(apply(staff_client, preview))
        finally:
            connections.close_all()

    def blocked_import() -> int | None:
        with watcher.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND %s = ANY(pg_blocking_pids(pid))",
                [holder.get_backend_pid()],
            )
            found = cursor.fetchone()
        return found[0] if found else None

    # when: "Apply" has written two rows and waits for the third, and its database session is ended
    pressing = threading.Thread(target=press_apply)
    pressing.start()
    try:
        assert wait_for(lambda: blocked_import() is not None, 30), "the import never waited for the held district"
        with watcher.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [blocked_import()])
        holder.rollback()
        pressing.join(60)
    finally:
        holder.close()
        watcher.close()
    assert not pressing.is_alive()
    assert responses, "applying failed with a server error (see the log above)"

    # then: the page says nothing was saved and to apply again, with the preview and its "Apply" button
    response = responses[0]
    assert response.status_code == 503
    html = response.content.decode()
    assert "The connection to the database was lost while importing counts.csv: nothing was saved. Apply it again." in html
    assert response.context["token"] == preview.context["token"] and 'name="token"' in html
    assert (response.context["summary"].created, response.context["summary"].unchanged) == (3, 0)
    assert written() == before

    # when: it is applied again
    again = apply(staff_client, preview)

    # then: every row is written, once
    assert again.status_code == 302
    assert written()[0] == before[0] + 3
    assert "3 created, 0 changed, 0 unchanged" in staff_client.get(again["Location"]).content.decode()
