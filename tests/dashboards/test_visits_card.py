"""Door-to-door visits and non-response on the dashboards and in the briefing: beside coverage, never in it."""

import datetime

import pytest
from django.utils import translation

from census.models import AuditEntry
from census.nonresponse import record_non_response
from reports.briefing import briefing_text
from reports.dashboards.pages import district_context, national_context, region_context
from reports.dashboards.store import render_dashboard
from reports.models import CoverageSnapshot, RenderedDashboard
from reports.services import drain_recompute_outbox
from tests.dashboards.test_widget import high_region  # noqa: F401 -- a fixture

OCT_1 = datetime.date(2021, 10, 1)


def day(**outcomes) -> dict:
    figures = dict.fromkeys(("interviewed", "notice_shown", "not_at_home", "door_closed", "refused", "no_notice", "vacant"), 0)
    figures |= outcomes
    visits = sum(figures.values())
    return figures | {"visits": visits, "assigned": 300, "outstanding": 100, "revisits_scheduled": 12, "revisits_made": 2}


@pytest.fixture
def visited(high_region, campaign):  # noqa: F811
    region, districts = high_region
    record = {"campaign": campaign, "date": OCT_1, "source": AuditEntry.Source.FORM}
    # Ақжайық: 40 visits, 10 without an answer (25%); Өзен: 20 visits, 10 without one (50%), 2 "online" without a notice.
    record_non_response(district=districts["174000000"], figures=day(interviewed=30, not_at_home=6, door_closed=4), **record)
    record_non_response(
        district=districts["173000000"], figures=day(interviewed=8, notice_shown=2, door_closed=6, no_notice=2, refused=2),
        **record,
    )  # fmt: skip
    drain_recompute_outbox()
    return region, districts


def test_the_region_card_gives_the_days_rates_and_its_districts_highest_non_response_first(visited, campaign):
    region, _districts = visited

    with translation.override("en"):
        card = region_context(campaign, region, OCT_1)["visits"]

    # 60 visits to dwellings: 44 answered the door (interviews 30 + 8, a notice 2, refusals 2, "online" 2);
    # 20 ended without an answer counted (not at home 6, doors not opened 4 + 6, refusals 2, "online" 2)
    assert card["visits_text"] == "60"
    assert (card["contact_text"], card["non_response_text"]) == ("73.3%", "33.3%")
    assert card["notice_gap_text"] == "50.0%"  # 2 of the 4 who said they had answered online
    assert [(row["area"].name, row["non_response_text"]) for row in card["districts"]] == [
        ("Озенский район", "50.0%"),
        ("Акжаикский район", "25.0%"),
    ]


def test_the_district_card_and_the_coverage_are_apart(visited, campaign):
    _region, districts = visited
    before = CoverageSnapshot.objects.get(kato="173000000", date=OCT_1).total

    with translation.override("ru"):
        card = district_context(campaign, districts["173000000"], OCT_1)["visits"]
    page = render_dashboard(
        campaign=campaign, kind=RenderedDashboard.Kind.DISTRICT, kato="173000000", as_of=OCT_1, languages=["kk"], pdf=False
    )[0].html

    assert card["non_response_text"] == "50,0\xa0%" and card["districts"] == []
    assert "Үйме-үй аралау: барулар және жауап бермеу" in page
    # Households are never people counted: the coverage figure is what the counts say.
    assert CoverageSnapshot.objects.get(kato="173000000", date=OCT_1).total == before


def test_without_visits_that_day_there_is_no_card(high_region, campaign):  # noqa: F811
    region, _districts = high_region

    assert region_context(campaign, region, OCT_1)["visits"] is None


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "10 households did not open the door to the interviewers. 24 revisits are scheduled."),
        ("ru", "10 домохозяйств не открыли дверь интервьюерам. Запланировано 24 повторных посещения."),
        ("kk", "10 үй шаруашылығы санақ жүргізушілерге есік ашпады. 24 қайта бару жоспарланған."),
    ],
)
def test_the_briefing_says_how_many_doors_stayed_closed_and_how_many_revisits_are_scheduled(
    visited, campaign, language, sentence
):
    region, _districts = visited

    text = briefing_text(region=region, as_of=OCT_1, language=language, campaign=campaign)

    assert sentence in text.replace("\xa0", " ")


def test_the_national_card_sums_the_reporting_regions_door_to_door_day(visited, campaign):
    with translation.override("en"):
        card = national_context(campaign, OCT_1)["visits"]

    assert (card["visits_text"], card["non_response_text"], card["districts"]) == ("60", "33.3%", [])
