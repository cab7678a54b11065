"""Backups: what `make backup` dumps, `make restore` brings back, row for row, into an empty database."""

import datetime
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from census.models import AuditEntry
from census.services import record_count, set_status
from census.units import set_baseline

ROOT = Path(__file__).resolve().parents[2]
TABLES = [
    "regions_region",
    "regions_district",
    "regions_populationbaseline",
    "census_campaign",
    "census_phase",
    "census_dailycount",
    "census_districtstatus",
    "census_auditentry",
    "reports_coveragesnapshot",
    "auth_user",
]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def url_for(name: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def table_facts(url: str) -> dict:
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        facts = {}
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            facts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT max(id) FROM census_auditentry")
        facts["latest_history_id"] = cursor.fetchone()[0]
    conn.close()
    return facts


def admin_run(sql: str) -> None:
    conn = psycopg2.connect(url_for("postgres"))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


def test_a_dump_restored_into_an_emptied_database_has_every_row_and_the_latest_history(
    campaign, district, after_campaign, tmp_path
):
    # given: counts, a correction, a baseline version and a status, all with their history
    for day, online in ((datetime.date(2021, 9, 1), 120), (datetime.date(2021, 9, 2), 80)):
        record_count(campaign=campaign, district=district, date=day, online=online, offline=0, source=AuditEntry.Source.FORM)
    record_count(
        campaign=campaign, district=district, date=datetime.date(2021, 9, 1), online=100, offline=0,
        reason="double-counted school", source=AuditEntry.Source.FORM,
    )  # fmt: skip
    set_baseline(district=district, campaign=campaign, population=10_250, as_of=datetime.date(2021, 10, 1), source="admin")
    set_status(campaign=campaign, district=district, status="nearly_complete", date=datetime.date(2021, 10, 20), source="form")
    original = url_for(connection.settings_dict["NAME"])
    scratch_name = f"{connection.settings_dict['NAME']}_restored"
    scratch = url_for(scratch_name)
    dump = tmp_path / "census.dump"

    # when: back up, then restore into a database dropped and created empty
    backup = subprocess.run(["ops/backup", str(dump)], cwd=ROOT, env={"DATABASE_URL": original, "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True)  # fmt: skip
    admin_run(f'DROP DATABASE IF EXISTS "{scratch_name}"')
    admin_run(f'CREATE DATABASE "{scratch_name}"')
    try:
        restore = subprocess.run(["ops/restore", str(dump)], cwd=ROOT, env={"DATABASE_URL": scratch, "PATH": "/usr/bin:/bin"},
                                 capture_output=True, text=True)  # fmt: skip

        # then
        assert backup.returncode == 0, backup.stderr
        assert restore.returncode == 0, restore.stderr
        assert dump.stat().st_size > 0
        before, after = table_facts(original), table_facts(scratch)
        assert after == before
        assert after["census_dailycount"] == 2
        assert after["latest_history_id"] == AuditEntry.objects.latest("id").id
    finally:
        admin_run(f'DROP DATABASE IF EXISTS "{scratch_name}"')


def test_restoring_a_missing_dump_fails_without_touching_the_database(tmp_path):
    result = subprocess.run(["ops/restore", str(tmp_path / "nothing.dump")], cwd=ROOT,
                            env={"DATABASE_URL": url_for("postgres"), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)  # fmt: skip

    assert result.returncode == 2
    assert "no such dump" in result.stderr
