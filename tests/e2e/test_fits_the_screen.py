"""Every staff page fits a 360 px phone and every dashboard fits 1280 and 360 px, in kk, ru and en, in Chromium.

"Fits" means the page itself never scrolls sideways: document.documentElement.scrollWidth is at most the
viewport's width. A table may still scroll inside its own box (`.table-scroll`, a focusable region), which does
not widen the page. On a failure the message names the page, the width found and the elements that stick out.
"""

import io

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from census.demo import DEMO_PASSWORD
from regions.models import District

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.pages]

WKO = "270000000"
TASKALA = "276000000"
URALSK = "271000000"
DAY = "2021-10-27"
LAST_DAY = "2021-11-08"
LANGUAGES = ["kk", "ru", "en"]

# Every page of the entry permission matrix (tests/entry/test_permissions.py) a member of the region's staff opens.
STAFF_PAGES = [
    "entry/",
    f"entry/not-reported/?date={DAY}",
    f"entry/region/{WKO}/?date={DAY}&mode=daily",
    f"entry/region/{WKO}/?date={DAY}&mode=cumulative",
    f"entry/district/{TASKALA}/?date={DAY}&mode=daily",
    f"entry/district/{TASKALA}/?date={DAY}&mode=cumulative",
    f"entry/district/{TASKALA}/history/",
    f"entry/district/{TASKALA}/status/",
    f"entry/district/{TASKALA}/staffing/?date={DAY}",
    # Uralsk has the demo's self-service points, and door-to-door visits on every door-to-door day.
    f"entry/district/{URALSK}/points/?date={DAY}",
    f"entry/district/{URALSK}/visits/?date={DAY}",
    "entry/import/",
]
DASHBOARDS = [
    f"dashboard/?as_of={DAY}",
    f"dashboard/{WKO}/?as_of={DAY}",
    f"dashboard/district/{TASKALA}/?as_of={DAY}",
    f"public/?as_of={DAY}",
    f"public/{WKO}/?as_of={DAY}",
]

# The page's width, and the outermost elements whose right edge passes the viewport (the ones to fix).
MEASURE = """() => {
  const width = window.innerWidth;
  const out = [];
  // What overflows a box that scrolls or clips (a .table-scroll) does not widen the page: the box itself may.
  const insideScrollBox = (element) => {
    for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
      if (getComputedStyle(parent).overflowX !== "visible") return true;
    }
    return false;
  };
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) continue;
    if (out.some((outer) => outer.contains(element)) || insideScrollBox(element)) continue;
    out.push(element);
  }
  const name = (element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
    + (element.className && typeof element.className === "string" ? "." + element.className.trim().split(/\\s+/).join(".") : "")
    + " (" + Math.round(element.getBoundingClientRect().right) + " px)";
  return {scrollWidth: document.documentElement.scrollWidth, width, outside: out.slice(0, 6).map(name)};
}"""

# The area tables' headings that lie outside the box the table scrolls in (cut off until scrolled to).
CLIPPED_COLUMNS = """() => [...document.querySelectorAll("table.areas")].flatMap((table) => {
  const box = table.parentElement.getBoundingClientRect();
  return [...table.querySelectorAll("thead th")]
    .filter((th) => th.getBoundingClientRect().left < box.left - 0.5 || th.getBoundingClientRect().right > box.right + 0.5)
    .map((th) => `${table.id || "table"}: column "${th.innerText.trim()}" cut off`);
})"""

# An import with a problem line and a change, so the preview shows both of its tables.
IMPORT_FILE = (
    "district;date;online;offline;reason\n"
    f"{TASKALA};26.10.2021;123;456;a correction after the district's phone call of the morning\n"
    "Неизвестный район;27.10.2021;1;2;\n"
).encode()


def sign_in(page, base_url: str, username: str, lang: str) -> None:
    page.goto(f"{base_url}/{lang}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def too_wide(page, label: str) -> list[str]:
    """The page as the reader sees it now, if it is wider than the window: one line naming what sticks out."""
    found = page.evaluate(MEASURE)
    if found["scrollWidth"] <= found["width"]:
        return []
    return [f"{label}: {found['scrollWidth']} px wide in {found['width']} px; outside: {', '.join(found['outside'])}"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_staff_page_fits_a_360_px_phone(live_server, page, lang, screenshot):
    # given the demo region, its statistics staff signed in on a phone
    call_command("load_demo", stdout=io.StringIO())
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/{lang}/login/")
    problems = too_wide(page, "login")
    sign_in(page, live_server.url, "stat.wko", lang)

    # when each staff page is opened
    for path in STAFF_PAGES:
        response = page.goto(f"{live_server.url}/{lang}/{path}")
        assert response.status == 200, path
        problems += too_wide(page, path)

    # and a form comes back with its errors
    page.goto(f"{live_server.url}/{lang}/entry/district/{TASKALA}/?date={DAY}&mode=daily")
    page.fill("input[name=online]", "not a number")
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")
    expect(page.locator("input[name=online]")).to_have_attribute("aria-invalid", "true")
    problems += too_wide(page, "district form with an error")
    page.goto(f"{live_server.url}/{lang}/entry/region/{WKO}/?date={DAY}&mode=daily")
    page.locator(f"input[name='{TASKALA}-online']").fill("-5")
    with page.expect_navigation():
        page.click("button[data-grid-save]")
    expect(page.locator(f"input[name='{TASKALA}-online']")).to_have_attribute("aria-invalid", "true")
    problems += too_wide(page, "region grid with an error")

    # and a file is checked before import
    page.goto(f"{live_server.url}/{lang}/entry/import/")
    page.set_input_files("input[name=file]", {"name": "counts.csv", "mimeType": "text/csv", "buffer": IMPORT_FILE})
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    expect(page.locator("[data-summary=errors]")).to_have_text("1")
    problems += too_wide(page, "import preview")

    # then no page scrolls sideways
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_region_grid_is_one_card_per_district_on_a_phone_with_both_channels_in_view(live_server, page, lang, screenshot):
    # given the demo region's staff on a phone
    call_command("load_demo", stdout=io.StringIO())
    page.set_viewport_size({"width": 360, "height": 780})
    sign_in(page, live_server.url, "stat.wko", lang)

    # when the grid opens
    page.goto(f"{live_server.url}/{lang}/entry/region/{WKO}/?date={DAY}&mode=daily")
    screenshot(lang)

    # then each district's row is a card as wide as the screen, its online and door-to-door fields both on screen
    rows = page.locator("table.entry-grid tbody tr[data-grid-row]")
    assert rows.count() == 13
    for index in range(rows.count()):
        row = rows.nth(index)
        box = row.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
        for channel in ("online", "offline"):
            field = row.locator(f"input[data-channel={channel}]")
            field_box = field.bounding_box()
            assert field_box is not None and field_box["x"] >= 0 and field_box["x"] + field_box["width"] <= 360, (index, channel)
    # and each card names its district and, above each field, the field's channel in the reader's language
    card = page.locator(f"tr[data-grid-row]:has(input[name='{TASKALA}-offline'])")
    with translation.override(lang):
        district = District.objects.get(kato=TASKALA).name
        labels = [gettext("Online"), gettext("Door-to-door")]
    expect(card.locator("th")).to_contain_text(district)
    shown = card.locator("td[data-label]").evaluate_all(
        "(cells) => cells.slice(0, 2).map((cell) => getComputedStyle(cell, '::before').content)"
    )
    assert shown == [f'"{label}"' for label in labels]
    # and the page itself never scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_dashboard_fits_1280_and_360_px_and_shows_every_column_of_its_area_table_at_1280(
    live_server, page, lang, screenshot
):
    # given the demo region, an administrator signed in
    call_command("load_demo", stdout=io.StringIO())
    sign_in(page, live_server.url, "admin", lang)
    problems = []
    tables = 0

    for width in (1280, 360):
        # when each dashboard is opened at this width, on the briefing's day and on the campaign's last
        page.set_viewport_size({"width": width, "height": 900})
        for path in [*DASHBOARDS, *(path.replace(DAY, LAST_DAY) for path in DASHBOARDS)]:
            page.goto(f"{live_server.url}/{lang}/{path}")
            page.wait_for_load_state("load")
            problems += too_wide(page, f"{path} at {width} px")
            if width == 1280:
                tables += page.locator("table.areas").count()
                problems += [f"{path} at 1280 px: {found}" for found in page.evaluate(CLIPPED_COLUMNS)]
        screenshot(f"region-{width}")

    # then no dashboard scrolls sideways, and at 1280 px every column of every area table (status, forecast and
    # flags, the last ones, too) lies inside the table's box, with nothing to scroll to
    assert tables >= len(DASHBOARDS)
    assert not problems, "\n".join(problems)
