"""Names that look like markup, quotes, formulas or bidi controls are shown as text everywhere they appear.

A district (its Kazakh, Russian and English names), its region and a member
of staff (first name, last name, username) carry `<script>alert(1)</script>`,
double and single quotes, `&`, a right-to-left override (U+202E) and a
leading `=`, `+`, `-` or `@`. Every page that shows them (the stored
dashboards with their chart and map data, the entry pages, the admin), the
API, the briefing, the PDF report and the CSV/XLSX exports must show them
as the literal text: escaped in HTML, data in JSON, a string (never a formula)
in a spreadsheet.
"""

import csv
import datetime
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from openpyxl import load_workbook
from pypdf import PdfReader
from rest_framework.test import APIClient

from census.access import issue_token
from census.accounts import provision_user
from census.models import AuditEntry, Campaign, DailyCount, DistrictStatus
from census.services import record_count, set_status
from regions.models import COUNTRY_KATO, District, Region
from reports.services import drain_recompute_outbox
from tests import factories
from tests.conftest import rolled_back_for_module

MARKUP = "<script>alert(1)</script>"
RLO = "\u202e"
LANGUAGES = ("kk", "ru", "en")
REGION_KATO = "350000000"
HOSTILE_KATO = "351000000"
PLAIN_KATO = "352000000"
FORM = AuditEntry.Source.FORM
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def hostile(lead: str, word: str) -> str:
    """A name with a formula lead, both quotes, an ampersand, a script element and a right-to-left override."""
    return f"{lead}{word} \"dq\" 'sq' & {MARKUP} {RLO}tail"


DISTRICT_NAMES = {"kk": hostile("=", "Аудан"), "ru": hostile("=", "Район"), "en": hostile("=", "District")}
REGION_NAMES = {"kk": hostile("+", "Облыс"), "ru": hostile("+", "Область"), "en": hostile("+", "Region")}
FIRST_NAME = hostile("-", "First")
LAST_NAME = hostile("@", "Last")
USERNAME = hostile("@", "user")
REASON = hostile("=", "Reason")
NOTE = hostile("-", "Note")
# A square around Uralsk: enough for the boundary map (and its Leaflet data) to be drawn.
SQUARE = {"type": "Polygon", "coordinates": [[[51.0, 51.0], [51.5, 51.0], [51.5, 51.5], [51.0, 51.5], [51.0, 51.0]]]}


# --- The data: a region of two districts, one of them hostile, with counts entered by a hostile person -----------


def build_hostile_region():
    campaign = factories.campaign_like_2021(slug="census-hostile")
    region = factories.RegionFactory(
        kato=REGION_KATO, name_kk=REGION_NAMES["kk"], name_ru=REGION_NAMES["ru"], name_en=REGION_NAMES["en"]
    )
    bad = factories.DistrictFactory(
        region=region, kato=HOSTILE_KATO, name_kk=DISTRICT_NAMES["kk"], name_ru=DISTRICT_NAMES["ru"], name_en=DISTRICT_NAMES["en"]
    )
    District.objects.filter(pk=bad.pk).update(boundary=SQUARE)
    plain = factories.DistrictFactory(
        region=region, kato=PLAIN_KATO, name_kk="Жай ауданы", name_ru="Простой район", name_en="Plain District"
    )
    factories.BaselineFactory(district=bad, campaign=campaign, population=1_000)
    factories.BaselineFactory(district=plain, campaign=campaign, population=10_000)

    person = provision_user(username="stat.hostile", role="staff", kato=region.kato, password=None)
    get_user_model().objects.filter(pk=person.pk).update(username=USERNAME, first_name=FIRST_NAME, last_name=LAST_NAME)
    person.refresh_from_db()
    provision_user(username="admin.security", role="admin", kato=COUNTRY_KATO, password=None)
    provision_user(username="stat.other", role="staff", kato=region.kato, password=None)
    factories.SuperuserFactory(username="root.security")

    # The hostile district leads (the briefing names it); counts enter through the one write path.
    for day in range(1, 6):
        date = datetime.date(2021, 10, day)
        record_count(campaign=campaign, district=bad, date=date, online=60, offline=40, user=person, source=FORM, reason=REASON)
        record_count(campaign=campaign, district=plain, date=date, online=50, offline=50, user=person, source=FORM, reason=REASON)
    for district in (bad, plain):
        # A status publishes the figures on the public page and the widget.
        set_status(
            campaign=campaign,
            district=district,
            status=DistrictStatus.Status.IN_PROGRESS,
            date=datetime.date(2021, 10, 5),
            user=person,
            source=FORM,
            note=NOTE,
        )
    drain_recompute_outbox()


@pytest.fixture(scope="module")
def hostile_region(django_db_setup, django_db_blocker):
    """The region above, built once for the module inside a transaction rolled back at the end."""
    with rolled_back_for_module(django_db_blocker):
        build_hostile_region()
        yield


@pytest.fixture
def data(hostile_region, db, after_campaign):
    """Each test reads the module's data inside its own savepoint, on the day after the campaign."""


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username), backend=MODEL_BACKEND)
    return client


@pytest.fixture
def admin_client_(data):
    return signed_in("admin.security")


@pytest.fixture
def hostile_staff(data):
    return signed_in(USERNAME)


@pytest.fixture
def superuser_client(data):
    return signed_in("root.security")


# --- What "shown as text" means in HTML ----------------------------------------------------------------


class Parsed(HTMLParser):
    """Every text node and attribute of a page, as a browser would read them (entities decoded)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))

    def handle_startendtag(self, tag, attrs):
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.texts).append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)


def parse(html: str) -> Parsed:
    parsed = Parsed()
    parsed.feed(html)
    parsed.close()
    return parsed


ATTRIBUTE_NAME = re.compile(r"^[a-z][a-z0-9:_.-]*$")


def assert_markup_inert(html: str) -> Parsed:
    """The raw script element never reaches the page; no quote broke out of an attribute; no script holds a name."""
    assert MARKUP not in html
    parsed = parse(html)
    assert not [name for _tag, name, _value in parsed.attributes if not ATTRIBUTE_NAME.match(name)]
    assert not [code for code in parsed.scripts if "alert(1)" in code]
    return parsed


def assert_shown_as_text(html: str, *names: str) -> Parsed:
    """Each name is on the page as text (escaped in the source, whole once decoded), and nothing is markup."""
    parsed = assert_markup_inert(html)
    for name in names:
        assert escape(name) in html, f"{name!r} is not escaped in the page"
        assert name in parsed.text, f"{name!r} is not in the page's text"
    return parsed


def json_attributes(parsed: Parsed, attribute: str) -> list:
    return [json.loads(value) for _tag, name, value in parsed.attributes if name == attribute]


def bdi_wrapped(html: str, name: str) -> bool:
    """The name, escaped, inside a <bdi> (marked with the language it is in, where the page gives one)."""
    return re.search(rf'<bdi(?: lang="[a-z]{{2}}")?>{re.escape(str(escape(name)))}</bdi>', html) is not None


# --- Dashboards -------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_region_dashboard_shows_hostile_names_as_text_in_tables_charts_tiles_map_data_and_briefing(admin_client_, language):
    district, region = DISTRICT_NAMES[language], REGION_NAMES[language]

    response = admin_client_.get(f"/{language}/dashboard/{REGION_KATO}/")

    assert response.status_code == 200
    html = response.content.decode()
    parsed = assert_shown_as_text(html, district, region)
    # the district table: the name cell isolates the name, so its override cannot reorder the figures beside it
    assert bdi_wrapped(html, district)
    # the chart's data for the script: the title carries the region's name, whole
    charts = json_attributes(parsed, "data-chart")
    assert charts and any(region in chart["title"] for chart in charts)
    # the boundary map's data: the feature is named exactly
    (geojson,) = json_attributes(parsed, "data-geojson")
    assert [f["properties"]["name"] for f in geojson["features"]] == [district]
    # the tile map's and the charts' SVG titles
    svg_titles = [text for text in parsed.texts if district in text or region in text]
    assert len(svg_titles) > 3
    # the briefing names the region and the leading district
    briefing = html.split('class="card briefing"')[1].split("</section>")[0]
    assert escape(district) in briefing and escape(region) in briefing


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_district_dashboard_shows_the_name_the_audit_trail_and_the_status_note_as_text(admin_client_, language):
    response = admin_client_.get(f"/{language}/dashboard/district/{HOSTILE_KATO}/")

    assert response.status_code == 200
    html = response.content.decode()
    parsed = assert_shown_as_text(html, DISTRICT_NAMES[language], REGION_NAMES[language], REASON, NOTE)
    # who changed the figures: the person's full name
    assert f"{escape(FIRST_NAME)} {escape(LAST_NAME)}" in html
    assert any(DISTRICT_NAMES[language] in chart["title"] for chart in json_attributes(parsed, "data-chart"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_national_dashboard_shows_the_region_name_as_text(admin_client_, language):
    response = admin_client_.get(f"/{language}/dashboard/")

    assert response.status_code == 200
    html = response.content.decode()
    assert_shown_as_text(html, REGION_NAMES[language])
    assert bdi_wrapped(html, REGION_NAMES[language])


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("path", "shows_district"),
    [
        ("public/", False),
        (f"public/{REGION_KATO}/", True),
        (f"widget/{REGION_KATO}/", True),
        (f"widget/{COUNTRY_KATO}/", False),
    ],
)
def test_the_public_page_and_the_widget_show_hostile_names_as_text(data, client, language, path, shows_district):
    response = client.get(f"/{language}/{path}")

    assert response.status_code == 200
    names = [REGION_NAMES[language]] + ([DISTRICT_NAMES[language]] if shows_district else [])
    assert_shown_as_text(response.content.decode(), *names)


def test_the_region_pdf_report_carries_the_names_as_literal_text(admin_client_):
    response = admin_client_.get(f"/ru/dashboard/{REGION_KATO}/report.pdf")

    assert response.status_code == 200
    text = " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())
    # Up to the override mark (after it the letters are laid out right to left, as the mark asks).
    for name in (REGION_NAMES["ru"], DISTRICT_NAMES["ru"]):
        assert " ".join(name.split(RLO)[0].split()) in text
    assert MARKUP in text


# --- Entry pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/en/entry/",
        f"/en/entry/district/{HOSTILE_KATO}/?date=2021-10-03",
        f"/en/entry/region/{REGION_KATO}/?date=2021-10-03",
        f"/en/entry/region/{REGION_KATO}/?date=2021-10-03&mode=cumulative",
        "/en/entry/not-reported/?date=2021-10-08",
    ],
)
def test_the_entry_pages_show_the_district_and_region_names_as_text(hostile_staff, path):
    response = hostile_staff.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    names = [DISTRICT_NAMES["en"]] if "/region/" not in path else [DISTRICT_NAMES["en"], REGION_NAMES["en"]]
    assert_shown_as_text(html, *names)
    assert bdi_wrapped(html, DISTRICT_NAMES["en"]) or "/district/" in path


def test_the_history_shows_who_changed_and_why_as_text(hostile_staff):
    response = hostile_staff.get(f"/en/entry/district/{HOSTILE_KATO}/history/")

    assert response.status_code == 200
    html = response.content.decode()
    assert_shown_as_text(html, DISTRICT_NAMES["en"], USERNAME, REASON, NOTE)
    assert bdi_wrapped(html, USERNAME)


def test_the_status_page_shows_the_decision_maker_and_note_as_text(hostile_staff):
    response = hostile_staff.get(f"/en/entry/district/{HOSTILE_KATO}/status/")

    assert response.status_code == 200
    assert_shown_as_text(response.content.decode(), DISTRICT_NAMES["en"], USERNAME, NOTE)


def test_a_conflict_message_names_the_other_person_as_text(data):
    # given: another member of staff opened the day before the hostile person saved it (version 0: no row seen)
    other = signed_in("stat.other")

    # when
    response = other.post(
        f"/en/entry/district/{HOSTILE_KATO}/",
        {"date": "2021-10-03", "mode": "daily", "online": "61", "offline": "40", "reason": "typo", "version": "0"},
    )

    # then: the conflict names who saved, as text
    assert response.status_code == 409
    html = response.content.decode()
    assert_shown_as_text(html, USERNAME, DISTRICT_NAMES["en"])
    assert DailyCount.objects.get(district__kato=HOSTILE_KATO, date="2021-10-03").online == 60


def test_a_conflict_in_the_grid_names_the_other_person_as_text(data):
    # given: another member of staff typed into the grid opened before the hostile person saved the day
    other = signed_in("stat.other")
    cell = f"{HOSTILE_KATO}-"
    posted = {"date": "2021-10-03", "mode": "daily", "reason": "typo"}
    posted |= {
        f"{cell}online": "61",
        f"{cell}offline": "40",
        f"{cell}version": "0",
        f"{cell}online-was": "",
        f"{cell}offline-was": "",
    }

    # when
    response = other.post(f"/en/entry/region/{REGION_KATO}/", posted)

    # then
    assert response.status_code == 409
    assert_shown_as_text(response.content.decode(), USERNAME, DISTRICT_NAMES["en"], REGION_NAMES["en"])
    assert DailyCount.objects.get(district__kato=HOSTILE_KATO, date="2021-10-03").online == 60


def test_the_saved_message_names_the_district_as_text(hostile_staff):
    day = DailyCount.objects.get(district__kato=HOSTILE_KATO, date="2021-10-04")

    response = hostile_staff.post(
        f"/en/entry/district/{HOSTILE_KATO}/",
        {"date": "2021-10-04", "mode": "daily", "online": "70", "offline": "40", "reason": REASON, "version": day.version},
        follow=True,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert_shown_as_text(html, f"Saved {DISTRICT_NAMES['en']}")


def test_the_import_preview_shows_a_hostile_file_name_and_district_name_as_text(hostile_staff):
    # (No "/" or control character in it: Django keeps what follows the last "/" of an upload's name, without those.)
    filename = "=<b onmouseover=alert(1)>x'\"&.csv"
    content = f"KATO,Date,Online,Offline\r\n{HOSTILE_KATO},2021-10-06,5,5\r\n".encode()

    response = hostile_staff.post(
        "/en/entry/import/",
        {"file": SimpleUploadedFile(filename, content, content_type="text/csv"), "mode": "daily", "reason": ""},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert_shown_as_text(html, filename, DISTRICT_NAMES["en"])
    assert "<b onmouseover" not in html


# --- Admin -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/en/admin/regions/district/", [DISTRICT_NAMES["en"]]),
        ("/en/admin/regions/region/", [REGION_NAMES["en"]]),
        ("/en/admin/census/dailycount/", [DISTRICT_NAMES["en"], USERNAME]),
        ("/en/admin/census/districtstatus/", [DISTRICT_NAMES["en"], USERNAME]),
        ("/en/admin/census/auditentry/", [DISTRICT_NAMES["en"], USERNAME, REASON]),
        ("/en/admin/auth/user/", [USERNAME, FIRST_NAME, LAST_NAME]),
    ],
)
def test_the_admin_change_lists_show_hostile_names_as_text(superuser_client, path, names):
    response = superuser_client.get(path)

    assert response.status_code == 200
    assert_shown_as_text(response.content.decode(), *names)


def test_the_admin_change_forms_hold_hostile_names_as_field_values(superuser_client):
    district = District.objects.get(kato=HOSTILE_KATO)
    person = get_user_model().objects.get(username=USERNAME)
    count = DailyCount.objects.filter(district=district).first()

    pages = {
        f"/en/admin/regions/district/{district.pk}/change/": [*DISTRICT_NAMES.values()],
        f"/en/admin/regions/region/{district.region_id}/change/": [*REGION_NAMES.values()],
        f"/en/admin/auth/user/{person.pk}/change/": [USERNAME, FIRST_NAME, LAST_NAME],
        f"/en/admin/census/dailycount/{count.pk}/change/": [DISTRICT_NAMES["en"]],
    }
    for path, names in pages.items():
        response = superuser_client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        parsed = assert_markup_inert(html)
        values = [value for _tag, _name, value in parsed.attributes] + parsed.texts
        for name in names:
            assert escape(name) in html, (path, name)
            assert any(name in value for value in values), (path, name)


# --- API and briefing -------------------------------------------------------------------------------


@pytest.fixture
def api(data):
    _token, key = issue_token(name="security", region=Region.objects.get(kato=REGION_KATO), can_write=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_api_gives_hostile_names_back_exactly_as_json_data(api, language):
    districts = api.get("/api/v1/districts/", {"region": REGION_KATO, "lang": language})
    region = api.get(f"/api/v1/regions/{REGION_KATO}/", {"lang": language})
    coverage = api.get("/api/v1/coverage/", {"level": "district", "region": REGION_KATO, "lang": language})
    highlights = api.get("/api/v1/highlights/", {"region": REGION_KATO, "lang": language})

    for response in (districts, region, coverage, highlights):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
    (bad,) = [row for row in districts.json()["results"] if row["kato"] == HOSTILE_KATO]
    assert bad["name"] == DISTRICT_NAMES[language]
    assert (bad["name_kk"], bad["name_ru"], bad["name_en"]) == (DISTRICT_NAMES["kk"], DISTRICT_NAMES["ru"], DISTRICT_NAMES["en"])
    assert region.json()["name"] == REGION_NAMES[language]
    assert DISTRICT_NAMES[language] in [row["name"] for row in coverage.json()["results"]]
    assert highlights.json()["coverage_leader"]["name"] == DISTRICT_NAMES[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_briefing_api_writes_the_names_literally(api, language):
    response = api.get("/api/v1/briefing/", {"region": REGION_KATO, "lang": language})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    text = response.json()["text"]
    assert REGION_NAMES[language] in text
    assert DISTRICT_NAMES[language] in text


def test_the_api_csv_neutralises_names_a_spreadsheet_would_run_as_formulas(api):
    response = api.get("/api/v1/coverage/", {"level": "district", "region": REGION_KATO, "lang": "en", "format": "csv"})

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [row["name"] for row in rows]
    assert "'" + DISTRICT_NAMES["en"] in names
    assert not [name for name in names if name.startswith(("=", "+", "-", "@", "\t", "\r"))]
    # figures stay figures
    assert all(row["total"].isdigit() for row in rows)


# --- Exports ---------------------------------------------------------------------------------------

# A name of each kind a spreadsheet would evaluate, or run as a command, if it opened a cell with it.
FORMULA_NAMES = ["+1+2 plus", "-1-2 minus", "@SUM(1) at", "\t=1+2 tab", "\r=1+2 return", '=HYPERLINK("x") eq']


@pytest.fixture
def formula_districts(data):
    region = Region.objects.get(kato=REGION_KATO)
    campaign = Campaign.objects.current()
    person = get_user_model().objects.get(username=USERNAME)
    for index, name in enumerate(FORMULA_NAMES):
        district = factories.DistrictFactory(region=region, kato=f"35{index + 3}000000", name_en=name)
        record_count(
            campaign=campaign, district=district, date=datetime.date(2021, 10, 2), online=1, offline=1, user=person,
            source=FORM, reason=REASON,
        )  # fmt: skip
    return [DISTRICT_NAMES["en"], *FORMULA_NAMES]


def test_the_csv_export_neutralises_every_name_that_starts_like_a_formula(hostile_staff, formula_districts):
    response = hostile_staff.get("/en/entry/export.csv")

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    names = {row[1] for row in rows[1:]}
    for name in formula_districts:
        assert "'" + name in names
    assert not [row for row in rows[1:] for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_the_xlsx_export_holds_every_name_as_a_string_never_a_formula(hostile_staff, formula_districts):
    response = hostile_staff.get("/en/entry/export.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    names = {cell.value: cell.data_type for cell in cells if cell.column == 2}
    for name in formula_districts:
        # (XML keeps a carriage return in text as a line feed.)
        assert names.get("'" + name.replace("\r", "\n")) == "s", name
