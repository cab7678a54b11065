"""HTTP behaviour every client relies on: CSV, conditional GETs, throttling, and one error shape."""

import csv
import io
import secrets
import time

import pytest
from django.test import override_settings
from django.utils.http import http_date
from rest_framework.test import APIClient

from census.api.base import CsvRenderer
from tests.conftest import AFTER_CAMPAIGN

WKO = "270000000"
ERROR_KEYS = {"status", "code", "detail", "errors"}


def read_csv(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the BOM to read Kazakh letters"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


# --- CSV ------------------------------------------------------------------------------------------------


def test_coverage_as_csv_is_the_whole_list_with_a_header_row(wko_reader):
    response = wko_reader.get(f"/api/v1/coverage/?level=district&region={WKO}&date=2021-10-27&format=csv&lang=kk")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="coverage-2021-10-27.csv"'
    rows = read_csv(response)
    assert len(rows) == 13
    taskala = next(row for row in rows if row["kato"] == "276000000")
    assert taskala["name"] == "Тасқала ауданы"
    assert taskala["coverage_pct"] == "100.6"
    assert taskala["total"] == "16727"
    assert taskala["flags"] == "over_100"
    assert taskala["status"] == "completed_early"


def test_daily_counts_as_csv_carry_running_totals(wko_reader):
    response = wko_reader.get("/api/v1/daily-counts/?district=276000000&date_from=2021-10-27&date_to=2021-10-27&format=csv")

    [row] = read_csv(response)
    assert row["district"] == "276000000"
    assert row["online_cumulative"] == "10100"
    assert row["offline_cumulative"] == "6627"


def test_an_empty_csv_still_has_its_header(wko_reader):
    response = wko_reader.get("/api/v1/coverage/?date=2021-01-01&format=csv")

    assert response.content.decode("utf-8").removeprefix("\ufeff").startswith("kato,name,level,")


def test_an_error_asked_for_as_csv_is_still_json(wko_reader):
    response = wko_reader.get("/api/v1/coverage/?date=nonsense&format=csv")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == ERROR_KEYS


def test_csv_cells_spell_out_lists_and_empty_values():
    rendered = CsvRenderer().render([{"a": ["x", "y"], "b": None, "c": True}], renderer_context={"csv_header": ["a", "b", "c"]})

    assert rendered.decode("utf-8") == "\ufeffa,b,c\r\nx;y,,true\r\n"


# --- Conditional GET --------------------------------------------------------------------------------------


def test_a_conditional_get_with_the_etag_is_304_without_a_body(wko_reader):
    first = wko_reader.get("/api/v1/coverage/?level=district&date=2021-10-27")

    again = wko_reader.get("/api/v1/coverage/?level=district&date=2021-10-27", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_a_conditional_get_with_last_modified_is_304_until_figures_are_recomputed(wko_reader, demo):
    first = wko_reader.get("/api/v1/coverage/?date=2021-10-27")
    since = first["Last-Modified"]

    assert wko_reader.get("/api/v1/coverage/?date=2021-10-27", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    assert wko_reader.get("/api/v1/daily-counts/?district=276000000", HTTP_IF_MODIFIED_SINCE=http_date()).status_code == 304


def test_a_different_language_has_a_different_etag(wko_reader):
    russian = wko_reader.get("/api/v1/regions/?lang=ru")

    english = wko_reader.get("/api/v1/regions/?lang=en", HTTP_IF_NONE_MATCH=russian["ETag"])

    assert english.status_code == 200
    assert english["ETag"] != russian["ETag"]
    assert "Accept-Language" in english["Vary"]
    assert "Authorization" in english["Vary"]


def test_a_changed_count_changes_the_etag_of_the_list(wko_writer):
    url = "/api/v1/daily-counts/?district=276000000&date_from=2021-10-27&date_to=2021-10-27"
    before = wko_writer.get(url)

    wko_writer.post(
        "/api/v1/daily-counts/",
        {"district": "276000000", "date": "2021-10-20", "online": 1, "offline": 1, "reason": "late forms"},
        format="json",
    )
    after = wko_writer.get(url, HTTP_IF_NONE_MATCH=before["ETag"])

    # The listed day did not change, but its running totals did.
    assert after.status_code == 200
    assert after.json()["results"][0]["online_cumulative"] != before.json()["results"][0]["online_cumulative"]


# --- Throttling -------------------------------------------------------------------------------------------


@pytest.fixture
def tiny_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_read": "3/minute", "api_write": "1/minute", "api_anon": "2/minute"},
    }


def test_a_token_over_its_rate_gets_429_in_the_error_shape_with_retry_after(demo, token_client, tiny_rates):
    client, _token = token_client(region=demo)
    other, _token = token_client(region=demo)

    statuses = [client.get("/api/v1/regions/").status_code for _ in range(4)]
    refused = client.get("/api/v1/regions/")

    assert statuses == [200, 200, 200, 429]
    assert refused.json()["code"] == "throttled"
    assert set(refused.json()) == ERROR_KEYS
    assert int(refused["Retry-After"]) > 0
    # Another token has a budget of its own.
    assert other.get("/api/v1/regions/").status_code == 200


def test_writes_are_counted_apart_from_reads(demo, token_client, tiny_rates):
    client, _token = token_client(region=demo, can_write=True)
    body = {"district": "276000000", "date": "2021-10-20", "online": 1, "offline": 1, "reason": "late forms"}

    assert client.post("/api/v1/daily-counts/", body, format="json").status_code in (200, 201)
    assert client.post("/api/v1/daily-counts/", body, format="json").status_code == 429
    assert client.get("/api/v1/regions/").status_code == 200


def test_rates_come_from_settings(demo, token_client):
    client, _token = token_client(region=demo)

    with override_settings(REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"api_read": "1/hour"}}):
        assert client.get("/api/v1/regions/").status_code == 200
        assert client.get("/api/v1/regions/").status_code == 429


def test_a_token_held_back_is_let_through_again_once_its_window_is_over(db, token_client, time_machine):
    client, _token = token_client(region=None)
    # The window passes on the process's clock (pinned in this module) and on Redis's (the real one).
    time_machine.move_to(AFTER_CAMPAIGN, tick=False)

    with override_settings(REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"api_read": "2/second"}}):
        within = [client.get("/api/v1/regions/").status_code for _ in range(2)]
        over = client.get("/api/v1/regions/")
        time.sleep(1.2)
        time_machine.shift(1.2)
        again = client.get("/api/v1/regions/")

    assert within == [200, 200]
    assert over.status_code == 429 and int(over["Retry-After"]) >= 1
    assert again.status_code == 200


def an_address_of_its_own() -> str:
    """A client address no other test (nor an earlier run sharing Redis) counts against."""
    return f"198.18.{secrets.randbelow(256)}.{1 + secrets.randbelow(254)}"


@pytest.mark.parametrize("authorization", [None, "Token not-a-real-key", "Token"], ids=["no key", "wrong key", "malformed"])
def test_requests_refused_for_their_credentials_are_limited_per_address(db, tiny_rates, authorization):
    # given: the anonymous rate is 2/minute; requests without a valid key from one address
    address = an_address_of_its_own()
    headers = {"REMOTE_ADDR": address} | ({"HTTP_AUTHORIZATION": authorization} if authorization else {})

    # when
    within = [APIClient().get("/api/v1/regions/", **headers) for _ in range(2)]
    over = APIClient().get("/api/v1/regions/", **headers)
    elsewhere = APIClient().get("/api/v1/regions/", **{**headers, "REMOTE_ADDR": an_address_of_its_own()})

    # then: 401s while within the rate, then 429 in the error shape; another address has its own budget
    assert [response.status_code for response in within] == [401, 401]
    assert over.status_code == 429
    assert over.json()["code"] == "throttled" and set(over.json()) == ERROR_KEYS
    assert int(over["Retry-After"]) > 0
    assert elsewhere.status_code == 401


def test_a_valid_token_is_not_held_back_by_wrong_keys_from_its_address(demo, token_client, tiny_rates):
    # given: an address that used up its anonymous budget on wrong keys
    address = an_address_of_its_own()
    for _ in range(3):
        APIClient().get("/api/v1/regions/", REMOTE_ADDR=address, HTTP_AUTHORIZATION="Token not-a-real-key")
    client, _token = token_client(region=demo)

    # when
    response = client.get("/api/v1/regions/", REMOTE_ADDR=address)

    # then
    assert response.status_code == 200


# --- One error shape --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/v1/no-such-thing/", 404),
        ("get", "/api/nothing", 404),
        ("get", "/api/v1/regions/999999999/", 404),
        ("delete", "/api/v1/daily-counts/", 405),
        ("put", "/api/v1/coverage/", 405),
        ("get", "/api/v1/coverage/?format=xml", 404),
        ("get", "/api/v1/coverage/?date=2021-13-01", 400),
    ],
)
def test_every_error_is_json_in_one_shape(wko_reader, method, url, status):
    response = getattr(wko_reader, method)(url)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]


def test_error_messages_are_in_the_language_asked(wko_reader):
    response = wko_reader.get("/api/v1/highlights/?region=276000000&lang=kk")

    assert response.json()["errors"]["region"] == ["276000000 — аудан; оның өңірін көрсетіңіз."]
