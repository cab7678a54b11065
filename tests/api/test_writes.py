"""POST /api/v1/daily-counts/: the web forms' write path, with retries made safe and stale writes refused."""

import datetime

import pytest

from census.models import REASON_MAX_LENGTH, AuditEntry, DailyCount, IdempotentRequest
from tests import factories

URL = "/api/v1/daily-counts/"
DAY = "2021-10-06"


@pytest.fixture
def area(campaign, after_campaign):
    region = factories.RegionFactory(kato="130000000")
    district = factories.DistrictFactory(region=region, kato="131000000")
    factories.BaselineFactory(district=district, campaign=campaign, population=1000)
    return region, district


@pytest.fixture
def writer(area, token_client):
    client, _token = token_client(region=area[0], can_write=True)
    return client


def post(client, body=None, **headers):
    payload = {"district": "131000000", "date": DAY, "online": 10, "offline": 20, **(body or {})}
    return client.post(URL, payload, format="json", **headers)


def stored(district, day=DAY):
    return DailyCount.objects.filter(district=district, date=datetime.date.fromisoformat(day)).first()


def test_a_new_district_day_is_created_with_201_and_its_running_totals(writer, area):
    response = post(writer)

    assert response.status_code == 201
    assert response.json() == {
        "district": "131000000",
        "date": DAY,
        "online": 10,
        "offline": 20,
        "online_cumulative": 10,
        "offline_cumulative": 20,
        "version": 1,
        "updated_at": response.json()["updated_at"],
        "warnings": [],
    }
    assert response["ETag"] == '"1"'
    entry = AuditEntry.objects.get()
    assert entry.source == AuditEntry.Source.API
    assert entry.user is None


def test_a_second_write_updates_with_200_and_a_new_version(writer, area):
    post(writer)

    response = post(writer, {"online": 15, "offline": 25, "reason": "late forms"})

    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert (stored(area[1]).online, stored(area[1]).offline) == (15, 25)


def test_cumulative_entry_becomes_the_days_increment(writer, area):
    post(writer, {"date": "2021-10-05", "online": 10, "offline": 20})

    response = post(writer, {"mode": "cumulative", "online": 25, "offline": 50})

    assert response.json()["online"] == 15
    assert response.json()["offline"] == 30
    assert response.json()["online_cumulative"] == 25
    assert response.json()["offline_cumulative"] == 50


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"online": -1}, {"online"}),
        ({"online": "many"}, {"online"}),
        ({"online": -1, "offline": -2}, {"online", "offline"}),
        ({"date": "27.10.2021"}, {"date"}),
        ({"date": "2021-12-24"}, {"date"}),
        ({"date": "2021-08-01"}, {"date"}),
        ({"mode": "weekly"}, {"mode"}),
        ({"district": "13"}, {"district"}),
        ({"district": "999999999"}, {"district"}),
        ({"online": 30_000_001}, {"online"}),
    ],
)
def test_invalid_input_is_a_400_field_by_field_and_nothing_is_written(writer, area, body, fields):
    response = post(writer, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["errors"]) == fields
    assert all(messages and all(isinstance(m, str) for m in messages) for messages in response.json()["errors"].values())
    assert not DailyCount.objects.exists()


def test_the_service_refuses_a_correction_without_a_reason_in_the_callers_language(writer, area):
    post(writer)

    response = post(writer, {"online": 5}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["errors"] == {"online": ["Lowering a recorded figure is a correction: give a reason."]}
    assert stored(area[1]).online == 10


def test_a_body_that_is_not_json_is_a_400_in_the_error_shape(writer, area):
    response = writer.post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


# --- Idempotency-Key ------------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_first_response_and_changes_nothing(writer, area):
    first = post(writer, HTTP_IDEMPOTENCY_KEY="entry-42")
    audit_after_first = AuditEntry.objects.count()

    retry = post(writer, HTTP_IDEMPOTENCY_KEY="entry-42")

    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert retry["ETag"] == first["ETag"]
    assert AuditEntry.objects.count() == audit_after_first
    assert stored(area[1]).version == 1


def test_a_retry_after_someone_else_changed_the_day_still_replays_and_does_not_undo_their_change(writer, area):
    post(writer, HTTP_IDEMPOTENCY_KEY="entry-43")
    post(writer, {"online": 99, "offline": 20, "reason": "recount"})

    retry = post(writer, HTTP_IDEMPOTENCY_KEY="entry-43")

    assert retry.status_code == 201
    assert retry.json()["online"] == 10
    assert stored(area[1]).online == 99


def test_the_same_key_with_a_different_body_is_a_422(writer, area):
    post(writer, HTTP_IDEMPOTENCY_KEY="entry-44")

    response = post(writer, {"online": 11}, HTTP_IDEMPOTENCY_KEY="entry-44")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert stored(area[1]).online == 10


def test_keys_belong_to_their_token(area, token_client):
    first, _ = token_client(region=area[0], can_write=True)
    second, _ = token_client(region=area[0], can_write=True)
    post(first, HTTP_IDEMPOTENCY_KEY="shared")

    response = post(second, {"online": 12, "reason": "second office"}, HTTP_IDEMPOTENCY_KEY="shared")

    assert response.status_code == 200
    assert stored(area[1]).online == 12


def test_a_failed_request_stores_no_key_so_a_corrected_retry_goes_through(writer, area):
    refused = post(writer, {"online": -1}, HTTP_IDEMPOTENCY_KEY="entry-45")
    accepted = post(writer, HTTP_IDEMPOTENCY_KEY="entry-45")

    assert refused.status_code == 400
    assert accepted.status_code == 201
    assert IdempotentRequest.objects.filter(key="entry-45").count() == 1


def test_an_unusable_key_is_a_400(writer, area):
    response = post(writer, HTTP_IDEMPOTENCY_KEY="x" * 256)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


# --- If-Match -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("if_match", ["1", '"1"', 'W/"1"', "*"])
def test_a_write_based_on_the_current_version_goes_through(writer, area, if_match):
    post(writer)

    response = post(writer, {"online": 12, "reason": "recount"}, HTTP_IF_MATCH=if_match)

    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_the_etag_a_write_returned_is_accepted_by_the_next_write(writer, area):
    etag = post(writer)["ETag"]

    response = post(writer, {"online": 12, "reason": "recount"}, HTTP_IF_MATCH=etag)

    assert response.status_code == 200


def test_a_stale_version_is_a_412_and_nothing_changes(writer, area):
    post(writer)
    post(writer, {"online": 12, "reason": "recount"})

    response = post(writer, {"online": 13, "reason": "my recount"}, HTTP_IF_MATCH='"1"')

    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed"
    assert stored(area[1]).online == 12
    assert stored(area[1]).version == 2


@pytest.mark.parametrize("if_match", ["*", '"1"'])
def test_expecting_a_record_that_does_not_exist_is_a_412(writer, area, if_match):
    response = post(writer, HTTP_IF_MATCH=if_match)

    assert response.status_code == 412
    assert not DailyCount.objects.exists()


def test_version_0_means_i_saw_no_record(writer, area):
    assert post(writer, HTTP_IF_MATCH="0").status_code == 201
    assert post(writer, {"online": 11}, HTTP_IF_MATCH="0").status_code == 412


def test_an_if_match_that_is_no_version_is_a_412(writer, area):
    post(writer)

    response = post(writer, {"online": 11}, HTTP_IF_MATCH='"abc"')

    assert response.status_code == 412
    assert stored(area[1]).online == 10


def test_a_reason_longer_than_the_forms_allow_is_a_400_and_changes_nothing(writer, area):
    # given: a stored day, and a correction whose reason is a pasted page
    post(writer)
    audit_before = AuditEntry.objects.count()

    response = post(writer, {"online": 5, "reason": "x" * (REASON_MAX_LENGTH + 1)})

    # then: refused on the reason field, as the forms and imports refuse it
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert stored(area[1]).online == 10
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "Неправильный формат даты. Используйте один из этих форматов: YYYY-MM-DD."),
        ("kk", "Күн пішімі дұрыс емес. Осы пішімдердің бірін пайдаланыңыз: YYYY-MM-DD."),
        ("en", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
    ],
)
def test_a_date_in_the_wrong_format_is_refused_wholly_in_the_callers_language(writer, area, language, expected):
    # DRF's own Russian and Kazakh catalogs write the field type in English here ("формат date"); ours replace them.
    response = post(writer, {"date": "27.10.2021"}, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    assert response.json()["errors"] == {"date": [expected]}
    assert not DailyCount.objects.exists()
