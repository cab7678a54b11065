"""The two reads every page and endpoint share: a district's totals before a day, and the status in force on a day."""

import datetime

from census.models import DailyCount, DistrictStatus
from tests import factories

SEP = datetime.date(2021, 9, 1)


def _day(n: int) -> datetime.date:
    return SEP + datetime.timedelta(days=n)


def test_totals_before_a_day_add_up_each_districts_earlier_days_only(campaign):
    # given two districts, one counted on three days, one only on the day asked about
    early, late = factories.DistrictFactory(), factories.DistrictFactory()
    for n, (online, offline) in enumerate([(10, 1), (20, 2), (40, 4)]):
        factories.DailyCountFactory(campaign=campaign, district=early, date=_day(n), online=online, offline=offline)
    factories.DailyCountFactory(campaign=campaign, district=late, date=_day(2), online=7, offline=7)
    other = factories.CampaignFactory()
    factories.DailyCountFactory(campaign=other, district=early, date=_day(0), online=1000, offline=1000)

    # when
    rows = DailyCount.objects.filter(campaign=campaign).totals_before(_day(2))

    # then the day itself, later days and other campaigns are left out; a district with no earlier day has no row
    assert {row["district_id"]: (row["online"], row["offline"]) for row in rows} == {early.pk: (30, 3)}


def test_the_status_in_force_is_the_latest_decision_on_or_before_the_day(campaign):
    # given decisions on days 1, 5 (twice: the later one counts) and 9 for one district, one on day 7 for another
    district, other = factories.DistrictFactory(), factories.DistrictFactory()
    Status = DistrictStatus.Status
    for n, status in [(1, Status.IN_PROGRESS), (5, Status.COMPLETED), (5, Status.NEARLY_COMPLETE), (9, Status.COMPLETED)]:
        DistrictStatus.objects.create(campaign=campaign, district=district, date=_day(n), status=status)
    DistrictStatus.objects.create(campaign=campaign, district=other, date=_day(7), status=Status.COMPLETED_EARLY)

    def in_force(n):
        rows = DistrictStatus.objects.filter(campaign=campaign).in_force(on=_day(n))
        return {row.district_id: row.status for row in rows}

    # then
    assert in_force(0) == {}
    assert in_force(4) == {district.pk: Status.IN_PROGRESS}
    assert in_force(5) == {district.pk: Status.NEARLY_COMPLETE}
    assert in_force(8) == {district.pk: Status.NEARLY_COMPLETE, other.pk: Status.COMPLETED_EARLY}
    assert in_force(9) == {district.pk: Status.COMPLETED, other.pk: Status.COMPLETED_EARLY}
