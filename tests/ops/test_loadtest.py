"""`make loadtest`, small: readers, staff and region staff (grid and imports) against a real gunicorn, Celery worker, PostgreSQL and Redis.

The run is `python -m loadtest` in a child process on the test database, the code `make loadtest`
runs. Its own verdict (exit status and figures) is checked, and then, independently, with this
process's connection: every write it says the server accepted holds its value, and the snapshots are
what a full recompute from nothing gives.
"""

import json
import subprocess
import sys

import pytest
from django.conf import settings

from census.models import AuditEntry, Campaign, DailyCount
from tests.processes import child_env
from tests.reports.conftest import clean_snapshot_values, differences, snapshot_values

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# Demo, start-up, sign-ins, 8 s of load and the worker's drain; far more than a quiet machine needs.
RUN_SECONDS = 240


@pytest.fixture
def load_run(transactional_db, tmp_path):
    figures = tmp_path / "figures.json"
    command = [sys.executable, "-m", "loadtest", "--readers", "10", "--staff", "3", "--seconds", "8", "--json", str(figures)]
    run = subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=child_env(settings.REDIS_URL),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = run.communicate(timeout=RUN_SECONDS)
    except subprocess.TimeoutExpired:
        # SIGTERM, not SIGKILL: the run then ends its gunicorn and worker before the test database is flushed.
        run.terminate()
        output, _ = run.communicate(timeout=90)
        pytest.fail(f"the load test did not finish in {RUN_SECONDS} s:\n{output}")
    assert figures.exists(), output
    return run.returncode, json.loads(figures.read_text()), output


def test_a_small_load_ends_with_no_errors_no_lost_writes_and_snapshots_equal_to_a_full_recompute(load_run):
    returncode, figures, output = load_run

    # the run's own verdict
    assert returncode == 0, output
    assert figures["error_count"] == 0, output
    assert figures["writes"]["lost"] == 0, output
    assert figures["writes"]["sign_in_failures"] == 0, output
    assert figures["snapshots"]["equal"], output
    total = next(row for row in figures["rows"] if row["name"] == "all requests")
    assert total["requests"] > 10, output
    assert figures["writes"]["accepted"] >= 3, output
    kinds = {row["name"] for row in figures["rows"]}
    assert {"sign in", "save: district day form", "save: api", "save: region grid", "save: import apply"} <= kinds, output
    for reader in (("dashboard: ",), ("public page", "widget"), ("api: ",)):
        assert any(kind.startswith(reader) for kind in kinds), (reader, output)

    # checked again from here: each accepted write is in the audit trail with its value, by the form, the API,
    # the region grid or an import, and each district-day written holds the last value accepted for it
    # (no one else wrote there)
    campaign = Campaign.objects.get(slug="census-2021")
    accepted = figures["writes"]["accepted_writes"]
    assert {via for *_rest, via in accepted} == {"form", "api", "grid", "import"}
    audited = {
        (entry.district.kato, entry.date.isoformat(), entry.changes["online"][1], entry.source)
        for entry in AuditEntry.objects.filter(campaign=campaign, subject=AuditEntry.Subject.COUNT, reason="load test")
    }
    last = {}
    for kato, day, online, offline, via in accepted:
        source = {"grid": "form"}.get(via, via)  # the grid is a web form too
        assert (kato, day, online, source) in audited, (kato, day, online, via)
        last[kato, day] = (online, offline)
    for (kato, day), values in last.items():
        row = DailyCount.objects.get(campaign=campaign, district__kato=kato, date=day)
        assert (row.online, row.offline) == values, (kato, day)

    # and the snapshots the worker left equal a full recompute from nothing
    stored = snapshot_values(campaign)
    assert stored
    assert differences(stored, clean_snapshot_values(campaign)) == []
