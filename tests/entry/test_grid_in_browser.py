"""The region grid in a real browser: statistics staff sign in and enter a whole region's day from the keyboard."""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from census.accounts import provision_user
from census.demo import DEMO_PASSWORD
from census.models import DailyCount, Phase
from census.services import extend_phase
from tests import factories
from tests.browser import browser_type_launch_args, console_errors, screenshot  # noqa: F401 -- shared fixtures
from tests.conftest import AFTER_CAMPAIGN

pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime.date(2021, 10, 27)
# (KATO, Russian name, online, door-to-door) typed for 27 October 2021.
DISTRICTS = [
    ("271000000", "г.а. Уральск", "1250", "3400"),
    ("273200000", "Акжаикский район", "84", "610"),
    ("276000000", "Таскалинский район", "17", "205"),
]


@pytest.fixture
def west_kazakhstan(campaign, settings):
    """The region with three of its districts, both channels open on 27 October (online reopened to 8 November)."""
    region = factories.RegionFactory(kato="270000000", name_ru="Западно-Казахстанская область", name_kk="Батыс Қазақстан облысы")
    for kato, name_ru, _online, _offline in DISTRICTS:
        district = factories.DistrictFactory(region=region, kato=kato, name_ru=name_ru, name_kk=name_ru, name_en=name_ru)
        factories.BaselineFactory(district=district, campaign=campaign, population=20_000)
    online = campaign.phases.get(kind=Phase.Kind.ONLINE)
    extend_phase(
        phase=online, ends_on=datetime.date(2021, 11, 8), decided_on=datetime.date(2021, 10, 28), reason="Reopened",
        region=region, source="admin",
    )  # fmt: skip
    provision_user(username="stat.wko", role="staff", kato=region.kato, password=DEMO_PASSWORD)
    # "Today" is pinned to 2021 on the server, the browser lives in the present: cookies without an expiry
    # date stay valid for it instead of being dropped as long expired.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    return region


def test_staff_fill_the_region_grid_from_the_keyboard_and_see_the_totals(
    west_kazakhstan,
    live_server,
    page,
    screenshot,  # noqa: F811
    console_errors,  # noqa: F811
):
    with time_machine.travel(AFTER_CAMPAIGN, tick=True):
        # given: signed in with the keyboard only
        page.goto(f"{live_server.url}/ru/login/")
        # The sign-in page puts the cursor in the username field; typing before it lands would lose letters.
        expect(page.locator("input[name='username']")).to_be_focused()
        page.keyboard.type("stat.wko")
        page.keyboard.press("Tab")
        page.keyboard.type(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server.url}/ru/entry/")

        # when: the grid for 27 October opens with the first cell ready; Enter goes down a column, then to the next one
        page.goto(f"{live_server.url}/ru/entry/region/270000000/?date={DAY.isoformat()}")
        expect(page.locator("input[name='271000000-online']")).to_be_focused()
        for column in (2, 3):
            for row in DISTRICTS:
                page.keyboard.type(row[column])
                page.keyboard.press("Enter")

        # then: the totals follow the typing, grouped the Russian way, before anything is saved
        expect(page.locator("[data-column-total=online]")).to_have_text("1\xa0351")
        expect(page.locator("[data-column-total=offline]")).to_have_text("4\xa0215")
        expect(page.locator("[data-grand-total]")).to_have_text("5\xa0566")
        expect(page.locator("tr[data-grid-row]").first.locator("[data-row-total]")).to_have_text("4\xa0650")
        assert not DailyCount.objects.exists()
        screenshot("typed")

        # when: Enter after the last cell reaches Save, and Enter saves
        expect(page.locator("[data-grid-save]")).to_be_focused()
        page.keyboard.press("Enter")

        # then: the saved values and totals are shown back, and stored
        # In-process Celery recomputes coverage and re-renders dashboards before the answer: allow for it.
        expect(page.locator(".message-success")).to_be_visible(timeout=60_000)
        for kato, _name, online, offline in DISTRICTS:
            expect(page.locator(f"input[name='{kato}-online']")).to_have_value(online)
            expect(page.locator(f"input[name='{kato}-offline']")).to_have_value(offline)
        expect(page.locator("[data-grand-total]")).to_have_text("5\xa0566")
        stored = sorted(DailyCount.objects.filter(date=DAY).values_list("district__kato", "online", "offline"))
        assert stored == [(kato, int(online), int(offline)) for kato, _name, online, offline in DISTRICTS]

        # and Tab moves along a row, from a district's online cell to its door-to-door cell
        expect(page.locator("input[name='271000000-online']")).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.locator("input[name='271000000-offline']")).to_be_focused()
        screenshot("saved")

    assert console_errors == []
