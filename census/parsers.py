"""The API's JSON parser: a body over the size limit is a 413 and JSON nested past Python's recursion limit a 400.

DRF's own parser reads the request stream directly, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE never applies to
it, and a RecursionError from the decoder would be a server error. Both are answered in the API's error shape
by census.api.base.exception_handler.
"""

import io

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status


def too_large_message(limit: int) -> str:
    """What a refused body is told, in the active language (the API's parser and census/request_limits.py)."""
    return _("The request is too large: at most %(limit)s can be sent here. Nothing was saved.") % {
        "limit": filesizeformat(limit)
    }


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSON parser, reading at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes and refusing nesting it cannot decode."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        # One byte more than allowed tells a body that is too long even when no Content-Length announced it.
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(too_large_message(limit))
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            # The decoder recurses once per level of [ or {; it stops cleanly at the interpreter's limit.
            raise exceptions.ParseError(_("The JSON is nested too deeply to be read.")) from None
