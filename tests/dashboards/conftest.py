"""Fixtures for the dashboard tests: the demo loaded once per module, accounts by role, browser helpers."""

import io
import shutil
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from census.services import provision_user
from reports.services import drain_recompute_outbox
from tests import factories
from tests.conftest import AFTER_CAMPAIGN

# The browser fixtures (page settings, screenshots, console errors) are the project's shared ones.
from tests.e2e.conftest import browser_type_launch_args, console_errors, screenshot  # noqa: F401

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WKO = "270000000"
TASKALA = "276000000"


def pytest_collection_modifyitems(config, items):
    del config
    if Path(CHROMIUM).exists():
        return
    for item in items:
        if "test_browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason="needs Chromium at /usr/bin/chromium (apt-get install chromium; CI does)"))


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module (it takes seconds) inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), time_machine.travel(AFTER_CAMPAIGN, tick=False):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_demo", stdout=io.StringIO())
            # The transaction never commits, so the coverage job its commit would publish is run here;
            # the dashboards it would then render are rendered on demand by the pages.
            drain_recompute_outbox()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


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
