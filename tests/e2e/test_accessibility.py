"""WCAG 2.1 AA on the public, dashboard and entry pages, checked by axe-core in Chromium, in kk, ru and en, wide and narrow.

axe-core (tests/vendor/axe-core/, a test-only copy) runs the rules tagged wcag2a, wcag2aa, wcag21a and wcag21aa
on each page of the list below, as an anonymous reader (public pages, widget, sign-in) and as the administrator
(dashboards and entry pages), at 1280 and 360 px. Any violation fails the test, listed by page with its rule,
impact and the elements' selectors.
"""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from census.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

WKO = "270000000"
TASKALA = "276000000"
AXE_SOURCE = (Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

ANONYMOUS_PAGES = ["public/", f"public/{WKO}/", f"widget/{WKO}/", "login/"]
SIGNED_IN_PAGES = [
    "dashboard/", f"dashboard/{WKO}/", f"dashboard/district/{TASKALA}/",
    "entry/", f"entry/district/{TASKALA}/", f"entry/region/{WKO}/", "entry/import/", "entry/not-reported/",
]  # fmt: skip

# The pages forbid inline scripts (CSP without 'unsafe-inline'), so add_script_tag(content=...) would be blocked.
# Playwright's evaluate runs through the DevTools protocol, which the page's CSP does not govern; the page keeps its
# real policy (no bypass_csp), so axe sees the page exactly as a reader's browser does.
RUN_AXE = """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then((results) => results.violations.map((rule) => ({
    id: rule.id, impact: rule.impact, nodes: rule.nodes.map((node) => node.target.join(" ")),
  })))"""


def violations_on(page, url: str) -> list[str]:
    """axe's WCAG 2.1 AA violations on one page, one line per rule: id, impact, count and the elements' selectors."""
    page.goto(url)
    if "/dashboard/" in url:
        page.locator("figure[data-chart] canvas").first.wait_for(state="visible")
    page.wait_for_load_state("load")
    page.evaluate(AXE_SOURCE)
    return [
        f"{rule['id']} ({rule['impact']}, {len(rule['nodes'])}): {', '.join(rule['nodes'])}"
        for rule in page.evaluate(RUN_AXE, WCAG_AA)
    ]


def sign_in(page, base_url: str, lang: str) -> None:
    page.goto(f"{base_url}/{lang}/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_page_meets_wcag_21_aa(live_server, page, lang, width):
    # given the demo region, and a window of this width
    call_command("load_demo", stdout=io.StringIO())
    page.set_viewport_size({"width": width, "height": 800})
    found = {}

    # when axe checks each page, anonymously and then signed in as the administrator
    for path in ANONYMOUS_PAGES:
        found[path] = violations_on(page, f"{live_server.url}/{lang}/{path}")
    sign_in(page, live_server.url, lang)
    for path in SIGNED_IN_PAGES:
        found[path] = violations_on(page, f"{live_server.url}/{lang}/{path}")

    # then
    assert len(found) == 12
    failing = [f"/{lang}/{path} at {width} px: {rule}" for path, rules in found.items() for rule in rules]
    assert not failing, "\n".join(failing)


def test_the_no_report_flag_is_legible(live_server, page):
    # given a "no report" flag as the dashboards' area table shows it (the demo data has no silent day to show one)
    page.goto(f"{live_server.url}/en/login/")
    page.evaluate(
        """() => {
          const flag = document.createElement("span");
          flag.className = "flag flag-silent";
          flag.textContent = "no report";
          document.querySelector("main").append(flag);
        }"""
    )

    # when axe checks the page's colours
    page.evaluate(AXE_SOURCE)
    found = page.evaluate(
        """() => axe.run(document, {runOnly: {type: "rule", values: ["color-contrast"]}})
          .then((results) => results.violations.flatMap((rule) => rule.nodes.map((node) => node.failureSummary)))"""
    )

    # then its text stands out from its background at 4.5:1 at least
    assert found == []


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_skip_link_is_the_first_stop_shows_on_focus_and_moves_focus_to_the_content(live_server, page, lang):
    # given
    page.goto(f"{live_server.url}/{lang}/public/")
    skip = page.locator("a.skip-link")

    # when the reader presses Tab once
    page.keyboard.press("Tab")

    # then the skip link has the focus and is on screen, in the page's language
    assert skip.evaluate("(link) => link === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0
    with translation.override(lang):
        assert skip.inner_text() == gettext("Skip to content")

    # when they follow it
    page.keyboard.press("Enter")

    # then the focus is on the main content, and the next Tab goes on from there
    assert page.evaluate("() => document.activeElement.id") == "main"
