"""Who sees and changes what through the API: tokens scoped to a region or the country, read-only tokens, people."""

import datetime

import pytest
from django.utils import timezone
from django.utils.crypto import get_random_string
from rest_framework.test import APIClient

from census.accounts import provision_user
from census.models import AuditEntry, DailyCount
from census.services import record_count
from reports.services import drain_recompute_outbox
from tests import factories
from tests.api.conftest import client_with

DAY = datetime.date(2021, 10, 5)


@pytest.fixture
def two_regions(campaign, after_campaign):
    """North (two districts) and South (one), each with a count, and coverage computed."""
    north = factories.RegionFactory(kato="110000000", name_ru="Северная область")
    south = factories.RegionFactory(kato="120000000", name_ru="Южная область")
    districts = {
        "111000000": factories.DistrictFactory(region=north, kato="111000000"),
        "112000000": factories.DistrictFactory(region=north, kato="112000000"),
        "121000000": factories.DistrictFactory(region=south, kato="121000000"),
    }
    for district in districts.values():
        factories.BaselineFactory(district=district, campaign=campaign, population=1000)
        record_count(campaign=campaign, district=district, date=DAY, online=10, offline=20, source=AuditEntry.Source.COMMAND)
    drain_recompute_outbox()
    return north, south, districts


def katos(response):
    assert response.status_code == 200, response.content
    return sorted(row.get("kato") or row.get("district") for row in response.json()["results"])


READ_LISTS = [
    "/api/v1/regions/",
    "/api/v1/districts/",
    "/api/v1/daily-counts/",
    "/api/v1/coverage/?level=district&date=2021-10-05",
    "/api/v1/coverage/?level=region&date=2021-10-05",
]


@pytest.mark.parametrize("url", READ_LISTS)
def test_a_region_token_lists_only_its_own_region(two_regions, token_client, url):
    north, _south, _districts = two_regions
    client, _token = token_client(region=north)

    listed = katos(client.get(url))

    assert listed
    assert all(kato.startswith("11") for kato in listed)


@pytest.mark.parametrize("url", READ_LISTS)
def test_a_country_token_lists_every_region(two_regions, token_client, url):
    client, _token = token_client(region=None)

    listed = katos(client.get(url))

    assert {kato[:2] for kato in listed} == {"11", "12"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/districts/?region=120000000",
        "/api/v1/daily-counts/?region=120000000",
        "/api/v1/daily-counts/?district=121000000",
        "/api/v1/coverage/?level=district&region=120000000&date=2021-10-05",
    ],
)
def test_filtering_on_another_region_lists_nothing(two_regions, token_client, url):
    north, _south, _districts = two_regions
    client, _token = token_client(region=north)

    assert katos(client.get(url)) == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/regions/120000000/",
        "/api/v1/districts/121000000/",
        "/api/v1/coverage/series/?kato=121000000",
        "/api/v1/coverage/series/?kato=120000000",
        "/api/v1/coverage/series/?kato=000000000",
        "/api/v1/highlights/?region=120000000",
        "/api/v1/briefing/?region=120000000",
    ],
)
def test_another_regions_details_are_not_found(two_regions, token_client, url):
    north, _south, _districts = two_regions
    client, _token = token_client(region=north)

    response = client.get(url)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_write_token_cannot_write_in_another_region_and_nothing_changes(two_regions, token_client):
    north, _south, districts = two_regions
    client, _token = token_client(region=north, can_write=True)
    before = list(DailyCount.objects.values_list("district__kato", "date", "online", "offline", "version"))

    response = client.post(
        "/api/v1/daily-counts/",
        {"district": "121000000", "date": "2021-10-06", "online": 5, "offline": 5},
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert list(DailyCount.objects.values_list("district__kato", "date", "online", "offline", "version")) == before
    assert not AuditEntry.objects.filter(source=AuditEntry.Source.API).exists()


def test_a_read_only_token_cannot_write_even_in_its_region(two_regions, token_client):
    north, _south, _districts = two_regions
    client, _token = token_client(region=north)

    response = client.post(
        "/api/v1/daily-counts/",
        {"district": "111000000", "date": "2021-10-06", "online": 5, "offline": 5},
        format="json",
    )

    assert response.status_code == 403
    assert not DailyCount.objects.filter(date=datetime.date(2021, 10, 6)).exists()


@pytest.mark.parametrize(
    "token_kwargs",
    [
        pytest.param({"expires_at": datetime.datetime(2021, 11, 1, tzinfo=datetime.UTC)}, id="expired"),
        pytest.param({"revoked": True}, id="revoked"),
    ],
)
def test_an_expired_or_revoked_token_is_refused_with_401(two_regions, token_client, token_kwargs):
    north, _south, _districts = two_regions
    revoked = token_kwargs.pop("revoked", False)
    client, token = token_client(region=north, **token_kwargs)
    if revoked:
        token.revoked_at = timezone.now()
        token.save()

    response = client.get("/api/v1/regions/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    "header",
    ["Token not-a-key", "Token", "Token a b", "Bearer abc"],
)
def test_a_wrong_or_missing_key_is_401(two_regions, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/coverage/")

    assert response.status_code == 401
    assert set(response.json()) == {"status", "code", "detail", "errors"}


def test_a_token_records_when_it_was_last_used(two_regions, token_client):
    north, _south, _districts = two_regions
    client, token = token_client(region=north)

    client.get("/api/v1/regions/")

    token.refresh_from_db()
    assert token.last_used_at == timezone.now()


# --- People with a web session -------------------------------------------------------------------------


def test_a_logged_in_official_reads_their_region_through_the_session(two_regions):
    official = provision_user(username="akimat.north", role="official", kato="110000000")
    client = APIClient()
    client.force_login(official)

    assert {kato[:2] for kato in katos(client.get("/api/v1/districts/"))} == {"11"}
    assert client.post("/api/v1/daily-counts/", {}, format="json").status_code == 403


def test_a_logged_in_staff_member_writes_with_the_csrf_token_only(two_regions):
    staff = provision_user(username="stat.north", role="staff", kato="110000000")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff)
    body = {"district": "111000000", "date": "2021-10-06", "online": 7, "offline": 0}

    without_csrf = client.post("/api/v1/daily-counts/", body, format="json")
    # The CSRF cookie as the site sets it, and the header a page's script sends back.
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    with_csrf = client.post("/api/v1/daily-counts/", body, format="json", HTTP_X_CSRFTOKEN=secret)

    assert without_csrf.status_code == 403
    assert "CSRF" in without_csrf.json()["detail"]
    assert with_csrf.status_code == 201, with_csrf.content
    entry = AuditEntry.objects.get(source=AuditEntry.Source.API)
    assert entry.user == staff


def test_an_account_without_a_role_is_forbidden(two_regions):
    client = APIClient()
    client.force_login(factories.UserFactory(username="nobody"))

    response = client.get("/api/v1/regions/")

    assert response.status_code == 403


def test_without_credentials_the_api_answers_401_in_the_error_shape(two_regions):
    response = APIClient().get("/api/v1/regions/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_key_issued_by_the_command_works_for_its_region(two_regions):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("issue_token", "press office", "--scope", "110000000", stdout=out)

    client = client_with(out.getvalue().strip())
    assert {kato[:2] for kato in katos(client.get("/api/v1/districts/"))} == {"11"}
