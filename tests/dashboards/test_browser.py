"""The dashboards as officials and the public see them in Chromium, on the demo region; screenshots in test-artifacts/."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.shortcuts import resolve_url
from django.test import Client
from playwright.sync_api import expect
from pypdf import PdfReader

from census.demo import DEMO_PASSWORD
from regions.models import District
from tests.dashboards.conftest import TASKALA, WKO, demo_user

pytestmark = pytest.mark.django_db(transaction=True)

BOKEYORDA = "275400000"


@pytest.fixture
def demo_committed():
    """The demo, committed, so its coverage job and the dashboard rendering after it run as in production."""
    call_command("load_demo", stdout=io.StringIO())


def sign_in(page, live_server, username: str) -> None:
    """Sign in through the project's login page; if that page cannot sign this account in, use a session made here."""
    page.goto(live_server.url + resolve_url(settings.LOGIN_URL))
    if page.locator("input[name=username]").count():
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_load_state()
    if not any(cookie["name"] == settings.SESSION_COOKIE_NAME for cookie in page.context.cookies()):
        client = Client()
        client.force_login(demo_user(username))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])


def main_text(page) -> str:
    return page.inner_text("main").replace("\xa0", " ")


def pdf_text(content: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).replace("\xa0", " ")


def test_an_official_reads_the_region_on_27_october_sorts_opens_a_district_and_prints_the_report(
    demo_committed, live_server, page, screenshot, console_errors
):
    # given
    sign_in(page, live_server, "akimat.wko")

    # when: the dashboard opens on its latest day, and the official picks 27 October
    page.goto(f"{live_server.url}/ru/dashboard/{WKO}/")
    expect(page.locator("h1")).to_have_text("Западно-Казахстанская область")
    page.fill("input[name=as_of]", "2021-10-27")
    page.click(".as-of-form button[type=submit]")
    page.wait_for_url("**as_of=2021-10-27")

    # then: the briefing's figures, in Russian number format
    text = main_text(page)
    assert "27 октября 2021" in text
    assert "308 529" in text
    assert "40,7 %" in text
    expect(page.locator(f"#districts tr[data-kato='{TASKALA}']")).to_contain_text("100,6 %")
    expect(page.locator("figure[data-chart] canvas")).to_have_count(1)
    screenshot("ru")

    # when: the table is sorted by online rate
    page.click("#districts th[data-sort=online] button")

    # then: Bokeyorda (72.4% online) comes first
    expect(page.locator("#districts tbody tr").first).to_have_attribute("data-kato", BOKEYORDA)
    expect(page.locator("#districts th[data-sort=online]")).to_have_attribute("aria-sort", "descending")

    # when: the PDF report is downloaded
    with page.expect_download() as download:
        page.click("a[download]")

    # then: an A4 PDF of that day, with the region's name as text
    with open(download.value.path(), "rb") as file:
        content = file.read()
    assert content.startswith(b"%PDF")
    assert download.value.suggested_filename == f"census-{WKO}-2021-10-27-ru.pdf"
    text = pdf_text(content)
    assert "Западно-Казахстанская область" in text
    assert "308 529" in text

    # when: a district is opened from the table
    page.click(f"#districts tr[data-kato='{TASKALA}'] a")
    page.wait_for_url(f"**/dashboard/district/{TASKALA}/**")

    # then
    expect(page.locator("h1")).to_have_text("Таскалинский район")
    text = main_text(page)
    assert "16 727" in text
    assert "27 октября 2021" in text
    expect(page.locator("figure[data-chart] canvas")).to_have_count(2)
    screenshot("ru-district")
    assert console_errors == []


def test_the_dashboard_reads_in_kazakh_and_english_and_fits_a_phone(
    demo_committed, live_server, page, screenshot, console_errors
):
    # given
    sign_in(page, live_server, "akimat.wko")

    # when
    page.goto(f"{live_server.url}/kk/dashboard/{WKO}/?as_of=2021-10-27")

    # then
    expect(page.locator("h1")).to_have_text("Батыс Қазақстан облысы")
    text = main_text(page)
    assert "308 529" in text and "40,7 %" in text
    expect(page.locator(f"#districts tr[data-kato='{TASKALA}']")).to_contain_text("Тасқала ауданы")
    expect(page.locator(f"#districts tr[data-kato='{TASKALA}']")).to_contain_text("100,6 %")
    screenshot("kk")

    # when: the reader switches to English on the same day
    page.click("a[hreflang=en]")
    page.wait_for_url("**/en/dashboard/**as_of=2021-10-27")

    # then
    text = main_text(page)
    assert "West Kazakhstan Region" in text
    assert "308,529" in text and "40.7%" in text
    expect(page.locator(f"#districts tr[data-kato='{TASKALA}']")).to_contain_text("100.6%")
    screenshot("en")

    # when: the same dashboard on a phone
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/ru/dashboard/{WKO}/?as_of=2021-10-27")

    # then: nothing wider than the screen (wide tables scroll inside their own box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    expect(page.locator(".tile-main .figure")).to_have_text("87,2 %")
    screenshot("360px")
    page.goto(f"{live_server.url}/kk/dashboard/district/{TASKALA}/?as_of=2021-10-27")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot("360px-district-kk")
    assert console_errors == []


def boundaries_geojson() -> dict:
    """A square per demo district, laid out like the tile map (a stand-in for an imported boundary file)."""
    features = []
    for district in District.objects.filter(region__kato=WKO):
        lon, lat = 47 + district.map_col * 0.8, 51.5 - district.map_row * 0.8
        ring = [[lon, lat], [lon + 0.75, lat], [lon + 0.75, lat + 0.75], [lon, lat + 0.75], [lon, lat]]
        features.append(
            {"type": "Feature", "properties": {"kato": district.kato}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        )
    return {"type": "FeatureCollection", "features": features}


def test_the_public_page_and_the_widget_need_no_login_and_imported_boundaries_draw_with_leaflet(
    demo_committed, live_server, page, screenshot, console_errors, tmp_path
):
    # when: someone without an account opens the public page
    page.goto(f"{live_server.url}/kk/public/{WKO}/?as_of=2021-10-27")

    # then
    text = main_text(page)
    assert "Батыс Қазақстан облысы" in text
    assert "Тасқала ауданы" in text and "100,6 %" in text
    screenshot("public-kk")

    # when: another site embeds the widget in an iframe
    page.set_content(f'<iframe title="census" width="360" height="480" src="{live_server.url}/ru/widget/{WKO}/"></iframe>')
    frame = page.frame_locator("iframe")

    # then
    expect(frame.locator(".widget-title")).to_have_text("Западно-Казахстанская область")
    expect(frame.locator(".widget-figure")).to_contain_text("%")
    screenshot("widget")

    # when: an administrator has imported boundaries, and the official opens the dashboard
    path = tmp_path / "wko.geojson"
    path.write_text(json.dumps(boundaries_geojson()), encoding="utf-8")
    call_command("import_boundaries", str(path), stdout=io.StringIO())
    sign_in(page, live_server, "akimat.wko")
    page.goto(f"{live_server.url}/en/dashboard/{WKO}/?as_of=2021-10-27")

    # then: Leaflet draws the districts, with no tile server, and the SVG fallback steps aside
    expect(page.locator(".leaflet-container")).to_be_visible()
    expect(page.locator(".leaflet-container path.leaflet-interactive")).to_have_count(13)
    expect(page.locator(".map-fallback")).to_be_hidden()
    assert page.locator(".leaflet-tile").count() == 0
    # each district carries its percentage in words on the map, not only its colour
    expect(page.locator(".leaflet-container .map-label")).to_have_count(13)
    assert all("%" in text for text in page.locator(".leaflet-container .map-label").all_inner_texts())
    screenshot("boundaries")
    assert console_errors == []
