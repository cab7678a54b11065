"""With Redis and a real Celery worker: a committed count reaches the stored dashboards with no page view; the PDF waits for its download."""

import datetime
import signal
from pathlib import Path

import pytest

from census.models import AuditEntry
from census.services import record_count
from harness.ports import wait_for
from reports.dashboards import store
from reports.models import RenderedDashboard
from tests import factories

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

WAIT_SECONDS = 60
OCT_5 = datetime.date(2021, 10, 5)
LAST_DAY = datetime.date(2021, 10, 30)


def test_a_committed_count_is_rendered_into_the_stored_dashboards_by_the_worker(celery_worker_process):
    # given: a campaign and a region of one district, nothing counted
    process, log_path = celery_worker_process
    campaign = factories.campaign_like_2021(door_to_door_ends=LAST_DAY)
    region = factories.RegionFactory(kato="150000000")
    district = factories.DistrictFactory(region=region, kato="151000000")
    factories.BaselineFactory(district=district, campaign=campaign, population=2_000)
    pages = RenderedDashboard.objects.filter(campaign=campaign, kind="region", kato=region.kato, as_of=LAST_DAY)

    def fail(what):
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        pytest.fail(f"{what} after {WAIT_SECONDS} s; worker log:\n{Path(log_path).read_text()}")

    # when: a count is committed
    record_count(campaign=campaign, district=district, date=OCT_5, online=120, offline=80, source=AuditEntry.Source.FORM)

    # then: the worker recomputes, then renders the region's dashboard in each language, without its PDF
    if not wait_for(lambda: pages.count() == 3, WAIT_SECONDS):
        fail("no rendered dashboard")
    first = pages.get(language="ru")
    assert "10,0\xa0%" in first.html
    assert not pages.filter(pdf__isnull=False).exists(), "a PDF is made when downloaded, not after every save"

    # when: the PDF is downloaded twice
    made = store.report_pdf(campaign=campaign, kato=region.kato, as_of=None, language="ru")
    again = store.report_pdf(campaign=campaign, kato=region.kato, as_of=None, language="ru")

    # then: it was made once, for these figures
    assert bytes(made.pdf).startswith(b"%PDF")
    assert again.rendered_at == made.rendered_at and bytes(again.pdf) == bytes(made.pdf)
    first = pages.get(language="ru")

    # when: the day is corrected
    record_count(
        campaign=campaign, district=district, date=OCT_5, online=120, offline=180, reason="second box",
        source=AuditEntry.Source.FORM,
    )  # fmt: skip

    # then: the stored page is rendered again from the new figures
    if not wait_for(lambda: "15,0\xa0%" in pages.get(language="ru").html, WAIT_SECONDS):
        fail("the stored dashboard was not rendered again")
    assert pages.get(language="ru").rendered_at > first.rendered_at
    assert RenderedDashboard.objects.filter(campaign=campaign, kind="district", kato=district.kato).count() == 3
    assert process.poll() is None, "the worker should still be running"
