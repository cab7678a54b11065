"""The project's settings for the load test's processes, with Celery jobs on a queue of the run's own.

Every process of a run (the driver, gunicorn, the worker and its beat) sends and takes jobs on
LOADTEST_QUEUE, so no other worker on the same Redis takes them and the run can wait for its own
queue to empty.
"""

import os

from census.settings import *  # noqa: F403 -- the project's settings, unchanged but for the queue

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("LOADTEST_QUEUE", "census-loadtest")
