"""Request bodies over the size limit are refused from their Content-Length, before anything reads them.

A reverse proxy in front (ops/nginx.conf) refuses them first; this is the same rule inside the app, so a
server reached without the proxy (or a proxy set up loosely) still never receives, parses or spools to disk a
body it would refuse anyway: an anonymous 300 MB POST used to be read in full before the redirect to sign in.
"""

import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from census.api.base import error_body
from census.parsers import too_large_message

# A multipart upload carries the file plus its part headers and the form's other fields (mode, reason of at
# most 1,000 characters, the CSRF token): this much room above the file's own limit is ample for those.
MULTIPART_OVERHEAD = 64 * 1024
# The spreadsheet upload page (census/entry_urls.py "import" and "import_apply") under each language prefix.
IMPORT_PATH = re.compile(r"^/[a-z]{2}(?:-[a-z]+)?/entry/import/")


def body_limit(path: str) -> int:
    """The largest body, in bytes, a request to this path may carry."""
    if IMPORT_PATH.match(path):
        return settings.CENSUS_IMPORT_MAX_BYTES + MULTIPART_OVERHEAD
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def declared_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        # Django reads no body at all for a Content-Length it cannot read.
        return 0


class RequestSizeLimitMiddleware:
    """Answers 413 to a request whose declared body is over its path's limit, without reading the body.

    First in MIDDLEWARE: the CSRF middleware reads a POST's form (a multipart body is spooled to disk) before
    any view could say "sign in first", so the check must come before it, and before sessions or authentication
    (an anonymous request is refused as early as a signed-in one).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit(request.path_info)
        if declared_length(request) <= limit:
            return self.get_response(request)
        # The locale middleware has not run yet: the message is in the language of the path's prefix.
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        with translation.override(language):
            message = too_large_message(limit)
            if request.path_info.startswith("/api/"):
                # The API's one error shape; no view runs, so it is built here.
                response = JsonResponse(error_body(413, "too_large", message), status=413)
            else:
                title = _("Too large")
                page = format_html(
                    '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{}</title></head>'
                    "<body><h1>{}</h1><p>{}</p></body></html>",
                    language,
                    title,
                    title,
                    message,
                )
                response = HttpResponse(page, status=413)
        return response
