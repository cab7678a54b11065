"""POST and GET /api/v1/non-response/: a district's door-to-door day in households, written once per key, scoped."""

import pytest

from census.models import AuditEntry, DailyNonResponse
from tests import factories

URL = "/api/v1/non-response/"
DAY = {
    "date": "2021-10-05", "assigned": 400, "visits": 200, "interviewed": 120, "notice_shown": 20, "not_at_home": 25,
    "door_closed": 10, "refused": 5, "no_notice": 10, "vacant": 10, "revisits_scheduled": 30, "revisits_made": 10,
    "outstanding": 150,
}  # fmt: skip

pytestmark = pytest.mark.usefixtures("after_campaign")


@pytest.fixture
def regions(campaign):
    north, south = factories.RegionFactory(kato="310000000"), factories.RegionFactory(kato="320000000")
    return (
        north,
        south,
        factories.DistrictFactory(region=north, kato="311000000"),
        factories.DistrictFactory(region=south, kato="321000000"),
    )


def test_a_day_is_written_once_per_key_audited_as_the_api_and_listed_in_scope(regions, token_client):
    north, south, north_1, _south_1 = regions
    writer, _token = token_client(region=north, can_write=True)
    body = {"district": north_1.kato, **DAY}

    first = writer.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="sheet-1")
    replay = writer.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="sheet-1")

    assert first.status_code == 201 and replay.json() == first.json()
    assert (first.json()["visits"], first.json()["no_notice"], first.json()["version"]) == (200, 10, 1)
    assert first["ETag"] == '"1"'
    assert DailyNonResponse.objects.count() == 1
    assert AuditEntry.objects.get(subject=AuditEntry.Subject.NON_RESPONSE).source == AuditEntry.Source.API
    southern, _token = token_client(region=south)
    assert writer.get(URL).json()["count"] == 1 and southern.get(URL).json()["count"] == 0


def test_outcomes_that_do_not_add_up_are_a_400_naming_visits(regions, token_client):
    north, _south, north_1, _south_1 = regions
    writer, _token = token_client(region=north, can_write=True)

    response = writer.post(URL, {"district": north_1.kato, **DAY, "visits": 199}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["errors"]["visits"] == [
        "The visits' outcomes add up to 200, not to the 199 visits made: each visit ends in one outcome."
    ]
    assert not DailyNonResponse.objects.exists()


def test_another_regions_district_is_a_403_and_a_stale_version_a_412(regions, token_client):
    north, _south, north_1, south_1 = regions
    writer, _token = token_client(region=north, can_write=True)
    writer.post(URL, {"district": north_1.kato, **DAY}, format="json")

    outside = writer.post(URL, {"district": south_1.kato, **DAY}, format="json")
    stale = writer.post(URL, {"district": north_1.kato, **DAY, "interviewed": 121, "refused": 4, "reason": "recount"},
                        format="json", HTTP_IF_MATCH='"0"')  # fmt: skip

    assert outside.status_code == 403 and stale.status_code == 412
    assert DailyNonResponse.objects.get().interviewed == 120


def test_the_list_exports_as_csv(regions, token_client):
    north, _south, north_1, _south_1 = regions
    writer, _token = token_client(region=north, can_write=True)
    writer.post(URL, {"district": north_1.kato, **DAY}, format="json")

    response = writer.get(f"{URL}?format=csv")

    header, row = response.content.decode("utf-8-sig").splitlines()
    assert header.startswith("district,date,assigned,visits,interviewed,notice_shown")
    assert row.startswith("311000000,2021-10-05,400,200,120,20")
