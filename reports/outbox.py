"""Asking for coverage work: the outbox row written with the change, and the jobs published once it commits.

This is the one module below reports/ that census.services calls (the one
sanctioned upward call). It knows the jobs only by name, so it imports no
task, service or page code: the worker and the drain stand above it.
"""

import datetime
import logging

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from kombu.exceptions import OperationalError as KombuOperationalError

from census.redis_outage import UNREACHABLE, outage_of
from reports import readcache
from reports.models import RecomputeRequest

log = logging.getLogger(__name__)

DRAIN_TASK = "reports.tasks.drain_recompute_outbox_task"
RENDER_TASK = "reports.tasks.render_dashboards_task"

# The save is committed when this runs: nothing the broker does may turn it into an error or a long wait
# (a person who sees one saves the correction again). The outbox row is the work; the publish only hurries it.
BROKER = outage_of(settings.CELERY_BROKER_URL)


def request_recompute(*, campaign, district, from_date: datetime.date) -> None:
    """Record that coverage is owed from `from_date` on (district=None: the whole campaign), published after commit.

    The row is written in the caller's transaction, so work is never lost to a
    rollback-then-publish or a publish-then-rollback; the publish itself is
    registered once per transaction, so a 5,000-row import sends one job.
    """
    RecomputeRequest.objects.create(campaign=campaign, district=district, from_date=from_date)
    if not any(callback is publish_drain for _savepoints, callback, _robust in connection.run_on_commit):
        transaction.on_commit(publish_drain)


def _job(name: str):
    # By name: the registered task when this process loaded reports.tasks (reports/apps.py does), so eager mode
    # runs it in place; a plain message to the broker otherwise.
    return current_app.signature(name)


def publish_drain() -> None:
    if BROKER.suspended():
        return
    try:
        _job(DRAIN_TASK).delay()
    except (KombuOperationalError, *UNREACHABLE) as exc:
        # Stopped (refused at once) or hung (the socket timeout in settings): the outbox keeps the work.
        BROKER.failed(exc)
    except Exception:
        log.warning("could not publish the coverage job; the outbox sweep will pick it up", exc_info=True)
    else:
        BROKER.answered()


def render_after_commit(owed: dict) -> None:
    """Once the recompute that owed this work commits, send the job that renders the dashboards it changed.

    `owed`: {campaign id: {district id or None (the whole campaign): from date}}.
    """
    # The API reads the snapshots themselves: its cached answers go as soon as the new ones are committed.
    readcache.bump_after_commit()
    for campaign_id, per_district in owed.items():
        district_ids = None if None in per_district else sorted(per_district)
        transaction.on_commit(lambda c=campaign_id, d=district_ids: _publish_render(c, d))


def _publish_render(campaign_id: int, district_ids) -> None:
    try:
        _job(RENDER_TASK).delay(campaign_id, district_ids)
    except Exception:
        # The pages are rendered on demand when stale: a lost job costs one slower page view, never a wrong one.
        log.warning("could not render the dashboards after a recompute; they will be rendered on demand", exc_info=True)
