"""`manage.py import_counts FILE [--cumulative] [--dry-run]`: the same import from the command line."""

import pytest
from django.core.management import CommandError, call_command

from census.models import AuditEntry, DailyCount

pytestmark = pytest.mark.usefixtures("after_campaign", "in_english")

DAILY = "Район;Дата;Онлайн;Офлайн\r\nАкжаикский район;04.10.2021;10;5\r\nАкжаикский район;05.10.2021;20;6\r\n"


@pytest.fixture
def daily_file(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_bytes(DAILY.encode("cp1251"))
    return path


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("import_counts", *[str(a) for a in args], stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_command_imports_and_prints_the_summary(area, daily_file):
    # when
    output = run(daily_file)

    # then
    assert "2 created, 0 changed, 0 unchanged, 0 errors (written)" in output
    assert "Windows-1251" in output
    assert list(DailyCount.objects.order_by("date").values_list("online", flat=True)) == [10, 20]
    assert set(AuditEntry.objects.values_list("source", flat=True)) == {AuditEntry.Source.IMPORT}


def test_a_dry_run_prints_the_same_summary_and_writes_nothing(area, daily_file):
    # when
    output = run(daily_file, "--dry-run")

    # then
    assert "2 created, 0 changed, 0 unchanged, 0 errors (dry run, nothing written)" in output
    assert not DailyCount.objects.exists()
    assert not AuditEntry.objects.exists()


def test_running_it_twice_changes_nothing_the_second_time(area, daily_file):
    # given
    run(daily_file)
    entries = AuditEntry.objects.count()

    # when
    output = run(daily_file)

    # then
    assert "0 created, 0 changed, 2 unchanged" in output
    assert AuditEntry.objects.count() == entries


def test_cumulative_totals_become_daily_figures(area, tmp_path):
    # given
    path = tmp_path / "totals.csv"
    path.write_text("district,date,online,offline\n313200000,2021-10-04,10,5\n313200000,2021-10-05,25,9\n", encoding="utf-8")

    # when
    run(path, "--cumulative")

    # then
    assert list(DailyCount.objects.order_by("date").values_list("online", "offline")) == [(10, 5), (15, 4)]


def test_a_file_with_errors_lists_them_by_line_and_writes_nothing(area, tmp_path):
    # given
    path = tmp_path / "bad.csv"
    path.write_text("district,date,online,offline\n313200000,2021-10-04,10,5\nNowhere,2021-10-05,1,1\n313200000,2021-10-06,x,1\n")

    # when
    with pytest.raises(CommandError, match="1 created, 0 changed, 0 unchanged, 2 errors. Nothing was written."):
        run(path)

    # then
    assert not DailyCount.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x00\x01\x02binary", "bad.csv", "not a text"),
        (b"not a zip", "bad.xlsx", "not an Excel workbook"),
    ],
)
def test_an_unreadable_file_is_a_clear_command_error(area, tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(path)


def test_a_missing_file_is_a_clear_command_error(area, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "nowhere.csv")
