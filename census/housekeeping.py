"""Nightly housekeeping: records kept only for a while are removed once that while is over.

What is removed, and why it was kept until then:
- Idempotency-Key answers, after KEY_LIFETIME: a client retries within minutes, not days;
- uploaded files awaiting "Apply", after CENSUS_IMPORT_KEEP_SECONDS: the preview expired with them;
- sign-in records (successful sign-ins with their address and browser, failed attempts), after
  CENSUS_SIGNIN_LOG_DAYS: they are personal data, kept only as long as the lockout rules and an investigation
  of a break-in need them;
- expired sessions, which Django leaves in the database until asked.
Counts, statuses, baselines and the audit trail are never touched here: nothing accepted is ever removed.
"""

import datetime
from importlib import import_module

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.utils import timezone

from census.idempotency import KEY_LIFETIME
from census.models import IdempotentRequest, PendingImport


def sign_in_log_days() -> int:
    # The "known address" exception reads successful sign-ins of the last CENSUS_SIGNIN_KNOWN_ADDRESS_DAYS:
    # removing them sooner would lock people out of their usual desk.
    return max(settings.CENSUS_SIGNIN_LOG_DAYS, settings.CENSUS_SIGNIN_KNOWN_ADDRESS_DAYS)


def remove_expired_records(now: datetime.datetime | None = None) -> dict[str, int]:
    """Removes what has outlived its purpose (see the module's docstring); returns how many of each kind."""
    now = now or timezone.now()
    sign_in_cutoff = now - datetime.timedelta(days=sign_in_log_days())
    removed = {
        "idempotent_requests": IdempotentRequest.objects.filter(created_at__lt=now - KEY_LIFETIME).delete()[0],
        "pending_imports": PendingImport.objects.filter(expires_at__lte=now).delete()[0],
        "sign_ins": AccessLog.objects.filter(attempt_time__lt=sign_in_cutoff).delete()[0],
        "sign_in_failures": AccessFailureLog.objects.filter(attempt_time__lt=sign_in_cutoff).delete()[0]
        + AccessAttempt.objects.filter(attempt_time__lt=sign_in_cutoff).delete()[0],
    }
    # Through the session engine, so a store that keeps nothing in the database simply has nothing to clear.
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store_class, "get_model_class"):
        removed["sessions"] = store_class.get_model_class().objects.filter(expire_date__lt=now).delete()[0]
    return removed
