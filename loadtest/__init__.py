"""`make loadtest` (`python -m loadtest [--readers 200] [--staff 20] [--batches 2] [--seconds 60]`): a bounded load on loopback.

Dashboard readers, statistics staff saving counts one at a time and region staff saving the region
grid and imports (many districts in one transaction), against gunicorn, a real Celery worker with its
beat, PostgreSQL and Redis (DATABASE_URL and REDIS_URL; SQLite is refused). Prints requests/s and
p50/p95/p99 per kind of request with the errors, then checks that every accepted save is stored and
audited with its value and that the coverage snapshots equal a full recompute; exits 1 otherwise.

The users are driven by locust used as a library (headless, in this process): it installs cleanly on
Python 3.12, its gevent users let one process hold 220 keep-alive clients for little CPU on a 2-core
machine that also runs the server, the worker and PostgreSQL, and its statistics give per-kind
percentiles and errors. run.py is the run (what is started, how it is sized and why), scenario.py
what the simulated people do; harness/settings.py gives the run's processes a queue of their own.
"""
