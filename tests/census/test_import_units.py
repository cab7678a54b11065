"""Importing regions, districts and baselines from the CSV files people actually have (Excel, cp1251, BOMs)."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from census.errors import ImportRejected
from census.models import AuditEntry
from census.units import import_units
from regions.models import District, PopulationBaseline, Region
from reports.models import RecomputeRequest
from tests import factories

HEADER = "kato,parent_kato,kind,name_kk,name_ru,name_en,baseline,baseline_as_of"

# Kostanay region as a Russian Excel saves it: ; delimiter, cp1251, dd.mm.yyyy dates.
RUSSIAN_EXCEL = (
    "kato;parent_kato;kind;name_kk;name_ru;name_en;baseline;baseline_as_of\r\n"
    "390000000;;region;Костанай облысы;Костанайская область;Kostanay Region;;\r\n"
    "391000000;390000000;city;Костанай;г. Костанай;Kostanay city;252 904;01.09.2021\r\n"
    "393200000;390000000;district;Алтынсарин ауданы;Алтынсаринский район;Altynsarin District;13 254;01.09.2021\r\n"
)

# Kazakh names need UTF-8; Excel's "CSV UTF-8" adds a BOM.
KAZAKH_NAMES = {
    "431000000": "Қызылорда қ.ә.",
    "433200000": "Арал ауданы",
    "433600000": "Жаңақорған ауданы",
    "434000000": "Қармақшы ауданы",
    "434400000": "Шиелі ауданы",
    "434800000": "Түркістан-Құлсары-Жаңаөзен-Шаһар ауданы",
}
KAZAKH_UTF8 = "\n".join(
    [
        HEADER,
        "430000000,,region,Қызылорда облысы,Кызылординская область,Kyzylorda Region,,",
        *(
            f"{kato},430000000,district,{name},Район {n},District {n},{1000 * (n + 1)},2021-09-01"
            for n, (kato, name) in enumerate(KAZAKH_NAMES.items())
        ),
    ]
)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode("utf-8")


def table_sizes() -> tuple[int, int, int, int, int]:
    return (
        Region.objects.count(),
        District.objects.count(),
        PopulationBaseline.objects.count(),
        AuditEntry.objects.count(),
        RecomputeRequest.objects.count(),
    )


def import_file(path, *args) -> str:
    out = io.StringIO()
    call_command("import_units", str(path), *args, stdout=out)
    return out.getvalue()


# --- Files as people have them -------------------------------------------------------------------


def test_a_russian_excel_file_in_cp1251_with_semicolons_is_imported(campaign, tmp_path):
    # given
    path = tmp_path / "kostanay.csv"
    path.write_bytes(RUSSIAN_EXCEL.encode("cp1251"))

    # when
    output = import_file(path)

    # then
    region = Region.objects.get(kato="390000000")
    assert (region.name_ru, region.name_kk, region.kind) == ("Костанайская область", "Костанай облысы", Region.Kind.REGION)
    city = District.objects.get(kato="391000000")
    assert (city.region, city.name_ru, city.kind) == (region, "г. Костанай", District.Kind.CITY)
    assert District.objects.get(kato="393200000").name_ru == "Алтынсаринский район"
    baselines = dict(PopulationBaseline.objects.filter(campaign=campaign).values_list("district__kato", "population"))
    assert baselines == {"391000000": 252_904, "393200000": 13_254}
    assert set(PopulationBaseline.objects.values_list("as_of", flat=True)) == {datetime.date(2021, 9, 1)}
    assert "Baselines added: 2" in output


def test_a_utf8_file_with_a_bom_keeps_every_kazakh_letter(campaign):
    # when
    summary = import_units(raw=KAZAKH_UTF8.encode("utf-8-sig"), campaign=campaign)

    # then
    assert (summary.regions_created, summary.districts_created, summary.baselines_added) == (1, 6, 6)
    assert dict(District.objects.values_list("kato", "name_kk")) == KAZAKH_NAMES
    assert Region.objects.get().name_kk == "Қызылорда облысы"
    stored = "".join(District.objects.values_list("name_kk", flat=True))
    assert set("әғқңөұүһі") <= set(stored)


def test_a_utf8_file_with_a_bom_imports_through_the_command_too(campaign, tmp_path):
    path = tmp_path / "kyzylorda.csv"
    path.write_bytes(KAZAKH_UTF8.encode("utf-8-sig"))

    import_file(path)

    assert District.objects.get(kato="433600000").name_kk == "Жаңақорған ауданы"


def test_the_file_may_list_only_districts_of_a_region_already_known(campaign):
    region = factories.RegionFactory(kato="150000000")

    import_units(raw=csv_bytes("151000000,150000000,city,Ақтөбе,Актобе,Aktobe,500000,2021-09-01"), campaign=campaign)

    assert District.objects.get(kato="151000000").region == region


def test_imported_baselines_are_audited_as_imports_and_owe_a_recompute(campaign, user):
    import_units(raw=RUSSIAN_EXCEL.encode("cp1251"), campaign=campaign, user=user)

    entries = AuditEntry.objects.filter(subject=AuditEntry.Subject.BASELINE)
    assert entries.count() == 2
    assert set(entries.values_list("source", "user")) == {(AuditEntry.Source.IMPORT, user.pk)}
    assert RecomputeRequest.objects.filter(campaign=campaign, from_date=campaign.starts_on).count() == 2


def test_the_command_imports_into_a_named_campaign(campaign, tmp_path):
    other = factories.CampaignFactory(slug="census-2031", starts_on=datetime.date(2031, 9, 1))
    path = tmp_path / "kostanay.csv"
    path.write_bytes(RUSSIAN_EXCEL.encode("cp1251"))

    import_file(path, "--campaign", "census-2031")

    assert set(PopulationBaseline.objects.values_list("campaign", flat=True)) == {other.pk}


def test_the_command_refuses_without_a_campaign(db, tmp_path):
    path = tmp_path / "kostanay.csv"
    path.write_bytes(RUSSIAN_EXCEL.encode("cp1251"))

    with pytest.raises(CommandError):
        import_file(path)

    assert table_sizes() == (0, 0, 0, 0, 0)


# --- Bad files: every problem listed, nothing written -------------------------------------------

BAD_FILE = csv_bytes(
    "270000000,,region,Батыс Қазақстан облысы,Западно-Казахстанская область,West Kazakhstan Region,,",  # line 2: fine
    "27320000,270000000,district,Ақжайық ауданы,Акжаикский район,Akzhaik District,36100,2021-09-01",  # 3: 8 digits
    "273400000,990000000,district,Бөкей Ордасы,Бокейординский район,Bokey Orda,15000,2021-09-01",  # 4: no such region
    "273600000,270000000,district,Бәйтерек,Байтерекский район,Baiterek District,55 5OO,2021-09-01",  # 5: letter O
    "273800000,270000000,district,Жаңақала,Жангалинский район,Zhangala District,12000,2021-02-30",  # 6: no 30 Feb
    "274000000,270000000,district,Жәнібек,Жанибекский район,Zhanibek District,16600,2021-09-01",  # 7: fine
)


def test_a_file_with_bad_rows_is_rejected_listing_each_line_and_column(campaign):
    with pytest.raises(ImportRejected) as rejected:
        import_units(raw=BAD_FILE, campaign=campaign)

    assert [(line, column) for line, column, _message in rejected.value.errors] == [
        (3, "kato"),
        (4, "parent_kato"),
        (5, "baseline"),
        (6, "baseline_as_of"),
    ]
    assert all(message for _line, _column, message in rejected.value.errors)


def test_a_file_with_bad_rows_writes_nothing_not_even_its_good_rows(campaign):
    with pytest.raises(ImportRejected):
        import_units(raw=BAD_FILE, campaign=campaign)

    assert not Region.objects.filter(kato="270000000").exists()
    assert table_sizes() == (0, 0, 0, 0, 0)


def test_the_command_prints_each_bad_line_and_writes_nothing(campaign, tmp_path):
    # given
    path = tmp_path / "wko.csv"
    path.write_bytes(BAD_FILE)
    err = io.StringIO()

    # when
    with pytest.raises(CommandError):
        call_command("import_units", str(path), stderr=err)

    # then
    printed = err.getvalue()
    for where in (
        "line 3, column kato",
        "line 4, column parent_kato",
        "line 5, column baseline",
        "line 6, column baseline_as_of",
    ):
        assert where in printed
    assert table_sizes() == (0, 0, 0, 0, 0)


def test_line_numbers_are_the_files_own_even_after_blank_lines(campaign):
    # given: Excel leaves empty lines; people look the error up by the line number their editor shows
    raw = csv_bytes(
        "270000000,,region,Батыс Қазақстан облысы,Западно-Казахстанская область,West Kazakhstan Region,,",  # line 2
        "",  # line 3
        "",  # line 4
        "273200000,270000000,district,Ақжайық ауданы,Акжаикский район,Akzhaik District,-36100,2021-09-01",  # line 5
    )

    # when
    with pytest.raises(ImportRejected) as rejected:
        import_units(raw=raw, campaign=campaign)

    # then
    assert [(line, column) for line, column, _message in rejected.value.errors] == [(5, "baseline")]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(["270000000,,oblast,Облыс,Область,Region,664500,2021-09-01"], [(2, "baseline")], id="region-baseline"),
        pytest.param(["270000000,,county,Облыс,Область,Region,,"], [(2, "kind")], id="region-kind"),
        pytest.param(
            ["270000000,,region,Облыс,Область,Region,,", "271000000,270000000,village,Ауыл,Село,Village,10,2021-09-01"],
            [(3, "kind")],
            id="district-kind",
        ),
        pytest.param(
            ["270000000,,region,Облыс,Область,Region,,", "271000000,270000000,city,,Уральск,Oral,10,2021-09-01"],
            [(3, "name_kk")],
            id="empty-name",
        ),
        pytest.param(
            ["270000000,,region,Облыс,Область,Region,,", "271000000,270000000,city,Орал,Уральск,Oral,10,"],
            [(3, "baseline_as_of")],
            id="baseline-without-date",
        ),
        pytest.param(
            ["270000000,,region,Облыс,Область,Region,,", "271000000,270000000,city,Орал,Уральск,Oral,0,2021-09-01"],
            [(3, "baseline")],
            id="zero-baseline",
        ),
        pytest.param(
            ["270000000,,region,Облыс,Область,Region,,", "27100000٠,270000000,city,Орал,Уральск,Oral,10,2021-09-01"],
            [(3, "kato")],
            id="non-ascii-digit-kato",
        ),
        pytest.param(
            ["270000000,,region,Облыс,Область,Region,,", "270000000,,region,Облыс,Область,Region,,"],
            [(3, "kato")],
            id="kato-twice",
        ),
    ],
)
def test_each_kind_of_bad_row_is_named_by_line_and_column(campaign, rows, expected):
    with pytest.raises(ImportRejected) as rejected:
        import_units(raw=csv_bytes(*rows), campaign=campaign)

    assert [(line, column) for line, column, _message in rejected.value.errors] == expected
    assert table_sizes() == (0, 0, 0, 0, 0)


def test_a_file_without_the_required_columns_is_rejected_on_its_header(campaign):
    raw = "kato;name_ru\n270000000;Западно-Казахстанская область\n".encode()

    with pytest.raises(ImportRejected) as rejected:
        import_units(raw=raw, campaign=campaign)

    [(line, column, _message)] = rejected.value.errors
    assert line == 1
    assert "parent_kato" in column and "baseline" in column
    assert table_sizes() == (0, 0, 0, 0, 0)


def test_an_empty_file_is_rejected(campaign):
    with pytest.raises(ImportRejected) as rejected:
        import_units(raw=b"", campaign=campaign)

    assert rejected.value.errors[0][0] == 1


def test_header_names_are_matched_whatever_their_case_and_padding(campaign):
    header = " KATO , Parent_Kato ,Kind,NAME_KK,name_ru,name_en,Baseline,baseline_as_of"
    raw = csv_bytes(
        "270000000,,region,Облыс,Область,Region,,", "271000000,270000000,city,Орал,Уральск,Oral,303171,2021-09-01", header=header
    )

    import_units(raw=raw, campaign=campaign)

    assert PopulationBaseline.objects.get().population == 303_171


# --- Running a file again ------------------------------------------------------------------------


def test_importing_the_same_file_again_creates_no_duplicates_and_no_baseline_version(campaign, tmp_path):
    # given
    path = tmp_path / "kostanay.csv"
    path.write_bytes(RUSSIAN_EXCEL.encode("cp1251"))
    import_file(path)
    before = table_sizes()

    # when
    output = import_file(path)

    # then
    assert table_sizes() == before
    assert "Regions: 0 created, 1 updated. Districts: 0 created, 2 updated. Baselines added: 0." in output


def test_importing_a_changed_baseline_adds_a_version_and_keeps_the_old_one(campaign):
    # given
    import_units(raw=RUSSIAN_EXCEL.encode("cp1251"), campaign=campaign)
    changed = RUSSIAN_EXCEL.replace("13 254;01.09.2021", "13 301;15.10.2021")

    # when
    summary = import_units(raw=changed.encode("cp1251"), campaign=campaign)

    # then
    assert summary.baselines_added == 1
    district = District.objects.get(kato="393200000")
    versions = PopulationBaseline.objects.filter(district=district).order_by("id").values_list("population", "as_of")
    assert list(versions) == [(13_254, datetime.date(2021, 9, 1)), (13_301, datetime.date(2021, 10, 15))]
    assert PopulationBaseline.objects.filter(district=district).current().get().population == 13_301
    assert AuditEntry.objects.order_by("-id").first().changes == {"population": [13_254, 13_301]}


def test_importing_a_changed_name_updates_the_district_in_place(campaign):
    import_units(raw=RUSSIAN_EXCEL.encode("cp1251"), campaign=campaign)
    renamed = RUSSIAN_EXCEL.replace("Altynsarin District", "Altynsarin district (renamed)")

    import_units(raw=renamed.encode("cp1251"), campaign=campaign)

    assert District.objects.filter(kato="393200000").count() == 1
    assert District.objects.get(kato="393200000").name_en == "Altynsarin district (renamed)"


def test_importing_an_older_baseline_again_adds_no_further_version(campaign, district):
    # given: the district has a 10,000 baseline as of 1 Sep; a file brings an older August figure
    raw = csv_bytes(f"{district.kato},{district.region.kato},district,Аудан,Район,District,9950,2021-08-01")
    import_units(raw=raw, campaign=campaign)
    before = table_sizes()

    # when
    summary = import_units(raw=raw, campaign=campaign)

    # then
    assert summary.baselines_added == 0
    assert table_sizes() == before
    assert PopulationBaseline.objects.filter(district=district).current().get().population == 10_000


# --- Hostile files: line and column, never a traceback, nothing written ----------------------------

REGION_LINE = "270000000,,region,Батыс Қазақстан облысы,Западно-Казахстанская область,West Kazakhstan Region,,"


@pytest.mark.parametrize(
    ("raw", "expected", "words"),
    [
        pytest.param(
            (HEADER + '\n270000000,,region,"Батыс\rҚазақстан",Западно-Казахстанская область,West Kazakhstan,,\n').encode(),
            [(2, "name_kk")],
            "U+000D",
            id="cr-inside-a-quoted-name",
        ),
        pytest.param(
            (HEADER + "\n270000000,,region,Батыс\rҚазақстан,Западно-Казахстанская область,West Kazakhstan,,\n").encode(),
            [(2, "name_kk"), (3, "name_ru")],
            "in quotes",
            id="cr-inside-an-unquoted-name",
        ),
        pytest.param(
            (HEADER + "\n270000000,,region,Батыс Қазақстан облысы," + "Ж" * 201 + ",West Kazakhstan Region,,\n").encode(),
            [(2, "name_ru")],
            "201",
            id="name-over-200-characters",
        ),
        pytest.param(
            (HEADER + "\n270000000,,region,Батыс\x00Қазақстан,Западно-Казахстанская область,West Kazakhstan,,\n").encode(),
            [(2, "name_kk")],
            "U+0000",
            id="nul-in-a-name",
        ),
        pytest.param(
            csv_bytes(REGION_LINE, "271000000,270000000\x00,city,Орал,Уральск,Oral,10,2021-09-01"),
            [(3, "parent_kato")],
            "nine-digit",
            id="nul-in-a-parent-code",
        ),
        pytest.param(
            csv_bytes(REGION_LINE, "271000000,270000000,city,Орал,Уральск,\u202eOral,10,2021-09-01"),
            [(3, "name_en")],
            "U+202E",
            id="right-to-left-override",
        ),
        pytest.param(
            csv_bytes(REGION_LINE, "271000000,270000000,city,Орал\u2067,Уральск,Oral,10,2021-09-01"),
            [(3, "name_kk")],
            "U+2067",
            id="right-to-left-isolate",
        ),
        pytest.param(
            csv_bytes(REGION_LINE, "271000000,270000000,city,Орал,Уральск\u200f,Oral,10,2021-09-01"),
            [(3, "name_ru")],
            "U+200F",
            id="right-to-left-mark",
        ),
        pytest.param(
            csv_bytes(REGION_LINE, "271000000,270000000,city,Орал,Уральск,Oral," + "9" * 5000 + ",2021-09-01"),
            [(3, "baseline")],
            "",
            id="baseline-of-5000-digits",
        ),
        pytest.param(b"kato,parent_kato\n\x98\x98\n", [(1, "")], "UTF-8", id="neither-utf8-nor-cp1251"),
    ],
)
def test_a_hostile_file_is_refused_by_line_and_column_and_writes_nothing(campaign, tmp_path, raw, expected, words):
    # given
    path = tmp_path / "units.csv"
    path.write_bytes(raw)
    err = io.StringIO()

    # when
    with pytest.raises(ImportRejected) as rejected, translation.override("en"):
        import_units(raw=raw, campaign=campaign)
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_units", str(path), stderr=err)

    # then
    assert [(line, column) for line, column, _message in rejected.value.errors] == expected
    assert words in rejected.value.errors[0][2]
    line, column = expected[0]
    assert f"line {line}" + (f", column {column}" if column else "") in err.getvalue()
    assert table_sizes() == (0, 0, 0, 0, 0)


def test_a_file_with_cr_only_line_ends_is_read_line_by_line(campaign):
    raw = "\r".join([HEADER, REGION_LINE, "271000000,270000000,city,Орал,Уральск,Oral,303171,2021-09-01", ""]).encode()

    summary = import_units(raw=raw, campaign=campaign)

    assert (summary.regions_created, summary.districts_created, summary.baselines_added) == (1, 1, 1)


def test_a_region_line_may_leave_out_its_empty_baseline_columns(campaign):
    import_units(raw=csv_bytes("270000000,,region,Облыс,Область,Region"), campaign=campaign)

    assert Region.objects.get().name_en == "Region"


def test_the_line_of_a_multi_line_value_is_where_it_starts(campaign):
    raw = csv_bytes(REGION_LINE, "", '271000000,270000000,city,"Орал\nқаласы",Уральск,Oral,10,2021-09-01', REGION_LINE)

    with pytest.raises(ImportRejected) as rejected:
        import_units(raw=raw, campaign=campaign)

    assert [(line, column) for line, column, _message in rejected.value.errors] == [(4, "name_kk"), (6, "kato")]
