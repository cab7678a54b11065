"""The installable shell of the entry pages: a web app manifest and a service worker, served from the site root.

A service worker's scope is the folder of its own URL at most, so it is served
here at /sw.js rather than from /static/: its scope then covers the entry pages
of every language (/kk/entry/, /ru/entry/, /en/entry/). It is a template because
it names the static files by their deployed (hashed) URLs.
"""

import json

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# Bumped when the worker's caching changes: an old worker's caches are then dropped on activation.
SHELL_VERSION = "1"
# What the worker keeps for offline use: the entry pages' script and styles, and the pages themselves once visited.
SHELL_FILES = ("css/site.css", "js/outbox.js", "js/entry-grid.js", "favicon.svg")


@require_GET
@cache_control(no_cache=True)  # browsers check for a new worker on every navigation; this keeps that check honest
def service_worker(request):
    body = render_to_string(
        "census/shell/sw.js",
        {"version": SHELL_VERSION, "files": [static(name) for name in SHELL_FILES]},
    )
    return HttpResponse(body, content_type="text/javascript; charset=utf-8")


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    body = {
        "name": _("Census Progress"),
        "short_name": _("Census"),
        "start_url": reverse("entry:start"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f4f6f9",
        "theme_color": "#1f2937",
        "icons": [{"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")
