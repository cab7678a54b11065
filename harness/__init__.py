"""Real processes on loopback for the tests, the bench and the load test: free ports, the children's
environment, gunicorn, Celery, redis-server and PostgreSQL clusters started and ended by their own PIDs.

Not part of the application: nothing under census/, regions/ or reports/ imports it.
"""
