"""Query parameters that look like SQL, or are malformed, get a clear answer and change nothing.

For every query parameter the API, the dashboards, the entry pages and the
admin read (found in census/api/, reports/serializers.py, reports/api.py,
reports/views.py, census/views.py and the admin's change lists), values such
as `1' OR '1'='1`, `1; DROP TABLE ...`, a NUL byte, very long strings, other
scripts' digits, 31 February and a repeated parameter are answered with a
400 or 404 (in the API's one JSON error shape) or with an ordinary page or an
empty result: never a server error, never a reflected script element, and the
stored counts, statuses and audit trail are exactly as they were.
"""

import datetime
import json
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework.test import APIClient

from census.access import issue_token
from census.accounts import provision_user
from census.models import AuditEntry, Campaign, DailyCount, DistrictStatus
from census.services import record_count, set_status
from regions.models import COUNTRY_KATO, District, Region
from reports.dashboards import store
from reports.models import RenderedDashboard
from reports.services import drain_recompute_outbox
from tests import factories
from tests.conftest import rolled_back_for_module

REGION = "350000000"
DISTRICT = "351000000"
MARKUP = "<script>alert(1)</script>"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

# The values sent, by a short name for the test's id.
VALUES = {
    "sql-or": "1' OR '1'='1",
    "sql-drop": "1; DROP TABLE census_dailycount; --",
    "sql-comment": "2021-10-03' --",
    "nul": "\x00",
    "nul-inside": "2021-10-03\x00",
    "long-digits": "9" * 5000,
    "long-text": "ж" * 10_000,
    "arabic-indic-digits": "٢٠٢١-١٠-٠٣",
    "arabic-indic-kato": "٣٥٠٠٠٠٠٠٠",
    "fullwidth-digits": "２０２１-１０-０３",
    "31-february": "2021-02-30",
    "negative": "-1",
    "huge-number": "9" * 30,
    "markup": MARKUP,
    "like-wildcards": "%_\\%",
    "empty": "",
    "blank": "   ",
    "repeated": ["2021-10-03", "1' OR '1'='1"],
}

# Every query parameter each endpoint reads (besides the one under test, the fixed ones it needs).
API_PARAMETERS = [
    ("/api/v1/regions/", {}, ["lang", "page", "page_size", "format"]),
    (f"/api/v1/regions/{REGION}/", {}, ["lang"]),
    ("/api/v1/districts/", {}, ["region", "lang", "page", "page_size"]),
    ("/api/v1/daily-counts/", {}, ["district", "region", "date_from", "date_to", "format", "page", "page_size", "lang"]),
    ("/api/v1/coverage/", {"level": "district"}, ["level", "region", "date", "format", "page", "page_size"]),
    ("/api/v1/coverage/series/", {"kato": REGION}, ["kato", "date_from", "date_to", "format", "page"]),
    ("/api/v1/highlights/", {"region": REGION}, ["region", "date", "lang"]),
    ("/api/v1/briefing/", {"region": REGION}, ["region", "date", "lang"]),
]
PAGE_PARAMETERS = [
    ("/en/dashboard/", ["as_of"]),
    (f"/en/dashboard/{REGION}/", ["as_of"]),
    (f"/en/dashboard/{REGION}/report.pdf", ["as_of"]),
    (f"/en/dashboard/district/{DISTRICT}/", ["as_of"]),
    ("/en/public/", ["as_of"]),
    (f"/en/public/{REGION}/", ["as_of"]),
    (f"/en/widget/{REGION}/", ["as_of"]),
    (f"/en/entry/district/{DISTRICT}/", ["date", "mode"]),
    (f"/en/entry/region/{REGION}/", ["date", "mode"]),
    ("/en/entry/not-reported/", ["date"]),
    (f"/en/entry/district/{DISTRICT}/history/", ["page"]),
    ("/en/login/", ["next"]),
    # The admin's change lists: search, ordering, page and a filter of each kind (choice, related id, date).
    ("/en/admin/census/auditentry/", ["q", "o", "p", "source__exact", "district__region__id__exact", "date__gte"]),
    ("/en/admin/census/dailycount/", ["q"]),
    ("/en/admin/regions/district/", ["kind__exact"]),
    ("/en/admin/reports/coveragesnapshot/", ["level__exact"]),
]
# Path segments that are free text in the URL map (a KATO code in the entry pages' URLs).
PATH_TEMPLATES = ["/en/entry/district/{}/", "/en/entry/region/{}/", "/en/entry/district/{}/history/"]

ERROR_KEYS = {"status", "code", "detail", "errors"}


def cases(table):
    """One test per (endpoint, parameter); it sends every value of VALUES and names each one that fails."""
    for path, *rest in table:
        for parameter in rest[-1]:
            yield pytest.param(path, *rest[:-1], parameter, id=f"{path}?{parameter}")


def failures(send, check) -> list[str]:
    """Each value of VALUES sent; the values whose answer `check` finds wrong, with what was wrong."""
    found = []
    for name, value in VALUES.items():
        response = send(value)
        problem = check(response)
        if problem:
            found.append(f"{name}: {problem}")
    return found


# --- The data: one region, one district, a few days of counts, its pages rendered ------------------------


def build_region():
    campaign = factories.campaign_like_2021(slug="census-filters")
    region = factories.RegionFactory(kato=REGION, name_en="Filter Region")
    district = factories.DistrictFactory(region=region, kato=DISTRICT, name_en="Filter District")
    factories.BaselineFactory(district=district, campaign=campaign, population=1_000)
    staff = provision_user(username="stat.filters", role="staff", kato=REGION, password=None)
    factories.SuperuserFactory(username="root.filters")
    for day in range(1, 6):
        record_count(
            campaign=campaign, district=district, date=datetime.date(2021, 10, day), online=30, offline=20, user=staff,
            source=AuditEntry.Source.FORM, reason="initial",
        )  # fmt: skip
    set_status(
        campaign=campaign,
        district=district,
        status=DistrictStatus.Status.IN_PROGRESS,
        date=datetime.date(2021, 10, 5),
        user=staff,
        source=AuditEntry.Source.FORM,
    )
    drain_recompute_outbox()
    # Rendered once here, so the pages are served from storage rather than drawn again in every test.
    as_of = datetime.date(2021, 10, 5)
    for kind, kato in [
        (RenderedDashboard.Kind.REGION, REGION),
        (RenderedDashboard.Kind.DISTRICT, DISTRICT),
        (RenderedDashboard.Kind.NATIONAL, COUNTRY_KATO),
        (RenderedDashboard.Kind.PUBLIC, COUNTRY_KATO),
        (RenderedDashboard.Kind.PUBLIC, REGION),
        (RenderedDashboard.Kind.WIDGET, REGION),
    ]:
        store.render_dashboard(campaign=campaign, kind=kind, kato=kato, as_of=as_of, languages=["en"])


@pytest.fixture(scope="module")
def filter_region(django_db_setup, django_db_blocker):
    with rolled_back_for_module(django_db_blocker):
        build_region()
        yield


def stored_state() -> tuple:
    """Everything a filter must never change: the counts with their versions, the statuses, the audit trail, the areas."""
    return (
        list(DailyCount.objects.order_by("pk").values_list("pk", "district_id", "date", "online", "offline", "version")),
        list(DistrictStatus.objects.order_by("pk").values_list("pk", "status", "date")),
        AuditEntry.objects.count(),
        list(District.objects.order_by("pk").values_list("pk", "kato", "name_en")),
        Region.objects.count(),
        Campaign.objects.count(),
    )


@pytest.fixture
def unchanged(filter_region, db, after_campaign):
    """The test's requests leave the stored data exactly as it was."""
    before = stored_state()
    yield
    assert stored_state() == before


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username), backend=MODEL_BACKEND)
    return client


def assert_json_error_shape(response):
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["status"] == response.status_code
    assert isinstance(body["errors"], dict)
    return body


# --- The API -------------------------------------------------------------------------------------


def api_answer_problem(response) -> str:
    """What is wrong with an API answer to a bad filter ("" if nothing): a normal answer, or a 400/404 in the one shape."""
    if response.status_code not in (200, 400, 404):
        return f"status {response.status_code}: {response.content[:200]!r}"
    content_type = response["Content-Type"]
    if response.status_code == 200:
        if content_type.startswith("application/json"):
            json.loads(response.content)
            return ""
        return "" if content_type.startswith("text/csv") else f"content type {content_type}"
    if not content_type.startswith("application/json"):
        return f"a {response.status_code} as {content_type}"
    body = response.json()
    if set(body) != ERROR_KEYS or body["status"] != response.status_code or not isinstance(body["errors"], dict):
        return f"not the error shape: {body}"
    return ""


@pytest.mark.parametrize(("path", "fixed", "parameter"), list(cases(API_PARAMETERS)))
def test_an_api_filter_value_gets_a_json_answer_never_a_server_error(unchanged, path, fixed, parameter):
    # given: a country-wide read token
    _token, key = issue_token(name="filters", region=None, can_write=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    # when / then: a normal answer (possibly empty), or a 400/404 in the one error shape
    assert failures(lambda value: client.get(path, {**fixed, parameter: value}), api_answer_problem) == []


@pytest.mark.parametrize(
    ("parameter", "value"),
    [("date", "2021-02-30"), ("date", "1' OR '1'='1"), ("region", "1; DROP TABLE census_dailycount; --"), ("level", "\x00")],
)
def test_a_bad_api_filter_is_a_400_naming_the_parameter(unchanged, parameter, value):
    _token, key = issue_token(name="filters", region=None, can_write=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get("/api/v1/coverage/", {parameter: value})

    assert response.status_code == 400
    body = assert_json_error_shape(response)
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [parameter]


def test_a_sql_looking_filter_finds_nothing_rather_than_everything(unchanged):
    _token, key = issue_token(name="filters", region=None, can_write=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    everything = client.get("/api/v1/daily-counts/")
    # Nine characters, so it passes the length check and reaches the query as a plain value.
    injected = client.get("/api/v1/daily-counts/", {"district": "1'OR'1'=1"})

    assert everything.status_code == 200 and everything.json()["count"] == 5
    assert injected.status_code == 400
    assert list(injected.json()["errors"]) == ["district"]
    arabic = client.get("/api/v1/daily-counts/", {"district": "٣٥١٠٠٠٠٠٠"})
    assert arabic.status_code in (200, 400)
    assert arabic.status_code == 400 or arabic.json()["count"] == 0


# --- Pages ------------------------------------------------------------------------------------------


@pytest.fixture
def clients(unchanged):
    return {"staff": signed_in("stat.filters"), "admin": signed_in("root.filters")}


def page_problem(response) -> str:
    # An ordinary page (the latest day, a notice, the first page), or the admin's "bad filter" redirect.
    if response.status_code not in (200, 302, 400, 404):
        return f"status {response.status_code}"
    if MARKUP.encode() in response.content:
        return "the script element came back unescaped"
    return ""


@pytest.mark.parametrize(("path", "parameter"), list(cases(PAGE_PARAMETERS)))
def test_a_page_filter_value_gets_a_page_never_a_server_error(clients, path, parameter):
    if "/login/" in path:
        client = Client()
    else:
        client = clients["admin"] if "/admin/" in path or "/dashboard/" in path else clients["staff"]

    assert failures(lambda value: client.get(path, {parameter: value}), page_problem) == []


@pytest.mark.parametrize("path_template", PATH_TEMPLATES)
def test_a_malformed_kato_in_an_entry_path_is_a_404_never_a_server_error(clients, path_template):
    def send(value):
        text = value if isinstance(value, str) and value.strip() else "x"
        return clients["staff"].get(path_template.format(quote(text, safe="")))

    def problem(response):
        return "" if response.status_code == 404 and MARKUP.encode() not in response.content else f"status {response.status_code}"

    assert failures(send, problem) == []


def test_a_malformed_language_choice_is_no_server_error_and_no_redirect_elsewhere(clients):
    def send(value):
        return clients["staff"].post("/i18n/setlang/", {"language": value, "next": value})

    def problem(response):
        if response.status_code not in (200, 302, 400):
            return f"status {response.status_code}"
        if response.status_code == 302 and not url_has_allowed_host_and_scheme(response["Location"], {"testserver"}):
            return f"redirected to {response['Location']}"
        return ""

    assert failures(send, problem) == []


def test_an_unreadable_as_of_shows_the_latest_figures_with_a_notice_escaped(clients):
    response = clients["admin"].get(f"/en/dashboard/{REGION}/", {"as_of": "<b>2021-02-30"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;b&gt;2021-02-30" in html
    assert "<b>2021" not in html
    assert "is not a date: the latest figures are shown" in html
