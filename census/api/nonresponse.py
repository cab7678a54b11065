"""REST API v1: door-to-door visits and non-response per district and day (households, never people)."""

from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from census.api.base import CSV_PARAMETER, READ_ERRORS, acting_user, current_campaign, error_responses
from census.api.counts import FigureField, expected_version_from
from census.api.fields import kato_field
from census.api.staffing import IDEMPOTENCY_KEY, StaffingEndpoint, StaffingQuery
from census.models import REASON_MAX_LENGTH, AuditEntry, DailyNonResponse
from census.nonresponse import MAX_HOUSEHOLDS, NON_RESPONSE_FIELDS, record_non_response

# Each figure's meaning, for the schema (the model's verbose names, in English).
HELP = {field: str(DailyNonResponse._meta.get_field(field).verbose_name).capitalize() + "." for field in NON_RESPONSE_FIELDS}
HELP["visits"] = "Visits made; each ends in one of the seven outcomes, which add up to it."


def households_field(field: str) -> FigureField:
    return FigureField(
        min_value=0,
        max_value=MAX_HOUSEHOLDS,
        help_text=HELP[field],
        error_messages={"min_value": gettext_lazy("A number of people cannot be negative.")},
    )


class NonResponseSerializer(serializers.Serializer):
    district = serializers.CharField(source="district.kato", help_text="KATO code of the district.")
    date = serializers.DateField()
    version = serializers.IntegerField(help_text="Grows by one on every change; send it in If-Match to detect a stale write.")
    updated_at = serializers.DateTimeField()

    def get_fields(self):
        fields = super().get_fields()
        for field in NON_RESPONSE_FIELDS:
            fields[field] = serializers.IntegerField(help_text=HELP[field])
        return fields


class NonResponseWriteSerializer(serializers.Serializer):
    district = kato_field("KATO code of the district.")
    date = serializers.DateField(help_text="The day (YYYY-MM-DD).")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REASON_MAX_LENGTH,
        help_text="Why, when the entry changes a past day or lowers a figure already recorded (required then).",
    )

    def get_fields(self):
        fields = super().get_fields()
        for field in NON_RESPONSE_FIELDS:
            fields[field] = households_field(field)
        return fields


@extend_schema_view(
    list=extend_schema(
        summary="Door-to-door visits and non-response per district and day",
        parameters=[StaffingQuery, CSV_PARAMETER],
        responses={200: NonResponseSerializer(many=True), **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Record how one district's door-to-door visits went on one day",
        description=(
            "Creates (201) or updates (200) the district-day through the same service as the staff page, in "
            "households, never people: visits made and their outcomes (which add up to the visits), revisits, "
            "households outstanding. Never mixed into coverage. Changing a past day or lowering a figure needs a "
            "`reason`. `Idempotency-Key` makes a retry return the first response; `If-Match` (the record's "
            "`version`, `0` for no record yet) makes a stale write fail with 412."
        ),
        request=NonResponseWriteSerializer,
        parameters=[
            IDEMPOTENCY_KEY,
            OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="The version the write is based on."),
        ],
        responses={
            (200, "application/json"): NonResponseSerializer,
            (201, "application/json"): NonResponseSerializer,
            **error_responses(400, 401, 403, 404, 412, 422, 429, 503),
        },
    ),
)
class NonResponseViewSet(StaffingEndpoint):
    queryset = DailyNonResponse.objects.all()
    serializer_class = NonResponseSerializer
    csv_header = ["district", "date", *NON_RESPONSE_FIELDS, "version", "updated_at"]

    def get_queryset(self):
        campaign = current_campaign()
        if campaign is None:
            return DailyNonResponse.objects.none()
        queryset = self.filtered(super().get_queryset().filter(campaign=campaign), self.query(StaffingQuery))
        self.last_modified = queryset.aggregate(last=Max("updated_at"))["last"]
        return queryset.select_related("district").order_by(F("district__kato"), "date")

    def csv_filename(self) -> str:
        return f"non-response-{timezone.localdate():%Y-%m-%d}.csv"

    def _record(self, request) -> Response:
        body = NonResponseWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        district = self._district_to_change(values["district"])
        campaign = self._campaign()

        def write():
            result = record_non_response(
                campaign=campaign,
                district=district,
                date=values["date"],
                figures={field: values[field] for field in NON_RESPONSE_FIELDS},
                reason=values["reason"],
                user=acting_user(request),
                source=AuditEntry.Source.API,
                expected_version=expected_version_from(
                    request, DailyNonResponse, campaign=campaign, district=district, date=values["date"]
                ),
            )
            return result.row, result.created, NonResponseSerializer(result.row).data

        return self._versioned_write(write)
