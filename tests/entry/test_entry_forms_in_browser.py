"""The district form and the region grid in a real browser: the day the form saves, errors a screen reader hears,
fields named for it, and the plausibility confirmation typed from the keyboard."""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from census.accounts import provision_user
from census.demo import DEMO_PASSWORD
from census.models import DailyCount
from census.services import record_count
from tests import factories
from tests.browser import browser_type_launch_args, console_errors, screenshot  # noqa: F401 -- shared fixtures
from tests.conftest import AFTER_CAMPAIGN

pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime.date(2021, 10, 5)
NEXT_DAY = datetime.date(2021, 10, 6)
DISTRICTS = [
    ("311000000", "Бурлинский район", "Burli District"),
    ("312000000", "Таскалинский район", "Taskala District"),
]
# Every form control a person fills in must have a name a screen reader reads: a <label for>, aria-label or aria-labelledby.
UNNAMED_CONTROLS = """() => [...document.querySelectorAll('main input, main select, main textarea')]
  .filter(el => el.type !== 'hidden')
  .filter(el => {
    const byLabel = [...(el.labels || [])].some(label => label.textContent.trim());
    const byAria = (el.getAttribute('aria-label') || '').trim();
    const byRef = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
      .some(id => (document.getElementById(id)?.textContent || '').trim());
    return !(byLabel || byAria || byRef);
  })
  .map(el => el.outerHTML)"""
# Every id a control's aria-describedby or aria-labelledby names must be on the page.
MISSING_REFERENCES = """() => [...document.querySelectorAll('[aria-describedby], [aria-labelledby]')]
  .flatMap(el => ['aria-describedby', 'aria-labelledby'].flatMap(name => (el.getAttribute(name) || '').split(/\\s+/)))
  .filter(id => id && !document.getElementById(id))"""
# The text of the elements a focused control is described by (its error messages).
DESCRIPTION = """() => (document.activeElement.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
  .map(id => document.getElementById(id)?.textContent.trim() || '').join(' | ')"""


@pytest.fixture
def region(campaign, settings):
    region = factories.RegionFactory(kato="310000000", name_ru="Тестовая область", name_en="Test Region")
    for kato, name_ru, name_en in DISTRICTS:
        district = factories.DistrictFactory(region=region, kato=kato, name_ru=name_ru, name_kk=name_ru, name_en=name_en)
        factories.BaselineFactory(district=district, campaign=campaign, population=20_000)
    provision_user(username="stat.test", role="staff", kato=region.kato, password=DEMO_PASSWORD)
    # "Today" is pinned to 2021 on the server, the browser lives in the present (see test_grid_in_browser).
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    return region


def sign_in(page, live_server, language="en"):
    page.goto(f"{live_server.url}/{language}/login/")
    expect(page.locator("input[name='username']")).to_be_focused()
    page.keyboard.type("stat.test")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/{language}/entry/")


def test_changing_the_day_reloads_it_and_a_conflict_names_who_saved(
    region,
    campaign,
    live_server,
    page,
    screenshot,  # noqa: F811
    console_errors,  # noqa: F811
):
    burli = region.districts.get(kato="311000000")
    colleague = provision_user(username="aigul.stat", role="staff", kato=region.kato, password=DEMO_PASSWORD)
    with time_machine.travel(AFTER_CAMPAIGN, tick=True):
        record_count(campaign=campaign, district=burli, date=DAY, online=120, offline=45, source="form", user=colleague)
        record_count(campaign=campaign, district=burli, date=NEXT_DAY, online=7, offline=8, source="form", user=colleague)
        sign_in(page, live_server)

        # given: the form of 5 October, holding that day's figures
        page.goto(f"{live_server.url}/en/entry/district/311000000/?date={DAY.isoformat()}")
        expect(page.get_by_label("Online", exact=True)).to_have_value("120")

        # when: another day is chosen in the day picker
        page.locator("#pick_date").fill(NEXT_DAY.isoformat())
        page.get_by_role("button", name="Show").click()

        # then: that day is loaded (its own figures, not the ones of the day before) and saving it is no conflict
        page.wait_for_url(f"**date={NEXT_DAY.isoformat()}**")
        expect(page.get_by_label("Online", exact=True)).to_have_value("7")
        expect(page.get_by_label("Door-to-door", exact=True)).to_have_value("8")
        page.get_by_label("Online", exact=True).fill("9")
        page.get_by_label("Reason for a correction").fill("late forms")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".message-success")).to_be_visible(timeout=60_000)
        stored = sorted(DailyCount.objects.filter(district=burli).values_list("date", "online", "offline"))
        assert stored == [(DAY, 120, 45), (NEXT_DAY, 9, 8)]

        # and when a colleague saves the day while it is open, the conflict names the colleague
        page.get_by_label("Online", exact=True).fill("11")
        record_count(
            campaign=campaign, district=burli, date=NEXT_DAY, online=10, offline=8, source="form", user=colleague, reason="x"
        )
        page.get_by_role("button", name="Save", exact=True).click()
        alert = page.locator("#form-errors")
        expect(alert).to_contain_text("aigul.stat saved this day")
        expect(alert).to_be_focused()
        screenshot("conflict")
        assert DailyCount.objects.get(district=burli, date=NEXT_DAY).online == 10

    assert [error for error in console_errors if "409" not in error] == []


def test_errors_are_announced_and_take_the_focus_and_every_field_is_named(
    region,
    live_server,
    page,
    screenshot,  # noqa: F811
    console_errors,  # noqa: F811
):
    with time_machine.travel(AFTER_CAMPAIGN, tick=True):
        sign_in(page, live_server, "ru")

        # Every staff form's controls have a name, in the grid each cell its district and channel.
        for path in (
            f"/ru/entry/district/311000000/?date={DAY.isoformat()}",
            f"/ru/entry/region/310000000/?date={DAY.isoformat()}",
            "/ru/entry/import/",
            "/ru/entry/district/311000000/status/",
            "/ru/entry/not-reported/",
        ):
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate(UNNAMED_CONTROLS) == [], path
            assert page.evaluate(MISSING_REFERENCES) == [], path
        page.goto(f"{live_server.url}/ru/entry/region/310000000/?date={DAY.isoformat()}")
        for _kato, name_ru, _en in DISTRICTS:
            expect(page.get_by_role("textbox", name=f"{name_ru}: Онлайн", exact=True)).to_be_visible()
            expect(page.get_by_role("textbox", name=f"{name_ru}: Сплошной обход", exact=True)).to_be_visible()

        # when: a figure the form cannot read is saved
        page.goto(f"{live_server.url}/ru/entry/district/311000000/?date={DAY.isoformat()}")
        page.get_by_label("Онлайн", exact=True).fill("12x")
        page.get_by_label("Сплошной обход", exact=True).fill("5")
        page.keyboard.press("Enter")

        # then: the cursor is in that field, marked invalid, and its message is what describes it
        online = page.get_by_label("Онлайн", exact=True)
        expect(online).to_be_focused()
        expect(online).to_have_attribute("aria-invalid", "true")
        assert "целое число" in page.evaluate(DESCRIPTION)
        assert page.evaluate(MISSING_REFERENCES) == []
        screenshot("error-focused")

        # when: an implausible figure is saved, then confirmed from the keyboard with a reason
        online.fill("15000")
        page.keyboard.press("Enter")
        confirm = page.get_by_label("Значения верны", exact=False)
        expect(confirm).to_be_visible()
        assert "75,0" in page.locator("body").inner_text()
        assert not DailyCount.objects.exists()
        confirm.focus()
        page.keyboard.press("Space")
        page.get_by_label("Причина исправления").fill("два дня переписных листов")
        page.get_by_role("button", name="Сохранить", exact=True).press("Enter")

        # then: it is saved, and what it was confirmed past stays on the page as a warning
        expect(page.locator(".message-success")).to_be_visible(timeout=60_000)
        expect(page.locator(".message-warning")).to_contain_text("15\xa0000")
        assert DailyCount.objects.get().online == 15_000

    assert [error for error in console_errors if "400" not in error] == []


def test_the_grid_refuses_an_implausible_cell_and_its_row_is_confirmed_from_the_keyboard(
    region,
    live_server,
    page,
    screenshot,  # noqa: F811
    console_errors,  # noqa: F811
):
    with time_machine.travel(AFTER_CAMPAIGN, tick=True):
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/en/entry/region/310000000/?date={DAY.isoformat()}")
        page.get_by_role("textbox", name="Burli District: Online", exact=True).fill("120")
        page.get_by_role("textbox", name="Taskala District: Online", exact=True).fill("30000")
        for name in DISTRICTS:
            page.get_by_role("textbox", name=f"{name[2]}: Door-to-door", exact=True).fill("0")
        page.get_by_role("button", name="Save all").click()

        # then: nothing is saved, the cursor is in the refused cell, which its message describes
        cell = page.get_by_role("textbox", name="Taskala District: Online", exact=True)
        expect(cell).to_be_focused()
        expect(cell).to_have_value("30000")
        assert "30,000 in one day would be 150.0%" in page.evaluate(DESCRIPTION)
        assert not DailyCount.objects.exists()
        screenshot("grid-refused")

        # when: its row is confirmed with a reason
        page.get_by_label("Taskala District: the figures are right").check()
        page.get_by_label("Reason for corrections").fill("a town joined the district")
        page.get_by_role("button", name="Save all").click()

        # then
        expect(page.locator(".message-success")).to_be_visible(timeout=60_000)
        stored = sorted(DailyCount.objects.values_list("district__kato", "online"))
        assert stored == [("311000000", 120), ("312000000", 30_000)]

    assert [error for error in console_errors if "400" not in error] == []
