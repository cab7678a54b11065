"""The demo region's snapshots reproduce what the regional briefing of 28 Oct 2021 published."""

import datetime
from decimal import Decimal

import pytest

from regions.models import COUNTRY_KATO
from reports import coverage
from reports.models import CoverageSnapshot

OCT_27 = datetime.date(2021, 10, 27)
REGION = "270000000"
TASKALA = "276000000"
BOKEYORDA = "275400000"
KARATOBE = "275000000"
CHINGIRLAU = "276600000"


@pytest.fixture
def demo(demo_loaded, db):
    """Each test reads the module's demo inside its own savepoint."""


def snapshot(kato, date=OCT_27):
    return CoverageSnapshot.objects.get(kato=kato, date=date)


def test_the_region_on_27_october_shows_the_published_figures(demo):
    region = snapshot(REGION)

    assert region.level == CoverageSnapshot.Level.REGION
    assert region.online == 308529
    assert region.offline == 270695
    assert region.total == 579224
    assert region.baseline == 664500
    assert region.offline_pct == Decimal("40.7")
    assert region.coverage_pct == Decimal("87.2")


def test_taskala_is_over_its_baseline_and_flagged_for_review(demo):
    taskala = snapshot(TASKALA)

    assert taskala.total == 16727
    assert taskala.baseline == 16629
    assert taskala.coverage_pct == Decimal("100.6")
    assert coverage.OVER_100 in taskala.flags


def test_bokeyorda_has_the_highest_online_rate_of_the_districts(demo):
    districts = CoverageSnapshot.objects.filter(level=CoverageSnapshot.Level.DISTRICT, date=OCT_27)

    leader = districts.order_by("-online_pct").first()

    assert leader.kato == BOKEYORDA
    assert leader.online_pct == Decimal("72.4")
    assert districts.filter(online_pct=Decimal("72.4")).count() == 1


@pytest.mark.parametrize("kato", [KARATOBE, CHINGIRLAU])
def test_karatobe_and_chingirlau_counted_70_percent_online(demo, kato):
    assert snapshot(kato).online_pct == Decimal("70.0")


def test_the_country_equals_its_only_region(demo):
    fields = ["online", "offline", "total", "baseline", "coverage_pct", "online_pct", "offline_pct", "online_day", "offline_day"]
    days = CoverageSnapshot.objects.filter(kato=REGION).values_list("date", *fields)
    country_days = CoverageSnapshot.objects.filter(kato=COUNTRY_KATO).values_list("date", *fields)

    assert list(country_days) == list(days)
    assert len(days) == (datetime.date(2021, 11, 8) - datetime.date(2021, 9, 1)).days + 1


def test_taskala_is_completed_early_from_27_october(demo):
    assert snapshot(TASKALA, OCT_27 - datetime.timedelta(days=1)).status == "in_progress"
    assert snapshot(TASKALA).status == "completed_early"
    assert snapshot(TASKALA, OCT_27 + datetime.timedelta(days=5)).status == "completed_early"
