"""Batches (the region grid, imports) and single saves of the same districts at once: never a deadlock, a 500 or a stall.

PostgreSQL, real transactions and threads. Each test makes the dangerous
interleaving certain instead of hoping for it: the test holds one district's
lock until every writer is waiting inside its write, then lets them go.
"""

import datetime
import re
import threading
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client

from census.access import issue_token
from census.contention import ATTEMPTS, is_contention, retry_on_contention
from census.models import AuditEntry, DailyCount
from census.services import CountRow, import_counts, lock_districts, record_count
from harness.ports import wait_for
from regions.models import District
from tests.api.conftest import client_with
from tests.entry.conftest import MODEL_BACKEND, OPEN_DAY, client_for, make_person
from tests.entry.test_import_pages import upload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("after_campaign")]

# Generous: a write that is not blocked takes milliseconds; one that waits for the other region's import
# waits as long as that import is held open (here: until the test lets it go).
UNDELAYED = 2.0


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction the statistics views keep their first snapshot unless told to take a new one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


class Writer(threading.Thread):
    """`work()` on a connection of its own; keeps what it returned or raised."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.result, self.error = work, None, None

    def run(self):
        try:
            self.result = self.work()
        except Exception as exc:  # kept for the test to inspect
            self.error = exc
        finally:
            connection.close()


def _start_in_queue(writer: Writer, waiting: int) -> None:
    writer.start()
    assert wait_for(lambda: _waiting_on_locks() >= waiting, 20), "the writer never reached the district's lock"


def _recorded(area, campaign, day=OPEN_DAY):
    for n, district in enumerate(area.districts, start=1):
        record_count(campaign=campaign, district=district, date=day, online=10 * n, offline=n, source="form")


def test_the_region_grid_and_a_form_saving_one_of_its_districts_at_once_both_answer_cleanly(area, campaign):
    # given: the day recorded for the whole region; a region's staff has the grid open, a district's staff the form
    _recorded(area, campaign)
    grid_client = client_for(make_person("stat.grid", "staff", area.region.kato))
    form_client = client_for(make_person("stat.form", "staff", area.third.kato))
    grid_url = f"/en/entry/region/{area.region.kato}/"
    grid_data = {"date": OPEN_DAY.isoformat(), "mode": "daily", "reason": "Recounted sheets"}
    for district in area.districts:
        row = DailyCount.objects.get(district=district, date=OPEN_DAY)
        grid_data |= {
            f"{district.kato}-online": str(row.online + 100), f"{district.kato}-offline": str(row.offline),
            f"{district.kato}-version": str(row.version),
            f"{district.kato}-online-was": str(row.online), f"{district.kato}-offline-was": str(row.offline),
        }  # fmt: skip
    form_data = {"date": OPEN_DAY.isoformat(), "mode": "daily", "online": "31", "offline": "3", "reason": "Typo", "version": 1}
    form = Writer(lambda: form_client.post(f"/en/entry/district/{area.third.kato}/", form_data).status_code)
    grid = Writer(lambda: grid_client.post(grid_url, grid_data).status_code)

    # when: the form's save waits for the third district, then the grid's save reaches it too
    with transaction.atomic():
        District.objects.select_for_update().get(pk=area.third.pk)
        _start_in_queue(form, 1)
        _start_in_queue(grid, 2)
    form.join(60)
    grid.join(60)

    # then: the form is saved; the grid either saved after it or was told of the change, never a 500
    assert (form.error, grid.error) == (None, None)
    assert form.result == 302
    assert grid.result in (302, 409)
    third = DailyCount.objects.get(district=area.third, date=OPEN_DAY)
    if grid.result == 409:
        assert (third.online, third.version) == (31, 2)
        assert DailyCount.objects.get(district=area.first, date=OPEN_DAY).online == 10  # all or nothing
    else:
        assert third.version == 3


def test_an_import_applied_while_the_api_writes_one_of_its_districts_keeps_both(area, campaign, staff_client):
    # given: two days recorded; a file correcting the first of them for the whole region, previewed;
    # and an API client of the region
    day_before = OPEN_DAY - datetime.timedelta(days=1)
    _recorded(area, campaign, day_before)
    _recorded(area, campaign)
    raw = "district;date;online;offline\r\n" + "".join(f"{d.kato};{day_before};5;6\r\n" for d in area.districts)
    preview = upload(staff_client, raw.encode(), reason="Final sheets")
    assert preview.status_code == 200 and preview.context["token"]
    _token, key = issue_token(name="district office", region=area.region, can_write=True)
    body = {"district": area.third.kato, "date": OPEN_DAY.isoformat(), "online": 44, "offline": 4, "reason": "Late sheet"}
    api = Writer(lambda: client_with(key).post("/api/v1/daily-counts/?lang=en", body, format="json"))
    imported = Writer(lambda: staff_client.post("/en/entry/import/apply/", {"token": preview.context["token"]}))

    # when: the API write waits for the third district, then the import reaches it too
    with transaction.atomic():
        District.objects.select_for_update().get(pk=area.third.pk)
        _start_in_queue(api, 1)
        _start_in_queue(imported, 2)
    api.join(60)
    imported.join(60)

    # then: both are written, and both say so
    assert (api.error, imported.error) == (None, None)
    assert api.result.status_code == 200, api.result.content
    assert imported.result.status_code == 302, imported.result.content
    assert DailyCount.objects.get(district=area.third, date=OPEN_DAY).online == 44
    assert DailyCount.objects.filter(date=day_before, online=5, offline=6).count() == 3


def test_an_import_held_open_in_one_region_does_not_delay_a_write_in_another(area, campaign):
    # given: the region's day recorded, and an import of corrections to it that is held up at its last district
    _recorded(area, campaign)
    rows = [
        CountRow(line=n, district=d, date=OPEN_DAY, online=1000 + n, offline=0, reason="Recount")
        for n, d in enumerate(area.districts, start=1)
    ]
    imported = Writer(lambda: import_counts(campaign=campaign, rows=rows, source="import"))
    elsewhere = Writer(
        lambda: record_count(campaign=campaign, district=area.elsewhere, date=OPEN_DAY, online=9, offline=9, source="api")
    )

    with transaction.atomic():
        District.objects.select_for_update().get(pk=area.third.pk)
        _start_in_queue(imported, 1)

        # when: someone saves a district of another region while the import is still open
        elsewhere.start()
        elsewhere.join(UNDELAYED)

        # then: that write is done without waiting for the import
        assert not elsewhere.is_alive(), "a write in another region waited for the import"
    imported.join(60)
    assert elsewhere.error is None and elsewhere.result.created
    assert imported.error is None and imported.result.applied
    assert DailyCount.objects.get(district=area.third, date=OPEN_DAY).online == 1003
    assert AuditEntry.objects.filter(district=area.elsewhere).count() == 1


def test_a_transaction_that_loses_a_deadlock_runs_again_and_publishes_its_work_once(area, campaign):
    # given: two writers taking the same two districts in opposite orders, each holding its first when it asks for the second
    both_hold_one = threading.Barrier(2, timeout=20)
    attempts, published = [], []

    @retry_on_contention
    def write(name, first, second):
        with transaction.atomic():
            attempts.append(name)
            lock_districts([first.pk])
            transaction.on_commit(lambda: published.append(name))
            if attempts.count(name) == 1:
                both_hold_one.wait()
            lock_districts([second.pk])
        return name

    writers = [
        Writer(lambda: write("one", area.first, area.second)),
        Writer(lambda: write("two", area.second, area.first)),
    ]

    # when
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)

    # then: PostgreSQL broke the deadlock, the loser ran again, and each published once
    assert [(w.error, w.result) for w in writers] == [(None, "one"), (None, "two")]
    assert len(attempts) == 3
    assert sorted(published) == ["one", "two"]


def test_a_deadlock_is_recognised_by_its_sqlstate_and_a_lost_connection_is_not():
    assert not is_contention(OperationalError("server closed the connection unexpectedly"))


@contextmanager
def every_district_lock_loses_a_deadlock():
    """PostgreSQL answers every district lock with a real deadlock error (SQLSTATE 40P01), as if another save always won."""
    attempts = []

    def wrapper(execute, sql, params, many, context):
        if re.match(r'SELECT .* FROM "regions_district" .*FOR (NO KEY )?UPDATE', sql):
            attempts.append(sql)
            return execute("DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$", None, many, context)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield attempts


def test_a_save_that_keeps_losing_deadlocks_is_retried_then_told_so_on_every_page_and_the_api_never_a_500(
    area, campaign, staff_client
):
    # given: a form, a grid, an API write and a previewed import, all for the region's districts
    kato = area.first.kato
    form = {"date": OPEN_DAY.isoformat(), "mode": "daily", "online": "5", "offline": "1", "reason": "", "version": 0}
    grid = {
        "date": OPEN_DAY.isoformat(), "mode": "daily", "reason": "", f"{kato}-online": "5", f"{kato}-offline": "1",
        f"{kato}-version": "0", f"{kato}-online-was": "", f"{kato}-offline-was": "",
    }  # fmt: skip
    _token, key = issue_token(name="district office", region=area.region, can_write=True)
    body = {"district": kato, "date": OPEN_DAY.isoformat(), "online": 5, "offline": 1}
    preview = upload(staff_client, f"district;date;online;offline\r\n{kato};{OPEN_DAY};5;1\r\n".encode())
    assert preview.context["token"]

    # when: every attempt loses
    with every_district_lock_loses_a_deadlock() as attempts:
        on_form = staff_client.post(f"/en/entry/district/{kato}/", form)
        on_grid = staff_client.post(f"/en/entry/region/{area.region.kato}/", grid)
        on_api = client_with(key).post("/api/v1/daily-counts/?lang=en", body, format="json")
        on_api_with_key = client_with(key).post("/api/v1/daily-counts/?lang=en", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        on_import = staff_client.post("/en/entry/import/apply/", {"token": preview.context["token"]})

    # then: each was tried a few times, then answered plainly; nothing was written, and the import can be applied again
    assert len(attempts) == 5 * ATTEMPTS
    said = "Another save of the same districts was in progress, so nothing was saved. Try again."
    assert on_form.status_code == 409 and said in on_form.content.decode()
    assert on_grid.status_code == 409 and said in on_grid.content.decode()
    for answer in (on_api, on_api_with_key):
        assert answer.status_code == 503
        assert answer.json()["code"] == "write_contended" and answer.json()["detail"] == said
        assert answer["Retry-After"] == "1"
    assert on_import.status_code == 503 and said in on_import.content.decode()
    assert on_import.context["token"] == preview.context["token"]
    assert not DailyCount.objects.exists() and not AuditEntry.objects.exists()
    assert staff_client.post("/en/entry/import/apply/", {"token": preview.context["token"]}).status_code == 302


def test_an_admin_save_that_keeps_losing_deadlocks_is_retried_then_told_so_never_a_500(area, campaign, superuser):
    admin = Client()
    admin.force_login(superuser, backend=MODEL_BACKEND)
    form = {
        "campaign": campaign.pk, "district": area.first.pk, "date": OPEN_DAY.isoformat(), "online": "5", "offline": "1",
        "mode": "daily", "reason": "", "version": "0",
    }  # fmt: skip

    with every_district_lock_loses_a_deadlock() as attempts:
        answer = admin.post("/en/admin/census/dailycount/add/", form, follow=True)

    assert len(attempts) == ATTEMPTS
    assert answer.status_code == 200
    said = "Another save of the same districts was in progress, so nothing was saved. Try again."
    assert said in [str(message) for message in answer.context["messages"]]
    assert not DailyCount.objects.exists() and not AuditEntry.objects.exists()
    # and once the other save is done, the same form goes through
    assert admin.post("/en/admin/census/dailycount/add/", form).status_code == 302
    assert DailyCount.objects.get().online == 5
