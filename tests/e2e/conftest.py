"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server (fixtures: tests/browser.py)."""

from pathlib import Path

import pytest

from tests.browser import CHROMIUM, browser_type_launch_args, console_errors, screenshot  # noqa: F401 -- fixtures, used by name


def pytest_collection_modifyitems(config, items):
    del config
    if Path(CHROMIUM).exists():
        return
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason="needs Chromium at /usr/bin/chromium (apt-get install chromium; CI does)"))
