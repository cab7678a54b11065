"""The admin, as an administrator sees it in a real browser, with the demo region loaded."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from census.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_logs_in_and_finds_the_demo_region_in_each_language(live_server, page, screenshot, console_errors):
    # given
    call_command("load_demo", verbosity=0)

    # when
    page.goto(f"{live_server.url}/ru/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/ru/admin/regions/district/?q=Таскал")

    # then
    assert "Таскалинский район" in page.content()
    screenshot("ru")
    page.click("a[hreflang=kk]")
    page.wait_for_url(f"{live_server.url}/kk/admin/regions/district/**")
    expect(page.locator("#result_list")).to_contain_text("Тасқала ауданы")
    screenshot("kk")
    assert console_errors == []
