"""Every HTML page in Chromium under the site's Content Security Policy: no violation, no script error, no failed load.

Signed in as the administrator (and anonymously for the public pages, the
sign-in page and the locked-out page), the sweep opens the dashboards, every
entry page, the import preview, the admin (every registered model's list,
change form and add form) and the API docs. On each page it collects console
errors, uncaught script errors, responses of 400 and above and CSP violations
(a `securitypolicyviolation` listener installed before any of the page's own
scripts), and checks the security headers of the page's response. A first test
proves the collector works: a page served with an injected inline script must
be reported.
"""

import io

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from census.demo import DEMO_PASSWORD
from regions.models import District

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.pages]

WKO = "270000000"
TASKALA = "276000000"

# Runs in every document before its own scripts: keeps each violation where the sweep can read it after the load.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${event.documentURI}`);
}, true);
"""
# Chromium's console note of a page or file it got with an error status.
LOAD_ERROR = "Failed to load resource: the server responded with a status of %s ("


class Sweep:
    """Visits pages on one Playwright page and gathers everything wrong with each, by URL."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.problems: dict[str, list[str]] = {}
        self.visited: list[str] = []
        self._current: list[str] = []
        page.add_init_script(COLLECT_VIOLATIONS)
        page.on("console", lambda message: self._current.append(f"console: {message.text}") if message.type == "error" else None)
        page.on("pageerror", lambda error: self._current.append(f"script error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on(
            "response",
            lambda response: self._current.append(f"HTTP {response.status}: {response.url}") if response.status >= 400 else None,
        )

    def _request_failed(self, request):
        # Leaving a page cancels what it still loads (often the favicon): that is the browser moving on, not a failure.
        if request.failure != "net::ERR_ABORTED":
            self._current.append(f"request failed: {request.url} {request.failure}")

    def visit(self, path: str, *, ready: str | None = None, expect_status: int = 200, action=None):
        """Open a page (or run `action`, which navigates) and record what went wrong on it."""
        self._current = []
        if action is None:
            response = self.page.goto(self.base_url + path)
        else:
            with self.page.expect_navigation() as navigation:
                action()
            response = navigation.value
        if ready:
            self.page.locator(ready).first.wait_for(state="visible")
        self.page.wait_for_load_state("load")
        # A zero timeout lets violation events already queued fire before the list is read.
        violations = self.page.evaluate("() => new Promise((done) => setTimeout(() => done(window.__cspViolations || []), 0))")
        found = [f"CSP violation: {text}" for text in violations]
        # A page that answers with an error status on purpose (403, 404, 429) is no failure, nor is Chromium's note of it.
        # (A file failing with the same status still shows as its own "HTTP ..." entry.)
        found += [entry for entry in self._current if not _expected_error(entry, expect_status, response.url)]
        if response.status != expect_status:
            found.append(f"status {response.status}, expected {expect_status}")
        found += header_problems(response.all_headers())
        self.visited.append(path)
        if found:
            self.problems[path] = found
        return response


def _expected_error(entry: str, status: int, url: str) -> bool:
    return status >= 400 and (entry == f"HTTP {status}: {url}" or entry.startswith(f"console: {LOAD_ERROR % status}"))


def _directives(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(headers: dict[str, str]) -> list[str]:
    """What is missing or too lax in a page's security headers."""
    problems = []
    policy = headers.get("content-security-policy")
    if not policy:
        return ["no Content-Security-Policy header"]
    directives = _directives(policy)
    scripts = directives.get("script-src", directives.get("default-src", []))
    if not scripts:
        problems.append("CSP without script-src or default-src")
    for lax in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        if lax in scripts:
            problems.append(f"script-src allows {lax}")
    if directives.get("object-src") != ["'none'"]:
        problems.append("CSP lets plugins load (object-src is not 'none')")
    if headers.get("x-content-type-options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if not headers.get("referrer-policy"):
        problems.append("no Referrer-Policy")
    if not headers.get("x-frame-options") and "frame-ancestors" not in directives:
        problems.append("neither X-Frame-Options nor frame-ancestors")
    return problems


def _inject_inline_script(route):
    """Serves the real page, headers and all, with an inline script added as an attacker's markup would add it."""
    response = route.fetch()
    body = response.text().replace("</body>", "<script>document.title = 'injected';</script></body>")
    route.fulfill(response=response, body=body)


def test_the_sweep_catches_a_page_with_an_injected_inline_script(live_server, page):
    # given a sign-in page served with an inline script the policy does not allow
    sweep = Sweep(page, live_server.url)
    page.route(f"{live_server.url}/en/login/", _inject_inline_script)

    # when
    sweep.visit("/en/login/")

    # then the script did not run, and the sweep reports the page
    assert page.title() != "injected"
    problems = sweep.problems["/en/login/"]
    assert any(problem.startswith("CSP violation: script-src") for problem in problems), problems
    assert any(problem.startswith("console:") and "Content Security Policy" in problem for problem in problems), problems


def test_the_sweep_catches_lax_or_missing_security_headers():
    strict = {
        "content-security-policy": "default-src 'self'; script-src 'self' 'nonce-abc'; object-src 'none'",
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "x-frame-options": "DENY",
    }

    assert header_problems(strict) == []
    assert header_problems({**strict, "content-security-policy": "script-src 'self' 'unsafe-inline'; object-src 'none'"}) == [
        "script-src allows 'unsafe-inline'"
    ]
    assert header_problems({key: value for key, value in strict.items() if key != "x-frame-options"}) == [
        "neither X-Frame-Options nor frame-ancestors"
    ]
    assert header_problems({key: value for key, value in strict.items() if key != "content-security-policy"}) == [
        "no Content-Security-Policy header"
    ]


def _import_file() -> bytes:
    return f"district;date;online;offline\n{TASKALA};29.10.2021;123;456\n".encode()


def _admin_pages(user) -> list[str]:
    """Every registered model's list, the change form of its first record and its add form (where adding is allowed)."""
    request = RequestFactory().get("/")
    request.user = user
    pages = []
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(reverse(f"{prefix}_changelist"))
        first = model.objects.order_by("pk").first()
        if first is not None:
            pages.append(reverse(f"{prefix}_change", args=[first.pk]))
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"{prefix}_add"))
    return pages


def test_every_page_loads_under_the_strict_policy_with_its_security_headers(live_server, page):
    # given the demo region, committed, as the site runs it
    from django.contrib.auth import get_user_model
    from django.utils import translation

    call_command("load_demo", stdout=io.StringIO())
    sweep = Sweep(page, live_server.url)
    taskala = District.objects.get(kato=TASKALA).kato

    # when: anonymously, the public pages, the sign-in page, and the page a locked-out person sees
    for path in ("/ru/", "/ru/public/", f"/ru/public/{WKO}/", f"/ru/widget/{WKO}/", "/ru/admin/login/", "/ru/login/"):
        sweep.visit(path)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        page.fill("input[name=username]", "official.kz")
        page.fill("input[name=password]", "not-the-password")
        page.press("input[name=password]", "Enter")
        page.wait_for_load_state()
    page.fill("input[name=username]", "official.kz")
    page.fill("input[name=password]", "not-the-password")
    sweep.visit("locked out", action=lambda: page.press("input[name=password]", "Enter"), expect_status=429)
    locked_text = page.inner_text("main")

    # when: signed in as the administrator, every page behind the sign-in
    sweep.visit("/ru/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", DEMO_PASSWORD)
    sweep.visit("signed in", action=lambda: page.press("input[name=password]", "Enter"))
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    for path in [
        "/kk/dashboard/", "/ru/dashboard/", "/en/dashboard/",
        f"/ru/dashboard/{WKO}/", f"/ru/dashboard/district/{taskala}/",
        "/ru/public/", f"/ru/public/{WKO}/", f"/ru/widget/{WKO}/",
        "/ru/entry/", "/ru/entry/not-reported/", f"/ru/entry/region/{WKO}/",
        f"/ru/entry/district/{taskala}/", f"/ru/entry/district/{taskala}/history/", f"/ru/entry/district/{taskala}/status/",
        f"/ru/entry/district/{taskala}/staffing/", "/ru/entry/sync-health/", "/ru/entry/import/",
    ]:  # fmt: skip
        sweep.visit(path, ready="figure[data-chart] canvas" if "/dashboard/" in path else None)
    page.set_input_files("input[name=file]", {"name": "counts.csv", "mimeType": "text/csv", "buffer": _import_file()})
    sweep.visit("import preview", action=lambda: page.click("main form button[type=submit]"))
    preview_text = page.inner_text("main")
    admin_user = get_user_model().objects.get(username="admin")
    with translation.override("ru"):
        admin_pages = ["/ru/admin/", *_admin_pages(admin_user)]
    for path in admin_pages:
        sweep.visit(path)
    sweep.visit("/api/docs/", ready=".opblock")

    # when: signed in as an official, the pages that refuse or do not find something
    sweep.visit("/ru/")
    sweep.visit("signed out", action=lambda: page.click("header form button[type=submit]"))
    page.fill("input[name=username]", "akimat.wko")
    page.fill("input[name=password]", DEMO_PASSWORD)
    sweep.visit("official signed in", action=lambda: page.press("input[name=password]", "Enter"))
    sweep.visit("/ru/entry/", expect_status=403)
    sweep.visit("/ru/dashboard/390000000/", expect_status=404)

    # then
    assert sweep.problems == {}
    assert len(sweep.visited) >= 25 + len(admin.site._registry)
    assert str(settings.AXES_FAILURE_LIMIT) in locked_text
    assert "counts.csv" in preview_text
    session = cookies[settings.SESSION_COOKIE_NAME]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert cookies[settings.CSRF_COOKIE_NAME]["sameSite"] == "Lax"
