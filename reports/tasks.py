"""Celery entry points for coverage work: thin, idempotent, safe to run twice or to be killed."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as KombuOperationalError

from census.models import Campaign
from census.redis_outage import UNREACHABLE
from reports import readcache, services
from reports.dashboards import store

# acks_late + reject_on_worker_lost come from settings: a job killed mid-way goes
# back to the queue, and rerunning it gives the same snapshots.
# Retried: only what may pass on its own (the database restarting, a connection closed under the job, a deadlock,
# the broker unreachable while sending the follow-up job). A programming error fails once, loudly.
TRANSIENT = (OperationalError, InterfaceError, KombuOperationalError, *UNREACHABLE)
COMMON = {"autoretry_for": TRANSIENT, "max_retries": 3, "retry_backoff": 5, "retry_jitter": True}


@shared_task(**COMMON)
def drain_recompute_outbox_task():
    """Do the coverage work owed after committed changes (all of it, coalesced)."""
    return services.drain_recompute_outbox()


@shared_task(**COMMON, soft_time_limit=3000, time_limit=3300)
def recompute_all_task(campaign_id: int | None = None):
    """The nightly full recompute of a campaign (default: every campaign)."""
    campaigns = Campaign.objects.filter(pk=campaign_id) if campaign_id else Campaign.objects.all()
    done = sum(services.recompute_coverage(campaign=campaign) for campaign in campaigns)
    readcache.bump_generation()  # cached reads of the old snapshots are not served again
    return done


@shared_task(**COMMON)
def render_dashboards_task(campaign_id: int, district_ids: list[int] | None = None):
    """Render the dashboards a recompute of these districts (None: all) changed; not their PDF reports.

    A region's PDF costs seconds per language and most figures are replaced by the next save before anyone
    prints them: it is made when first downloaded, once per set of figures (store.report_pdf).
    """
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    return len(store.render_after_recompute(campaign=campaign, district_ids=district_ids))


@shared_task(**COMMON)
def render_reports_task(campaign_id: int, region_ids: list[int]):
    """Render the PDF reports of these regions as of their latest day, in each language (on request, e.g. before
    a briefing; also what messages queued by an earlier release still ask for)."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    return store.render_reports(campaign=campaign, region_ids=region_ids)
