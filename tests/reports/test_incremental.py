"""One changed count moves its region and the country by the difference: any sequence of changes equals a full recompute.

The drain after a change derives the changed districts again and adds their difference to the
region's and the country's stored figures (UPDATE ... SET x = x + delta), re-deriving only the
flags and forecasts from the first changed day on. The full recompute from nothing stays the
reference: these tests compare every stored figure of every area and day with it. They run on
SQLite and on PostgreSQL alike (the differences are plain UPDATEs).
"""

import datetime

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from census.models import AuditEntry, DistrictStatus
from census.services import set_status
from census.units import set_baseline
from reports.models import CoverageSnapshot
from reports.services import drain_recompute_outbox, recompute_coverage
from tests.reports.conftest import (
    DISTRICTS,
    DOOR_TO_DOOR_START,
    ONLINE_END,
    PHASE_END,
    campaign_days,
    clean_snapshot_values,
    differences,
    enter,
    snapshot_values,
)

DAYS = list(campaign_days())
BIG, SOUTH_SMALL = "112000000", "122000000"

count_change = st.tuples(
    st.just("count"), st.sampled_from(sorted(DISTRICTS)), st.sampled_from(DAYS), st.integers(0, 400), st.integers(0, 900)
)
baseline_change = st.tuples(
    st.just("baseline"), st.sampled_from(sorted(DISTRICTS)), st.sampled_from(DAYS), st.integers(500, 30_000), st.just(0)
)
status_change = st.tuples(
    st.just("status"),
    st.sampled_from(sorted(DISTRICTS)),
    st.sampled_from(DAYS),
    st.sampled_from([DistrictStatus.Status.COMPLETED_EARLY.value, DistrictStatus.Status.IN_PROGRESS.value]),
    st.just(0),
)
changes = st.lists(st.one_of(count_change, count_change, baseline_change, status_change), min_size=1, max_size=6)


def apply(census, change) -> None:
    kind, kato, day, first, second = change
    district = census[kato]
    if kind == "count":
        # Each channel only inside its phase: a count outside is refused.
        online, offline = first if day <= ONLINE_END else 0, second if day >= DOOR_TO_DOOR_START else 0
        enter(census.campaign, district, day, online, offline, reason="recount", confirm_implausible=True)
    elif kind == "baseline":
        set_baseline(district=district, campaign=census.campaign, population=first, as_of=day, source="form")
    else:
        set_status(campaign=census.campaign, district=district, status=first, date=day, source=AuditEntry.Source.FORM)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=changes, drain_each=st.booleans())
def test_any_sequence_of_changes_drained_leaves_the_snapshots_of_a_full_recompute(counted, sequence, drain_each):
    # Each example starts from the same counted campaign: its changes are rolled back afterwards.
    with transaction.atomic():
        # when: the changes are saved, the job running after each one or once after all of them
        for change in sequence:
            apply(counted, change)
            if drain_each:
                drain_recompute_outbox()
        drain_recompute_outbox()
        moved = snapshot_values(counted.campaign)

        # then: every figure, flag and forecast of every area and day is what a full recompute from nothing gives
        assert differences(moved, clean_snapshot_values(counted.campaign)) == []
        transaction.set_rollback(True)


def test_a_changed_count_moves_the_region_and_the_country_by_the_difference_from_that_day_on(counted):
    # given
    day = datetime.date(2021, 10, 12)
    areas = ("110000000", "000000000")
    before = {kato: dict(CoverageSnapshot.objects.filter(kato=kato).values_list("date", "total")) for kato in (BIG, *areas)}
    old = CoverageSnapshot.objects.get(kato=BIG, date=day)

    # when: the day's door-to-door count is raised by 250
    enter(counted.campaign, counted[BIG], day, old.online_day, old.offline_day + 250, reason="late forms")
    drain_recompute_outbox()

    # then: the district, its region and the country are 250 higher from that day to the end, unchanged before
    for kato in (BIG, *areas):
        after = dict(CoverageSnapshot.objects.filter(kato=kato).values_list("date", "total"))
        assert {d: after[d] - before[kato][d] for d in after} == {d: 250 if d >= day else 0 for d in DAYS}, kato
    assert CoverageSnapshot.objects.get(kato="110000000", date=day).offline_day == sum(
        CoverageSnapshot.objects.filter(region__kato="110000000", level="district", date=day).values_list(
            "offline_day", flat=True
        )
    )
    assert PHASE_END in before[BIG]


def test_a_full_recompute_from_a_later_day_gives_what_one_from_the_start_gives(counted):
    # given: a correction saved but not yet recomputed
    enter(counted.campaign, counted[BIG], datetime.date(2021, 10, 3), 40, 700, reason="recount")

    # when: the campaign is recomputed from a later day on (its roll-ups summed from the stored snapshots)
    recompute_coverage(campaign=counted.campaign, from_date=datetime.date(2021, 10, 3))

    # then: the same as from the start (its roll-ups summed from the figures as they are computed)
    assert differences(snapshot_values(counted.campaign), clean_snapshot_values(counted.campaign)) == []
