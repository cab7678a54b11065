"""The REST API, /api/v1/: base.py (what every endpoint shares, the scope applied), areas.py, counts.py, urls.py.

The coverage endpoints on top of these live in reports/api.py.
"""
