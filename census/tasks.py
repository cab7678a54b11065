"""Celery entry points of the core: thin, each calls one service."""

import logging

from celery import shared_task

from census.housekeeping import remove_expired_records

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def remove_expired_records_task() -> dict[str, int]:
    removed = remove_expired_records()
    logger.info("housekeeping removed %s", removed)
    return removed
