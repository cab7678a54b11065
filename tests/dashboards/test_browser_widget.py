"""The widget as another site embeds it, in Chromium at small frame sizes, and the public page's embed box."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from census.accounts import provision_user
from reports.models import RenderedDashboard
from tests.dashboards.test_widget import KAZAKH_ORDER, high_region  # noqa: F401 -- the fixture, by name

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.pages]


@pytest.fixture
def committed_region(high_region):  # noqa: F811 -- the fixture imported above
    """high_region, committed; its pages rendered afresh. (Committed, each save rendered the pages at once, and with
    the clock stopped every render carries the same time, so the first, with one district, would pass for fresh.)"""
    RenderedDashboard.objects.all().delete()
    return high_region


MEASURE = """() => {
  const view = {width: document.documentElement.clientWidth, height: window.innerHeight};
  const asOf = document.querySelector('.widget-as-of').getBoundingClientRect();
  const cut = [...document.querySelectorAll('.widget-name, .widget-title')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > view.width + 1)
    .map(e => e.textContent.trim());
  return {
    view, asOfTop: asOf.top, asOfBottom: asOf.bottom, asOfText: document.querySelector('.widget-as-of').textContent.trim(),
    sideways: document.documentElement.scrollWidth - view.width, cut,
    names: [...document.querySelectorAll('.widget-name')].map(e => e.textContent.trim()),
    bars: [...document.querySelectorAll('.widget-bar svg')].map(e => e.getBoundingClientRect().width),
  };
}"""


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.parametrize(("width", "height"), [(300, 250), (240, 200)])
def test_in_a_small_frame_the_widget_shows_its_day_and_whole_names(
    committed_region, live_server, page, screenshot, console_errors, language, width, height
):
    region, _districts = committed_region
    url = f"{live_server.url}/{language}/widget/{region.kato}/"

    # when: another site embeds the widget in a frame of the size of a small advertisement
    host = f"{live_server.url}/another-site/"  # served by the browser itself: the site that pastes the snippet
    snippet = f'<iframe title="census" width="{width}" height="{height}" style="border:0" src="{url}"></iframe>'
    page.route(host, lambda route: route.fulfill(content_type="text/html", body=f"<!DOCTYPE html><body>{snippet}</body>"))
    page.goto(host)
    frame = page.frame_locator("iframe")
    expect(frame.locator(".widget-as-of")).to_be_visible()
    inner = next(f for f in page.frames if f.url == url)

    # then: the day is within the frame without scrolling, nothing runs sideways, no name is cut
    measured = inner.evaluate(MEASURE)
    screenshot(f"{language}-{width}x{height}")
    assert measured["view"]["width"] == width
    assert measured["asOfTop"] >= 0, measured
    assert measured["asOfBottom"] <= height, measured
    assert "2021" in measured["asOfText"]
    assert measured["sideways"] <= 0, measured
    assert measured["cut"] == [], measured
    if language == "kk":
        assert measured["names"] == KAZAKH_ORDER
    assert all(bar > 20 for bar in measured["bars"]), measured  # the bars keep a readable length
    assert console_errors == []


def test_the_embed_code_on_the_public_page_is_copied_with_one_button(committed_region, live_server, page, console_errors):
    region, _districts = committed_region

    page.goto(f"{live_server.url}/ru/public/{region.kato}/")
    button = page.locator("button[data-copy]")
    expect(button).to_have_text("Скопировать код")
    button.click()

    expect(button).to_have_text("Скопировано")
    code = page.locator("#embed-code").input_value()
    assert code.startswith(f'<iframe src="{live_server.url}/ru/widget/{region.kato}/"')
    # The whole code is selected (what was copied; headless Chromium has no clipboard to read back).
    assert page.evaluate(
        "() => { const f = document.querySelector('#embed-code'); return [f.selectionStart, f.selectionEnd]; }"
    ) == [
        0,
        len(code),
    ]
    assert console_errors == []


def test_the_region_dashboard_sorts_districts_by_name_in_the_kazakh_alphabet(committed_region, live_server, page, console_errors):
    region, _districts = committed_region
    client = Client()
    client.force_login(provision_user(username="akimat.high", role="official", kato=region.kato, password=None))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.goto(f"{live_server.url}/kk/dashboard/{region.kato}/")
    table = page.locator("table.sortable").first
    names = table.locator("tbody th[scope=row]")

    # when: the reader chooses the name column's heading, then chooses it again
    table.locator("thead th").first.get_by_role("button").click()
    ascending = [name.strip() for name in names.all_inner_texts()]
    table.locator("thead th").first.get_by_role("button").click()
    descending = [name.strip() for name in names.all_inner_texts()]

    # then: А to Я in the Kazakh alphabet first (Қ after К, Ө after О, not after Ш), then the reverse
    assert ascending == KAZAKH_ORDER
    assert descending == KAZAKH_ORDER[::-1]
    assert console_errors == []
