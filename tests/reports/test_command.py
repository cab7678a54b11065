"""`manage.py recompute_coverage [--campaign SLUG] [--region KATO]`: the administrators' full rebuild."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from census.models import Phase
from regions.models import COUNTRY_KATO
from reports.models import CoverageSnapshot
from tests import factories
from tests.reports.conftest import DISTRICTS, PHASE_END, campaign_days, differences, enter, planned_count, snapshot_values

NORTH, SOUTH = "110000000", "120000000"
OCT_10 = datetime.date(2021, 10, 10)


def recompute(*args) -> str:
    out = io.StringIO()
    call_command("recompute_coverage", *args, stdout=out)
    return out.getvalue()


def offline_at_the_end(campaign, kato):
    return CoverageSnapshot.objects.get(campaign=campaign, kato=kato, date=PHASE_END).offline


def planned_offline(kato):
    return sum(planned_count(kato, day)[1] for day in campaign_days())


def correct_every_district(census, extra=40):
    """A recount adds `extra` door-to-door people on 10 Oct in every district; the coverage job is not run."""
    for kato, district in census.districts.items():
        online, offline = planned_count(kato, OCT_10)
        enter(census.campaign, district, OCT_10, online, offline + extra, reason="recount", confirm_implausible=True)


def test_the_command_builds_every_snapshot_from_the_counts(census):
    # given: counts entered but no coverage job run
    census.enter_all()
    assert not CoverageSnapshot.objects.exists()

    # when
    output = recompute()

    # then
    days = len(list(campaign_days()))
    for kato in [*DISTRICTS, NORTH, SOUTH, COUNTRY_KATO]:
        assert CoverageSnapshot.objects.filter(kato=kato).count() == days, kato
    assert f"{census.campaign.slug}: 5 districts recomputed" in output


def test_the_command_after_the_coverage_jobs_changes_no_figure(counted):
    before = snapshot_values(counted.campaign)

    recompute()

    assert differences(snapshot_values(counted.campaign), before) == []


def test_the_command_for_one_region_recomputes_that_region_and_the_country_only(counted):
    # given
    south_before = {kato: offline_at_the_end(counted.campaign, kato) for kato in ("121000000", "122000000", SOUTH)}
    country_before = offline_at_the_end(counted.campaign, COUNTRY_KATO)
    correct_every_district(counted)

    # when
    output = recompute("--region", NORTH)

    # then: North's three districts got their 40 more each, and the country with them
    assert "3 districts recomputed" in output
    for kato in ("111000000", "112000000", "113000000"):
        assert offline_at_the_end(counted.campaign, kato) == planned_offline(kato) + 40
    assert offline_at_the_end(counted.campaign, COUNTRY_KATO) == country_before + 3 * 40
    assert {kato: offline_at_the_end(counted.campaign, kato) for kato in south_before} == south_before


def test_the_command_for_one_campaign_leaves_other_campaigns_alone(counted):
    # given: another campaign counting in the same districts
    other = factories.CampaignFactory(slug="pilot-2020", starts_on=datetime.date(2020, 10, 1))
    factories.PhaseFactory(
        campaign=other, kind=Phase.Kind.DOOR_TO_DOOR, starts_on=datetime.date(2020, 10, 1), ends_on=datetime.date(2020, 10, 10)
    )
    pilot_district = counted["111000000"]
    factories.BaselineFactory(district=pilot_district, campaign=other, population=900)
    enter(other, pilot_district, datetime.date(2020, 10, 2), 0, 30)
    correct_every_district(counted)

    # when
    output = recompute("--campaign", "pilot-2020")

    # then
    assert "pilot-2020: 5 districts recomputed" in output
    assert CoverageSnapshot.objects.get(campaign=other, kato="111000000", date=datetime.date(2020, 10, 10)).offline == 30
    assert CoverageSnapshot.objects.get(campaign=other, kato=NORTH, date=datetime.date(2020, 10, 10)).baseline == 900
    # The census's own snapshots still lack the recount.
    assert offline_at_the_end(counted.campaign, "111000000") == planned_offline("111000000")

    # when: now the census itself
    recompute("--campaign", counted.campaign.slug)

    # then
    assert offline_at_the_end(counted.campaign, "111000000") == planned_offline("111000000") + 40


@pytest.mark.parametrize(
    ("args", "message"), [(["--campaign", "no-such-census"], "no-such-census"), (["--region", "990000000"], "990000000")]
)
def test_the_command_refuses_an_unknown_campaign_or_region(census, args, message):
    with pytest.raises(CommandError, match=message):
        recompute(*args)

    assert not CoverageSnapshot.objects.exists()
