"""The dashboard pages on the demo region: the published figures in each language, scopes, the PDF, the date picker."""

import datetime
import html
import io
import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from census.accounts import provision_user
from census.formatting import format_date, format_number, format_percent
from reports import maps
from reports.models import CoverageSnapshot, RenderedDashboard
from tests.dashboards.conftest import TASKALA, WKO, demo_user

OCT_27 = "2021-10-27"


def text_of(response) -> str:
    """The page's text with non-breaking spaces as plain ones (numbers are grouped with NBSP in ru/kk)."""
    return response.content.decode().replace("\xa0", " ")


@pytest.mark.parametrize(
    ("language", "taskala", "online", "offline_rate", "region_name"),
    [
        ("ru", "100,6 %", "308 529", "40,7 %", "Западно-Казахстанская область"),
        ("kk", "100,6 %", "308 529", "40,7 %", "Батыс Қазақстан облысы"),
        ("en", "100.6%", "308,529", "40.7%", "West Kazakhstan Region"),
    ],
)
def test_the_region_dashboard_shows_the_published_figures_of_27_october_in_the_readers_format(
    official_client, language, taskala, online, offline_rate, region_name
):
    # when
    response = official_client.get(f"/{language}/dashboard/{WKO}/", {"as_of": OCT_27})

    # then
    assert response.status_code == 200
    page = text_of(response)
    assert region_name in page
    assert online in page
    assert offline_rate in page
    taskala_row = page.split(f'data-kato="{TASKALA}"')[1].split("</tr>")[0]
    assert taskala in taskala_row


def test_the_dashboard_is_served_from_its_stored_rendering_and_says_when_it_was_made(official_client):
    # given: the first view renders and stores the page
    official_client.get(f"/ru/dashboard/{WKO}/", {"as_of": OCT_27})
    stored = RenderedDashboard.objects.get(kind="region", kato=WKO, as_of="2021-10-27", language="ru")

    # when
    response = official_client.get(f"/ru/dashboard/{WKO}/", {"as_of": OCT_27})

    # then: the same stored page, not a new one
    again = RenderedDashboard.objects.get(pk=stored.pk)
    assert again.rendered_at == stored.rendered_at
    assert stored.html in response.content.decode()
    assert "27 октября 2021" in stored.html


def test_the_stored_page_holds_no_inline_script_or_style(official_client):
    official_client.get(f"/ru/dashboard/{WKO}/", {"as_of": OCT_27})

    for stored in RenderedDashboard.objects.all():
        html = stored.html.lower()
        assert "<script" not in html
        assert "<style" not in html
        assert " style=" not in html
        assert " onclick=" not in html


def test_without_a_date_the_dashboard_shows_the_last_day_of_the_campaign(official_client):
    response = official_client.get(f"/ru/dashboard/{WKO}/")

    assert response.status_code == 200
    assert "8 ноября 2021" in text_of(response)


def test_a_date_that_is_not_a_date_shows_the_latest_figures_with_a_notice_not_an_error(official_client):
    response = official_client.get(f"/en/dashboard/{WKO}/", {"as_of": "27/10/21 or so"})

    assert response.status_code == 200
    assert "is not a date" in text_of(response)
    assert "8 November 2021" in text_of(response)


def test_a_date_after_the_campaign_shows_its_last_day_and_says_so(official_client):
    response = official_client.get(f"/en/dashboard/{WKO}/", {"as_of": "2030-01-01"})

    assert response.status_code == 200
    assert "no figures after 8 Nov 2021" in text_of(response)


def test_the_district_page_shows_the_series_baseline_and_status_history(official_client):
    response = official_client.get(f"/ru/dashboard/district/{TASKALA}/", {"as_of": OCT_27})

    page = text_of(response)
    assert response.status_code == 200
    assert "Таскалинский район" in page
    assert "16 727" in page  # counted by 27 Oct
    assert "16 629" in page  # the baseline
    assert "досрочно" in page  # completed early, from the status history


def test_officials_do_not_see_the_audit_trail_but_staff_do(demo, client):
    # given
    client.force_login(demo_user("akimat.wko"))
    official_page = text_of(client.get(f"/en/dashboard/district/{TASKALA}/", {"as_of": OCT_27}))
    client.force_login(demo_user("stat.wko"))

    # when
    staff_page = text_of(client.get(f"/en/dashboard/district/{TASKALA}/", {"as_of": OCT_27}))

    # then
    assert 'id="audit-title"' not in official_page
    assert 'id="audit-title"' in staff_page
    assert "management command" in staff_page  # how the demo's counts were entered


def test_the_pdf_report_is_an_a4_pdf_with_the_region_name_in_the_readers_language(official_client):
    # when
    response = official_client.get(f"/ru/dashboard/{WKO}/report.pdf", {"as_of": OCT_27})

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    first = reader.pages[0]
    assert round(float(first.mediabox.width)) == 595 and round(float(first.mediabox.height)) == 842  # A4 in points
    text = " ".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")
    assert "Западно-Казахстанская область" in text
    assert "308 529" in text
    assert "Таскалинский район" in text


def test_the_kazakh_pdf_keeps_the_kazakh_letters(official_client):
    response = official_client.get(f"/kk/dashboard/{WKO}/report.pdf", {"as_of": OCT_27})

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Батыс Қазақстан облысы" in text
    assert "Тасқала ауданы" in text


@pytest.mark.parametrize(("language", "region_name"), [("kk", "Батыс Қазақстан облысы"), ("ru", "Западно-Казахстанская область"),
                                                       ("en", "West Kazakhstan Region")])  # fmt: skip
def test_the_pdf_report_is_tagged_for_screen_readers_with_its_title_and_language(official_client, language, region_name):
    # when
    response = official_client.get(f"/{language}/dashboard/{WKO}/report.pdf", {"as_of": OCT_27})

    # then it is a tagged PDF (a structure tree of headings, tables and lists), in the reader's language,
    # and a reader shows its title, not its file name
    reader = PdfReader(io.BytesIO(response.content))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == language
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title.startswith(region_name)
    kinds = {kid.get_object().get("/S") for kid in _structure(catalog["/StructTreeRoot"])}
    assert {"/H1", "/H2", "/Table", "/TR", "/TH", "/TD", "/P"} <= kinds


def _structure(element, depth=0):
    """Every element of a PDF structure tree, depth first."""
    kids = element.get_object().get("/K", [])
    kids = kids if isinstance(kids, list) else [kids]
    for kid in kids:
        obj = kid.get_object()
        if hasattr(obj, "get") and "/S" in obj:
            yield kid
            yield from _structure(obj, depth + 1)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_chart_and_the_map_state_their_finding_in_words_tied_to_them(official_client, language):
    # given the region's figures on its first counted day and on 27 October, and its districts' figures that day
    as_of = datetime.date(2021, 10, 27)
    rows = CoverageSnapshot.objects.filter(kato=WKO, date__lte=as_of, coverage_pct__isnull=False).order_by("date")
    first, last = rows.first(), rows.last()
    districts = CoverageSnapshot.objects.filter(region__kato=WKO, level="district", date=as_of).order_by("coverage_pct")
    lowest, highest = districts.first(), districts.last()

    # when
    response = official_client.get(f"/{language}/dashboard/{WKO}/", {"as_of": OCT_27})

    # then the chart's summary says where coverage started and where it stands, and when online closed
    page = response.content.decode()
    with translation.override(language):
        chart = html_text(page, "chart-coverage-summary")
        for day, percent in ((first.date, first.coverage_pct), (last.date, last.coverage_pct)):
            assert format_date(day) in chart and plain(format_percent(percent)) in chart
        assert gettext("Online counting closed on %(day)s.") % {"day": format_date(datetime.date(2021, 10, 15))} in chart
        # and the map's names the districts with the lowest and the highest coverage
        summary = html_text(page, "map-summary")
        for snapshot in (lowest, highest):
            assert maps.short_name(snapshot.district.name) in summary
            assert plain(format_percent(snapshot.coverage_pct)) in summary
    # both are tied to their picture, whose data table is on the page
    assert 'aria-describedby="chart-coverage-summary"' in page and 'aria-describedby="map-summary"' in page
    assert '<details class="chart-table">' in page and 'id="districts"' in page


def test_the_daily_chart_names_its_busiest_day_in_words(official_client):
    # given Taskala's figures up to 27 October
    rows = CoverageSnapshot.objects.filter(kato=TASKALA, date__lte=datetime.date(2021, 10, 27))
    busiest = max(rows, key=lambda r: (r.online_day + r.offline_day, -r.date.toordinal()))

    # when
    page = official_client.get(f"/en/dashboard/district/{TASKALA}/", {"as_of": OCT_27}).content.decode()

    # then the daily bars are described by the day most were counted, and how many
    summary = html_text(page, "chart-daily-summary")
    with translation.override("en"):
        assert format_date(busiest.date) in summary
        assert format_number(busiest.online_day + busiest.offline_day) in summary
    assert 'aria-describedby="chart-daily-summary"' in page


def plain(text: str) -> str:
    return text.replace("\xa0", " ")


def html_text(page: str, element_id: str) -> str:
    """The text of the element with that id (a paragraph without markup inside), with plain spaces."""
    match = re.search(rf'id="{element_id}">([^<]*)<', page)
    assert match, element_id
    return html.unescape(match.group(1)).replace("\xa0", " ")


def test_the_national_page_lists_every_region_for_a_national_official(demo, client):
    client.force_login(demo_user("official.kz"))

    response = client.get("/ru/dashboard/", {"as_of": OCT_27})

    assert response.status_code == 200
    page = text_of(response)
    assert "Западно-Казахстанская область" in page
    assert "87,2 %" in page


@pytest.mark.parametrize(
    ("username", "path", "expected"),
    [
        ("official.kz", "/ru/", "dashboard-national"),
        ("akimat.wko", "/ru/", "dashboard-region"),
        ("stat.taskala", "/ru/", "dashboard-district"),
        ("admin", "/ru/", "dashboard-national"),
    ],
)
def test_home_is_the_dashboard_of_the_visitors_own_area(demo, client, username, path, expected):
    client.force_login(demo_user(username))

    response = client.get(path)

    assert response.status_code == 200
    assert f'class="dashboard {expected}"' in response.content.decode()


def test_home_is_the_public_page_for_anonymous_visitors(demo, client):
    response = client.get("/ru/")

    assert response.status_code == 200
    assert 'class="dashboard dashboard-public"' in response.content.decode()


# --- Scope: outside it, a page does not exist ----------------------------------------------------


@pytest.mark.parametrize(
    "path", [f"/ru/dashboard/{WKO}/", f"/ru/dashboard/district/{TASKALA}/", f"/ru/dashboard/{WKO}/report.pdf", "/ru/dashboard/"]
)
def test_an_official_of_another_region_gets_404_for_this_regions_pages(demo, client, other_region_official, path):
    client.force_login(other_region_official)

    assert client.get(path).status_code == 404


def test_an_official_of_another_region_sees_their_own_region(demo, client, other_region_official):
    client.force_login(other_region_official)

    response = client.get("/ru/")

    assert response.status_code == 200
    assert "Жамбылская область" in text_of(response)


def test_district_staff_see_their_district_but_not_the_region(demo, client):
    client.force_login(demo_user("stat.taskala"))

    assert client.get(f"/ru/dashboard/district/{TASKALA}/").status_code == 200
    assert client.get(f"/ru/dashboard/{WKO}/").status_code == 404
    assert client.get("/ru/dashboard/district/271000000/").status_code == 404


def test_a_region_official_does_not_get_the_national_page(official_client):
    assert official_client.get("/ru/dashboard/").status_code == 404


def test_an_account_without_a_role_gets_404(demo, client, user):
    client.force_login(user)

    assert client.get(f"/ru/dashboard/{WKO}/").status_code == 404


@pytest.mark.parametrize("path", [f"/ru/dashboard/{WKO}/", f"/ru/dashboard/{WKO}/report.pdf", "/ru/dashboard/"])
def test_anonymous_visitors_are_sent_to_sign_in(demo, client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_an_unknown_kato_is_a_404_not_an_error(official_client):
    assert official_client.get("/ru/dashboard/279999999/").status_code == 404
    assert official_client.get("/ru/dashboard/27000/").status_code == 404


def test_a_national_official_provisioned_later_sees_the_country(demo, client):
    official = provision_user(username="official.new", role="official", kato="000000000", password=None)
    client.force_login(official)

    assert client.get("/en/dashboard/").status_code == 200


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("kk", "Демо: Тасқала ауданының базалық халық саны"),
        ("ru", "Демо: базовая численность Таскалинского района"),
        ("en", "Demo: Taskala&#x27;s baseline is from the regional briefing"),
    ],
)
def test_the_demo_baseline_note_is_in_the_readers_language(official_client, language, note):
    response = official_client.get(f"/{language}/dashboard/district/{TASKALA}/", {"as_of": OCT_27})

    assert note in text_of(response)
    assert "is NOT an official figure" not in text_of(response)
