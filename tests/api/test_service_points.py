"""/api/v1/service-points/ (the registry, scoped like every list, filtered by day) and /api/v1/service-point-use/ (people
helped at a point per day: written once per Idempotency-Key, scoped, warned against the online answers)."""

import csv
import datetime
import io

import pytest

from census.models import AuditEntry, ServicePoint, ServicePointUse
from census.service_points import save_service_point
from census.services import record_count
from regions.models import District
from tests import factories

SEP_1 = datetime.date(2021, 9, 1)


@pytest.fixture
def points(campaign):
    """Two regions: North with an open public point, a closed one and one the public page does not list; South one."""
    north, south = factories.RegionFactory(kato="310000000"), factories.RegionFactory(kato="320000000")
    north_1 = factories.DistrictFactory(region=north, kato="311000000")
    south_1 = factories.DistrictFactory(region=south, kato="321000000")

    def add(district, name, **values):
        values = {"kind": "psc", "name_kk": name, "name_ru": name, "name_en": name, "active_from": SEP_1} | values
        return save_service_point(campaign=campaign, district=district, values=values, source=AuditEntry.Source.COMMAND)

    add(north_1, "Open", address="ул. Абая, 1", latitude="51.2", longitude="51.37", opening_hours="09:00–18:00")
    add(north_1, "Closed", kind="mobile", active_to=datetime.date(2021, 9, 30))
    add(north_1, "Staff only", kind="akimat", public=False)
    add(south_1, "Southern", kind="clinic")
    return north, south


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name_en"] for row in response.json()["results"]]


def test_a_region_token_lists_the_points_of_its_region_only(points, token_client):
    north, _south = points
    client, _token = token_client(region=north)

    response = client.get("/api/v1/service-points/?lang=ru")

    assert names(response) == ["Closed", "Open", "Staff only"]
    open_point = response.json()["results"][1]
    assert open_point["district"] == "311000000"
    assert (open_point["kind"], open_point["kind_label"]) == ("psc", "центр обслуживания населения (ЦОН)")
    assert (open_point["latitude"], open_point["longitude"]) == ("51.20000", "51.37000")
    assert (open_point["active_from"], open_point["active_to"], open_point["public"]) == ("2021-09-01", None, True)


def test_a_country_token_lists_every_region_s_points_and_a_region_outside_the_scope_lists_nothing(points, token_client):
    north, _south = points
    country, _token = token_client(region=None)
    northern, _token = token_client(region=north)

    assert names(country.get("/api/v1/service-points/")) == ["Closed", "Open", "Staff only", "Southern"]
    assert names(northern.get("/api/v1/service-points/?region=320000000")) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date=2021-10-27", ["Open", "Staff only"]),
        ("date=2021-09-30", ["Closed", "Open", "Staff only"]),
        ("date=2021-10-27&public=true", ["Open"]),
        ("public=false", ["Staff only"]),
        ("district=311000000&date=2021-08-31", []),
    ],
)
def test_the_list_is_filtered_by_the_day_and_by_what_the_public_page_shows(points, token_client, query, expected):
    client, _token = token_client(region=None)

    assert [name for name in names(client.get(f"/api/v1/service-points/?{query}")) if name != "Southern"] == expected


def test_the_registry_exports_as_csv_with_a_header_row(points, token_client):
    client, _token = token_client(region=points[0])

    response = client.get("/api/v1/service-points/?format=csv&date=2021-10-27")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["name_en"] for row in rows] == ["Open", "Staff only"]
    assert rows[0]["address"] == "ул. Абая, 1"


@pytest.mark.parametrize("query", ["date=2021-13-01", "public=maybe", "region=27"])
def test_a_bad_filter_is_a_400_naming_it(points, token_client, query):
    client, _token = token_client(region=None)

    response = client.get(f"/api/v1/service-points/?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["errors"]


def test_without_a_token_it_is_a_401(points, client):
    assert client.get("/api/v1/service-points/").status_code == 401


# --- /api/v1/service-point-use/ --------------------------------------------------------------------

USE = "/api/v1/service-point-use/"


def point_id(name: str) -> int:
    return ServicePoint.objects.get(name_en=name).pk


@pytest.mark.usefixtures("after_campaign")
def test_a_points_day_is_written_once_per_key_and_listed_in_scope(points, token_client):
    north, south = points
    writer, _token = token_client(region=north, can_write=True)
    body = {"point": point_id("Open"), "date": "2021-10-05", "assisted": 12}

    first = writer.post(USE, body, format="json", HTTP_IDEMPOTENCY_KEY="device-1")
    replay = writer.post(USE, body, format="json", HTTP_IDEMPOTENCY_KEY="device-1")

    assert first.status_code == 201 and replay.status_code == 201
    assert replay.json() == first.json()
    assert first.json()["assisted"] == 12 and first.json()["district"] == "311000000"
    assert ServicePointUse.objects.count() == 1
    southern, _token = token_client(region=south)
    assert writer.get(USE).json()["count"] == 1 and southern.get(USE).json()["count"] == 0


@pytest.mark.usefixtures("after_campaign")
def test_the_answer_warns_when_the_points_helped_more_people_than_the_districts_online_answers(points, token_client, campaign):
    north, _south = points
    writer, _token = token_client(region=north, can_write=True)
    record_count(
        campaign=campaign, district=District.objects.get(kato="311000000"), date=datetime.date(2021, 10, 5), online=10,
        offline=0, source=AuditEntry.Source.COMMAND,
    )  # fmt: skip

    answer = writer.post(
        USE, {"point": point_id("Open"), "date": "2021-10-05", "assisted": 12}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert answer.status_code == 201
    assert len(answer.json()["warnings"]) == 1 and "more than the 10 online answers" in answer.json()["warnings"][0]


@pytest.mark.usefixtures("after_campaign")
@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"point": "Southern", "date": "2021-10-05", "assisted": 1}, 403, None),
        ({"point": 999_999, "date": "2021-10-05", "assisted": 1}, 400, "point"),
        ({"point": "Open", "date": "2021-10-05", "assisted": -1}, 400, "assisted"),
        ({"point": "Closed", "date": "2021-10-05", "assisted": 1}, 400, "date"),
    ],
)
def test_a_point_outside_the_area_unknown_or_closed_or_a_bad_figure_writes_nothing(points, token_client, body, status, field):
    writer, _token = token_client(region=points[0], can_write=True)
    if isinstance(body["point"], str):
        body = {**body, "point": point_id(body["point"])}

    response = writer.post(USE, body, format="json")

    assert response.status_code == status
    if field:
        assert field in response.json()["errors"]
    assert not ServicePointUse.objects.exists()


def test_a_read_only_token_cannot_record_a_points_day(points, token_client):
    reader, _token = token_client(region=points[0])

    response = reader.post(USE, {"point": point_id("Open"), "date": "2021-10-05", "assisted": 1}, format="json")

    assert response.status_code == 403 and not ServicePointUse.objects.exists()


@pytest.mark.parametrize("point", [2**63, 10**30])
def test_a_point_id_beyond_any_key_is_a_400_not_a_server_error(points, token_client, point):
    writer, _token = token_client(region=points[0], can_write=True)

    listed = writer.get(f"{USE}?point={point}")
    written = writer.post(USE, {"point": point, "date": "2021-10-05", "assisted": 1}, format="json")

    assert (listed.status_code, written.status_code) == (400, 400)
    assert "point" in listed.json()["errors"] and "point" in written.json()["errors"]
