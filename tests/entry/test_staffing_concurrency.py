"""Several people saving the same district's staffing day at once: one row, one winner (PostgreSQL, real threads)."""

import pytest

from census.errors import CountConflict
from census.models import AuditEntry, DailyStaffing
from census.staffing import record_staffing
from tests.entry.conftest import OPEN_DAY
from tests.entry.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("after_campaign")]


def save(campaign, district, i, **kwargs):
    return record_staffing(campaign=campaign, district=district, date=OPEN_DAY, interviewers=10 + i, instructors=1,
                           volunteers=0, vaccinated=11, source="form", **kwargs)  # fmt: skip


def test_parallel_first_saves_having_seen_no_row_make_one_row_and_the_others_a_conflict(area, campaign):
    results = run_together(lambda i: save(campaign, area.first, i, expected_version=0))

    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, CountConflict) for r in results if r not in winners)
    row = DailyStaffing.objects.get(district=area.first)
    assert (row.interviewers, row.version) == (winners[0].staffing.interviewers, 1)
    assert AuditEntry.objects.filter(district=area.first).count() == 1


def test_parallel_identical_first_saves_without_a_version_make_one_row(area, campaign):
    results = run_together(lambda i: save(campaign, area.first, 0))

    assert not [r for r in results if isinstance(r, Exception)]
    assert DailyStaffing.objects.filter(district=area.first).count() == 1
    assert sum(1 for r in results if r.created) == 1
