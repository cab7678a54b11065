"""`python -m bench --imports`: a legitimate 10,000-row file previewed and applied, as the import page runs them.

220 districts with the first 44 days of a campaign recorded; the file brings
the next 46 days (10,000 rows, CSV as an office exports it). Timed: reading
the file, the preview (read + dry run) and the apply (read + write), then the
same file applied again (every row unchanged). Coverage work is published to
an in-memory broker and not run: a web worker only publishes it too.
"""

import datetime
import random
import time

ROWS = 10_000
RECORDED_DAYS = 44


def _file(districts, first_day: datetime.date) -> bytes:
    rng = random.Random(2021)
    online_ends = datetime.date(2021, 10, 15)
    lines = ["КАТО;Дата;Онлайн;Офлайн"]
    day = first_day
    while len(lines) <= ROWS:
        for kato in districts:
            online = rng.randint(0, 300) if day <= online_ends else 0
            lines.append(f"{kato};{day:%d.%m.%Y};{online};{rng.randint(50, 2500)}")
        day += datetime.timedelta(days=1)
    return ("\r\n".join(lines[: ROWS + 1]) + "\r\n").encode("cp1251")


def _timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def main() -> None:
    from bench.__main__ import BENCH_DB, setup_django
    from bench.server import ensure_database

    ensure_database(BENCH_DB)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    from bench.measure import START, generate, print_table
    from census.celery import app
    from census.importing import read_counts
    from census.models import AuditEntry
    from census.services import import_counts
    from regions.models import District

    app.conf.task_always_eager = False  # publish the coverage job, as the web does; the bench has no worker

    campaign = generate(slug="bench-imports", regions=17, districts=220, days=90)
    first_day = START + datetime.timedelta(days=RECORDED_DAYS)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM census_dailycount WHERE date >= %s", [first_day])
        cursor.execute("ANALYZE census_dailycount")
    raw = _file(list(District.objects.order_by("id").values_list("kato", flat=True)), first_day)
    districts = District.objects.all()

    def run(dry_run: bool):
        read = read_counts(raw, filename="counts.csv", scope_districts=districts, all_districts=districts)
        summary = import_counts(
            campaign=campaign, rows=read.rows, source=AuditEntry.Source.IMPORT, dry_run=dry_run,
            rejected_elsewhere=bool(read.errors),
        )  # fmt: skip
        assert not read.errors and not summary.failed, (read.errors[:3], summary.failed[:3])
        return summary

    reading, read = _timed(lambda: read_counts(raw, filename="counts.csv", scope_districts=districts, all_districts=districts))
    preview, previewed = _timed(lambda: run(dry_run=True))
    apply, applied = _timed(lambda: run(dry_run=False))
    again, unchanged = _timed(lambda: run(dry_run=False))
    assert previewed.created == applied.created == ROWS and applied.applied and unchanged.unchanged == ROWS
    audit = AuditEntry.objects.filter(campaign=campaign).count()
    print_table(
        [
            ("import", f"rows in the file (CSV, {len(raw) / 1000:.0f} KB)", f"{len(read.rows):,}"),
            ("import", "read and check the file (s)", f"{reading:.2f}"),
            ("import", "preview: read + dry run (s)", f"{preview:.2f}"),
            ("import", "apply: read + write all rows (s)", f"{apply:.2f}"),
            ("import", "apply the same file again, all unchanged (s)", f"{again:.2f}"),
            ("import", "audit entries written", f"{audit:,}"),
        ]
    )
