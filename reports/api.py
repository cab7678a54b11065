"""REST API v1 on the coverage snapshots: coverage, its series, highlights and the briefing text.

These endpoints only read CoverageSnapshot rows; the coverage jobs compute them.
"""

import functools

from django.db.models import Max
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, renderers
from rest_framework.response import Response

from census.api.base import (
    CSV_PARAMETER,
    LANG_PARAMETER,
    READ_ERRORS,
    ApiListMixin,
    ApiView,
    CsvRenderer,
    current_campaign,
    error_responses,
)
from regions.models import District, Region
from reports import readcache
from reports.briefing import briefing_text, highlights, latest_as_of
from reports.models import CoverageSnapshot
from reports.serializers import (
    BriefingQuery,
    BriefingSerializer,
    CoverageQuery,
    CoverageSerializer,
    HighlightsQuery,
    HighlightsSerializer,
    SeriesQuery,
)

COVERAGE_FIELDS = list(CoverageSerializer().fields)


def cached_answer(*remembered: str):
    """A GET whose answer's data is kept per read generation (reports/readcache.py).

    The snapshots change only in the coverage job, which bumps the generation.
    Keyed by the caller's scope (never shared between scopes), the language,
    the format, the host (the links to other pages name it) and the query;
    reached only after authentication, permission and throttling ran. What is
    kept is the rendered answer with its ETag and time (ApiView renders and
    hashes it once), so a hit is served as bytes, a 304 when its ETag comes
    back. `remembered`: attributes the answer sets besides its data (the CSV
    file's name uses them).
    """

    def decorate(get):
        @functools.wraps(get)
        def wrapped(self, request, *args, **kwargs):
            scope = self.scope
            renderer = getattr(request, "accepted_renderer", None)
            key = readcache.key(
                "api", type(self).__name__, scope.role, scope.region_id, scope.district_id, scope.can_write,
                self.requested_language(request), renderer.format if renderer else "", request.get_host(),
                sorted(request.GET.lists()),
            )  # fmt: skip
            found = readcache.get(key)
            if found is not None:
                answer, kept = found
                for name, value in kept.items():
                    setattr(self, name, value)
                self.stored_answer = answer
                return HttpResponse(answer["content"], content_type=answer["content_type"])
            response = get(self, request, *args, **kwargs)
            if response.status_code == 200:
                kept = {name: getattr(self, name) for name in remembered if hasattr(self, name)}
                # Kept once ApiView has rendered the answer and made its ETag: a hit then does neither again.
                self.keep_answer = lambda answer: readcache.put(key, (answer, kept))
            return response

        return wrapped

    return decorate


class CoverageView(ApiListMixin, ApiView, generics.GenericAPIView):
    queryset = CoverageSnapshot.objects.select_related("region", "district__region")
    serializer_class = CoverageSerializer
    renderer_classes = [renderers.JSONRenderer, CsvRenderer]
    csv_header = COVERAGE_FIELDS

    def get_queryset(self):
        campaign = current_campaign()
        if campaign is None:
            return CoverageSnapshot.objects.none()
        params = self.query(CoverageQuery)
        self.as_of = params.get("date") or timezone.localdate()
        queryset = super().get_queryset().filter(campaign=campaign, level=params["level"])
        if params.get("region"):
            if params["level"] == CoverageSnapshot.Level.COUNTRY:
                return queryset.none()
            queryset = queryset.filter(region__kato=params["region"])
        return latest_as_of(queryset, self.as_of).order_by("kato")

    @extend_schema(
        summary="Coverage of regions, districts or the country as of a day",
        parameters=[CoverageQuery, LANG_PARAMETER, CSV_PARAMETER],
        responses={200: CoverageSerializer(many=True), **READ_ERRORS},
    )
    @cached_answer("as_of")
    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        self.last_modified = max((row.computed_at for row in rows), default=None)
        data = CoverageSerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def csv_filename(self) -> str:
        return f"coverage-{self.as_of:%Y-%m-%d}.csv"


class CoverageSeriesView(ApiListMixin, ApiView, generics.GenericAPIView):
    queryset = CoverageSnapshot.objects.select_related("region", "district__region")
    serializer_class = CoverageSerializer
    renderer_classes = [renderers.JSONRenderer, CsvRenderer]
    csv_header = COVERAGE_FIELDS

    def get_queryset(self):
        campaign = current_campaign()
        params = self.query(SeriesQuery)
        self.kato = params["kato"]
        self.scope.area_or_404(params["kato"])
        if campaign is None:
            return CoverageSnapshot.objects.none()
        queryset = super().get_queryset().filter(campaign=campaign, kato=params["kato"])
        if params.get("date_from"):
            queryset = queryset.filter(date__gte=params["date_from"])
        if params.get("date_to"):
            queryset = queryset.filter(date__lte=params["date_to"])
        return queryset.order_by("date")

    @extend_schema(
        summary="One area's coverage day by day",
        parameters=[SeriesQuery, LANG_PARAMETER, CSV_PARAMETER],
        responses={200: CoverageSerializer(many=True), **error_responses(400, 401, 403, 404, 429)},
    )
    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        self.last_modified = queryset.aggregate(last=Max("computed_at"))["last"]
        page = self.paginate_queryset(queryset)
        data = CoverageSerializer(page if page is not None else queryset, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def csv_filename(self) -> str:
        return f"coverage-{self.kato}.csv"


class RegionReportView(ApiView):
    # Highlights and briefing: one region (or the country) as of a day.
    # No queryset to restrict: the one area read is the caller's own or one found by scope.area_or_404.
    unscoped = True

    query_class = HighlightsQuery

    def area(self, params):
        scope = self.scope
        kato = params.get("region")
        if kato is None:
            if scope.is_country:
                return None
            if scope.region_id is not None and scope.district_id is None:
                return Region.objects.get(pk=scope.region_id)
            raise exceptions.ValidationError({"region": [_("Name the region (KATO code).")]})
        area = scope.area_or_404(kato)
        if isinstance(area, District):
            raise exceptions.ValidationError({"region": [_("%(kato)s is a district; name its region.") % {"kato": kato}]})
        return area

    def highlights(self, params):
        region = self.area(params)
        campaign = current_campaign()
        as_of = params.get("date") or timezone.localdate()
        if campaign is None:
            return region, as_of, None
        found = highlights(campaign=campaign, region=region, as_of=as_of)
        rows = [found.area] if found.area else []
        self.last_modified = max((row.computed_at for row in rows), default=None)
        return region, as_of, found


class HighlightsView(RegionReportView):
    @extend_schema(
        summary="Leaders, completed, nearly complete, lagging and over-100% districts of a region",
        parameters=[HighlightsQuery, LANG_PARAMETER],
        responses={200: HighlightsSerializer, **error_responses(400, 401, 403, 404, 429)},
    )
    @cached_answer()
    def get(self, request, *args, **kwargs):
        params = self.query(HighlightsQuery)
        region, _as_of, found = self.highlights(params)
        found = found if found is not None and found.area is not None else None
        data = {
            "region": region.kato if region is not None else None,
            "as_of": found.as_of if found else None,
            "coverage_leader": found.coverage_leader if found else None,
            "online_leader": found.online_leader if found else None,
            **{name: getattr(found, name) if found else [] for name in ("completed", "nearly_complete", "lagging", "over_100")},
            "regions_reporting": found.regions_reporting if found else None,
            "regions_of": found.regions_of if found else None,
        }
        return Response(HighlightsSerializer(data).data)


class BriefingView(RegionReportView):
    @extend_schema(
        summary="A press-ready briefing paragraph on a region, in Kazakh, Russian or English",
        parameters=[BriefingQuery],
        responses={200: BriefingSerializer, **error_responses(400, 401, 403, 404, 429)},
    )
    @cached_answer()
    def get(self, request, *args, **kwargs):
        params = self.query(BriefingQuery)
        language = params.get("lang") or translation.get_language()[:2]
        region, as_of, found = self.highlights(params)
        text = briefing_text(region=region, as_of=as_of, language=language, campaign=current_campaign())
        data = {"text": text, "as_of": found.as_of if found else None, "language": language}
        return Response(BriefingSerializer(data).data)
