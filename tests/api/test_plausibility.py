"""POST /api/v1/daily-counts/ and the plausibility checks: 400 `implausible` naming the check, confirm with a reason, warnings."""

import pytest

from census.models import AuditEntry, DailyCount, IdempotentRequest
from tests import factories

URL = "/api/v1/daily-counts/"
KATO = "151000000"


@pytest.fixture
def district(campaign, after_campaign):
    region = factories.RegionFactory(kato="150000000")
    district = factories.DistrictFactory(region=region, kato=KATO)
    factories.BaselineFactory(district=district, campaign=campaign, population=36_100)
    return district


@pytest.fixture
def writer(district, token_client):
    client, _token = token_client(region=district.region, can_write=True)
    return client


def post(client, body, query="", **headers):
    payload = {"district": KATO, "date": "2021-10-06", "online": 10, "offline": 20, **body}
    return client.post(URL + query, payload, format="json", **headers)


def test_an_implausible_figure_is_refused_with_400_naming_the_checks_and_figures(writer, district):
    response = post(writer, {"online": 5_000_000, "reason": "test"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "implausible"
    checks = {check["check"]: check for check in body["checks"]}
    assert set(checks) == {"total_over_baseline", "day_over_baseline"}
    assert checks["day_over_baseline"]["field"] == "online"
    assert checks["day_over_baseline"]["figures"] == {
        "value": 5_000_000,
        "baseline": 36_100,
        "percent": 13850.4,
        "limit_percent": 50,
    }
    assert checks["total_over_baseline"]["figures"]["total"] == 5_000_020
    assert "5,000,000" in body["errors"]["online"][0]
    assert "confirm_implausible" in body["errors"]
    assert not DailyCount.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_refusal_is_in_the_language_asked_for(writer, district):
    response = post(writer, {"online": 5_000_000}, query="?lang=ru")

    assert response.status_code == 400
    assert "5\xa0000\xa0000" in response.json()["errors"]["online"][0]


def test_a_confirmation_without_a_reason_is_refused(writer, district):
    response = post(writer, {"online": 20_000, "confirm_implausible": True})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reason"]
    assert not DailyCount.objects.exists()


def test_a_confirmed_entry_with_a_reason_is_saved_and_lists_what_it_was_confirmed_past(writer, district):
    response = post(writer, {"online": 20_000, "confirm_implausible": True, "reason": "two days of forms at once"})

    assert response.status_code == 201
    assert [w["check"] for w in response.json()["warnings"]] == ["day_over_baseline"]
    assert response.json()["warnings"][0]["implausible"] is True
    assert DailyCount.objects.get().online == 20_000
    assert AuditEntry.objects.get().reason == "two days of forms at once"


def test_an_unusual_figure_is_saved_with_a_warning(writer, district):
    response = post(writer, {"online": 1_806, "offline": 0})  # 5.0% of 36,100 is 1,805

    assert response.status_code == 201
    warnings = response.json()["warnings"]
    assert [(w["check"], w["field"], w["implausible"]) for w in warnings] == [("day_large", "online", False)]
    assert warnings[0]["figures"]["value"] == 1_806
    assert DailyCount.objects.get().online == 1_806


def test_an_idempotent_retry_of_a_refused_entry_is_judged_again_and_of_a_saved_one_replays_its_warnings(writer, district):
    refused = post(writer, {"online": 20_000}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert refused.status_code == 400
    assert not IdempotentRequest.objects.exists()

    body = {"online": 2_000}
    first = post(writer, body, HTTP_IDEMPOTENCY_KEY="k-2")
    again = post(writer, body, HTTP_IDEMPOTENCY_KEY="k-2")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["warnings"] == first.json()["warnings"] != []
    assert DailyCount.objects.get().version == 1
