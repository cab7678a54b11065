"""import_counts() reads a batch's stored rows once and writes in bulk, keeping every rule and every history entry."""

import datetime

import pytest

from census.models import AuditEntry, DailyCount
from census.services import CountRow, EntryMode, import_counts, record_count
from reports.models import RecomputeRequest
from tests import factories

pytestmark = pytest.mark.usefixtures("after_campaign")

IMPORT = AuditEntry.Source.IMPORT
# Both phases of the `campaign` fixture are open from 1 to 15 October.
OPEN_DAYS = [datetime.date(2021, 10, n) for n in range(1, 16)]


@pytest.fixture
def twenty_districts(campaign):
    region = factories.RegionFactory()
    return factories.DistrictFactory.create_batch(20, region=region)


def _rows(districts, days, value=lambda n: (n, 2 * n)):
    rows = []
    for day in days:
        for district in districts:
            online, offline = value(len(rows) + 1)
            rows.append(CountRow(line=len(rows) + 2, district=district, date=day, online=online, offline=offline))
    return rows


def test_the_queries_of_an_import_do_not_grow_with_its_rows(campaign, twenty_districts, django_assert_max_num_queries):
    # given: 300 district-days, a third of them already recorded
    rows = _rows(twenty_districts, OPEN_DAYS)
    import_counts(campaign=campaign, rows=rows[:100], source=IMPORT)

    # when / then: previewed and applied in a bounded number of statements, not a few per row
    with django_assert_max_num_queries(30):
        preview = import_counts(campaign=campaign, rows=rows, source=IMPORT, dry_run=True)
    with django_assert_max_num_queries(40):
        applied = import_counts(campaign=campaign, rows=rows, source=IMPORT)

    assert (preview.created, preview.unchanged, preview.applied) == (200, 100, False)
    assert (applied.created, applied.unchanged, applied.applied) == (200, 100, True)
    assert DailyCount.objects.count() == 300
    assert AuditEntry.objects.count() == 300


def test_an_import_owes_coverage_once_per_district_from_its_earliest_day_and_publishes_once(
    campaign, twenty_districts, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        import_counts(campaign=campaign, rows=_rows(twenty_districts, OPEN_DAYS[4:9]), source=IMPORT)

    # then
    assert len(callbacks) == 1
    owed = sorted(RecomputeRequest.objects.values_list("district_id", "from_date"))
    assert owed == sorted((d.pk, OPEN_DAYS[4]) for d in twenty_districts)


def test_one_district_day_twice_in_a_file_is_created_then_corrected_with_both_steps_in_history(campaign, district):
    # given: a file that states a day, then corrects it further down
    day = OPEN_DAYS[2]
    rows = [
        CountRow(line=2, district=district, date=day, online=10, offline=5),
        CountRow(line=3, district=district, date=day, online=8, offline=5, reason="Double-counted household"),
    ]

    # when
    summary = import_counts(campaign=campaign, rows=rows, source=IMPORT)

    # then
    assert [o.action for o in summary.outcomes] == ["created", "changed"]
    row = DailyCount.objects.get(district=district, date=day)
    assert (row.online, row.offline, row.version) == (8, 5, 2)
    history = list(AuditEntry.objects.filter(object_id=row.pk).order_by("id").values_list("changes", "reason"))
    assert history == [
        ({"online": [None, 10], "offline": [None, 5]}, ""),
        ({"online": [10, 8]}, "Double-counted household"),
    ]


def test_a_cumulative_import_below_what_is_recorded_lowers_the_latest_earlier_days_of_the_file_and_the_store(campaign, district):
    # given: two days recorded; a cumulative file restating a third day, then a lower total two days later
    record_count(campaign=campaign, district=district, date=OPEN_DAYS[0], online=50, offline=0, source=IMPORT)
    record_count(campaign=campaign, district=district, date=OPEN_DAYS[1], online=30, offline=0, source=IMPORT)
    rows = [
        CountRow(line=2, district=district, date=OPEN_DAYS[2], online=100, offline=0),
        CountRow(line=3, district=district, date=OPEN_DAYS[4], online=60, offline=0, reason="Duplicates removed"),
    ]

    # when
    summary = import_counts(campaign=campaign, rows=rows, mode=EntryMode.CUMULATIVE, source=IMPORT)

    # then: day 3 was created at 20 and then lowered with days 2 and 1 (40 too many: 20 from day 3, 20 from day 2)
    assert summary.applied
    stored = list(DailyCount.objects.filter(district=district).order_by("date").values_list("date", "online", "version"))
    assert stored == [(OPEN_DAYS[0], 50, 1), (OPEN_DAYS[1], 10, 2), (OPEN_DAYS[2], 0, 2), (OPEN_DAYS[4], 0, 1)]
    assert RecomputeRequest.objects.filter(district=district).order_by("-id").first().from_date == OPEN_DAYS[1]
