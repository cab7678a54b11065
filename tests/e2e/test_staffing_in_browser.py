"""The district staffing page on a 360 px phone in kk, ru and en: it fits, every field is named, a day and a plan
are saved, and a bad figure comes back marked with its message."""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from census.accounts import provision_user
from census.demo import DEMO_PASSWORD
from census.models import DailyStaffing, StaffingPlan
from tests import factories
from tests.conftest import AFTER_CAMPAIGN
from tests.e2e.test_fits_the_screen import too_wide
from tests.entry.test_entry_forms_in_browser import UNNAMED_CONTROLS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.pages]

DAY = datetime.date(2021, 10, 5)
KATO = "311000000"
WORDS = {
    # lang: (the interviewers' field, the save button, the plan button, the success message's start)
    "kk": ("Жұмыстағы санақ жүргізушілер", "Сақтау", "Жоспарға қосу"),
    "ru": ("Интервьюеров на работе", "Сохранить", "Добавить в план"),
    "en": ("Interviewers on duty", "Save", "Add to the plan"),
}


@pytest.fixture
def district(campaign, settings):
    region = factories.RegionFactory(kato="310000000", name_ru="Тестовая область", name_en="Test Region")
    district = factories.DistrictFactory(region=region, kato=KATO, name_kk="Бөрлі ауданы", name_ru="Бурлинский район",
                                         name_en="Burli District")  # fmt: skip
    factories.BaselineFactory(district=district, campaign=campaign, population=20_000)
    provision_user(username="stat.test", role="staff", kato=region.kato, password=DEMO_PASSWORD)
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    return district


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_staffing_page_works_on_a_phone_in_each_language(district, live_server, page, lang, screenshot):
    interviewers, save, add_plan = WORDS[lang]
    page.set_viewport_size({"width": 360, "height": 780})
    with time_machine.travel(AFTER_CAMPAIGN, tick=True):
        page.goto(f"{live_server.url}/{lang}/login/")
        page.fill("input[name=username]", "stat.test")
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")

        # given the staffing page of 5 October
        url = f"{live_server.url}/{lang}/entry/district/{KATO}/staffing/?date={DAY.isoformat()}"
        assert page.goto(url).status == 200
        problems = too_wide(page, "staffing page")
        assert page.evaluate(UNNAMED_CONTROLS) == []

        # when a bad figure is saved, it comes back marked, with its message, and nothing is stored
        page.get_by_label(interviewers, exact=True).fill("-3")
        page.locator("input[name=instructors]").fill("2")
        page.locator("input[name=volunteers]").fill("1")
        page.locator("input[name=vaccinated]").fill("3")
        with page.expect_navigation():
            page.get_by_role("button", name=save, exact=True).click()
        expect(page.locator("input[name=interviewers]")).to_have_attribute("aria-invalid", "true")
        problems += too_wide(page, "staffing page with an error")
        assert DailyStaffing.objects.count() == 0

        # and when it is corrected, the day is saved
        page.get_by_label(interviewers, exact=True).fill("40")
        page.locator("input[name=vaccinated]").fill("43")
        with page.expect_navigation():
            page.get_by_role("button", name=save, exact=True).click()
        expect(page.locator(".message-success")).to_be_visible()
        assert DailyStaffing.objects.values_list("interviewers", "instructors", "volunteers", "vaccinated").get() == (
            40,
            2,
            1,
            43,
        )

        # and a plan version is added from the same page and shown beside the figures
        page.locator("#plan_planned").fill("45")
        with page.expect_navigation():
            page.get_by_role("button", name=add_plan).click()
        assert StaffingPlan.objects.values_list("role", "planned").get() == ("interviewer", 45)
        expect(page.locator("main")).to_contain_text("45")
        problems += too_wide(page, "staffing page with a plan")
        screenshot(lang)

    # then no state of the page scrolls sideways on the phone
    assert not problems, "\n".join(problems)
