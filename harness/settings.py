"""The project's settings for the processes the harness starts, with Celery jobs on a queue of their own.

Every process of a run (a test's worker; a load run's driver, gunicorn, worker and beat) sends and takes
jobs on HARNESS_QUEUE, follow-up jobs a worker sends included, so no other worker on the same Redis takes
them and the run can wait for its own queue to empty. Production has one queue and the project's settings.
"""

import os

from census.settings import *  # noqa: F403 -- the project's settings, unchanged but for the queue

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("HARNESS_QUEUE", "census-harness")
