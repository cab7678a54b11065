"""Two transactions that want the same rows: retry the loser of a deadlock, and say so plainly if it keeps losing.

PostgreSQL breaks a deadlock (SQLSTATE 40P01) or a serialisation failure (40001)
by rolling back one of the transactions; run again, it usually goes through at
once because the other has finished. Writers lock districts in one global order
(census/services.py), so a deadlock should be rare; this is the net under that.
"""

import functools
import logging
import random
import time

from django.db import OperationalError, connection

from census.errors import WriteContended

log = logging.getLogger(__name__)

# SQLSTATEs after which the whole transaction was rolled back and can simply be run again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
ATTEMPTS = 4
# Seconds: the first retry waits up to this, each later one up to twice as long, at random so that the
# two losers of one deadlock do not meet again at the same moment.
FIRST_PAUSE = 0.05


def is_contention(exc: BaseException) -> bool:
    """Whether a database error is a deadlock or serialisation failure (the driver's error is the cause)."""
    while exc is not None:
        code = getattr(exc, "pgcode", None) or getattr(exc, "sqlstate", None)
        if code in RETRYABLE_SQLSTATES:
            return True
        exc = exc.__cause__
    return False


def retry_on_contention(func):
    """Run `func` again (a few times, with jitter) when its transaction lost a deadlock; WriteContended if it keeps losing.

    Only the outermost transaction can be retried: inside someone else's atomic
    block the rollback undid the caller's work too, so the error goes up to the
    caller, whose own outermost block retries it (or reports it). A rolled-back
    transaction's on-commit callbacks are discarded by Django, so a retry never
    publishes anything twice.
    """

    @functools.wraps(func)
    def run(*args, **kwargs):
        if connection.in_atomic_block:
            return func(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                if not is_contention(exc):
                    raise
                if attempt == ATTEMPTS:
                    log.warning("%s lost to another writer %s times; giving up", func.__qualname__, attempt, exc_info=exc)
                    raise WriteContended() from exc
                log.info("%s lost to another writer (%s); trying again", func.__qualname__, exc)
                time.sleep(random.uniform(0, FIRST_PAUSE * 2 ** (attempt - 1)))
        raise AssertionError("unreachable")

    return run
