"""REST API v1: the self-service points in the caller's scope, where residents take part online with help, and how
many people each helped per day."""

from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, renderers, serializers, viewsets
from rest_framework.response import Response

from census.api.base import (
    CSV_PARAMETER,
    LANG_PARAMETER,
    READ_ERRORS,
    ApiListMixin,
    ApiView,
    CsvRenderer,
    acting_user,
    current_campaign,
    error_responses,
)
from census.api.counts import FigureField, expected_version_from
from census.api.fields import DateRangeQuery, kato_field
from census.api.staffing import IDEMPOTENCY_KEY, StaffingEndpoint
from census.models import REASON_MAX_LENGTH, AuditEntry, ServicePoint, ServicePointUse
from census.service_points import MAX_ASSISTED, record_point_use

# No id is larger (the databases' 64-bit keys); a larger number asked for would not even reach the query.
LARGEST_ID = 2**63 - 1


class ServicePointQuery(serializers.Serializer):
    district = kato_field("Only the points of this district (KATO code).", required=False)
    region = kato_field("Only the points of this region's districts (KATO code).", required=False)
    date = serializers.DateField(required=False, help_text="Only the points active on this day (YYYY-MM-DD).")
    public = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: only those the public page lists; false: only the others."
    )


class ServicePointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    district = serializers.CharField(source="district.kato", help_text="KATO code of the district.")
    kind = serializers.ChoiceField(choices=ServicePoint.Kind.values, help_text="What kind of place it is.")
    kind_label = serializers.CharField(source="get_kind_display", help_text="The kind, in the language of the request.")
    name = serializers.CharField(help_text="The name in the language of the request.")
    name_kk = serializers.CharField()
    name_ru = serializers.CharField()
    name_en = serializers.CharField()
    address = serializers.CharField(help_text="As written locally (not translated); empty when not published.")
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, allow_null=True)
    opening_hours = serializers.CharField()
    active_from = serializers.DateField(help_text="The first day residents can take part there.")
    active_to = serializers.DateField(allow_null=True, help_text="The last day (null: open until the campaign ends).")
    public = serializers.BooleanField(help_text="Whether the public page lists it.")
    version = serializers.IntegerField(help_text="Grows by one on every change.")
    updated_at = serializers.DateTimeField()


@extend_schema_view(
    list=extend_schema(
        summary="Self-service points where residents take part online with help",
        description=(
            "The registry of the campaign's self-service points in the caller's area (public service centres, akimats' "
            "corners, mobile teams…), kept by administrators. Places only, never people."
        ),
        parameters=[ServicePointQuery, LANG_PARAMETER, CSV_PARAMETER],
        responses={200: ServicePointSerializer(many=True), **READ_ERRORS},
    ),
)
class ServicePointViewSet(ApiListMixin, ApiView, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = ServicePoint.objects.all()
    serializer_class = ServicePointSerializer
    renderer_classes = [renderers.JSONRenderer, CsvRenderer]
    csv_header = list(ServicePointSerializer().fields)

    def get_queryset(self):
        campaign = current_campaign()
        if campaign is None:
            return ServicePoint.objects.none()
        params = self.query(ServicePointQuery)
        queryset = super().get_queryset().filter(campaign=campaign)
        if params.get("district"):
            queryset = queryset.filter(district__kato=params["district"])
        if params.get("region"):
            queryset = queryset.filter(district__region__kato=params["region"])
        if params.get("date"):
            queryset = queryset.active(on=params["date"])
        if params.get("public") is not None:
            queryset = queryset.filter(public=params["public"])
        self.last_modified = queryset.aggregate(last=Max("updated_at"))["last"]
        return queryset.select_related("district").order_by(F("district__kato"), "name_ru", "id")

    def csv_filename(self) -> str:
        return f"service-points-{timezone.localdate():%Y-%m-%d}.csv"


class ServicePointUseQuery(DateRangeQuery):
    district = kato_field("Only the points of this district (KATO code).", required=False)
    region = kato_field("Only the points of this region's districts (KATO code).", required=False)
    point = serializers.IntegerField(required=False, min_value=1, max_value=LARGEST_ID, help_text="Only this point (its id).")


class ServicePointUseSerializer(serializers.Serializer):
    point = serializers.IntegerField(source="point_id", help_text="The point's id (/api/v1/service-points/).")
    district = serializers.CharField(source="district.kato", help_text="KATO code of the point's district.")
    date = serializers.DateField()
    assisted = serializers.IntegerField(
        help_text="People helped to take part online at the point that day: part of the district's online answers."
    )
    version = serializers.IntegerField(help_text="Grows by one on every change; send it in If-Match to detect a stale write.")
    updated_at = serializers.DateTimeField()


class ServicePointUseWriteSerializer(serializers.Serializer):
    point = serializers.IntegerField(min_value=1, max_value=LARGEST_ID, help_text="The point's id (/api/v1/service-points/).")
    date = serializers.DateField(help_text="The day (YYYY-MM-DD).")
    assisted = FigureField(
        min_value=0,
        max_value=MAX_ASSISTED,
        help_text="People helped to take part online at the point that day.",
        error_messages={"min_value": gettext_lazy("A number of people cannot be negative.")},
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REASON_MAX_LENGTH,
        help_text="Why, when the entry changes a past day or lowers a figure already recorded (required then).",
    )


class ServicePointUseAnswerSerializer(ServicePointUseSerializer):
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="Saved all the same: e.g. the district's points helped more people that day than its online answers.",
    )


@extend_schema_view(
    list=extend_schema(
        summary="People helped at each self-service point per day",
        parameters=[ServicePointUseQuery, CSV_PARAMETER],
        responses={200: ServicePointUseSerializer(many=True), **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Record how many people a self-service point helped on one day",
        description=(
            "Creates (201) or updates (200) the point-day through the same service as the staff page. Numbers only, "
            "never people; they are part of the online channel, never added to coverage. Changing a past day or "
            "lowering a figure needs a `reason`. `Idempotency-Key` makes a retry return the first response; "
            "`If-Match` (the record's `version`, `0` for no record yet) makes a stale write fail with 412."
        ),
        request=ServicePointUseWriteSerializer,
        parameters=[
            IDEMPOTENCY_KEY,
            OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="The version the write is based on."),
        ],
        responses={
            (200, "application/json"): ServicePointUseAnswerSerializer,
            (201, "application/json"): ServicePointUseAnswerSerializer,
            **error_responses(400, 401, 403, 404, 412, 422, 429, 503),
        },
    ),
)
class ServicePointUseViewSet(StaffingEndpoint):
    queryset = ServicePointUse.objects.all()
    serializer_class = ServicePointUseSerializer
    csv_header = list(ServicePointUseSerializer().fields)

    def get_queryset(self):
        campaign = current_campaign()
        if campaign is None:
            return ServicePointUse.objects.none()
        params = self.query(ServicePointUseQuery)
        queryset = self.filtered(super().get_queryset().filter(campaign=campaign), params)
        if params.get("point"):
            queryset = queryset.filter(point_id=params["point"])
        self.last_modified = queryset.aggregate(last=Max("updated_at"))["last"]
        return queryset.select_related("district").order_by(F("district__kato"), "point_id", "date")

    def csv_filename(self) -> str:
        return f"service-point-use-{timezone.localdate():%Y-%m-%d}.csv"

    def _record(self, request) -> Response:
        body = ServicePointUseWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        campaign = self._campaign()
        point = ServicePoint.objects.select_related("district__region").filter(pk=values["point"], campaign=campaign).first()
        if point is None:
            raise exceptions.ValidationError({"point": [_("No self-service point has the id %(id)s.") % {"id": values["point"]}]})
        # A 403 when the point's district is outside the area the caller may change.
        self._district_to_change(point.district.kato)

        def write():
            result = record_point_use(
                campaign=campaign,
                point=point,
                date=values["date"],
                assisted=values["assisted"],
                reason=values["reason"],
                user=acting_user(request),
                source=AuditEntry.Source.API,
                expected_version=expected_version_from(request, ServicePointUse, point=point, date=values["date"]),
            )
            return result.use, result.created, {**ServicePointUseSerializer(result.use).data, "warnings": result.warnings}

        return self._versioned_write(write)
