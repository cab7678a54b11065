"""WCAG 2.1 AA on every page of the permission matrix a reader opens in a browser, checked by axe-core in Chromium.

axe-core (tests/vendor/axe-core/, a test-only copy) runs the rules tagged wcag2a, wcag2aa, wcag21a and wcag21aa
on each page of the lists below, at 1280 and 360 px: the site's pages in kk, ru and en, as an anonymous reader
(public pages, widget, sign-in, the API's documentation), as an official (the "not allowed" page) and as the administrator (dashboards,
entry pages, the import preview, the admin's own pages, the "not found" page), and every admin page of every
registered model (list, add, change, history, delete) in one language per width. Any violation fails the test,
listed by page with its rule, impact and the elements' selectors. The charts and the map are also read on a phone,
at 200 % zoom and with reduced motion.
"""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from census.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.pages]

WKO = "270000000"
TASKALA = "276000000"
AXE_SOURCE = (Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# The pages of the permission matrix (tests/security/test_permission_matrix.py) that a reader opens in a browser:
# anonymously, and as the administrator (who may open every one of them); the API's JSON is no page.
ANONYMOUS_PAGES = ["", "public/", f"public/{WKO}/", f"widget/{WKO}/", "login/", "admin/login/"]
# The API's documentation (Swagger UI under an introduction), outside the language prefix: ?lang= picks its language.
API_DOCS = "/api/docs/?lang={lang}"
SIGNED_IN_PAGES = [
    "dashboard/", f"dashboard/{WKO}/", f"dashboard/district/{TASKALA}/",
    "entry/", f"entry/district/{TASKALA}/", f"entry/district/{TASKALA}/history/", f"entry/district/{TASKALA}/status/",
    f"entry/region/{WKO}/", "entry/import/", "entry/not-reported/", f"entry/district/{TASKALA}/staffing/?date=2021-10-27",
    "entry/sync-health/", "entry/district/271000000/points/?date=2021-10-27",
    "entry/district/271000000/visits/?date=2021-10-27",
    "admin/", "admin/census/", "admin/password_change/", "admin/password_change/done/",
    "dashboard/district/279999999/",  # the page for an area that does not exist (404)
]  # fmt: skip
# An official may not open the entry pages: the page that says so (403).
OFFICIAL_PAGES = ["entry/"]
# The admin's pages per registered model, as the permission matrix lists them: list, add, change, history, delete.
ADMIN_MODELS = [
    "auth.group", "auth.user", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog", "census.dailycount",
    "census.districtstatus", "census.phaseextension", "census.campaign", "census.auditentry", "regions.region",
    "regions.district", "regions.populationbaseline", "reports.coveragesnapshot", "reports.recomputerequest",
    "census.staffingplan", "census.dailystaffing", "census.servicepoint", "census.servicepointuse",
    "census.dailynonresponse",
]  # fmt: skip
# A file with one good row and one wrong one: the preview shows what it would change and what it refused.
IMPORT_FILE = f"district;date;online;offline\n{TASKALA};28.10.2021;210;340\n{TASKALA};32.10.2021;1;1\n".encode()

# The pages forbid inline scripts (CSP without 'unsafe-inline'), so add_script_tag(content=...) would be blocked.
# Playwright's evaluate runs through the DevTools protocol, which the page's CSP does not govern; the page keeps its
# real policy (no bypass_csp), so axe sees the page exactly as a reader's browser does.
RUN_AXE = """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then((results) => results.violations.map((rule) => ({
    id: rule.id, impact: rule.impact, nodes: rule.nodes.map((node) => node.target.join(" ")),
  })))"""


def violations_on(page, url: str, ready: str | None = None) -> list[str]:
    """axe's WCAG 2.1 AA violations on one page, one line per rule: id, impact, count and the elements' selectors.

    ready: an element to wait for, on a page that draws its content after loading (Swagger UI on the API docs).
    """
    page.goto(url)
    if ready:
        page.locator(ready).first.wait_for(state="visible")
    if page.locator("figure[data-chart]").count():
        page.locator("figure[data-chart] canvas").first.wait_for(state="visible")
    page.wait_for_load_state("load")
    page.evaluate(AXE_SOURCE)
    return [
        f"{rule['id']} ({rule['impact']}, {len(rule['nodes'])}): {', '.join(rule['nodes'])}"
        for rule in page.evaluate(RUN_AXE, WCAG_AA)
    ]


def sign_in(page, base_url: str, lang: str, username: str = "admin") -> None:
    page.goto(f"{base_url}/{lang}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def preview_of_an_import(page, base_url: str, lang: str) -> str:
    """Upload IMPORT_FILE on the import page and return the preview's address (a page that only a POST shows)."""
    page.goto(f"{base_url}/{lang}/entry/import/")
    page.set_input_files("input[type=file]", files=[{"name": "counts.csv", "mimeType": "text/csv", "buffer": IMPORT_FILE}])
    with page.expect_navigation():
        page.locator("form.stacked button[type=submit]").click()
    return page.url


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_page_meets_wcag_21_aa(live_server, page, lang, width):
    # given the demo region, and a window of this width
    call_command("load_demo", stdout=io.StringIO())
    page.set_viewport_size({"width": width, "height": 800})
    found = {}

    # when axe checks each page, anonymously, as an official and then as the administrator
    for path in ANONYMOUS_PAGES:
        found[path] = violations_on(page, f"{live_server.url}/{lang}/{path}")
    found[API_DOCS] = violations_on(page, live_server.url + API_DOCS.format(lang=lang), ready=".swagger-ui .opblock")
    sign_in(page, live_server.url, lang, "akimat.wko")
    for path in OFFICIAL_PAGES:
        found[f"{path} (official)"] = violations_on(page, f"{live_server.url}/{lang}/{path}")
    page.context.clear_cookies()
    sign_in(page, live_server.url, lang)
    for path in SIGNED_IN_PAGES:
        found[path] = violations_on(page, f"{live_server.url}/{lang}/{path}")
    preview = preview_of_an_import(page, live_server.url, lang)
    page.evaluate(AXE_SOURCE)
    found["entry/import/ (preview)"] = [f"{rule['id']} ({rule['impact']})" for rule in page.evaluate(RUN_AXE, WCAG_AA)]
    assert "/entry/import/" in preview

    # then
    assert len(found) == len(ANONYMOUS_PAGES) + 1 + len(OFFICIAL_PAGES) + len(SIGNED_IN_PAGES) + 1
    failing = [
        f"{path.format(lang=lang) if path == API_DOCS else f'/{lang}/{path}'} at {width} px: {rule}"
        for path, rules in found.items()
        for rule in rules
    ]
    assert not failing, "\n".join(failing)


def test_the_api_docs_meet_wcag_21_aa_with_an_operation_open_to_try(live_server, page):
    # given the API docs, with the coverage operation opened and "Try it out" pressed (its fields and lists shown)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + API_DOCS.format(lang="ru"))
    page.locator(".swagger-ui .opblock-summary-control", has_text="/api/v1/coverage/").first.click()
    page.locator(".swagger-ui .try-out__btn").first.click()
    page.locator(".swagger-ui tr[data-param-name] select").first.wait_for(state="visible")

    # when axe checks the page as it now stands
    page.evaluate(AXE_SOURCE)
    found = [
        f"{rule['id']} ({rule['impact']}, {len(rule['nodes'])}): {', '.join(rule['nodes'])}"
        for rule in page.evaluate(RUN_AXE, WCAG_AA)
    ]

    # then
    assert found == []


@pytest.mark.admin_pages
@pytest.mark.parametrize("width", [1280, 360])
def test_every_admin_page_meets_wcag_21_aa(live_server, page, width):
    # given the demo, with a record of each kind the admin lists (the demo has no sign-in failures of its own)
    from django.apps import apps

    call_command("load_demo", stdout=io.StringIO())
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        fields = {"user_agent": "test", "ip_address": "127.0.0.2", "username": "someone", "http_accept": "*/*", "path_info": "/"}
        if model is AccessAttempt:
            fields |= {"get_data": "", "post_data": "", "failures_since_start": 1}
        model.objects.create(**fields)
    from django.contrib.auth.models import Group

    from census.models import Campaign
    from reports.models import RecomputeRequest

    Group.objects.get_or_create(name="editors")
    from census.models import AuditEntry, DailyNonResponse, ServicePoint, ServicePointUse
    from census.nonresponse import record_non_response
    from census.service_points import record_point_use

    if not DailyNonResponse.objects.exists():
        point = ServicePoint.objects.order_by("pk").first()
        record_non_response(campaign=point.campaign, district=point.district, date=datetime.date(2021, 10, 27),
                            source=AuditEntry.Source.COMMAND, figures={
            "assigned": 10, "visits": 2, "interviewed": 1, "notice_shown": 0, "not_at_home": 1, "door_closed": 0,
            "refused": 0, "no_notice": 0, "vacant": 0, "revisits_scheduled": 1, "revisits_made": 0, "outstanding": 8,
        })  # fmt: skip
    if not ServicePointUse.objects.exists():
        point = ServicePoint.objects.order_by("pk").first()
        record_point_use(campaign=point.campaign, point=point, date=datetime.date(2021, 10, 27), assisted=5,
                         source=AuditEntry.Source.COMMAND)  # fmt: skip
    if not RecomputeRequest.objects.exists():
        RecomputeRequest.objects.create(campaign=Campaign.objects.first(), from_date=datetime.date(2021, 10, 27))
    page.set_viewport_size({"width": width, "height": 800})
    # One language per width keeps the run short: the admin's templates are the same in each, and its own texts
    # are Django's; the site's pages above run in all three.
    lang = "ru" if width == 1280 else "kk"
    sign_in(page, live_server.url, lang)
    found = {}

    # when axe checks each model's list, add, change, history and delete pages
    for label in ADMIN_MODELS:
        record = apps.get_model(label).objects.order_by("pk").first()
        assert record is not None, label
        base = f"{live_server.url}/{lang}/admin/{label.replace('.', '/')}/"
        for path in ("", "add/", f"{record.pk}/change/", f"{record.pk}/history/", f"{record.pk}/delete/"):
            found[f"{base}{path}"] = violations_on(page, f"{base}{path}")

    # then
    assert len(found) == 5 * len(ADMIN_MODELS)
    failing = [f"{url} at {width} px: {rule}" for url, rules in found.items() for rule in rules]
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


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_page_and_each_language_switch_are_marked_with_their_language(live_server, page, lang):
    # when
    page.goto(f"{live_server.url}/{lang}/public/")

    # then the page is in its language, and each option of the switcher in its own (read in its own voice)
    assert page.evaluate("() => document.documentElement.lang") == lang
    options = page.locator(".language-switcher a")
    marks = [(options.nth(i).get_attribute("lang"), options.nth(i).get_attribute("hreflang")) for i in range(options.count())]
    assert sorted(marks) == [("en", "en"), ("kk", "kk"), ("ru", "ru")]


def test_the_chart_and_the_map_read_on_a_phone_at_200_percent_zoom_and_without_motion(live_server, page, screenshot):
    # given the demo region's dashboard on 27 October, for a reader who asked for less motion
    call_command("load_demo", stdout=io.StringIO())
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, live_server.url, "en")
    url = f"{live_server.url}/en/dashboard/{WKO}/?as_of=2021-10-27"
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(url)
    page.locator("figure[data-chart] canvas").first.wait_for(state="visible")

    # then the drawn chart is named by its title and described by the finding in words
    canvas = page.locator("figure[data-chart] canvas").first
    summary = page.locator("#chart-coverage-summary")
    assert canvas.get_attribute("aria-describedby") == "chart-coverage-summary"
    assert page.locator(".tile-main .figure").inner_text() in summary.inner_text()
    # and on a wide screen the tile map shows, with the finding in words beside it
    assert page.locator(".map-tiles svg").is_visible() and not page.locator(".map-list").is_visible()
    assert page.locator(".map-tiles svg").get_attribute("aria-describedby") == "map-summary"
    screenshot("1280")

    # when the window is a phone's
    page.set_viewport_size({"width": 360, "height": 740})

    # then a list of the districts, highest coverage first, replaces the map, whose names would be a few pixels high
    items = page.locator(".map-list li")
    assert not page.locator(".map-tiles").is_visible() and items.first.is_visible()
    percents = [float(text.replace("%", "").replace(",", "")) for text in items.locator(".map-list-pct").all_inner_texts()]
    assert len(percents) == page.locator("#districts tbody tr").count() and percents == sorted(percents, reverse=True)
    screenshot("360")

    # when the reader zooms to 200 % (a 1280 px window then lays out 640 CSS px)
    page.set_viewport_size({"width": 640, "height": 400})
    page.reload()
    canvas.wait_for(state="visible")

    # then nothing runs off sideways and the chart and its words fit the window
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 640
    for element in (canvas, summary):
        box = element.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 640

    # and nothing moves: no transition or animation on any element, before or after the keyboard goes through the page
    for _ in range(15):
        page.keyboard.press("Tab")
    moving = page.evaluate(
        """() => [...document.querySelectorAll("*")].filter((element) => {
             const style = getComputedStyle(element);
             return style.transitionDuration.split(",").some((d) => parseFloat(d) > 0) || style.animationName !== "none";
           }).length + document.getAnimations().length"""
    )
    assert moving == 0
