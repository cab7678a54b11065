"""Two beat processes would send the nightly recompute twice: the runs queue on one lock and agree with a single run."""

import threading

import pytest
from django.db import connection

from reports.models import CoverageSnapshot
from reports.tasks import recompute_all_task

pytestmark = pytest.mark.postgres
FIELDS = [f.name for f in CoverageSnapshot._meta.fields if f.name not in ("id", "computed_at")]


def snapshot_values(campaign):
    return sorted(CoverageSnapshot.objects.filter(campaign=campaign).values_list(*FIELDS))


def test_two_nightly_recomputes_at_once_leave_what_one_leaves(wide_campaign):
    # given: what one run leaves
    recompute_all_task.apply(args=[wide_campaign.pk]).get()
    once = snapshot_values(wide_campaign)
    CoverageSnapshot.objects.filter(campaign=wide_campaign).delete()
    errors = []

    def nightly_job():
        try:
            recompute_all_task.apply(args=[wide_campaign.pk]).get()
        except Exception as exc:  # noqa: BLE001 -- reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    # when: two run at the same time, as two beat processes would cause
    runs = [threading.Thread(target=nightly_job) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=300)

    # then: no deadlock or error, and the same snapshots, once each
    assert errors == []
    assert snapshot_values(wide_campaign) == once
