"""Fixtures for the dashboard tests: the demo (tests/conftest.py loads it once per module), accounts by role, browser helpers."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from census.accounts import provision_user
from tests import factories

# The browser fixtures (page settings, screenshots, console errors) are the project's shared ones.
from tests.browser import CHROMIUM, browser_type_launch_args, console_errors, screenshot  # noqa: F401

# A real Celery worker on a queue of the test's own (test_worker_renders.py).
from tests.processes import celery_worker_process, worker_queue  # noqa: F401

WKO = "270000000"
TASKALA = "276000000"


def pytest_collection_modifyitems(config, items):
    del config
    if Path(CHROMIUM).exists():
        return
    for item in items:
        if "test_browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason="needs Chromium at /usr/bin/chromium (apt-get install chromium; CI does)"))


@pytest.fixture
def demo(demo_loaded, db, after_campaign):
    """Each test reads the module's demo inside its own savepoint, on the day after the campaign."""


def demo_user(username: str):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def official_client(demo, client):
    """The West Kazakhstan akimat's official (demo account akimat.wko), signed in."""
    client.force_login(demo_user("akimat.wko"))
    return client


@pytest.fixture
def other_region_official(demo):
    """An official of another region, with districts of its own."""
    region = factories.RegionFactory(kato="310000000", name_ru="Жамбылская область")
    factories.DistrictFactory(region=region, kato="311000000")
    return provision_user(username="akimat.zhambyl", role="official", kato=region.kato, password=None)
