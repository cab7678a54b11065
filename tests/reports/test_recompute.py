"""Counts entered through census.services become snapshots for districts, regions and the country.

The tests' transaction never commits, so the coverage job that a commit would
publish is run by calling drain_recompute_outbox() where the commit would be.
"""

import datetime
import zoneinfo
from decimal import Decimal

import time_machine
from django.db import transaction

from census.models import Phase
from census.services import EntryMode, extend_phase, set_status
from census.units import set_baseline
from regions.models import COUNTRY_KATO
from reports import coverage
from reports.models import CoverageSnapshot, RecomputeRequest
from reports.outbox import publish_drain
from reports.services import drain_recompute_outbox, recompute_coverage, recompute_districts
from tests.reports.conftest import (
    CAMPAIGN_START,
    DISTRICTS,
    PHASE_END,
    campaign_days,
    clean_snapshot_values,
    differences,
    enter,
    planned_count,
    snapshot_values,
)

OCT_5 = datetime.date(2021, 10, 5)
OCT_10 = datetime.date(2021, 10, 10)
OCT_20 = datetime.date(2021, 10, 20)
SEP_3 = datetime.date(2021, 9, 3)
NORTH, SOUTH = "110000000", "120000000"
ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
SMALL, BIG, MIDDLE = "111000000", "112000000", "113000000"


def snap(census, kato, day):
    return CoverageSnapshot.objects.get(campaign=census.campaign, kato=kato, date=day)


def series(census, kato, field):
    """{date: value} of one field of an area's snapshots."""
    return dict(CoverageSnapshot.objects.filter(campaign=census.campaign, kato=kato).order_by("date").values_list("date", field))


# --- what is there ---------------------------------------------------------------------------------


def test_every_area_has_a_snapshot_for_every_day_from_the_campaign_start_to_the_phase_end(counted):
    every_day = list(campaign_days(CAMPAIGN_START, PHASE_END))

    for kato in [*DISTRICTS, NORTH, SOUTH, COUNTRY_KATO]:
        assert list(series(counted, kato, "total")) == every_day, kato
    assert CoverageSnapshot.objects.filter(level=CoverageSnapshot.Level.DISTRICT).count() == 5 * len(every_day)
    assert CoverageSnapshot.objects.filter(level=CoverageSnapshot.Level.REGION).count() == 2 * len(every_day)
    assert CoverageSnapshot.objects.filter(level=CoverageSnapshot.Level.COUNTRY).count() == len(every_day)
    assert not RecomputeRequest.objects.exists()


def test_a_district_snapshot_holds_the_running_totals_of_its_entered_counts(counted):
    # given
    online = offline = 0
    for day in campaign_days():
        day_online, day_offline = planned_count(MIDDLE, day)
        online += day_online
        offline += day_offline

        # when
        row = snap(counted, MIDDLE, day)

        # then
        assert (row.online_day, row.offline_day, row.online, row.offline) == (day_online, day_offline, online, offline)
        assert row.total == online + offline
        assert row.baseline == 5_000
        assert row.coverage_pct == coverage.percent(online + offline, 5_000)
        assert row.online_pct == coverage.percent(online, 5_000)
        assert row.offline_pct == coverage.percent(offline, 5_000)
        assert row.region_id == counted.north.pk
        assert row.district_id == counted[MIDDLE].pk


# --- roll-ups --------------------------------------------------------------------------------------


def test_a_region_adds_its_districts_counts_and_baselines_and_divides_once(counted):
    # given
    north_districts = [kato for kato, (region, *_rest) in DISTRICTS.items() if region == NORTH]
    last = snap(counted, NORTH, PHASE_END)
    district_rows = [snap(counted, kato, PHASE_END) for kato in north_districts]
    average_of_percentages = sum(r.coverage_pct for r in district_rows) / len(district_rows)

    # then: 19,725 of 26,000 people is 75.9%; the mean of 142.5%, 67.9% and 94.5% would be 101.6%
    assert [r.coverage_pct for r in district_rows] == [Decimal("142.5"), Decimal("67.9"), Decimal("94.5")]
    assert last.coverage_pct == Decimal("75.9")
    assert last.total == 19_725
    assert last.baseline == 26_000 == sum(r.baseline for r in district_rows)
    assert last.online == sum(r.online for r in district_rows)
    assert last.offline == sum(r.offline for r in district_rows)
    assert last.coverage_pct == coverage.percent(last.total, 26_000)
    assert last.offline_pct == coverage.percent(last.offline, 26_000)
    assert abs(last.coverage_pct - average_of_percentages) > 10


def test_every_day_of_a_region_and_the_country_is_the_sum_of_the_areas_below(counted):
    for day in campaign_days():
        districts = CoverageSnapshot.objects.filter(level=CoverageSnapshot.Level.DISTRICT, date=day)
        regions = CoverageSnapshot.objects.filter(level=CoverageSnapshot.Level.REGION, date=day)
        country = snap(counted, COUNTRY_KATO, day)
        for region in regions:
            below = districts.filter(region_id=region.region_id)
            assert (region.online, region.offline, region.baseline) == (
                sum(r.online for r in below),
                sum(r.offline for r in below),
                sum(r.baseline for r in below),
            )
        assert (country.online, country.offline, country.baseline) == (
            sum(r.online for r in districts),
            sum(r.offline for r in districts),
            37_000,
        )
        assert country.coverage_pct == coverage.percent(country.total, 37_000)


# --- corrections and reruns ------------------------------------------------------------------------


def test_a_correction_to_an_early_day_updates_every_later_snapshot_of_the_district_its_region_and_the_country(counted):
    # given
    before = {kato: series(counted, kato, "online") for kato in (BIG, NORTH, SOUTH, COUNTRY_KATO)}
    online, offline = planned_count(BIG, SEP_3)

    # when: 50 more people were counted online on 3 Sep than first entered
    enter(counted.campaign, counted[BIG], SEP_3, online + 50, offline, reason="second batch from the portal")
    drain_recompute_outbox()

    # then
    for kato in (BIG, NORTH, COUNTRY_KATO):
        after = series(counted, kato, "online")
        assert {day: after[day] - before[kato][day] for day in after} == {
            day: 50 if day >= SEP_3 else 0 for day in campaign_days()
        }, kato
    assert series(counted, SOUTH, "online") == before[SOUTH]
    assert snap(counted, BIG, PHASE_END).coverage_pct == coverage.percent(snap(counted, BIG, PHASE_END).total, DISTRICTS[BIG][1])


def test_draining_twice_leaves_the_same_snapshots_as_a_clean_full_recompute(counted):
    # given: corrections in both regions, one of them late in the campaign
    enter(counted.campaign, counted[MIDDLE], SEP_3, 10, 0, reason="duplicate forms removed")
    enter(counted.campaign, counted[SMALL], OCT_20, 0, 500, reason="late batch", confirm_implausible=True)
    enter(counted.campaign, counted["121000000"], OCT_10, 70, 100, reason="recount")

    # when
    drain_recompute_outbox()
    once = snapshot_values(counted.campaign)
    drain_recompute_outbox()  # nothing owed: changes nothing
    recompute_districts(campaign=counted.campaign, from_dates={counted[MIDDLE].pk: SEP_3})  # the same job again
    twice = snapshot_values(counted.campaign)

    # then
    assert twice == once
    assert differences(once, clean_snapshot_values(counted.campaign)) == []


def test_a_full_recompute_run_twice_changes_nothing(counted):
    recompute_coverage(campaign=counted.campaign)
    first = snapshot_values(counted.campaign)

    recompute_coverage(campaign=counted.campaign)

    assert snapshot_values(counted.campaign) == first
    assert differences(first, clean_snapshot_values(counted.campaign)) == []


def test_a_job_killed_half_way_then_run_again_leaves_the_same_snapshots_as_a_clean_recompute(counted):
    # given: corrections to four districts, owed to the outbox
    changed = {MIDDLE: SEP_3, BIG: OCT_5, "121000000": OCT_10, "122000000": OCT_20}
    for kato, day in changed.items():
        online, offline = planned_count(kato, day)
        enter(counted.campaign, counted[kato], day, online + 7 * bool(online), offline + 11 * bool(offline), reason="recount")

    # when: a job got through half of them before it died, and the outbox still owes all of them
    recompute_districts(campaign=counted.campaign, from_dates={counted[MIDDLE].pk: SEP_3, counted[BIG].pk: OCT_5})
    assert RecomputeRequest.objects.count() == 4
    drain_recompute_outbox()

    # then
    assert not RecomputeRequest.objects.exists()
    assert differences(snapshot_values(counted.campaign), clean_snapshot_values(counted.campaign)) == []


def test_a_late_correction_to_a_district_over_its_baseline_keeps_the_day_it_got_there(counted):
    # given: the small district passed its 1,000 during October
    reached = snap(counted, SMALL, PHASE_END).projected_on
    assert snap(counted, SMALL, PHASE_END).outlook == "done"
    assert CAMPAIGN_START < reached < OCT_20

    # when: a correction at the very end
    online, offline = planned_count(SMALL, PHASE_END)
    enter(counted.campaign, counted[SMALL], PHASE_END, online, offline + 5, reason="late forms", confirm_implausible=True)
    drain_recompute_outbox()

    # then
    assert snap(counted, SMALL, PHASE_END).projected_on == reached
    assert differences(snapshot_values(counted.campaign), clean_snapshot_values(counted.campaign)) == []


def test_snapshots_deleted_are_rebuilt_the_same_by_a_full_recompute(counted):
    before = snapshot_values(counted.campaign)

    CoverageSnapshot.objects.all().delete()
    recompute_coverage(campaign=counted.campaign)

    assert snapshot_values(counted.campaign) == before


def test_a_baseline_change_changes_coverage_from_its_date_on(counted):
    # given
    totals = series(counted, BIG, "total")
    coverage_before = series(counted, BIG, "coverage_pct")

    # when
    set_baseline(district=counted[BIG], campaign=counted.campaign, population=25_000, as_of=OCT_5, source="form")
    drain_recompute_outbox()

    # then: days from the new baseline's date are measured against it; earlier days keep what was known then
    baselines = series(counted, BIG, "baseline")
    assert {day for day, baseline in baselines.items() if baseline == 25_000} == {day for day in baselines if day >= OCT_5}
    assert {baselines[day] for day in baselines if day < OCT_5} == {20_000}
    assert series(counted, BIG, "coverage_pct") == {
        day: coverage.percent(total, 25_000) if day >= OCT_5 else coverage_before[day] for day, total in totals.items()
    }
    north, country = series(counted, NORTH, "baseline"), series(counted, COUNTRY_KATO, "baseline")
    assert {north[day] for day in north if day >= OCT_5} == {31_000}
    assert {north[day] for day in north if day < OCT_5} == {26_000}
    assert {country[day] for day in country if day >= OCT_5} == {42_000}
    assert {country[day] for day in country if day < OCT_5} == {37_000}
    assert differences(snapshot_values(counted.campaign), clean_snapshot_values(counted.campaign)) == []


def test_a_phase_extension_for_one_region_extends_its_snapshots_and_the_country_keeps_the_other_region(counted):
    # given
    door_to_door = counted.campaign.phases.get(kind=Phase.Kind.DOOR_TO_DOOR)
    south_at_the_end = snap(counted, SOUTH, PHASE_END)
    nov_8 = datetime.date(2021, 11, 8)

    # when: North's door-to-door runs on to 8 Nov, and North counts 100 more on 5 Nov
    extend_phase(
        phase=door_to_door, ends_on=nov_8, decided_on=datetime.date(2021, 10, 28), reason="regional decision",
        region=counted.north, source="form",
    )  # fmt: skip
    enter(counted.campaign, counted[BIG], datetime.date(2021, 11, 5), 0, 100)
    drain_recompute_outbox()

    # then
    assert max(series(counted, BIG, "total")) == nov_8
    assert max(series(counted, NORTH, "total")) == nov_8
    assert max(series(counted, "121000000", "total")) == PHASE_END
    country = series(counted, COUNTRY_KATO, "total")
    north = series(counted, NORTH, "total")
    assert max(country) == nov_8
    # South stopped counting on 30 Oct; its people are still counted in the country after that.
    for day in campaign_days(PHASE_END, nov_8):
        assert country[day] == north[day] + south_at_the_end.total, day
    assert set(series(counted, COUNTRY_KATO, "baseline").values()) == {37_000}
    # The same as from nothing, the new deadline included (see the next test).
    drained = snapshot_values(counted.campaign)
    clean = clean_snapshot_values(counted.campaign)
    assert differences(drained, clean) == []


def test_a_phase_extension_moves_the_deadline_in_every_days_forecast_from_the_day_it_was_decided(counted):
    # given
    door_to_door = counted.campaign.phases.get(kind=Phase.Kind.DOOR_TO_DOOR)
    decided_on = OCT_20 - datetime.timedelta(days=2)

    # when
    extend_phase(
        phase=door_to_door, ends_on=datetime.date(2021, 11, 8), decided_on=decided_on,
        reason="regional decision", region=counted.north, source="form",
    )  # fmt: skip
    drain_recompute_outbox()

    # then: on 20 Oct the big district has 19 days left to reach 20,000, not 10
    big = snap(counted, BIG, OCT_20)
    assert big.needed_daily_rate == coverage.ratio_one_decimal(20_000 - big.total, 19)
    # and the day before the decision still says what was known then: 13 days to 30 Oct
    earlier = snap(counted, BIG, decided_on - datetime.timedelta(days=1))
    assert earlier.needed_daily_rate == coverage.ratio_one_decimal(20_000 - earlier.total, 13)


def test_a_status_decision_is_on_the_snapshots_from_its_date(counted):
    # when
    set_status(campaign=counted.campaign, district=counted[SMALL], status="in_progress", date=CAMPAIGN_START, source="form")
    set_status(campaign=counted.campaign, district=counted[SMALL], status="completed_early", date=OCT_20, source="form")
    drain_recompute_outbox()

    # then
    statuses = series(counted, SMALL, "status")
    assert {day for day, status in statuses.items() if status == "completed_early"} == set(campaign_days(OCT_20))
    assert statuses[OCT_20 - datetime.timedelta(days=1)] == "in_progress"
    assert set(series(counted, BIG, "status").values()) == {""}


# --- flags -----------------------------------------------------------------------------------------


def test_a_day_far_above_the_recent_pattern_is_flagged_as_a_jump_and_carried_up(census):
    # given: the big district enters ten times its usual door-to-door on 20 Oct
    online, offline = planned_count(BIG, OCT_20)
    census.enter_all(skip={(BIG, OCT_20)})
    enter(census.campaign, census[BIG], OCT_20, online, offline * 10)

    # when
    drain_recompute_outbox()

    # then
    flagged = {(r.kato, r.date) for r in CoverageSnapshot.objects.all() if coverage.JUMP in r.flags}
    assert flagged == {(BIG, OCT_20), (NORTH, OCT_20), (COUNTRY_KATO, OCT_20)}


def test_a_lowered_count_is_flagged_total_fell_on_that_day(counted):
    # given
    online, offline = planned_count(MIDDLE, OCT_10)
    total_before = snap(counted, MIDDLE, PHASE_END).total

    # when: a correction takes 30 off 10 Oct
    enter(counted.campaign, counted[MIDDLE], OCT_10, online - 30, offline, reason="duplicates removed")
    drain_recompute_outbox()

    # then
    fell = {(r.kato, r.date) for r in CoverageSnapshot.objects.all() if coverage.FELL in r.flags}
    assert fell == {(MIDDLE, OCT_10), (NORTH, OCT_10), (COUNTRY_KATO, OCT_10)}
    assert snap(counted, MIDDLE, PHASE_END).total == total_before - 30


def test_a_cumulative_total_entered_below_the_recorded_one_flags_the_days_it_lowered(counted):
    # given: the running online total of the middle district on 12 Oct
    oct_12 = datetime.date(2021, 10, 12)
    recorded = snap(counted, MIDDLE, oct_12).online
    oct_11_online = planned_count(MIDDLE, datetime.date(2021, 10, 11))[0]

    # when: staff enter a cumulative total 20 below what was recorded before 12 Oct
    online_before_12 = recorded - planned_count(MIDDLE, oct_12)[0]
    enter(
        counted.campaign, counted[MIDDLE], oct_12, online_before_12 - 20, snap(counted, MIDDLE, oct_12).offline,
        mode=EntryMode.CUMULATIVE, reason="portal export double-counted",
    )  # fmt: skip
    drain_recompute_outbox()

    # then: the surplus came off 11 Oct, and 12 Oct itself is now 0 online
    assert snap(counted, MIDDLE, datetime.date(2021, 10, 11)).online_day == oct_11_online - 20
    assert snap(counted, MIDDLE, oct_12).online == online_before_12 - 20
    fell = {r.date for r in CoverageSnapshot.objects.filter(kato=MIDDLE) if coverage.FELL in r.flags}
    assert fell == {datetime.date(2021, 10, 11), oct_12}
    assert differences(snapshot_values(counted.campaign), clean_snapshot_values(counted.campaign)) == []


def test_a_missing_day_inside_an_active_phase_is_silent_on_the_district_and_carried_up(census):
    # given: the middle district did not report on 5 Oct
    census.enter_all(skip={(MIDDLE, OCT_5)})

    # when
    drain_recompute_outbox()

    # then
    silent = {(r.kato, r.date) for r in CoverageSnapshot.objects.all() if coverage.SILENT in r.flags}
    assert silent == {(MIDDLE, OCT_5), (NORTH, OCT_5), (COUNTRY_KATO, OCT_5)}
    # Its running total simply carries over the silent day.
    assert snap(census, MIDDLE, OCT_5).total == snap(census, MIDDLE, OCT_5 - datetime.timedelta(days=1)).total


def test_a_district_over_its_baseline_keeps_its_coverage_and_is_flagged(counted):
    small = snap(counted, SMALL, PHASE_END)

    assert small.total > small.baseline == 1_000
    assert small.coverage_pct == coverage.percent(small.total, 1_000) > 100
    assert coverage.OVER_100 in small.flags
    # Over 100% is the district's own flag: the region is not over its baseline.
    assert coverage.OVER_100 not in snap(counted, NORTH, PHASE_END).flags
    first_over = min(day for day, total in series(counted, SMALL, "total").items() if total > 1_000)
    over = {r.date for r in CoverageSnapshot.objects.filter(kato=SMALL) if coverage.OVER_100 in r.flags}
    assert over == set(campaign_days(first_over))


# --- forecast --------------------------------------------------------------------------------------


def test_every_snapshot_has_a_forecast_with_an_outlook(counted):
    rows = CoverageSnapshot.objects.all()

    assert {r.outlook for r in rows} <= {"done", "on_track", "at_risk", "off_track", "completed", "ended"}
    assert all(r.daily_rate is not None for r in rows)
    small = snap(counted, SMALL, PHASE_END)
    assert small.outlook == "done"
    assert small.needed_daily_rate == Decimal(0)
    # On 20 Oct the big district counts about 400 a day and needs 20,000 by 30 Oct.
    big = snap(counted, BIG, OCT_20)
    assert big.outlook == "off_track"
    assert big.daily_rate == coverage.ratio_one_decimal(
        sum(sum(planned_count(BIG, OCT_20 - datetime.timedelta(days=i))) for i in range(7)), 7
    )
    assert big.needed_daily_rate == coverage.ratio_one_decimal(20_000 - big.total, 10)
    assert big.projected_on is not None and big.projected_on > PHASE_END


# --- one job per transaction -----------------------------------------------------------------------


def test_thirteen_counts_in_one_transaction_publish_one_coverage_job(census, django_capture_on_commit_callbacks):
    # when: a grid of 13 entries is saved at once
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for day in list(campaign_days())[:13]:
            enter(census.campaign, census[BIG], day, *planned_count(BIG, day))

    # then: thirteen pieces of work owed, one job published to do them
    assert callbacks == [publish_drain]
    assert RecomputeRequest.objects.count() == 13
    assert drain_recompute_outbox() == 13
    assert not RecomputeRequest.objects.exists()
    assert snap(census, BIG, datetime.date(2021, 9, 13)).online == sum(
        planned_count(BIG, day)[0] for day in list(campaign_days())[:13]
    )


# --- while the campaign runs -----------------------------------------------------------------------


def test_a_district_that_has_not_reported_today_still_counts_in_its_region(census):
    # given: the North districts reported up to 5 Sep, and a full recompute ran that evening
    small, big = census[SMALL], census[BIG]
    with time_machine.travel(datetime.datetime(2021, 9, 5, 18, 0, tzinfo=ALMATY), tick=False):
        for day in campaign_days(CAMPAIGN_START, datetime.date(2021, 9, 5)):
            enter(census.campaign, small, day, 10, 0)
            enter(census.campaign, big, day, 100, 0)
        drain_recompute_outbox()
        recompute_coverage(campaign=census.campaign)

    # when: just after midnight, before the nightly run at 02:30, the big district sends 6 Sep's count
    with time_machine.travel(datetime.datetime(2021, 9, 6, 0, 30, tzinfo=ALMATY), tick=False):
        enter(census.campaign, big, datetime.date(2021, 9, 6), 100, 0)
        drain_recompute_outbox()

    # then: the region on 6 Sep still has the small district's 50 and all three baselines
    north = snap(census, NORTH, datetime.date(2021, 9, 6))
    assert (north.online, north.baseline) == (50 + 600, 26_000)
    assert north.coverage_pct == coverage.percent(650, 26_000)
    country = snap(census, COUNTRY_KATO, datetime.date(2021, 9, 6))
    assert (country.online, country.baseline) == (650, 37_000)
