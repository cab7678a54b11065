"""What the pages say must be true on a campaign of our own: one deadline per area and day, an honest national
figure, closed districts shown as completed, no jump at a channel's start, over 100% under review never a success.

Regions: North (two districts, door-to-door extended to 8 Nov by a decision of 22 Oct), South (one district,
closed "completed early" on 15 Oct) and East (no districts: it does not report).
"""

import datetime
import io

import pytest
import time_machine
from django.test import override_settings
from django.utils import translation
from pypdf import PdfReader

from census.formatting import format_date, format_number
from census.models import AuditEntry, Phase
from census.services import extend_phase, set_status
from regions.models import COUNTRY_KATO
from reports import coverage, maps
from reports.briefing import briefing_text
from reports.dashboards.pages import national_context, public_context, region_context
from reports.dashboards.store import render_dashboard
from reports.dashboards.timeline import phase_states
from reports.models import CoverageSnapshot, RenderedDashboard
from reports.services import recompute_coverage
from tests import factories

Kind = RenderedDashboard.Kind
PHASE_END = datetime.date(2021, 10, 30)
EXTENDED_TO = datetime.date(2021, 11, 8)
DECIDED_ON = datetime.date(2021, 10, 22)
CLOSED_ON = datetime.date(2021, 10, 15)
JUMP_DAY = datetime.date(2021, 10, 20)
AFTER = datetime.datetime(2021, 11, 20, 20, 0)


def days(first, last):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


@pytest.fixture
def country(db):
    campaign = factories.campaign_like_2021()
    north = factories.RegionFactory(name_en="North Region")
    south = factories.RegionFactory(name_en="South Region")
    east = factories.RegionFactory(name_en="East Region")
    big = factories.DistrictFactory(region=north, name_en="Big District")
    small = factories.DistrictFactory(region=north, name_en="Small District")
    closed = factories.DistrictFactory(region=south, name_en="Closed District")
    for district, population in ((big, 20_000), (small, 1_000), (closed, 3_200)):
        factories.BaselineFactory(district=district, campaign=campaign, population=population)
    # Door-to-door ramps up steeply over its first days (5, 10, 20, 400), then runs at 500 a day,
    # with one real jump (5,000) on 20 Oct.
    ramp = {0: 5, 1: 10, 2: 20, 3: 400}
    for n, day in enumerate(days(datetime.date(2021, 10, 1), EXTENDED_TO)):
        big_day = 5_000 if day == JUMP_DAY else ramp.get(n, 500)
        factories.DailyCountFactory(campaign=campaign, district=big, date=day, offline=big_day)
        # 60 a day is over the small district's 1,000 by 17 Oct; 600 on 20 Oct is a jump too.
        if day <= PHASE_END:
            factories.DailyCountFactory(campaign=campaign, district=small, date=day, offline=600 if day == JUMP_DAY else 60)
        if day <= CLOSED_ON:
            factories.DailyCountFactory(campaign=campaign, district=closed, date=day, offline=200)
    with time_machine.travel(AFTER.astimezone(), tick=False):
        extend_phase(
            phase=campaign.phases.get(kind=Phase.Kind.DOOR_TO_DOOR), region=north, ends_on=EXTENDED_TO,
            decided_on=DECIDED_ON, reason="regional commission", source=AuditEntry.Source.COMMAND,
        )  # fmt: skip
        set_status(campaign=campaign, district=closed, status="completed_early", date=CLOSED_ON, source=AuditEntry.Source.COMMAND)
        recompute_coverage(campaign=campaign)
        yield {
            "campaign": campaign, "north": north, "south": south, "east": east, "big": big, "small": small,
            "closed": closed,
        }  # fmt: skip


def snapshot(campaign, kato, day):
    return CoverageSnapshot.objects.get(campaign=campaign, kato=kato, date=day)


def page(campaign, kind, kato, day, language="en"):
    return render_dashboard(campaign=campaign, kind=kind, kato=kato, as_of=day, languages=[language], pdf=False)[0].html


# --- One deadline per area and day ----------------------------------------------------------------


@pytest.mark.parametrize("day", [DECIDED_ON - datetime.timedelta(days=1), DECIDED_ON, datetime.date(2021, 10, 25)])
def test_the_countrys_verdicts_use_the_deadline_its_phases_card_shows(country, day):
    campaign = country["campaign"]
    context = national_context(campaign, day)
    door_to_door = next(p for p in context["phases"] if p.phase.kind == Phase.Kind.DOOR_TO_DOOR)
    expected = EXTENDED_TO if day >= DECIDED_ON else PHASE_END

    assert context["deadline"] == door_to_door.end == expected
    row = snapshot(campaign, COUNTRY_KATO, day)
    assert row.needed_daily_rate == coverage.ratio_one_decimal(row.baseline - row.total, (expected - day).days)
    # The extended region judges its own pace against the same day.
    north = snapshot(campaign, country["north"].kato, day)
    assert north.needed_daily_rate == coverage.ratio_one_decimal(north.baseline - north.total, (expected - day).days)


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_forecast_card_names_the_deadline_the_rate_is_needed_by(country, language):
    campaign = country["campaign"]
    day = datetime.date(2021, 10, 25)
    row = snapshot(campaign, COUNTRY_KATO, day)

    html = page(campaign, Kind.NATIONAL, COUNTRY_KATO, day, language).replace("\xa0", " ")

    with translation.override(language):
        needed = format_number(int(row.needed_daily_rate.quantize(1))).replace("\xa0", " ")
        deadline = format_date(EXTENDED_TO)
    assert needed in html
    assert deadline in html
    if language == "en":
        assert f"{needed} a day needed until {deadline}" in html


# --- An honest national figure ----------------------------------------------------------------------


def test_the_national_figure_says_how_many_regions_report_and_lists_the_others(country):
    campaign = country["campaign"]
    with translation.override("en"):
        context = national_context(campaign, datetime.date(2021, 10, 25))

        assert context["national"]["text"] == "2 of 3 regions reporting"
        assert [a.name for a in context["not_reporting"]] == ["East Region"]
        assert {a.name for a in context["rows"]} == {"North Region", "South Region"}

    html = page(campaign, Kind.NATIONAL, COUNTRY_KATO, datetime.date(2021, 10, 25))
    assert "2 of 3 regions reporting" in html
    assert "Coverage of the reporting regions" in html
    # The map has a grey square for the region without figures.
    assert f'fill="{maps.NO_DATA[0]}"' in context["map"]["tiles"]
    assert "not reporting" in context["map"]["tiles"]


@override_settings(CENSUS_WITHHOLD_PARTIAL_NATIONAL_FIGURE=True)
def test_the_national_percentage_can_be_withheld_until_every_region_reports(country):
    campaign = country["campaign"]
    day = datetime.date(2021, 10, 25)
    row = snapshot(campaign, COUNTRY_KATO, day)

    html = page(campaign, Kind.NATIONAL, COUNTRY_KATO, day)
    public = page(campaign, Kind.PUBLIC, COUNTRY_KATO, day)

    shown = f'<p class="figure">{row.coverage_pct}%</p>'
    assert shown not in html
    assert shown not in public
    assert "The national figure is shown once every region reports." in html
    assert "The national figure is shown once every region reports." in public


@override_settings(CENSUS_WITHHOLD_PARTIAL_NATIONAL_FIGURE=True)
def test_the_national_briefing_withholds_the_percentage_as_the_pages_do(country):
    campaign = country["campaign"]

    text = briefing_text(region=None, as_of=datetime.date(2021, 10, 25), language="en", campaign=campaign)

    headline, *_rest = text.split("\n\n")
    assert headline == "Kazakhstan"
    assert "2 of 3 regions report so far" in text
    assert "The national figure is shown once every region reports." in text
    assert "In all," not in text
    assert "of the population" not in text


def test_the_national_figure_is_unlabelled_once_every_region_reports(country):
    campaign = country["campaign"]
    country["east"].delete()  # the only region without districts

    context = national_context(campaign, datetime.date(2021, 10, 25))

    assert context["national"]["complete"]
    assert context["not_reporting"] == []
    assert "reporting regions" not in page(campaign, Kind.NATIONAL, COUNTRY_KATO, datetime.date(2021, 10, 25))
    headline = briefing_text(region=None, as_of=datetime.date(2021, 10, 25), language="en", campaign=campaign)
    assert headline.split("\n\n")[0].startswith("Kazakhstan: the census has reached ")


def test_the_public_page_counts_the_regions_that_report(country):
    campaign = country["campaign"]
    with translation.override("en"):
        context = public_context(campaign, COUNTRY_KATO, datetime.date(2021, 10, 25))
        # Only South has published figures: North's districts have no status yet (nothing validated), East has none.
        assert (context["national"]["reporting"], context["national"]["of"]) == (1, 3)
        not_shown = [child.name for child in context["area"].children if not child.published]
        assert sorted(not_shown) == ["East Region", "North Region"]
    html = page(campaign, Kind.PUBLIC, COUNTRY_KATO, datetime.date(2021, 10, 25))
    assert "1 of 3 regions reporting" in html
    assert "Coverage of the reporting regions" in html
    assert "Not reporting yet." in html
    # East has no districts, hence no page to link to; North's page lists its districts awaiting validation.
    assert f"/public/{country['north'].kato}/" in html
    assert f"/public/{country['east'].kato}/" not in html


def test_the_national_briefing_ranks_regions_not_districts(country):
    campaign = country["campaign"]

    text = briefing_text(region=None, as_of=datetime.date(2021, 10, 25), language="en", campaign=campaign)

    assert "2 of 3 regions report so far" in text
    assert "counted in the regions that report" in text.split("\n\n")[0]
    assert "the census has reached" not in text
    assert "North Region" in text or "South Region" in text
    for district in ("Big District", "Small District", "Closed District"):
        assert district not in text


# --- Closed districts and the outcome after the deadline ---------------------------------------------


def test_a_district_completed_early_is_completed_not_at_risk(country):
    campaign = country["campaign"]
    closed = country["closed"]

    before = snapshot(campaign, closed.kato, CLOSED_ON - datetime.timedelta(days=1))
    outlooks = {r.outlook for r in CoverageSnapshot.objects.filter(campaign=campaign, kato=closed.kato, date__gte=CLOSED_ON)}

    assert before.outlook in (coverage.ON_TRACK, coverage.AT_RISK, coverage.OFF_TRACK)
    assert outlooks == {coverage.COMPLETED}
    context = region_context(campaign, country["south"], datetime.date(2021, 10, 25))
    assert context["at_risk"] == []


def test_after_the_deadline_the_forecast_card_shows_the_outcome(country):
    campaign = country["campaign"]
    south = country["south"]
    row = snapshot(campaign, south.kato, PHASE_END)

    html = page(campaign, Kind.REGION, south.kato, PHASE_END)

    assert row.outlook == coverage.ENDED
    assert row.needed_daily_rate is None
    assert "Coverage reached" in html
    assert "People not counted" in html
    card = html[html.index('class="card forecast"') :]
    card = card[: card.index("</section>")]
    assert f"<dd>{row.baseline - row.total:,}</dd>" in card
    assert "outlook-ended" in card
    assert "outlook-off_track" not in html


# --- Jumps ---------------------------------------------------------------------------------------------


def test_the_ramp_up_of_door_to_door_raises_no_jump_but_a_later_jump_is_flagged(country):
    campaign = country["campaign"]
    big = country["big"]
    flagged = {r.date for r in CoverageSnapshot.objects.filter(campaign=campaign, kato=big.kato) if coverage.JUMP in r.flags}

    assert flagged == {JUMP_DAY}


def test_identical_flags_are_grouped_in_one_line_naming_every_district(country):
    campaign = country["campaign"]
    with translation.override("en"):
        context = region_context(campaign, country["north"], JUMP_DAY)
        groups = {g["code"]: [a.name for a in g["areas"]] for g in context["flag_groups"]}
    assert sorted(groups[coverage.JUMP]) == ["Big District", "Small District"]
    html = page(campaign, Kind.REGION, country["north"].kato, JUMP_DAY)
    review = html[html.index('class="card review"') :]
    review = review[: review.index("</section>")]
    assert review.count("flag-jump") == 1
    assert "Big District" in review and "Small District" in review


# --- Over 100% under review ------------------------------------------------------------------------


def test_over_100_under_review_is_amber_with_a_check_mark_never_a_success(country):
    campaign = country["campaign"]
    day = datetime.date(2021, 10, 25)
    small = country["small"]
    with translation.override("en"):
        context = region_context(campaign, country["north"], day)
        area = next(a for a in context["rows"] if a.kato == small.kato)

        assert area.under_review
        assert area.outlook_text == "over 100%: check"
        assert area.outlook_class == "review"
        assert area.colours == maps.REVIEW
    tiles = context["map"]["tiles"]
    assert f'fill="{maps.REVIEW[0]}"' in tiles
    assert f'fill="{maps.COVERAGE_SCALE[-1][1]}"' not in tiles

    html = page(campaign, Kind.REGION, country["north"].kato, day)
    assert '<td class="num review"' in html
    assert '<span class="check">check</span>' in html
    assert "reached 100%" not in html


# --- What needs action first -------------------------------------------------------------------------


def test_the_region_dashboard_opens_on_what_needs_action_with_the_change_since_the_day_before(country):
    campaign = country["campaign"]
    day = datetime.date(2021, 10, 25)
    today, before = (
        snapshot(campaign, country["north"].kato, day),
        snapshot(campaign, country["north"].kato, day - datetime.timedelta(days=1)),
    )

    html = page(campaign, Kind.REGION, country["north"].kato, day)

    action, chart, table = html.index('class="needs-action"'), html.index('class="card chart"'), html.index('id="districts"')
    assert action < chart < table
    assert f"+{today.offline_day:,} since the day before" in html
    assert f"+{today.coverage_pct - before.coverage_pct} points since the day before" in html


def test_the_phases_of_the_country_end_where_its_latest_region_ends(country):
    campaign = country["campaign"]
    states = phase_states(campaign, None, DECIDED_ON, regions=[country["north"], country["south"]])

    assert next(s for s in states if s.phase.kind == Phase.Kind.DOOR_TO_DOOR).end == EXTENDED_TO


def test_the_pdf_report_groups_identical_flags_too(country):
    campaign = country["campaign"]
    stored = render_dashboard(
        campaign=campaign, kind=Kind.REGION, kato=country["north"].kato, as_of=JUMP_DAY, languages=["en"], pdf=True
    )[0]

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(stored.pdf))).pages).replace("\n", " ")

    review = text[text.index("Needs review") :]
    assert review.count("jump (") == 1
    assert "Big District" in review and "Small District" in review
