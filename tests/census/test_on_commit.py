"""Coverage work is owed in the same transaction as the counts and published once, only after commit."""

import datetime

import pytest
from django.db import transaction

from census.errors import Rejected
from census.models import AuditEntry, DailyCount
from census.services import record_count
from regions.models import District
from reports.models import CoverageSnapshot, RecomputeRequest
from tests import factories

pytestmark = pytest.mark.usefixtures("after_campaign")

IMPORT = AuditEntry.Source.IMPORT
OCT_5 = datetime.date(2021, 10, 5)


@pytest.fixture
def thirteen_districts(campaign):
    region = factories.RegionFactory()
    districts = factories.DistrictFactory.create_batch(13, region=region)
    for district in districts:
        factories.BaselineFactory(district=district, campaign=campaign, population=2_000)
    return districts


def count(campaign, district, date=OCT_5, online=40, offline=10, **kw):
    return record_count(campaign=campaign, district=district, date=date, online=online, offline=offline, source=IMPORT, **kw)


def test_many_counts_in_one_transaction_publish_one_job_and_owe_work_for_each(
    campaign, thirteen_districts, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for district in thirteen_districts:
            count(campaign, district)

    # then
    assert len(callbacks) == 1
    assert DailyCount.objects.count() == 13
    owed = RecomputeRequest.objects.values_list("district_id", "from_date")
    assert sorted(owed) == sorted((d.pk, OCT_5) for d in thirteen_districts)


def test_several_days_of_one_district_publish_one_job(campaign, district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for n in range(1, 6):
            count(campaign, district, date=datetime.date(2021, 10, n))

    assert len(callbacks) == 1
    assert RecomputeRequest.objects.filter(district=district).count() == 5


def test_a_count_that_changes_nothing_owes_no_work_and_publishes_nothing(campaign, district, django_capture_on_commit_callbacks):
    # given: committed earlier and already published
    with django_capture_on_commit_callbacks(execute=True):
        count(campaign, district)
    assert not RecomputeRequest.objects.exists()

    # when
    with django_capture_on_commit_callbacks() as callbacks:
        result = count(campaign, district)

    # then
    assert not result.changed
    assert callbacks == []
    assert not RecomputeRequest.objects.exists()


def test_a_rejected_count_in_a_batch_leaves_the_others_and_their_single_job(
    campaign, thirteen_districts, django_capture_on_commit_callbacks
):
    # when: an import skips the row it cannot record and goes on
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for n, district in enumerate(thirteen_districts):
            try:
                count(campaign, district, online=-1 if n == 6 else 40)
            except Rejected:
                continue

    # then
    assert len(callbacks) == 1
    assert DailyCount.objects.count() == 12
    assert RecomputeRequest.objects.count() == 12


def test_a_rolled_back_transaction_publishes_nothing_and_leaves_nothing(
    campaign, thirteen_districts, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        for district in thirteen_districts:
            count(campaign, district)
        raise RuntimeError("the upload failed half-way")

    # then
    assert callbacks == []
    assert not DailyCount.objects.exists()
    assert not AuditEntry.objects.exists()
    assert not RecomputeRequest.objects.exists()


def test_a_count_after_a_rolled_back_batch_still_publishes_its_job(
    campaign, thirteen_districts, django_capture_on_commit_callbacks
):
    # given: the first batch registered a publish, then rolled back (which discards it)
    with pytest.raises(RuntimeError), transaction.atomic():
        count(campaign, thirteen_districts[0])
        raise RuntimeError

    # when
    with django_capture_on_commit_callbacks() as callbacks:
        count(campaign, thirteen_districts[1])

    # then
    assert len(callbacks) == 1
    assert list(RecomputeRequest.objects.values_list("district_id", flat=True)) == [thirteen_districts[1].pk]


def test_the_published_job_turns_the_owed_work_into_snapshots_and_empties_the_outbox(
    campaign, thirteen_districts, django_capture_on_commit_callbacks
):
    # when: Celery runs eagerly without REDIS_URL, so running the callback does the work
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for district in thirteen_districts:
            count(campaign, district, online=300, offline=100)

    # then
    assert not RecomputeRequest.objects.exists()
    district = District.objects.get(pk=thirteen_districts[0].pk)
    snapshot = CoverageSnapshot.objects.get(campaign=campaign, district=district, date=OCT_5)
    assert (snapshot.online, snapshot.offline, snapshot.total, snapshot.baseline) == (300, 100, 400, 2_000)
    region = CoverageSnapshot.objects.get(campaign=campaign, kato=district.region.kato, date=OCT_5)
    assert (region.total, region.baseline) == (13 * 400, 13 * 2_000)
