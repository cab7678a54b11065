"""Exporting the counts of one's area: CSV that Excel opens right, XLSX, no formulas smuggled in, and back in again."""

import csv
import io

import openpyxl
import pytest

from census.exporting import neutralise
from census.models import AuditEntry
from census.services import record_count
from regions.models import District
from tests.entry.conftest import OPEN_DAY

pytestmark = pytest.mark.usefixtures("after_campaign")


@pytest.fixture
def counts(area, campaign):
    for district, online in ((area.first, 1200), (area.second, 30), (area.elsewhere, 99)):
        record_count(campaign=campaign, district=district, date=OPEN_DAY, online=online, offline=5, source="form")


def test_the_csv_starts_with_the_utf8_bom_and_holds_the_area_s_counts(area, counts, staff_client):
    # when
    response = staff_client.get("/ru/entry/export.csv")

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="census-counts-2021-11-20.csv"')
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["Код КАТО", "Район", "Дата", "Онлайн", "Сплошной обход"],
        [area.first.kato, "Акжаикский район", "2021-10-05", "1200", "5"],
        [area.second.kato, "Бурлинский район", "2021-10-05", "30", "5"],
    ]


def test_an_english_reader_gets_comma_separated_english_headers(area, counts, staff_client):
    text = staff_client.get("/en/entry/export.csv").content.decode("utf-8-sig")
    assert text.splitlines()[:2] == [
        "KATO code,District,Date,Online,Door-to-door",
        f"{area.first.kato},Akzhaik District,2021-10-05,1200,5",
    ]


def test_the_xlsx_has_real_dates_and_numbers(area, counts, staff_client):
    # when
    response = staff_client.get("/kk/entry/export.xlsx")

    # then
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("ӘАОЖ (КАТО) коды", "Аудан", "Күні", "Онлайн", "Үйме-үй аралау")
    assert rows[1][2].date() == OPEN_DAY and rows[1][3] == 1200
    assert len(rows) == 3


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_a_spreadsheet_would_run_is_neutralised(start):
    assert neutralise(f'{start}HYPERLINK("http://x")') == f'\'{start}HYPERLINK("http://x")'
    assert neutralise("Taskala") == "Taskala"
    assert neutralise(1200) == 1200


def test_a_district_name_that_looks_like_a_formula_is_exported_as_text(area, counts, staff_client):
    # given
    District.objects.filter(pk=area.first.pk).update(name_en='=HYPERLINK("http://evil","x")', name_ru="+7 район")

    # when
    text = staff_client.get("/en/entry/export.csv").content.decode("utf-8-sig")
    ru = staff_client.get("/ru/entry/export.csv").content.decode("utf-8-sig")
    workbook = openpyxl.load_workbook(io.BytesIO(staff_client.get("/en/entry/export.xlsx").content))

    # then
    assert list(csv.reader(io.StringIO(text)))[1][1] == '\'=HYPERLINK("http://evil","x")'
    assert list(csv.reader(io.StringIO(ru), delimiter=";"))[1][1] == "'+7 район"
    cell = workbook.worksheets[0]["B2"]
    assert cell.value == '\'=HYPERLINK("http://evil","x")' and cell.data_type == "s"


@pytest.mark.parametrize(("language", "file_format"), [("ru", "csv"), ("kk", "csv"), ("en", "csv"), ("ru", "xlsx")])
def test_an_exported_file_imports_back_without_changing_anything(area, counts, staff_client, language, file_format):
    # given
    exported = staff_client.get(f"/{language}/entry/export.{file_format}").content
    before = AuditEntry.objects.count()
    upload = io.BytesIO(exported)
    upload.name = f"export.{file_format}"

    # when
    preview = staff_client.post("/en/entry/import/", {"file": upload, "mode": "daily"})

    # then
    summary = preview.context["summary"]
    assert (summary.created, summary.changed, summary.unchanged, preview.context["errors"]) == (0, 0, 2, [])
    assert AuditEntry.objects.count() == before
