"""The v1 contract, field by field, on the demo region as the briefing of 28 Oct 2021 published it."""

import datetime

import pytest

from census.models import DailyCount
from reports.models import CoverageSnapshot

OCT_27 = "2021-10-27"
WKO = "270000000"
TASKALA = "276000000"
BOKEYORDA = "275400000"
KARATOBE = "275000000"
CHINGIRLAU = "276600000"
ZHANGALA = "274000000"
SYRYM = "275800000"
URALSK = "271000000"

COVERAGE_FIELDS = {
    "kato",
    "name",
    "level",
    "region",
    "baseline",
    "online",
    "offline",
    "total",
    "coverage_pct",
    "online_pct",
    "offline_pct",
    "status",
    "flags",
    "as_of",
    "computed_at",
}


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def by_kato(rows):
    return {row["kato"]: row for row in rows}


# --- Regions and districts ------------------------------------------------------------------------


def test_the_region_lists_its_codes_names_kind_and_summed_baseline(wko_reader):
    [region] = results(wko_reader.get("/api/v1/regions/"))

    assert region == {
        "kato": WKO,
        "name": "Западно-Казахстанская область",
        "name_kk": "Батыс Қазақстан облысы",
        "name_ru": "Западно-Казахстанская область",
        "name_en": "West Kazakhstan Region",
        "kind": "region",
        "baseline": 664500,
    }


def test_districts_of_a_region_carry_their_region_kind_and_current_baseline(wko_reader):
    districts = by_kato(results(wko_reader.get(f"/api/v1/districts/?region={WKO}")))

    assert len(districts) == 13
    assert districts[TASKALA] == {
        "kato": TASKALA,
        "name": "Таскалинский район",
        "name_kk": "Тасқала ауданы",
        "name_ru": "Таскалинский район",
        "name_en": "Taskala District",
        "kind": "district",
        "region": WKO,
        "baseline": 16629,
    }
    assert districts[URALSK]["kind"] == "city"
    assert sum(d["baseline"] for d in districts.values()) == 664500


@pytest.mark.parametrize(
    ("query", "headers", "language", "expected"),
    [
        ("?lang=en", {}, "en", "Taskala District"),
        ("?lang=kk", {}, "kk", "Тасқала ауданы"),
        ("", {"HTTP_ACCEPT_LANGUAGE": "kk"}, "kk", "Тасқала ауданы"),
        ("", {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}, "en", "Taskala District"),
        ("?lang=ru", {"HTTP_ACCEPT_LANGUAGE": "en"}, "ru", "Таскалинский район"),
    ],
)
def test_names_follow_the_lang_parameter_or_accept_language(wko_reader, query, headers, language, expected):
    response = wko_reader.get(f"/api/v1/districts/{TASKALA}/{query}", **headers)

    assert response.status_code == 200
    assert response.json()["name"] == expected
    assert response["Content-Language"] == language


def test_an_unknown_language_is_a_clear_400(wko_reader):
    response = wko_reader.get("/api/v1/regions/?lang=fr")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"lang"}


# --- Coverage -------------------------------------------------------------------------------------


def test_the_region_on_27_october_shows_the_published_figures(wko_reader):
    [region] = results(wko_reader.get(f"/api/v1/coverage/?level=region&region={WKO}&date={OCT_27}"))

    assert set(region) == COVERAGE_FIELDS
    assert region["kato"] == WKO
    assert region["name"] == "Западно-Казахстанская область"
    assert region["level"] == "region"
    assert region["region"] == WKO
    assert region["baseline"] == 664500
    assert region["online"] == 308529
    assert region["offline"] == 270695
    assert region["total"] == 579224
    assert region["coverage_pct"] == 87.2
    assert all(type(region[f]) is int for f in ("baseline", "online", "offline", "total"))
    assert region["online_pct"] == 46.4
    assert region["offline_pct"] == 40.7
    assert region["status"] is None
    assert region["flags"] == []
    assert region["as_of"] == OCT_27
    assert datetime.datetime.fromisoformat(region["computed_at"])


def test_percentages_are_json_numbers_with_one_decimal(wko_reader):
    response = wko_reader.get(f"/api/v1/coverage/?level=district&region={WKO}&date={OCT_27}&page_size=100")

    body = response.content.decode()
    assert '"coverage_pct":100.6' in body
    assert '"online_pct":72.4' in body
    assert '"online_pct":70.0' in body


def test_taskala_counted_above_its_baseline_is_shown_uncapped_and_flagged(wko_reader):
    districts = by_kato(results(wko_reader.get(f"/api/v1/coverage/?level=district&region={WKO}&date={OCT_27}")))

    taskala = districts[TASKALA]
    assert taskala["total"] == 16727
    assert taskala["baseline"] == 16629
    assert taskala["coverage_pct"] == 100.6
    assert "over_100" in taskala["flags"]
    assert taskala["status"] == "completed_early"
    assert taskala["region"] == WKO


def test_district_rates_and_statuses_match_the_briefing(wko_reader):
    districts = by_kato(results(wko_reader.get(f"/api/v1/coverage/?level=district&region={WKO}&date={OCT_27}")))

    assert len(districts) == 13
    assert districts[BOKEYORDA]["online_pct"] == 72.4
    assert max(d["online_pct"] for d in districts.values()) == 72.4
    assert districts[KARATOBE]["online_pct"] == 70.0
    assert districts[CHINGIRLAU]["online_pct"] == 70.0
    assert {k for k, d in districts.items() if d["status"] == "completed_early"} == {ZHANGALA, TASKALA, CHINGIRLAU}
    assert {k for k, d in districts.items() if d["status"] == "nearly_complete"} == {KARATOBE, SYRYM}


def test_coverage_is_read_from_the_snapshots_the_jobs_stored(wko_reader, demo):
    # given a snapshot changed behind the counts' back (only the coverage job writes them)
    CoverageSnapshot.objects.filter(kato=TASKALA, date=OCT_27).update(coverage_pct="99.9", status="completed")

    # when
    districts = by_kato(results(wko_reader.get(f"/api/v1/coverage/?level=district&date={OCT_27}")))

    # then the API shows the stored figures, not ones recomputed from the counts
    assert districts[TASKALA]["coverage_pct"] == 99.9
    assert districts[TASKALA]["status"] == "completed"


def test_without_a_date_coverage_is_as_of_today_or_the_last_day_with_figures(wko_reader):
    [region] = results(wko_reader.get("/api/v1/coverage/"))

    # "Today" is 20 Nov 2021; counting in the demo region ended on 8 Nov.
    assert region["as_of"] == "2021-11-08"
    assert region["total"] > 579224


def test_a_date_after_counting_ended_shows_the_final_figures_with_their_day(wko_reader):
    [region] = results(wko_reader.get("/api/v1/coverage/?date=2021-11-15"))

    assert region["as_of"] == "2021-11-08"


def test_a_date_before_the_campaign_gives_an_empty_list(wko_reader):
    assert results(wko_reader.get("/api/v1/coverage/?date=2021-08-01")) == []


def test_the_country_level_is_for_country_wide_tokens_only(demo, wko_reader, token_client):
    country_client, _token = token_client(region=None)

    assert results(wko_reader.get(f"/api/v1/coverage/?level=country&date={OCT_27}")) == []
    [country] = results(country_client.get(f"/api/v1/coverage/?level=country&date={OCT_27}&lang=en"))
    assert country["kato"] == "000000000"
    assert country["name"] == "Kazakhstan"
    assert country["region"] is None
    assert country["online"] == 308529


@pytest.mark.parametrize(
    ("query", "field"),
    [("date=27.10.2021", "date"), ("level=oblast", "level"), ("region=27", "region"), ("page=abc", None)],
)
def test_bad_coverage_parameters_are_400_or_404_never_500(wko_reader, query, field):
    response = wko_reader.get(f"/api/v1/coverage/?{query}")

    assert response.status_code in (400, 404)
    if field:
        assert response.status_code == 400
        assert field in response.json()["errors"]


# --- Series ---------------------------------------------------------------------------------------


def test_the_series_gives_the_same_fields_for_every_day(wko_reader):
    days = results(wko_reader.get(f"/api/v1/coverage/series/?kato={TASKALA}&date_from=2021-10-25&date_to={OCT_27}"))

    assert [d["as_of"] for d in days] == ["2021-10-25", "2021-10-26", OCT_27]
    assert all(set(d) == COVERAGE_FIELDS for d in days)
    assert days[-1]["coverage_pct"] == 100.6
    assert days[0]["total"] <= days[1]["total"] <= days[2]["total"]
    assert days[0]["status"] == "in_progress"


def test_the_series_of_the_region_is_paginated_over_the_whole_campaign(wko_reader):
    response = wko_reader.get(f"/api/v1/coverage/series/?kato={WKO}&page_size=30")

    body = response.json()
    assert body["count"] == (datetime.date(2021, 11, 8) - datetime.date(2021, 9, 1)).days + 1
    assert len(body["results"]) == 30
    assert "page=2" in body["next"]


def test_the_series_needs_a_kato(wko_reader):
    response = wko_reader.get("/api/v1/coverage/series/")

    assert response.status_code == 400
    assert "kato" in response.json()["errors"]


# --- Highlights -----------------------------------------------------------------------------------


def test_highlights_name_the_leaders_completed_nearly_complete_lagging_and_over_100(wko_reader):
    response = wko_reader.get(f"/api/v1/highlights/?region={WKO}&date={OCT_27}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "region",
        "as_of",
        "coverage_leader",
        "online_leader",
        "completed",
        "nearly_complete",
        "lagging",
        "over_100",
        "regions_reporting",
        "regions_of",
    }
    assert body["region"] == WKO
    assert body["regions_reporting"] is None and body["regions_of"] is None
    assert body["as_of"] == OCT_27
    assert body["coverage_leader"]["kato"] == TASKALA
    assert body["coverage_leader"]["coverage_pct"] == 100.6
    assert body["online_leader"]["kato"] == BOKEYORDA
    assert body["online_leader"]["online_pct"] == 72.4
    assert [d["kato"] for d in body["completed"]] == [ZHANGALA, TASKALA, CHINGIRLAU]
    assert [d["kato"] for d in body["nearly_complete"]] == [KARATOBE, SYRYM]
    assert [d["kato"] for d in body["over_100"]] == [TASKALA, CHINGIRLAU]
    # Below the region's 87.2%: only the regional city.
    assert [d["kato"] for d in body["lagging"]] == [URALSK]
    assert set(body["online_leader"]) == COVERAGE_FIELDS


def test_the_countrys_highlights_say_how_many_regions_its_figures_cover(demo, token_client):
    country_client, _token = token_client(region=None)

    body = country_client.get(f"/api/v1/highlights/?date={OCT_27}").json()

    # The demo has one region of 17: a press service must be able to tell that the country's figure is partial.
    assert body["region"] is None
    assert (body["regions_reporting"], body["regions_of"]) == (1, 17)


def test_highlights_default_to_the_tokens_region(wko_reader):
    response = wko_reader.get(f"/api/v1/highlights/?date={OCT_27}")

    assert response.json()["region"] == WKO


def test_highlights_of_a_district_code_are_a_400(wko_reader):
    response = wko_reader.get(f"/api/v1/highlights/?region={TASKALA}")

    assert response.status_code == 400
    assert "region" in response.json()["errors"]


# --- Daily counts ---------------------------------------------------------------------------------


def test_daily_counts_carry_running_totals_that_end_at_the_published_figures(wko_reader):
    rows = results(wko_reader.get(f"/api/v1/daily-counts/?district={TASKALA}&date_to={OCT_27}&page_size=1000"))

    assert set(rows[0]) == {
        "district",
        "date",
        "online",
        "offline",
        "online_cumulative",
        "offline_cumulative",
        "version",
        "updated_at",
    }
    assert rows[0]["date"] == "2021-09-01"
    assert rows[-1]["date"] == OCT_27
    assert rows[-1]["online_cumulative"] == 10100
    assert rows[-1]["offline_cumulative"] == 6627
    assert rows[-1]["online_cumulative"] == sum(r["online"] for r in rows)
    assert all(type(r[f]) is int for r in rows for f in ("online", "offline", "online_cumulative", "offline_cumulative"))
    assert all(r["district"] == TASKALA and r["version"] >= 1 for r in rows)


def test_running_totals_are_right_on_every_page_and_from_any_first_day(wko_reader):
    # given every row of the region's districts, in one page
    everything = results(wko_reader.get(f"/api/v1/daily-counts/?region={WKO}&page_size=1000"))
    expected = {(r["district"], r["date"]): (r["online_cumulative"], r["offline_cumulative"]) for r in everything}

    # when the list starts mid-campaign and is read in small pages
    seen = {}
    url = f"/api/v1/daily-counts/?region={WKO}&date_from=2021-10-20&date_to=2021-10-31&page_size=7"
    while url:
        body = wko_reader.get(url).json()
        seen.update({(r["district"], r["date"]): (r["online_cumulative"], r["offline_cumulative"]) for r in body["results"]})
        url = body["next"]

    # then every row shows the same totals as in the one-page list
    assert len(seen) == 13 * 12
    assert all(seen[key] == expected[key] for key in seen)
    assert seen[(TASKALA, OCT_27)] == (10100, 6627)


def test_the_daily_counts_of_the_region_add_up_to_the_region(wko_reader, demo):
    rows = results(wko_reader.get(f"/api/v1/daily-counts/?region={WKO}&date_from={OCT_27}&date_to={OCT_27}"))

    assert len(rows) == 13
    assert sum(r["online_cumulative"] for r in rows) == 308529
    assert sum(r["offline_cumulative"] for r in rows) == 270695
    assert DailyCount.objects.filter(district__region=demo, date=OCT_27).count() == 13


def test_a_date_range_backwards_is_a_400_naming_the_field(wko_reader):
    response = wko_reader.get("/api/v1/daily-counts/?date_from=2021-10-27&date_to=2021-10-01")

    assert response.status_code == 400
    assert response.json()["errors"] == {"date_to": ["Последний день раньше первого."]}
