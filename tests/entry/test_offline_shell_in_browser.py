"""The entry pages' service worker and manifest in a real browser: the pages, their script and styles kept for offline use."""

import pytest
import time_machine
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from census.accounts import provision_user
from census.demo import DEMO_PASSWORD
from census.models import DailyCount
from census.sessions import end_sessions_of
from harness.ports import wait_for
from tests.browser import browser_type_launch_args  # noqa: F401 -- shared fixtures
from tests.conftest import AFTER_CAMPAIGN
from tests.entry.test_entry_forms_in_browser import DAY, NEXT_DAY, region, sign_in  # noqa: F401 -- region is a fixture

pytestmark = pytest.mark.django_db(transaction=True)

BURLI = "311000000"

# Every address in the worker's caches, as path and query.
LISTING = """async () => {
    const urls = [];
    for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) {
            urls.push(new URL(request.url).pathname + new URL(request.url).search);
        }
    }
    return urls;
}"""


def keep_for_offline_use(page, url: str, path: str) -> None:
    """Open an entry page under the worker and wait until it has stored its copy of it."""
    page.goto(url)
    page.evaluate("() => navigator.serviceWorker.ready")
    page.goto(url)
    assert wait_for(lambda: path in page.evaluate(LISTING), 10)


def test_the_service_worker_keeps_the_entry_page_its_script_and_styles_for_offline_use(
    region,  # noqa: F811
    live_server,
    page,
):
    with time_machine.travel(AFTER_CAMPAIGN, tick=True):
        sign_in(page, live_server)
        day_page = f"{live_server.url}/en/entry/district/{BURLI}/?date={DAY.isoformat()}"
        page.goto(day_page)
        scope = page.evaluate("() => navigator.serviceWorker.ready.then(registration => registration.scope)")
        assert scope == f"{live_server.url}/"

        # when: the page is opened again under the worker
        page.goto(day_page)

        # then: the page, the outbox script and the styles are in its caches (the page once the worker has answered)
        path = f"/en/entry/district/{BURLI}/?date={DAY.isoformat()}"
        assert wait_for(lambda: path in page.evaluate(LISTING), 10)
        cached = page.evaluate(LISTING)
        assert {"/static/js/outbox.js", "/static/css/site.css"} <= set(cached)

        # and the manifest names the site, starting at the entry
        manifest = page.evaluate("() => fetch('/manifest.webmanifest').then(response => response.json())")
        assert (manifest["name"], manifest["start_url"], manifest["scope"]) == ("Census Progress", "/en/start/", "/")


def test_with_no_connection_an_entry_page_opens_from_the_device_for_the_day_asked_and_takes_a_save(
    region,  # noqa: F811
    live_server,
    page,
):
    with time_machine.travel(AFTER_CAMPAIGN, tick=True):
        sign_in(page, live_server)
        path = f"/en/entry/district/{BURLI}/?date={DAY.isoformat()}"
        keep_for_offline_use(page, f"{live_server.url}{path}", path)

        # when: with no connection at all (the worker's own requests fail too), the next day's address is opened
        page.context.set_offline(True)
        response = page.goto(f"{live_server.url}/en/entry/district/{BURLI}/?date={NEXT_DAY.isoformat()}")

        # then: the page comes from the device, and its form is for the day asked, not the day the copy was made
        assert response is not None and response.from_service_worker and response.ok
        expect(page.locator("form[data-outbox-day] [name=date]")).to_have_value(NEXT_DAY.isoformat())
        expect(page.locator("#pick_date")).to_have_value(NEXT_DAY.isoformat())

        # when: a day's figures are saved there, and the connection comes back
        page.get_by_label("Online", exact=True).fill("12")
        page.get_by_label("Door-to-door", exact=True).fill("3")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("[data-outbox-status]")).to_have_text("Waiting to be sent: 1.")
        assert not DailyCount.objects.exists()
        page.context.set_offline(False)

        # then: they are stored once, for that day
        expect(page.locator("[data-outbox-status]")).to_contain_text("Waiting to be sent: 0. Last sent at ", timeout=60_000)
        assert list(DailyCount.objects.values_list("district__kato", "date", "online", "offline")) == [(BURLI, NEXT_DAY, 12, 3)]


def test_the_pages_kept_for_a_session_that_ended_without_signing_out_go_when_someone_else_signs_in(
    region,  # noqa: F811
    live_server,
    page,
):
    colleague = provision_user(username="stat.taskala", role="staff", kato="312000000", password=DEMO_PASSWORD)
    with time_machine.travel(AFTER_CAMPAIGN, tick=True):
        sign_in(page, live_server)
        path = f"/en/entry/district/{BURLI}/?date={DAY.isoformat()}"
        keep_for_offline_use(page, f"{live_server.url}{path}", path)

        # given: that session ends without signing out (an administrator ends it), and a colleague signs in here
        end_sessions_of(get_user_model().objects.get(username="stat.test"))
        page.goto(f"{live_server.url}/en/login/")
        page.locator("input[name='username']").fill(colleague.username)
        page.locator("input[name='password']").fill(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server.url}/en/entry/")

        # when: the colleague opens an entry page
        page.goto(f"{live_server.url}/en/entry/district/312000000/?date={DAY.isoformat()}")

        # then: the first person's pages are no longer kept on the device
        assert wait_for(lambda: not [url for url in page.evaluate(LISTING) if f"/{BURLI}/" in url], 10)
