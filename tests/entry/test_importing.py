"""Reading office spreadsheets: every encoding, delimiter, header language and way of naming a district and a date."""

import codecs
import datetime
import io
import re
import time
import zipfile

import openpyxl
import pytest

from census.importing import FileRejected, Limits, read_counts
from census.models import REASON_MAX_LENGTH
from regions.models import District

pytestmark = pytest.mark.usefixtures("after_campaign", "in_english")

OCT_5 = datetime.date(2021, 10, 5)
OCT_27 = datetime.date(2021, 10, 27)


def read(area, raw: bytes, filename="counts.csv", **limits):
    return read_counts(
        raw,
        filename=filename,
        scope_districts=District.objects.filter(region=area.region),
        all_districts=District.objects.all(),
        limits=Limits(**{**vars(Limits.from_settings()), **limits}),
    )


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# (id, bytes, filename, expected encoding, expected delimiter); each file names Taskala (the area's third district)
# for 27 October 2021 with 0 online and 340 door-to-door, as some office would write it.
VARIANTS = [
    ("utf8-comma-en", b"district,date,online,offline\n316000000,2021-10-27,0,340\n", "c.csv", "UTF-8", ","),
    (
        "utf8-bom-semicolon-kk-kazakh-name",
        "аудан;күні;онлайн;офлайн\r\nТасқала ауданы;27.10.2021;0;340\r\n".encode("utf-8-sig"),
        "c.csv",
        "UTF-8 (BOM)",
        ";",
    ),
    (
        "cp1251-semicolon-ru-russian-name",
        "Район;Дата;Онлайн;Офлайн\r\nТаскалинский район;27.10.2021;0;340\r\n".encode("cp1251"),
        "c.csv",
        "Windows-1251",
        ";",
    ),
    (
        "utf16-tab-en-english-name",
        "District\tDate\tOnline\tOffline\r\nTaskala District\t2021-10-27\t0\t340\r\n".encode("utf-16"),
        "c.txt",
        "UTF-16",
        "\t",
    ),
    ("utf8-tab-ru", "Район\tДата\tОнлайн\tОфлайн\nТаскалинский район\t27.10.2021\t0\t340\n".encode(), "c.tsv", "UTF-8", "\t"),
    (
        "ru-name-other-case-and-spaces",
        "район;дата;онлайн;офлайн\n  таскалинский   РАЙОН ;27.10.2021;0;340\n".encode(),
        "c.csv",
        "UTF-8",
        ";",
    ),
    ("en-short-name", b"District,Date,Online,Offline\nTaskala,27.10.2021,0,340\n", "c.csv", "UTF-8", ","),
    (
        "kato-and-name-columns-kato-wins",
        "КАТО;Район;Дата;Онлайн;Офлайн\n316000000;Неверное имя;2021-10-27;0;340\n".encode("utf-8-sig"),
        "c.csv",
        "UTF-8 (BOM)",
        ";",
    ),
    (
        "quoted-grouped-number-and-title-line",
        'Отчёт за 27 октября\n\n"Район";"Дата";"Онлайн";"Офлайн"\n"Таскалинский район";"27.10.2021";"0";"340"\n'.encode("cp1251"),
        "c.csv",
        "Windows-1251",
        ";",
    ),
    (
        "total-line-skipped",
        "district;date;online;offline\n316000000;2021-10-27;0;340\nИтого;;0;340\n".encode(),
        "c.csv",
        "UTF-8",
        ";",
    ),
    (
        "xlsx-ru-real-date-numeric-kato",
        xlsx([["КАТО", "Дата", "Онлайн", "Офлайн"], [316000000, datetime.datetime(2021, 10, 27), 0, 340]]),
        "c.xlsx",
        "",
        "",
    ),
    (
        "xlsx-kk-text-date-kazakh-name",
        xlsx([["Аудан", "Күні", "Онлайн", "Офлайн"], ["Тасқала ауданы", "27.10.2021", "0", 340.0]]),
        "c.xlsx",
        "",
        "",
    ),
]


@pytest.mark.parametrize(("raw", "filename", "encoding", "delimiter"), [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS])
def test_every_office_variant_reads_as_the_same_row(area, raw, filename, encoding, delimiter):
    # when
    result = read(area, raw, filename)

    # then
    assert result.errors == []
    assert [(r.district, r.date, int(r.online), int(r.offline)) for r in result.rows] == [(area.third, OCT_27, 0, 340)]
    assert (result.encoding, result.delimiter) == (encoding, delimiter)


def test_a_utf8_file_without_bom_keeps_kazakh_letters(area):
    # given
    raw = "аудан,күні,онлайн,офлайн\nАқжайық ауданы,05.10.2021,12,3\nБөрлі ауданы,05.10.2021,4,5\n".encode()

    # when
    result = read(area, raw)

    # then
    assert [r.district for r in result.rows] == [area.first, area.second]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2021-10-05", OCT_5),
        ("05.10.2021", OCT_5),
        ("5.10.2021", OCT_5),
        ("2021-10-05 00:00:00", OCT_5),
        (datetime.date(2021, 10, 5), OCT_5),
        (datetime.datetime(2021, 10, 5, 0, 0), OCT_5),
    ],
)
def test_dates_are_read_in_both_written_forms_and_as_real_dates(area, cell, expected):
    # when
    result = read(area, xlsx([["district", "date", "online", "offline"], ["313200000", cell, 1, 1]]), "d.xlsx")

    # then
    assert [r.date for r in result.rows] == [expected]


@pytest.mark.parametrize("cell", ["10/05/2021", "2021.10.05", "32.10.2021", "yesterday", ""])
def test_a_date_in_another_form_is_a_row_error_with_line_and_column(area, cell):
    # when
    result = read(area, f"Район;Дата;Онлайн;Офлайн\nАкжаикский район;{cell};1;1\n".encode())

    # then
    assert result.rows == []
    assert [(e.line, e.column) for e in result.errors] == [(2, "Дата")]
    assert "2021-10-27 or 27.10.2021" in result.errors[0].message


def test_row_errors_name_their_line_and_the_file_s_own_column(area):
    # given
    raw = (
        "Район;Дата;Онлайн;Офлайн\n"
        "Акжаикский район;05.10.2021;1;1\n"
        "Нет такого района;05.10.2021;1;1\n"
        ";05.10.2021;1;1\n"
        "Акжаикский район;05.10.2021;2;2\n"
        "Другой район;05.10.2021;1;1\n"
    ).encode("cp1251")

    # when
    result = read(area, raw)

    # then
    assert [(e.line, e.column) for e in result.errors] == [(3, "Район"), (4, "Район"), (5, "Дата"), (6, "Район")]
    messages = [e.message for e in result.errors]
    assert "No district “Нет такого района”" in messages[0]
    assert "No district is given" in messages[1]
    assert "already on line 2" in messages[2]
    assert "outside your area" in messages[3]
    assert len(result.rows) == 1


def test_a_name_shared_by_two_districts_asks_for_the_kato_code(area):
    # given
    District.objects.filter(pk=area.second.pk).update(name_en="Akzhaik District")

    # when
    result = read(area, b"district,date,online,offline\nAkzhaik District,2021-10-05,1,1\n")

    # then
    assert "give its KATO code" in result.errors[0].message


@pytest.mark.parametrize(
    ("raw", "filename", "message"),
    [
        pytest.param(b"", "e.csv", "The file is empty", id="empty"),
        pytest.param(b"\n\n \n", "e.csv", "The file is empty", id="blank-lines"),
        pytest.param(b"name;value\nx;1\n", "h.csv", "lacks columns", id="no-known-headers"),
        pytest.param("Район;Онлайн;Офлайн\nx;1;1\n".encode(), "h.csv", "lacks columns", id="no-date-column"),
        pytest.param(b"district;date;online;offline\n", "h.csv", "no rows of counts", id="header-only"),
        pytest.param(bytes(range(256)) * 8, "binary.csv", "not a text (CSV) file", id="binary-named-csv"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" * 20, "picture.csv", "not a text", id="png-named-csv"),
        pytest.param(b"\x01\x02\x03\x04\x05\x06" * 100, "controls.csv", "not a text", id="control-bytes-named-csv"),
        pytest.param(b"district;date;online;offline\n1;2;3;4\n", "plain.xlsx", "not an Excel workbook", id="text-named-xlsx"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "old.xls", "old-style Excel", id="old-xls"),
        pytest.param(b"PK\x03\x04broken zip", "broken.xlsx", "not a valid XLSX", id="broken-zip"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_message(area, raw, filename, message):
    with pytest.raises(FileRejected) as rejected:
        read(area, raw, filename)
    assert message in rejected.value.message


def test_limits_are_checked_before_parsing(area):
    # given
    rows = "district;date;online;offline\n" + "313200000;05.10.2021;1;1\n" * 50

    # when / then
    with pytest.raises(FileRejected, match="largest accepted"):
        read(area, rows.encode(), max_bytes=100)
    with pytest.raises(FileRejected, match="more than 10 rows"):
        read(area, rows.encode(), max_rows=10)
    with pytest.raises(FileRejected, match="more than 10 rows"):
        read(
            area,
            xlsx([["district", "date", "online", "offline"]] + [["313200000", "05.10.2021", 1, 1]] * 50),
            "r.xlsx",
            max_rows=10,
        )


def test_a_file_of_exactly_the_row_limit_is_accepted(area):
    rows = "district;date;online;offline\r\n" + "".join(f"313200000;{n:02d}.10.2021;1;1\r\n" for n in range(1, 11))
    assert len(read(area, rows.encode(), max_rows=10).rows) == 10


def test_a_cp1251_file_from_excel_names_its_encoding(area):
    raw = codecs.encode("Район;Дата;Онлайн;Офлайн\r\nБурлинский район;05.10.2021;1;2\r\n", "cp1251")
    assert read(area, raw).encoding == "Windows-1251"


# --- Hostile files: refused or read in bounded time, whatever the file claims ----------------------


def rewritten_sheet(raw: bytes, change) -> bytes:
    """The workbook with its first sheet's XML passed through `change`, as a hand-made or hostile file would be."""
    source = zipfile.ZipFile(io.BytesIO(raw))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(entry.filename, data)
    return buffer.getvalue()


def claimed_dimension(ref: str):
    return lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), xml)


COUNT_ROWS = [["district", "date", "online", "offline"], *[["313200000", f"{day:02d}.10.2021", day, 1] for day in range(1, 6)]]


def test_an_xlsx_claiming_every_cell_of_the_sheet_and_its_last_row_is_refused_without_reading_them(area):
    # given: 5 rows of counts, a <dimension> of A1:XFD1048576 and one cell on the sheet's last row
    # (openpyxl padded every row to 16,384 cells: 22 s of a web worker for a file of a few kB)
    def hostile(xml):
        last_row = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        return claimed_dimension("A1:XFD1048576")(xml).replace(b"</sheetData>", last_row + b"</sheetData>")

    raw = rewritten_sheet(xlsx(COUNT_ROWS), hostile)
    assert len(raw) < 10_000

    # when
    started = time.perf_counter()
    with pytest.raises(FileRejected, match="more than 10,000 rows"):
        read(area, raw, "hostile.xlsx")

    # then: a generous bound on a noisy machine; it takes well under a tenth of a second
    assert time.perf_counter() - started < 5


def test_an_xlsx_claiming_16384_columns_is_read_by_its_real_cells(area):
    raw = rewritten_sheet(xlsx(COUNT_ROWS), claimed_dimension("A1:XFD6"))

    result = read(area, raw, "wide.xlsx")

    assert [(r.date.day, int(r.online)) for r in result.rows] == [(day, day) for day in range(1, 6)]


def test_an_xlsx_whose_dimension_claims_fewer_rows_than_it_holds_loses_none_of_them(area):
    # given: a writer that left the <dimension> of an earlier, smaller sheet
    raw = rewritten_sheet(xlsx(COUNT_ROWS), claimed_dimension("A1:D2"))

    # when
    result = read(area, raw, "stale.xlsx")

    # then
    assert [r.date.day for r in result.rows] == [1, 2, 3, 4, 5]


def test_an_xlsx_of_a_million_empty_cells_is_refused_before_openpyxl_builds_them(area):
    # given: a few kB that unpack to 6 MB of <c/> (openpyxl held every element of the row in memory: 5 s, 700 MB)
    raw = rewritten_sheet(
        xlsx(COUNT_ROWS[:1]),
        lambda xml: xml.replace(b"</sheetData>", b'<row r="2">' + b"<c/>" * 1_500_000 + b"</row></sheetData>"),
    )

    with pytest.raises(FileRejected, match="more cells and markup than 10,000 rows"):
        read(area, raw, "empty-cells.xlsx")


def test_a_csv_with_cr_only_line_ends_is_counted_row_by_row_and_refused_over_the_limit(area):
    # given: old Mac line ends, one "\n"-line to a line counter
    rows = "district;date;online;offline\r" + "".join(f"313200000;{day:02d}.10.2021;1;1\r" for day in range(1, 12))

    # when / then
    with pytest.raises(FileRejected, match="more than 10 rows"):
        read(area, rows.encode(), max_rows=10)


def test_a_csv_with_cr_only_line_ends_within_the_limit_is_read_with_its_line_numbers(area):
    raw = b"district;date;online;offline\r313200000;05.10.2021;1;1\r\r313200000;05.10.2021;2;2\r"

    result = read(area, raw)

    assert [(e.line, e.column) for e in result.errors] == [(4, "date")]
    assert "already on line 2" in result.errors[0].message


def test_a_quoted_value_with_line_breaks_counts_as_one_row(area):
    raw = b'district;date;online;offline;reason\n313200000;05.10.2021;1;1;"first\nsecond\nthird"\n'

    result = read(area, raw, max_rows=1)

    assert [r.reason for r in result.rows] == ["first\nsecond\nthird"]


def test_a_reason_longer_than_the_forms_allow_is_a_row_error_with_line_and_column(area):
    # given
    raw = (
        "Район;Дата;Онлайн;Офлайн;Причина\n"
        f"Акжаикский район;05.10.2021;1;1;{'x' * REASON_MAX_LENGTH}\n"
        f"Бурлинский район;05.10.2021;1;1;{'x' * (REASON_MAX_LENGTH + 1)}\n"
    ).encode()

    # when
    result = read(area, raw)

    # then
    assert [r.district for r in result.rows] == [area.first]
    assert [(e.line, e.column) for e in result.errors] == [(3, "Причина")]
    assert "1,001 characters" in result.errors[0].message and "1,000" in result.errors[0].message


def test_one_huge_shared_string_as_the_reason_of_many_rows_is_refused_on_each(area):
    # given: one 2 MB string, stored once in the workbook and named by every row (52 MB into the audit trail before)
    reason = "r" * 2_000_000
    rows = [["district", "date", "online", "offline", "reason"]]
    rows += [["313200000", f"{day:02d}.10.2021", 1, 1, reason] for day in range(1, 27)]

    # when
    result = read(area, xlsx(rows), "reasons.xlsx")

    # then
    assert result.rows == []
    assert [(e.line, e.column) for e in result.errors] == [(line, "reason") for line in range(2, 28)]


def test_an_error_quotes_only_the_start_of_a_pasted_page(area):
    name = "Акжаикский район " * 5_000

    result = read(area, f"district;date;online;offline\n{name};{name};1;1\n".encode())

    assert [(e.line, e.column) for e in result.errors] == [(2, "district"), (2, "date")]
    assert all(len(e.message) < 300 for e in result.errors)


def test_a_header_that_is_not_one_is_quoted_by_the_start_of_its_cells(area):
    with pytest.raises(FileRejected) as rejected:
        read(area, ("x" * 100_000 + ";y\n1;2\n").encode())

    assert "lacks columns" in rejected.value.message
    assert len(rejected.value.message) < 500
