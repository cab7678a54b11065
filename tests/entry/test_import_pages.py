"""Importing through the pages: preview, apply all or nothing, re-import changes nothing, bad files never a 500."""

import datetime
import html
import io
import zipfile

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext

from census.importing import COLUMN_LABELS
from census.models import AuditEntry, DailyCount, PendingImport
from census.services import CountRow, EntryMode, import_counts, record_count
from reports.models import RecomputeRequest
from tests.conftest import AFTER_CAMPAIGN
from tests.entry.conftest import OPEN_DAY

pytestmark = pytest.mark.usefixtures("after_campaign")

GOOD = (
    "Район;Дата;Онлайн;Офлайн\r\n"
    "Акжаикский район;05.10.2021;120;45\r\n"
    "Бурлинский район;05.10.2021;1 300;0\r\n"
    "316000000;2021-10-05;7;8\r\n"
).encode("cp1251")


def upload(client, raw: bytes, name="counts.csv", mode="daily", reason=""):
    file = io.BytesIO(raw)
    file.name = name
    return client.post("/en/entry/import/", {"file": file, "mode": mode, "reason": reason})


def apply(client, preview):
    return client.post("/en/entry/import/apply/", {"token": preview.context["token"]})


def written():
    return DailyCount.objects.count(), AuditEntry.objects.count(), RecomputeRequest.objects.count()


def stored(district, day=OPEN_DAY):
    row = DailyCount.objects.filter(district=district, date=day).first()
    return (row.online, row.offline) if row else None


def test_a_preview_says_what_would_be_created_changed_and_left_alone_and_writes_nothing(area, staff_client, campaign):
    # given
    record_count(campaign=campaign, district=area.first, date=OPEN_DAY, online=120, offline=45, source="form")
    record_count(campaign=campaign, district=area.second, date=OPEN_DAY, online=1000, offline=0, source="form")
    before = written()

    # when
    response = upload(staff_client, GOOD, reason="Figures from the district's final sheet")

    # then
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.created, summary.changed, summary.unchanged) == (1, 1, 1)
    assert written() == before
    html = response.content.decode()
    assert 'data-summary="created">1<' in html and 'data-summary="changed">1<' in html and 'data-summary="unchanged">1<' in html
    assert "1,000 → 1,300" in html
    assert response.context["token"]


def test_applying_a_preview_writes_every_row_as_an_import(area, staff_client, staff):
    # given
    preview = upload(staff_client, GOOD)

    # when
    response = apply(staff_client, preview)

    # then
    assert response.status_code == 302
    assert [stored(d) for d in area.districts] == [(120, 45), (1300, 0), (7, 8)]
    entries = AuditEntry.objects.filter(subject="count")
    assert {(e.source, e.user_id) for e in entries} == {(AuditEntry.Source.IMPORT, staff.pk)}
    page = staff_client.get(response["Location"])
    assert "3 created, 0 changed, 0 unchanged" in page.content.decode()


def test_re_importing_the_same_file_changes_nothing_and_adds_no_history(area, staff_client):
    # given
    apply(staff_client, upload(staff_client, GOOD))
    before = written()

    # when
    again = upload(staff_client, GOOD)

    # then
    summary = again.context["summary"]
    assert (summary.created, summary.changed, summary.unchanged) == (0, 0, 3)
    assert again.context["token"] is None
    assert "already recorded" in again.content.decode()
    assert written() == before


@pytest.mark.parametrize("mode", [EntryMode.DAILY, EntryMode.CUMULATIVE])
def test_importing_the_same_rows_twice_through_the_service_adds_no_audit_entry(area, campaign, mode):
    # given
    rows = [CountRow(line=n, district=area.first, date=datetime.date(2021, 10, n), online=10 * n, offline=n) for n in range(2, 6)]
    first = import_counts(campaign=campaign, rows=rows, mode=mode)
    before = written()

    # when
    second = import_counts(campaign=campaign, rows=rows, mode=mode)

    # then
    assert first.applied and first.created == 4
    assert second.applied and (second.created, second.changed, second.unchanged) == (0, 0, 4)
    assert written() == before


def test_cumulative_totals_of_consecutive_days_become_daily_figures_in_any_line_order(area, staff_client):
    # given: totals as of 3, 4 and 5 October, the lines out of order
    raw = "district;date;online;offline\n313200000;05.10.2021;60;30\n313200000;03.10.2021;10;5\n313200000;04.10.2021;35;12\n"

    # when
    apply(staff_client, upload(staff_client, raw.encode(), mode="cumulative"))

    # then
    daily = list(DailyCount.objects.filter(district=area.first).order_by("date").values_list("online", "offline"))
    assert daily == [(10, 5), (25, 7), (25, 18)]


def test_a_file_with_a_bad_row_shows_every_problem_and_cannot_be_applied(area, staff_client):
    # given
    raw = (
        "Район;Дата;Онлайн;Офлайн\n"
        "Акжаикский район;05.10.2021;120;45\n"
        "Бурлинский район;05.10.2021;-3;0\n"
        "Таскалинский район;27.10.2021;5;0\n"
        "Нет такого;05.10.2021;1;1\n"
    ).encode()

    # when
    response = upload(staff_client, raw)

    # then
    assert response.status_code == 200
    problems = [(e.line, e.column) for e in response.context["errors"]]
    assert problems == [(3, "Онлайн"), (4, "Онлайн"), (5, "Район")]
    assert response.context["token"] is None
    assert "Apply the import" not in response.content.decode()
    assert not DailyCount.objects.exists()


def test_apply_is_all_or_nothing_when_something_changed_since_the_preview(area, staff_client, campaign):
    # given: a clean preview, then someone records Taskala's day differently
    preview = upload(staff_client, GOOD)
    record_count(campaign=campaign, district=area.third, date=OPEN_DAY, online=70, offline=80, source="form")
    before = written()

    # when
    response = apply(staff_client, preview)

    # then: the Taskala row is now a correction without a reason, so none of the three rows is written
    assert response.status_code == 400
    assert written() == before
    assert stored(area.first) is None
    assert {e.line for e in response.context["errors"]} == {4}


def test_an_apply_without_a_kept_upload_asks_to_upload_again(area, staff_client):
    # when
    response = staff_client.post("/en/entry/import/apply/", {"token": "forged"}, follow=True)

    # then
    assert "Upload it again" in response.content.decode()
    assert not DailyCount.objects.exists()


def test_someone_else_cannot_apply_my_upload(area, staff_client):
    # given
    from tests.entry.conftest import client_for, make_person

    preview = upload(staff_client, GOOD)
    other = client_for(make_person("other.staff", "staff", area.region.kato))

    # when
    response = other.post("/en/entry/import/apply/", {"token": preview.context["token"]})

    # then
    assert response.status_code == 302
    assert not DailyCount.objects.exists()


def test_an_upload_is_kept_in_the_database_until_applied_and_then_removed(area, staff_client):
    # when
    preview = upload(staff_client, GOOD, reason="final sheet")

    # then: kept for "Apply" (any web process may get the click, and Redis may be down), as sent
    kept = PendingImport.objects.get(token=preview.context["token"])
    assert (bytes(kept.content), kept.filename, kept.mode, kept.reason) == (GOOD, "counts.csv", "daily", "final sheet")

    # when
    apply(staff_client, preview)

    # then
    assert stored(area.first) == (120, 45)
    assert not PendingImport.objects.exists()


def test_an_upload_kept_longer_than_its_time_cannot_be_applied_and_is_removed(area, staff_client, settings):
    # given
    settings.CENSUS_IMPORT_KEEP_SECONDS = 600
    preview = upload(staff_client, GOOD)

    # when: "Apply" is pressed eleven minutes later
    with time_machine.travel(AFTER_CAMPAIGN + datetime.timedelta(minutes=11), tick=False):
        response = apply(staff_client, preview)

    # then
    assert response.status_code == 302
    assert not DailyCount.objects.exists()
    assert not PendingImport.objects.exists()


def test_keeping_an_upload_removes_the_uploads_whose_time_ran_out(area, staff_client, settings):
    # given: someone's upload, never applied
    from tests.entry.conftest import client_for, make_person

    settings.CENSUS_IMPORT_KEEP_SECONDS = 600
    forgotten = upload(client_for(make_person("other.staff", "staff", area.region.kato)), GOOD).context["token"]

    # when: eleven minutes later, another upload is previewed
    with time_machine.travel(AFTER_CAMPAIGN + datetime.timedelta(minutes=11), tick=False):
        fresh = upload(staff_client, GOOD).context["token"]

    # then
    assert list(PendingImport.objects.values_list("token", flat=True)) == [fresh]
    assert forgotten != fresh


def test_a_dry_run_reports_but_writes_nothing_not_even_coverage_work(area, campaign):
    # given
    rows = [CountRow(line=2, district=area.first, date=OPEN_DAY, online=5, offline=5)]

    # when
    summary = import_counts(campaign=campaign, rows=rows, dry_run=True)

    # then
    assert (summary.created, summary.applied) == (1, False)
    assert written() == (0, 0, 0)


def _zip(entries: dict[str, bytes], *, big_entry: tuple[str, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
        if big_entry:
            name, size = big_entry
            chunk = b"\0" * (1024 * 1024)
            with archive.open(name, "w", force_zip64=True) as target:
                for _ in range(size // len(chunk)):
                    target.write(chunk)
    return buffer.getvalue()


WORKBOOK_PARTS = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
BAD_FILES = [
    pytest.param(b"\0" * 64 + bytes(range(256)) * 40, "counts.csv", "not a text", id="binary-named-csv"),
    pytest.param(b"district;date;online;offline\n", "counts.xlsx", "not an Excel workbook", id="csv-named-xlsx"),
    pytest.param(_zip({"a.txt": b"hello"}), "archive.xlsx", "not a valid XLSX", id="zip-not-a-workbook"),
    pytest.param(
        _zip(WORKBOOK_PARTS, big_entry=("xl/worksheets/sheet1.xml", 60 * 1024 * 1024)),
        "bomb.xlsx",
        "would unpack to",
        id="zip-bomb",
    ),
    pytest.param(
        _zip({**WORKBOOK_PARTS, **{f"xl/media/{n}.bin": b"x" for n in range(300)}}),
        "many.xlsx",
        "more than 200 parts",
        id="many-entries",
    ),
    pytest.param(
        _zip({**WORKBOOK_PARTS, "xl/_rels/workbook.xml.rels": b"garbage"}), "damaged.xlsx", "damaged", id="damaged-workbook"
    ),
    pytest.param("Район;Онлайн\nx;1\n".encode("cp1251"), "counts.csv", "lacks columns", id="missing-columns"),
]


@pytest.mark.parametrize(("raw", "name", "message"), BAD_FILES)
def test_a_bad_file_gets_a_clear_error_and_never_a_500(area, staff_client, raw, name, message):
    # when
    response = upload(staff_client, raw, name)

    # then
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors["file"])
    assert not DailyCount.objects.exists()


def test_an_oversize_upload_is_refused_on_its_size(area, staff_client, settings):
    # given
    settings.CENSUS_IMPORT_MAX_BYTES = 1000

    # when
    response = upload(staff_client, GOOD + b"\r\n" * 1000)

    # then
    assert response.status_code == 400
    assert "the largest accepted is" in response.context["form"].errors["file"][0]


def test_too_many_rows_are_refused_before_parsing(area, staff_client, settings):
    # given
    settings.CENSUS_IMPORT_MAX_ROWS = 2

    # when
    response = upload(staff_client, GOOD)

    # then
    assert response.status_code == 400
    assert "more than 2 rows" in response.context["form"].errors["file"][0]


def test_the_import_page_says_what_a_file_may_look_like(area, staff_client):
    html = staff_client.get("/en/entry/import/").content.decode()
    assert "district/район/аудан" in html and "27.10.2021" in html and "At most 5.0\xa0MB and 10,000 rows" in html


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_example_file_is_in_the_readers_language_and_the_import_reads_it(area, staff_client, campaign, lang):
    # when a staff member opens the import page in their language
    page = staff_client.get(f"/{lang}/entry/import/")

    # then the example is headed with that language's words for the columns, and names their first district
    sample = page.context["sample"]
    with translation.override(lang):
        expected_header = ";".join(gettext(COLUMN_LABELS[key][0]) for key in ("district", "date", "online", "offline"))
        first_name = area.first.name
    header, by_name, by_code = sample.splitlines()
    assert header == expected_header
    door_to_door_starts = max(phase.starts_on for phase in campaign.phases.all())
    assert by_name.startswith(f"{first_name};{door_to_door_starts:%d.%m.%Y};")
    assert by_code.startswith(f"{area.first.kato};")
    assert sample in html.unescape(page.content.decode())

    # and when they import that very text, it is read in full: two days of their district to create, no errors
    file = io.BytesIO(sample.encode("utf-8"))
    file.name = "example.csv"
    preview = staff_client.post(f"/{lang}/entry/import/", {"file": file, "mode": "daily", "reason": ""})
    assert preview.status_code == 200
    assert preview.context["read"].errors == []
    assert (preview.context["summary"].created, preview.context["summary"].failed) == (2, [])
