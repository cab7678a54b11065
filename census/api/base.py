"""REST API v1: the plumbing every endpoint shares.

Every endpoint is scoped by the caller's Scope (census/access.py), applied
here; answers in the language of `?lang=` or Accept-Language; sends an ETag
(and a Last-Modified where the data has a change time) and answers a
conditional GET with 304; is throttled per token; and reports every error in
one JSON shape.
"""

import csv
import datetime
import hashlib
import io
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, pagination, permissions, renderers, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler

from census.access import OutOfScope, scope_of
from census.api.authentication import ApiRateThrottle, ThrottleBeforeRefusal
from census.api.fields import LANGUAGE_CODES
from census.errors import WriteContended
from census.exporting import neutralise
from census.models import ApiToken, Campaign
from census.parsers import BoundedJSONParser

log = logging.getLogger(__name__)


# --- Who is asking --------------------------------------------------------------------------------


def acting_user(request):
    """Who a write is audited as: the signed-in person, or None for an API token (the token is recorded instead)."""
    return None if isinstance(request.auth, ApiToken) else request.user


def request_scope(request):
    """The Scope of whoever makes the request: its token, else the logged-in person."""
    if isinstance(request.auth, ApiToken):
        return scope_of(request.auth)
    return scope_of(request.user)


class InScope(permissions.BasePermission):
    """Someone with a scope: a token or an assigned person; writing needs a token or role that may write."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated()
        scope = request_scope(request)
        if scope.role == "":
            raise exceptions.PermissionDenied(_("Your account has no role in the census yet."))
        if getattr(view, request.method.lower(), None) is None:
            return True  # the view answers 405, which says more than a 403 would
        if request.method not in permissions.SAFE_METHODS and not scope.can_write:
            raise exceptions.PermissionDenied(_("This token or account may only read."))
        return True


# --- The one error shape --------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """Every error the API answers with, whatever its status."""

    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    code = serializers.CharField(help_text='A stable machine-readable code, e.g. "invalid", "not_found", "throttled".')
    detail = serializers.CharField(help_text="A message for people, in the language of the request.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field by field messages for invalid input (empty otherwise); non_field_errors for the request as a whole.",
    )


def error_body(status_code: int, code: str, detail: str, errors: dict | None = None) -> dict:
    return {"status": status_code, "code": code, "detail": str(detail), "errors": errors or {}}


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [f"{key}: {message}" for key, item in value.items() for message in _messages(item)]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def exception_handler(exc, context):
    """Every error as {"status", "code", "detail", "errors"}; an unexpected failure is logged and is a JSON 500."""
    if isinstance(exc, OutOfScope):
        exc = exceptions.NotFound(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})
    elif isinstance(exc, WriteContended):
        exc = WriteBusy(exc.message)
    response = drf_exception_handler(exc, context)
    if response is None:
        log.error("API request failed", exc_info=exc)
        set_rollback()
        return Response(
            error_body(500, "server_error", _("Something went wrong on our side; nothing was changed.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
        errors = {str(field): _messages(messages) for field, messages in detail.items()}
        response.data = error_body(response.status_code, "invalid", _("Some of the input is not valid."), errors)
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        response.data = error_body(response.status_code, code, getattr(exc, "detail", str(exc)))
        if isinstance(exc, ImplausibleEntry):
            response.data.update(errors=exc.errors, checks=exc.checks)
    return response


class ImplausibleEntry(exceptions.APIException):
    """An entry refused by a plausibility check: 400 with the messages by field and each check with its figures."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "implausible"

    def __init__(self, refused):
        super().__init__(_("The figures fail a plausibility check; send confirm_implausible with a reason if they are right."))
        self.errors = refused.message_dict
        self.checks = [check.as_json() for check in refused.checks]


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


class WriteBusy(exceptions.APIException):
    """A write that kept losing to other saves of the same district (a deadlock, retried): nothing changed, send it again."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "write_contended"
    # Seconds; the other save is usually done well within this.
    wait = 1


class UnprocessableEntity(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


def error_responses(*codes: int) -> dict:
    """Schema entries for the error statuses an operation can answer with (all in the one error shape)."""
    descriptions = {
        400: "Invalid input, field by field.",
        401: "No token, or a token that is unknown, expired or revoked.",
        403: "Not allowed: a read-only token writing, or an area outside the token's scope.",
        404: "No such area in the caller's scope, or no such page of a list.",
        412: "If-Match names a version that is no longer current.",
        422: "The Idempotency-Key was already used for a different request.",
        429: "Too many requests for this token; see Retry-After.",
        503: "Other saves of the same district kept the write from going through; nothing changed. Retry after Retry-After.",
    }
    # Keyed by media type too: an error is JSON even when CSV was asked for.
    return {(code, "application/json"): OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes}


READ_ERRORS = error_responses(400, 401, 403, 404, 429)


# --- Renderers, pagination, language, conditional GET ----------------------------------------------


class CsvRenderer(renderers.BaseRenderer):
    """A list as CSV with a header row (UTF-8 with a BOM, so that Excel reads Kazakh letters right)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        rows = data.get("results", []) if isinstance(data, dict) else (data or [])
        header = renderer_context.get("csv_header") or (list(rows[0]) if rows else [])
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([self._cell(row.get(name)) for name in header])
        return out.getvalue().encode("utf-8")

    @staticmethod
    def _cell(value):
        if value is None:
            return ""
        if isinstance(value, list | tuple):
            return ";".join(str(item) for item in value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            # A name such as "=HYPERLINK(...)" must open as text in a spreadsheet, never run as a formula.
            return neutralise(value)
        return str(value)


class Pagination(pagination.PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


LANG_PARAMETER = OpenApiParameter(
    "lang", str, enum=LANGUAGE_CODES, description="Language of names and messages; default from Accept-Language."
)
CSV_PARAMETER = OpenApiParameter(
    "format", str, enum=["json", "csv"], description="csv: the whole filtered list as CSV (not paginated)."
)


class ApiView(ThrottleBeforeRefusal, APIView):
    # What every v1 endpoint shares: scope, language, throttling, CSV where offered, ETag and 304.
    # (A comment, not a docstring: the schema would show a docstring as every endpoint's description.)
    #
    # The scope is applied here, not by each view: once the caller is known, initial() replaces the view's
    # `queryset` with the rows the caller's Scope sees (Scope.restrict), so a view only declares its queryset
    # and builds on self.queryset / super().get_queryset(). A view with no queryset (or one that must show
    # rows whatever the scope) says so with `unscoped = True` and a comment on how it stays in bounds.

    permission_classes = [InScope]
    throttle_classes = [ApiRateThrottle]
    renderer_classes = [renderers.JSONRenderer]
    parser_classes = [BoundedJSONParser]
    csv_header: list[str] | None = None
    unscoped = False
    # Set by a view while it builds its answer: the latest change among the data it shows.
    last_modified: datetime.datetime | None = None
    # Set by a view that keeps its answers (reports/api.py, cached_answer): on a hit, the answer as kept
    # (content, content_type, etag, last_modified), served as it is; on a miss, what keeps the rendered answer.
    stored_answer: dict | None = None
    keep_answer: Callable[[dict], None] | None = None

    @property
    def scope(self):
        return request_scope(self.request)

    def requested_language(self, request) -> str:
        asked = request.GET.get("lang")
        if asked in LANGUAGE_CODES:
            return asked
        return (translation.get_language() or settings.LANGUAGE_CODE)[:2]

    def dispatch(self, request, *args, **kwargs):
        self.last_modified = None
        language = self.requested_language(request)
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
            # Rendered while the language is active, so that every lazy text comes out in it.
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        response["Content-Language"] = language
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        asked = request.GET.get("lang")
        if asked is not None and asked not in LANGUAGE_CODES:
            raise exceptions.ValidationError({"lang": [_("Choose one of: %(codes)s.") % {"codes": ", ".join(LANGUAGE_CODES)}]})
        if self.unscoped:
            return
        queryset = getattr(self, "queryset", None)
        if queryset is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} declares no queryset to scope; say unscoped = True if none is needed."
            )
        # Built when first used: an answer served from the read cache never uses it, and building the scope's
        # filters is a good part of such a request's time. Model.objects is a manager, not a query: scoped now.
        scope = self.scope
        self.queryset = (
            SimpleLazyObject(lambda: scope.restrict(queryset)) if isinstance(queryset, QuerySet) else scope.restrict(queryset)
        )

    def query(self, serializer_class) -> dict:
        """The validated query parameters (a 400 naming each bad one otherwise)."""
        params = serializer_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data

    @property
    def wants_csv(self) -> bool:
        return getattr(self.request, "accepted_renderer", None) is not None and self.request.accepted_renderer.format == "csv"

    def get_renderer_context(self):
        context = super().get_renderer_context()
        context["csv_header"] = self.csv_header
        return context

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        stored = self.stored_answer
        if stored is None and not isinstance(response, Response):
            return response
        if isinstance(response, Response) and response.status_code >= 400 and isinstance(response.accepted_renderer, CsvRenderer):
            # Errors are JSON whatever the format asked for.
            response.accepted_renderer = renderers.JSONRenderer()
            response.accepted_media_type = response.accepted_renderer.media_type
            response.renderer_context = self.get_renderer_context()
        patch_vary_headers(response, ["Accept-Language", "Authorization", "Cookie"])
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        patch_cache_control(response, private=True, no_cache=True)
        if self.wants_csv:
            response["Content-Disposition"] = f'attachment; filename="{self.csv_filename()}"'
        if stored is not None:
            # A kept answer: its bytes, ETag and time as they were rendered, nothing rendered or hashed again.
            etag, last_modified = stored["etag"], stored["last_modified"]
        else:
            with translation.override(self.requested_language(request)):
                response.render()
            etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
            last_modified = int(self.last_modified.timestamp()) if self.last_modified is not None else None
            if self.keep_answer is not None:
                self.keep_answer(
                    {
                        "content": response.content,
                        "content_type": response["Content-Type"],
                        "etag": etag,
                        "last_modified": last_modified,
                    }
                )
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified)
        return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)

    def csv_filename(self) -> str:
        return "export.csv"


class ApiListMixin:
    # Paginated lists, with the whole list at once when CSV is asked for.

    pagination_class = Pagination

    def paginate_queryset(self, queryset):
        if self.wants_csv:
            return None
        return super().paginate_queryset(queryset)


def current_campaign() -> Campaign | None:
    return Campaign.objects.current()


class NotFoundView(APIView):
    """Any other path under /api/: a JSON 404 in the one error shape, not an HTML page."""

    schema = None
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = []

    def initial(self, request, *args, **kwargs):
        raise exceptions.NotFound()
