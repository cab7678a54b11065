"""The API documentation page, as a developer of the communications service opens it in a browser."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_load_from_this_server_under_the_strict_csp(live_server, page, screenshot, console_errors):
    # given every request the page makes, to check none leaves this server
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    # when
    page.goto(f"{live_server.url}/api/docs/")

    # then the operations of the contract are listed
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Census Progress API")
    for path in ("/api/v1/coverage/", "/api/v1/briefing/", "/api/v1/daily-counts/"):
        expect(page.locator(f"[data-path='{path}']").first).to_be_visible()
    screenshot()
    assert console_errors == []
    assert requested and all(url.startswith(live_server.url) or url.startswith("data:") for url in requested)
