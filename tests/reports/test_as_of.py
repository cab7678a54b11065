"""Figures shown as of a day use only the decisions known by the end of that day: no hindsight.

On the demo, door-to-door was to end on 30 Oct 2021 until the extension to 8 Nov decided on 28 Oct;
a factory campaign checks the same on a region of its own, and that a recompute run after an
extension leaves the earlier days' forecasts as they were.
"""

import datetime

import pytest
import time_machine
from django.utils import translation

from census.models import AuditEntry, Campaign, Phase
from census.services import extend_phase
from census.units import set_baseline
from regions.models import Region
from reports import coverage
from reports.dashboards.pages import district_context, region_context
from reports.models import CoverageSnapshot
from reports.services import drain_recompute_outbox, recompute_coverage
from tests import factories

REGION = "270000000"


@pytest.fixture
def demo(demo_loaded, db):
    """Each test reads the module's demo inside its own savepoint."""


def door_to_door(context):
    return next(p for p in context["phases"] if p.phase.kind == Phase.Kind.DOOR_TO_DOOR)


@pytest.mark.parametrize(
    ("day", "days_left", "deadline"),
    [
        (datetime.date(2021, 10, 27), 3, datetime.date(2021, 10, 30)),
        (datetime.date(2021, 10, 28), 11, datetime.date(2021, 11, 8)),
        (datetime.date(2021, 10, 29), 10, datetime.date(2021, 11, 8)),
    ],
)
def test_the_demo_regions_phases_card_shows_the_deadline_known_on_the_day(demo, day, days_left, deadline):
    context = region_context(Campaign.objects.get(), Region.objects.get(kato=REGION), day)

    assert door_to_door(context).end == deadline
    assert door_to_door(context).days_left == days_left
    assert context["deadline"] == deadline
    with translation.override("en"):
        assert door_to_door(context).days_text == f"{days_left} days left"
    with translation.override("ru"):
        assert door_to_door(context).dates_text.endswith(deadline.strftime("%d.%m.%Y"))


def test_the_demo_regions_forecast_of_27_october_is_against_30_october(demo):
    snapshot = CoverageSnapshot.objects.get(kato=REGION, date=datetime.date(2021, 10, 27))
    remaining = snapshot.baseline - snapshot.total

    # Three days to go on 27 Oct, not twelve: the rate needed is what was true that day.
    assert snapshot.needed_daily_rate == coverage.ratio_one_decimal(remaining, 3)
    next_day = CoverageSnapshot.objects.get(kato=REGION, date=datetime.date(2021, 10, 28))
    assert next_day.needed_daily_rate == coverage.ratio_one_decimal(next_day.baseline - next_day.total, 11)


# A campaign of our own: door-to-door 1-30 Oct, extended for one region to 8 Nov by a decision of 22 Oct.
PHASE_END = datetime.date(2021, 10, 30)
EXTENDED_TO = datetime.date(2021, 11, 8)
DECIDED_ON = datetime.date(2021, 10, 22)
FORECAST_FIELDS = ("needed_daily_rate", "projected_on", "outlook", "daily_rate")


def evening(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(20)).astimezone(), tick=False)


@pytest.fixture
def extended_region(db):
    campaign = factories.campaign_like_2021()
    region = factories.RegionFactory()
    other = factories.RegionFactory()
    districts = [factories.DistrictFactory(region=region), factories.DistrictFactory(region=other)]
    for district in districts:
        factories.BaselineFactory(district=district, campaign=campaign, population=20_000)
        day = datetime.date(2021, 10, 1)
        while day <= datetime.date(2021, 10, 24):
            factories.DailyCountFactory(campaign=campaign, district=district, date=day, online=0, offline=500)
            day += datetime.timedelta(days=1)
    return campaign, region, other, districts[0]


def forecasts(campaign, until):
    rows = CoverageSnapshot.objects.filter(campaign=campaign, date__lte=until).order_by("kato", "date")
    return {(r.kato, r.date): tuple(getattr(r, f) for f in FORECAST_FIELDS) for r in rows}


def test_an_extension_decided_mid_phase_changes_figures_from_its_day_on_only(extended_region):
    campaign, region, other, district = extended_region
    day_before = DECIDED_ON - datetime.timedelta(days=1)
    with evening(day_before):
        recompute_coverage(campaign=campaign)
    before = forecasts(campaign, day_before)
    assert before

    with evening(DECIDED_ON):
        extend_phase(
            phase=campaign.phases.get(kind=Phase.Kind.DOOR_TO_DOOR),
            region=region,
            ends_on=EXTENDED_TO,
            decided_on=DECIDED_ON,
            reason="regional commission",
            source=AuditEntry.Source.COMMAND,
        )
        drain_recompute_outbox()
    with evening(datetime.date(2021, 10, 24)):
        recompute_coverage(campaign=campaign)

    # The recompute after the decision leaves every earlier day's forecast as it was on that day.
    assert forecasts(campaign, day_before) == before
    for day, end in ((day_before, PHASE_END), (DECIDED_ON, EXTENDED_TO)):
        for context in (region_context(campaign, region, day), district_context(campaign, district, day)):
            assert context["deadline"] == end
            assert door_to_door(context).days_left == (end - day).days
        snapshot = CoverageSnapshot.objects.get(campaign=campaign, kato=district.kato, date=day)
        assert snapshot.needed_daily_rate == coverage.ratio_one_decimal(snapshot.baseline - snapshot.total, (end - day).days)
        region_row = CoverageSnapshot.objects.get(campaign=campaign, kato=region.kato, date=day)
        assert region_row.needed_daily_rate == coverage.ratio_one_decimal(
            region_row.baseline - region_row.total, (end - day).days
        )
    # The other region was not extended: its deadline stays 30 Oct on the decision day too.
    assert region_context(campaign, other, DECIDED_ON)["deadline"] == PHASE_END
    assert door_to_door(region_context(campaign, other, DECIDED_ON)).days_left == (PHASE_END - DECIDED_ON).days


def test_a_baseline_revised_mid_campaign_leaves_earlier_days_measured_against_the_old_one(extended_region):
    campaign, _region, _other, district = extended_region
    revised_on = datetime.date(2021, 10, 15)
    with evening(revised_on):
        set_baseline(district=district, campaign=campaign, population=25_000, as_of=revised_on, source=AuditEntry.Source.COMMAND)
        drain_recompute_outbox()

    day_before = revised_on - datetime.timedelta(days=1)
    before = CoverageSnapshot.objects.get(campaign=campaign, kato=district.kato, date=day_before)
    after = CoverageSnapshot.objects.get(campaign=campaign, kato=district.kato, date=revised_on)
    assert (before.baseline, after.baseline) == (20_000, 25_000)
    assert before.coverage_pct == coverage.percent(before.total, 20_000)
    assert before.needed_daily_rate == coverage.ratio_one_decimal(20_000 - before.total, (PHASE_END - day_before).days)
    shown = district_context(campaign, district, day_before)["baselines"]
    assert [b["in_force"] for b in shown] == [True]
