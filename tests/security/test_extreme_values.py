"""Values at the edges of what Python can hold get a clear answer, never a server error.

The first and last dates a date can be (0001-01-01, 9999-12-31) on the pages that step a day back
and forth, a year the admin's date drill-down cannot turn into a date, JSON nested deeper than the
parser can recurse, and a JSON body over the size limit: each is a 400 (or the admin's "bad filter"
redirect, or a 413) with a message in the reader's language, and nothing is written.
"""

import io
import json

import pytest
from django.test import Client

from census.access import issue_token
from census.models import AuditEntry, DailyCount, DistrictStatus
from census.parsers import BoundedJSONParser, PayloadTooLarge
from tests import factories
from tests.api.conftest import client_with
from tests.entry.conftest import MODEL_BACKEND, OPEN_DAY
from tests.entry.conftest import area as area  # noqa: F401 -- the fixture, used by name
from tests.entry.conftest import staff as staff  # noqa: F401 -- the fixture, used by name
from tests.entry.conftest import staff_client as staff_client  # noqa: F401 -- the fixture, used by name

EDGE_DATES = ["0001-01-01", "9999-12-31"]


def written() -> tuple:
    return DailyCount.objects.count(), DistrictStatus.objects.count(), AuditEntry.objects.count()


def say_the_date_is_out_of_range(response) -> bool:
    return "outside the dates the census can have" in response.content.decode()


@pytest.mark.parametrize("day", EDGE_DATES)
@pytest.mark.parametrize("page", ["district", "grid"])
def test_an_edge_date_in_the_query_string_is_a_400_page_saying_so(staff_client, area, after_campaign, page, day):
    url = f"/en/entry/district/{area.first.kato}/" if page == "district" else f"/en/entry/region/{area.region.kato}/"

    response = staff_client.get(url, {"date": day})

    assert response.status_code == 400
    assert say_the_date_is_out_of_range(response)
    # the page is still usable: it shows the default day, with its links a day back and forth
    assert 'name="date"' in response.content.decode()


@pytest.mark.parametrize("day", EDGE_DATES)
def test_an_edge_date_in_the_query_string_of_the_not_reported_page_is_no_server_error(staff_client, area, after_campaign, day):
    response = staff_client.get("/en/entry/not-reported/", {"date": day})

    assert response.status_code in (200, 400)


@pytest.mark.parametrize("day", EDGE_DATES)
def test_an_edge_date_posted_to_the_district_form_is_refused_and_changes_nothing(staff_client, area, after_campaign, day):
    before = written()

    response = staff_client.post(
        f"/en/entry/district/{area.first.kato}/",
        {"date": day, "mode": "daily", "online": "5", "offline": "5", "version": "0"},
    )

    assert response.status_code == 400
    assert say_the_date_is_out_of_range(response)
    assert written() == before


@pytest.mark.parametrize("day", EDGE_DATES)
def test_an_edge_date_posted_with_the_grid_is_refused_and_changes_nothing(staff_client, area, after_campaign, day):
    before = written()
    cell = f"d{area.first.kato}-online"

    response = staff_client.post(f"/en/entry/region/{area.region.kato}/", {"date": day, "mode": "daily", cell: "5"}, follow=True)

    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode() or "could not be read" in response.content.decode()
    assert written() == before


@pytest.mark.parametrize("day", EDGE_DATES)
def test_an_edge_date_posted_as_a_status_decision_is_refused_and_changes_nothing(staff_client, area, after_campaign, day):
    before = written()

    response = staff_client.post(
        f"/en/entry/district/{area.first.kato}/status/", {"status": "in_progress", "date": day, "note": ""}
    )

    assert response.status_code in (200, 400)
    assert written() == before


@pytest.mark.parametrize("year", ["99999", "0", "1", "9999"])
@pytest.mark.parametrize(
    ("changelist", "field"),
    [
        ("/en/admin/census/dailycount/", "date"),  # the date drill-down
        ("/en/admin/census/auditentry/", "date"),  # a plain lookup on a date
        ("/en/admin/census/auditentry/", "at"),  # the drill-down on a timestamp
        ("/en/admin/reports/coveragesnapshot/", "date"),
        ("/en/admin/census/districtstatus/", "date"),
    ],
)
def test_an_admin_filter_on_an_impossible_year_is_the_list_again_with_a_message(db, changelist, field, year):
    client = Client()
    client.force_login(factories.SuperuserFactory(), backend=MODEL_BACKEND)

    response = client.get(changelist, {f"{field}__year": year})

    # The admin's own answer to a filter it cannot apply: back to the list with ?e=1 ...
    assert response.status_code == 302, response.status_code
    assert response["Location"].endswith("?e=1")
    # ... which then says why.
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f"cannot be filtered by the year {year}" in page.content.decode()


# --- The API's JSON ---------------------------------------------------------------------------------


@pytest.fixture
def writer(area):
    _token, key = issue_token(name="extreme values", region=area.region, can_write=True)
    return client_with(key)


def test_json_nested_100000_deep_is_a_400_in_the_error_shape_and_changes_nothing(writer, area, after_campaign):
    before = written()
    body = "[" * 100_000 + "]" * 100_000

    response = writer.post("/api/v1/daily-counts/", body, content_type="application/json")

    assert response.status_code == 400
    answer = response.json()
    assert set(answer) == {"status", "code", "detail", "errors"}
    assert answer["status"] == 400
    assert written() == before


def test_a_json_body_over_the_size_limit_is_a_413_in_the_error_shape_and_changes_nothing(writer, area, after_campaign, settings):
    before = written()
    row = {"district": area.first.kato, "date": OPEN_DAY.isoformat(), "online": 5, "offline": 5, "reason": "x" * 100}
    body = json.dumps({**row, "padding": "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})

    response = writer.post("/api/v1/daily-counts/", body, content_type="application/json")

    assert response.status_code == 413
    answer = response.json()
    assert set(answer) == {"status", "code", "detail", "errors"}
    assert answer["status"] == 413
    assert written() == before


def test_the_json_parser_stops_reading_past_the_size_limit_whatever_the_content_length_said(settings):
    # given: a body longer than its Content-Length announced (a server or client that streams it)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    stream = io.BytesIO(b'{"reason": "' + b"x" * 5000 + b'"}')

    # when / then
    with pytest.raises(PayloadTooLarge):
        BoundedJSONParser().parse(stream, "application/json", {})
    assert stream.tell() == 1001
