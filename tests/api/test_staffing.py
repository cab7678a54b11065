"""POST and GET /api/v1/daily-staffing/ and /api/v1/staffing-plans/: the staffing write path over HTTP, scoped like counts."""

import datetime

import pytest

from census.models import AuditEntry, DailyStaffing, IdempotentRequest, StaffingPlan
from tests import factories

STAFFING = "/api/v1/daily-staffing/"
PLANS = "/api/v1/staffing-plans/"
DAY = "2021-10-06"


@pytest.fixture
def area(campaign, after_campaign):
    region = factories.RegionFactory(kato="130000000")
    district = factories.DistrictFactory(region=region, kato="131000000")
    other = factories.DistrictFactory(region=factories.RegionFactory(kato="140000000"), kato="141000000")
    return region, district, other


@pytest.fixture
def writer(area, token_client):
    client, _token = token_client(region=area[0], can_write=True)
    return client


def post(client, body=None, **headers):
    payload = {"district": "131000000", "date": DAY, "interviewers": 40, "instructors": 4, "volunteers": 3,
               "vaccinated": 45, **(body or {})}  # fmt: skip
    return client.post(STAFFING, payload, format="json", **headers)


def written():
    return DailyStaffing.objects.count(), StaffingPlan.objects.count(), AuditEntry.objects.count()


def test_a_new_day_is_created_with_201_and_answers_what_is_stored(writer, area):
    response = post(writer)

    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in ("district", "date", "interviewers", "instructors", "volunteers", "vaccinated", "version")} == {
        "district": "131000000", "date": DAY, "interviewers": 40, "instructors": 4, "volunteers": 3, "vaccinated": 45,
        "version": 1,
    }  # fmt: skip
    assert response["ETag"] == '"1"'
    assert AuditEntry.objects.get().source == AuditEntry.Source.API


def test_a_retry_with_the_same_idempotency_key_replays_the_answer_and_writes_once(writer, area):
    first = post(writer, HTTP_IDEMPOTENCY_KEY="staff-6-oct")
    again = post(writer, HTTP_IDEMPOTENCY_KEY="staff-6-oct")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert written() == (1, 0, 1)
    assert IdempotentRequest.objects.count() == 1


def test_the_same_key_for_a_different_request_is_a_422_and_changes_nothing(writer, area):
    post(writer, HTTP_IDEMPOTENCY_KEY="k1")

    response = post(writer, {"interviewers": 41, "reason": "late report"}, HTTP_IDEMPOTENCY_KEY="k1")

    assert response.status_code == 422
    assert DailyStaffing.objects.get().interviewers == 40


def test_a_correction_needs_a_reason_and_a_stale_version_is_a_412(writer, area):
    post(writer)

    no_reason = post(writer, {"interviewers": 41})
    stale = post(writer, {"interviewers": 41, "reason": "late report"}, HTTP_IF_MATCH='"0"')
    corrected = post(writer, {"interviewers": 41, "reason": "late report"}, HTTP_IF_MATCH='"1"')

    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    assert stale.status_code == 412
    assert corrected.status_code == 200 and corrected.json()["version"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"interviewers": -1}, "interviewers"),
        ({"volunteers": "many"}, "volunteers"),
        ({"instructors": "３"}, "instructors"),
        ({"interviewers": 10**30}, "interviewers"),
        ({"vaccinated": 48}, "vaccinated"),
        ({"date": "2021-13-01"}, "date"),
        ({"date": "2030-01-01"}, "date"),
        ({"district": "99"}, "district"),
        ({"district": "999999999"}, "district"),
        ({"reason": "x" * 1001}, "reason"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(writer, area, body, field):
    response = post(writer, body)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert written() == (0, 0, 0)


def test_messages_follow_the_language_asked_for(writer, area):
    response = writer.post(STAFFING + "?lang=kk", {"district": "131000000", "date": DAY, "interviewers": 1, "instructors": 0,
                           "volunteers": 0, "vaccinated": 2}, format="json")  # fmt: skip

    assert response.status_code == 400
    assert "көп" in response.json()["errors"]["vaccinated"][0]


def test_a_read_only_token_and_a_district_outside_the_token_s_region_are_refused(area, token_client, writer):
    reader, _token = token_client(region=area[0], can_write=False)

    read_only = post(reader)
    elsewhere = post(writer, {"district": "141000000"})

    assert (read_only.status_code, elsewhere.status_code) == (403, 403)
    assert written() == (0, 0, 0)


def test_the_list_shows_only_the_token_s_region_and_comes_as_csv_too(area, writer, token_client):
    # given: a day in each region, written by a country-wide token
    country, _token = token_client(region=None, can_write=True)
    post(country)
    post(country, {"district": "141000000"})

    # when
    listed = writer.get(STAFFING).json()["results"]
    csv = writer.get(STAFFING + "?format=csv")

    # then
    assert [row["district"] for row in listed] == ["131000000"]
    assert csv.status_code == 200
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("district,date,interviewers,instructors,volunteers,vaccinated")
    assert len(lines) == 2


def test_a_plan_version_is_201_the_same_again_200_and_the_list_keeps_every_version(writer, area):
    plan = {"district": "131000000", "role": "interviewer", "planned": 45, "valid_from": "2021-10-01"}

    first = writer.post(PLANS, plan, format="json")
    again = writer.post(PLANS, plan, format="json")
    later = writer.post(PLANS, {**plan, "planned": 50, "valid_from": "2021-10-10", "note": "decision"}, format="json")
    listed = writer.get(PLANS + "?role=interviewer").json()["results"]

    assert (first.status_code, again.status_code, later.status_code) == (201, 200, 201)
    assert [(row["planned"], row["valid_from"]) for row in listed] == [(45, "2021-10-01"), (50, "2021-10-10")]
    assert StaffingPlan.objects.in_force(on=datetime.date(2021, 10, 12)).get().planned == 50


@pytest.mark.parametrize(("body", "field"), [({"role": "driver"}, "role"), ({"planned": -1}, "planned"),
                                             ({"valid_from": "soon"}, "valid_from"), ({"note": "n" * 301}, "note")])  # fmt: skip
def test_a_bad_plan_is_a_400_and_nothing_is_written(writer, area, body, field):
    plan = {"district": "131000000", "role": "interviewer", "planned": 45, "valid_from": "2021-10-01", **body}

    response = writer.post(PLANS, plan, format="json")

    assert response.status_code == 400 and field in response.json()["errors"]
    assert written() == (0, 0, 0)
