"""The demo's national and region pages tell the truth as of each day: one region reporting is not the country,
one deadline feeds every verdict, Zhangala (completed early) is not failing, the door-to-door start is no jump."""

import datetime

import pytest
from django.utils import translation

from census.formatting import format_date
from census.models import Campaign, Phase
from regions.models import COUNTRY_KATO, District, Region
from reports import coverage, maps
from reports.briefing import briefing_text
from reports.dashboards.pages import national_context, region_context
from reports.dashboards.store import render_dashboard
from reports.models import CoverageSnapshot, RenderedDashboard
from tests.dashboards.conftest import TASKALA, WKO

Kind = RenderedDashboard.Kind
OCT_27 = datetime.date(2021, 10, 27)
OCT_29 = datetime.date(2021, 10, 29)


def html_of(kind, kato, day, language):
    campaign = Campaign.objects.get()
    html = render_dashboard(campaign=campaign, kind=kind, kato=kato, as_of=day, languages=[language], pdf=False)[0].html
    return html.replace("\xa0", " ")


@pytest.mark.parametrize(
    ("language", "reporting"),
    [
        ("en", "1 of 17 regions reporting"),
        ("ru", "Данные есть по 1 из 17 регионов"),
        ("kk", "17 өңірдің 1 өңірі деректер береді"),
    ],
)
def test_the_national_page_does_not_claim_the_country(demo, language, reporting):
    national = html_of(Kind.NATIONAL, COUNTRY_KATO, OCT_27, language)
    public = html_of(Kind.PUBLIC, COUNTRY_KATO, OCT_27, language)

    assert reporting in national
    assert reporting in public
    with translation.override(language):
        others = [r.name for r in Region.objects.exclude(kato=WKO)]
    assert len(others) == 16
    assert all(name in national for name in others)


@pytest.mark.parametrize(
    ("day", "deadline", "days_left"), [(OCT_27, datetime.date(2021, 10, 30), 3), (OCT_29, datetime.date(2021, 11, 8), 10)]
)
def test_the_national_and_regional_forecasts_name_the_same_deadline(demo, day, deadline, days_left):
    campaign = Campaign.objects.get()
    country = national_context(campaign, day)
    region = region_context(campaign, Region.objects.get(kato=WKO), day)
    door_to_door = next(p for p in country["phases"] if p.phase.kind == Phase.Kind.DOOR_TO_DOOR)

    assert country["deadline"] == region["deadline"] == door_to_door.end == deadline
    assert door_to_door.days_left == days_left
    # One region reports: the country's verdict and rate are the region's.
    assert (country["area"].outlook, country["area"].snapshot.needed_daily_rate) == (
        region["area"].outlook,
        region["area"].snapshot.needed_daily_rate,
    )
    for language in ("ru", "en"):
        with translation.override(language):
            named = format_date(deadline)
        assert named in html_of(Kind.NATIONAL, COUNTRY_KATO, day, language)
        assert named in html_of(Kind.REGION, WKO, day, language)


def test_the_country_and_its_only_region_agree_on_every_day(demo):
    country = dict(CoverageSnapshot.objects.filter(kato=COUNTRY_KATO).values_list("date", "outlook"))
    region = dict(CoverageSnapshot.objects.filter(kato=WKO).values_list("date", "outlook"))

    assert country == region


def test_zhangala_completed_early_is_completed_and_not_at_risk(demo):
    zhangala = District.objects.get(name_en__startswith="Zhangala")
    campaign = Campaign.objects.get()

    rows = CoverageSnapshot.objects.filter(kato=zhangala.kato, date__gte=OCT_27)
    context = region_context(campaign, zhangala.region, OCT_27)

    assert {r.outlook for r in rows} == {coverage.COMPLETED}
    assert zhangala.kato not in {a.kato for a in context["at_risk"]}
    # After the deadline no district is "off track": each is completed, done or its counting ended.
    last = CoverageSnapshot.objects.filter(level="district", date=datetime.date(2021, 11, 8))
    assert not {r.outlook for r in last} & {coverage.OFF_TRACK, coverage.AT_RISK}


def test_the_door_to_door_start_raises_no_jump(demo):
    first_week = CoverageSnapshot.objects.filter(
        level="district", date__range=(datetime.date(2021, 10, 1), datetime.date(2021, 10, 7))
    )

    assert first_week.count() == 13 * 7
    assert not [r for r in first_week if coverage.JUMP in r.flags]


def test_taskala_over_100_is_amber_on_the_map_and_in_the_table(demo):
    html = html_of(Kind.REGION, WKO, OCT_27, "en")

    taskala = html[html.index(f'data-kato="{TASKALA}"') :]
    taskala = taskala[: taskala.index("</tr>")]
    assert '<span class="check">check</span>' in taskala
    assert "reached 100%" not in taskala
    assert f'fill="{maps.REVIEW[0]}"' in html


def test_the_national_briefing_ranks_regions_and_says_how_many_report(demo):
    campaign = Campaign.objects.get()

    text = briefing_text(region=None, as_of=OCT_27, language="en", campaign=campaign)

    assert "1 of 17 regions report so far" in text
    assert "Taskala" not in text
    assert "87.2%" in text


@pytest.mark.parametrize(
    ("language", "headline"),
    [
        ("en", "Kazakhstan: 87.2% of the population counted in the regions that report"),
        ("ru", "Казахстан: в регионах, по которым есть данные, переписью охвачено 87,2 % населения"),
        ("kk", "Қазақстан: деректер беретін өңірлерде халықтың 87,2 %-ы санаққа алынды"),
    ],
)
def test_the_national_briefings_headline_gives_the_figure_as_the_reporting_regions(demo, language, headline):
    campaign = Campaign.objects.get()

    text = briefing_text(region=None, as_of=OCT_27, language=language, campaign=campaign)

    # The headline is what gets quoted: with 1 region of 17 it must not read as the country's coverage.
    assert text.split("\n\n")[0].replace("\xa0", " ") == headline


@pytest.mark.parametrize(
    ("day", "news"),
    [
        (OCT_27, "Door-to-door counting ends on 30 October 2021: 3 days are left."),
        (OCT_29, "Door-to-door counting ends on 8 November 2021: 10 days are left."),
    ],
)
def test_the_national_briefing_gives_the_days_left_to_the_deadline_then_known(demo, day, news):
    campaign = Campaign.objects.get()

    paragraphs = briefing_text(region=None, as_of=day, language="en", campaign=campaign).split("\n\n")

    # the deadline the phases card and the forecasts use that day: no decision taken later
    assert paragraphs[1] == news


def test_what_needs_action_lists_the_only_reporting_region_under_lowest_coverage(demo):
    # given the country as of 27 Oct: one region reports, and it is at risk
    html = html_of(Kind.NATIONAL, COUNTRY_KATO, OCT_27, "en")
    action = html[html.index('class="needs-action"') :]
    action = action[: action.index("</section>\n</div>\n</section>")]
    lowest = action[action.index("Lowest coverage") :]

    # then the list of lowest coverage names it with its figure, not a dash
    assert "West Kazakhstan Region" in action[: action.index("Lowest coverage")]  # at risk
    assert "West Kazakhstan Region</bdi></a> <strong>87.2%</strong>" in lowest
    assert "<li>—</li>" not in lowest
