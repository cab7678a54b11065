"""The entry pages' service worker and manifest in a real browser: the pages, their script and styles kept for offline use."""

import pytest
import time_machine

from tests.browser import browser_type_launch_args  # noqa: F401 -- shared fixtures
from tests.conftest import AFTER_CAMPAIGN
from tests.entry.test_entry_forms_in_browser import DAY, region, sign_in  # noqa: F401 -- region is a fixture

pytestmark = pytest.mark.django_db(transaction=True)

BURLI = "311000000"


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

        # then: the page, the outbox script and the styles are in its caches
        listing = """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                for (const request of await (await caches.open(name)).keys()) {
                    urls.push(new URL(request.url).pathname + new URL(request.url).search);
                }
            }
            return urls;
        }"""
        # The worker stores the page's copy once it has answered with it.
        page.wait_for_function(
            f"async () => (await ({listing})()).includes('/en/entry/district/{BURLI}/?date={DAY.isoformat()}')"
        )
        cached = page.evaluate(listing)
        assert f"/en/entry/district/{BURLI}/?date={DAY.isoformat()}" in cached
        assert {"/static/js/outbox.js", "/static/css/site.css"} <= set(cached)

        # and the manifest names the site, starting at the entry
        manifest = page.evaluate("() => fetch('/manifest.webmanifest').then(response => response.json())")
        assert (manifest["name"], manifest["start_url"], manifest["scope"]) == ("Census Progress", "/en/start/", "/")
