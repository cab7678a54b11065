"""The boundary map's tooltip in Chromium: a hostile district name is text there too, never markup.

(A module of its own: it commits its data for the live server, which the
rolled-back module fixture of test_hostile_content.py must not be holding open.)
"""

from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from playwright.sync_api import expect

# The browser fixtures (page settings, console errors) are the project's shared ones.
from tests.browser import CHROMIUM, browser_type_launch_args, console_errors  # noqa: F401
from tests.conftest import AFTER_CAMPAIGN
from tests.security.test_hostile_content import DISTRICT_NAMES, REGION_KATO, build_hostile_region, signed_in


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install chromium; CI does)")
@pytest.mark.django_db(transaction=True)
def test_the_boundary_map_tooltip_shows_the_hostile_name_as_text_in_chromium(live_server, page, console_errors):  # noqa: F811
    # given: the region committed, and an administrator's session in the browser
    # (In one transaction: the coverage and rendering jobs its commit sends run once, not after every count.)
    with time_machine.travel(AFTER_CAMPAIGN, tick=False), transaction.atomic():
        build_hostile_region()
    client = signed_in("admin.security")
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # when: the pointer rests on the hostile district's shape
    page.goto(f"{live_server.url}/en/dashboard/{REGION_KATO}/")
    shape = page.locator(".boundary-map-live path.leaflet-interactive").first
    shape.hover()
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_be_visible()

    # then: the tooltip holds the name as text, with no element made from it, and nothing ran
    assert tooltip.text_content().startswith(DISTRICT_NAMES["en"] + ": ")
    assert tooltip.locator("script, img, b, i").count() == 0
    assert page.locator("#districts bdi").first.text_content() == DISTRICT_NAMES["en"]
    assert dialogs == []
    assert console_errors == []
