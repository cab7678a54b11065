"""REST API v1: field staffing, each district's personnel on duty per day and its staffing plans (counts, never people)."""

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, renderers, serializers, status, viewsets
from rest_framework.response import Response

from census.api.base import (
    CSV_PARAMETER,
    READ_ERRORS,
    ApiListMixin,
    ApiView,
    CsvRenderer,
    PreconditionFailed,
    acting_user,
    current_campaign,
    error_responses,
)
from census.api.counts import FigureField, expected_version_from, version_etag
from census.api.fields import DateRangeQuery, kato_field
from census.contention import retry_on_contention
from census.errors import CountConflict
from census.idempotency import idempotent
from census.models import REASON_MAX_LENGTH, AuditEntry, DailyStaffing, StaffingPlan, StaffRole
from census.staffing import MAX_STAFF, record_staffing, set_staffing_plan
from regions.models import District

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, description="Any unique string, up to 255 characters."
)


def people_field(help_text: str) -> FigureField:
    return FigureField(
        min_value=0,
        max_value=MAX_STAFF,
        help_text=help_text,
        error_messages={"min_value": gettext_lazy("A number of people cannot be negative.")},
    )


class StaffingQuery(DateRangeQuery):
    district = kato_field("Only this district (KATO code).", required=False)
    region = kato_field("Only the districts of this region (KATO code).", required=False)


class DailyStaffingSerializer(serializers.Serializer):
    district = serializers.CharField(source="district.kato", help_text="KATO code of the district.")
    date = serializers.DateField()
    interviewers = serializers.IntegerField(help_text="Interviewers on duty that day.")
    instructors = serializers.IntegerField(help_text="Instructor-controllers on duty that day.")
    volunteers = serializers.IntegerField(help_text="Volunteers on duty that day (never counted as interviewer capacity).")
    vaccinated = serializers.IntegerField(
        help_text="Of everyone on duty that day (volunteers included), how many are vaccinated."
    )
    version = serializers.IntegerField(help_text="Grows by one on every change; send it in If-Match to detect a stale write.")
    updated_at = serializers.DateTimeField()


class DailyStaffingWriteSerializer(serializers.Serializer):
    district = kato_field("KATO code of the district.")
    date = serializers.DateField(help_text="The day (YYYY-MM-DD).")
    interviewers = people_field("Interviewers on duty that day.")
    instructors = people_field("Instructor-controllers on duty that day.")
    volunteers = people_field("Volunteers on duty that day.")
    vaccinated = people_field("Of everyone on duty (volunteers included), how many are vaccinated; at most their sum.")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REASON_MAX_LENGTH,
        help_text="Why, when the entry changes a past day or lowers a figure already recorded (required then).",
    )


class StaffingPlanQuery(StaffingQuery):
    role = serializers.ChoiceField(choices=StaffRole.values, required=False, help_text="Only this role.")


class StaffingPlanSerializer(serializers.Serializer):
    district = serializers.CharField(source="district.kato", help_text="KATO code of the district.")
    role = serializers.ChoiceField(choices=StaffRole.values)
    planned = serializers.IntegerField(help_text="People of this role the district plans to have on duty.")
    valid_from = serializers.DateField(help_text="The plan is in force from this day until a later version's valid_from.")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class StaffingPlanWriteSerializer(serializers.Serializer):
    district = kato_field("KATO code of the district.")
    role = serializers.ChoiceField(choices=StaffRole.values, help_text="interviewer or instructor (instructor-controller).")
    planned = people_field("People of this role the district plans to have on duty.")
    valid_from = serializers.DateField(help_text="The day the plan is in force from (YYYY-MM-DD); earlier versions stay.")
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300, help_text="The plan's source or reason."
    )


class StaffingEndpoint(ApiListMixin, ApiView, mixins.ListModelMixin, viewsets.GenericViewSet):
    # What both staffing endpoints share: a list filtered by area and days, a write through a service, in JSON.
    renderer_classes = [renderers.JSONRenderer, CsvRenderer]
    date_field = "date"

    def filtered(self, queryset, params):
        if params.get("district"):
            queryset = queryset.filter(district__kato=params["district"])
        if params.get("region"):
            queryset = queryset.filter(district__region__kato=params["region"])
        if params.get("date_from"):
            queryset = queryset.filter(**{f"{self.date_field}__gte": params["date_from"]})
        if params.get("date_to"):
            queryset = queryset.filter(**{f"{self.date_field}__lte": params["date_to"]})
        return queryset

    def get_renderers(self):
        if self.request is not None and self.request.method == "POST":
            return [renderers.JSONRenderer()]
        return super().get_renderers()

    def perform_content_negotiation(self, request, force=False):
        # A write answers in JSON whatever ?format= says.
        return super().perform_content_negotiation(request, force=force or request.method == "POST")

    def create(self, request, *args, **kwargs):
        # As for counts: the whole write is retried after a lost deadlock, inside the key's transaction.
        return retry_on_contention(idempotent)(request, lambda: self._record(request))

    def _district_to_change(self, kato: str) -> District:
        """The district named in a write, if the caller may change it: a 400 when unknown, a 403 when outside the scope."""
        district = District.objects.select_related("region").filter(kato=kato).first()
        if district is None:
            raise exceptions.ValidationError({"district": [_("No district has the KATO code %(kato)s.") % {"kato": kato}]})
        if not self.scope.may_change(district):
            raise exceptions.PermissionDenied(_("This district is outside the area you may change."))
        return district

    def _campaign(self):
        campaign = current_campaign()
        if campaign is None:
            raise exceptions.ValidationError({"date": [_("There is no census campaign to record counts for.")]})
        return campaign

    def _record(self, request) -> Response:
        raise NotImplementedError

    def _versioned_write(self, write) -> Response:
        """Run `write()` (returning the record, whether it was created, and the answer's body) in one transaction
        with the If-Match check it makes; a stale version is a 412, the answer a 201 or a 200 with the record's ETag."""
        with transaction.atomic():
            try:
                row, created, answer = write()
            except CountConflict as conflict:
                raise PreconditionFailed(
                    _("The record was changed by someone else (it is now at version %(version)s); read it again.")
                    % {"version": conflict.current.version if conflict.current else 0}
                ) from conflict
        return Response(
            answer, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK, headers={"ETag": version_etag(row.version)}
        )


@extend_schema_view(
    list=extend_schema(
        summary="Personnel on duty per district and day",
        parameters=[StaffingQuery, CSV_PARAMETER],
        responses={200: DailyStaffingSerializer(many=True), **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Record one district's staffing for one day",
        description=(
            "Creates (201) or updates (200) the district-day through the same service as the web form: how many "
            "interviewers, instructor-controllers and volunteers were on duty, and how many of them are vaccinated. "
            "Counts only, never people. Changing a past day or lowering a figure needs a `reason`. "
            "`Idempotency-Key` makes a retry return the first response without a second change; `If-Match` (the "
            "record's `version`, `0` for no record yet) makes a stale write fail with 412."
        ),
        request=DailyStaffingWriteSerializer,
        parameters=[
            IDEMPOTENCY_KEY,
            OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="The version the write is based on."),
        ],
        responses={
            (200, "application/json"): DailyStaffingSerializer,
            (201, "application/json"): DailyStaffingSerializer,
            **error_responses(400, 401, 403, 404, 412, 422, 429, 503),
        },
    ),
)
class DailyStaffingViewSet(StaffingEndpoint):
    queryset = DailyStaffing.objects.all()
    serializer_class = DailyStaffingSerializer
    csv_header = list(DailyStaffingSerializer().fields)

    def get_queryset(self):
        campaign = current_campaign()
        if campaign is None:
            return DailyStaffing.objects.none()
        queryset = self.filtered(super().get_queryset().filter(campaign=campaign), self.query(StaffingQuery))
        self.last_modified = queryset.aggregate(last=Max("updated_at"))["last"]
        return queryset.select_related("district").order_by(F("district__kato"), "date")

    def csv_filename(self) -> str:
        return f"daily-staffing-{timezone.localdate():%Y-%m-%d}.csv"

    def _record(self, request) -> Response:
        body = DailyStaffingWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        district = self._district_to_change(values["district"])
        campaign = self._campaign()

        def write():
            result = record_staffing(
                campaign=campaign,
                district=district,
                date=values["date"],
                interviewers=values["interviewers"],
                instructors=values["instructors"],
                volunteers=values["volunteers"],
                vaccinated=values["vaccinated"],
                reason=values["reason"],
                user=acting_user(request),
                source=AuditEntry.Source.API,
                expected_version=expected_version_from(
                    request, DailyStaffing, campaign=campaign, district=district, date=values["date"]
                ),
            )
            return result.staffing, result.created, DailyStaffingSerializer(result.staffing).data

        return self._versioned_write(write)


@extend_schema_view(
    list=extend_schema(
        summary="Staffing plans per district and role, every version",
        description="Every version is listed; the one in force on a day is the latest valid_from on or before it.",
        parameters=[StaffingPlanQuery, CSV_PARAMETER],
        responses={200: StaffingPlanSerializer(many=True), **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Add a version of a district's staffing plan for one role",
        description=(
            "Adds a version (201); earlier versions stay as the history. The same plan for the same day again "
            "adds nothing (200). `Idempotency-Key` makes a retry return the first response."
        ),
        request=StaffingPlanWriteSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            (200, "application/json"): StaffingPlanSerializer,
            (201, "application/json"): StaffingPlanSerializer,
            **error_responses(400, 401, 403, 404, 422, 429, 503),
        },
    ),
)
class StaffingPlanViewSet(StaffingEndpoint):
    queryset = StaffingPlan.objects.all()
    serializer_class = StaffingPlanSerializer
    csv_header = list(StaffingPlanSerializer().fields)
    date_field = "valid_from"

    def get_queryset(self):
        campaign = current_campaign()
        if campaign is None:
            return StaffingPlan.objects.none()
        params = self.query(StaffingPlanQuery)
        queryset = self.filtered(super().get_queryset().filter(campaign=campaign), params)
        if params.get("role"):
            queryset = queryset.filter(role=params["role"])
        return queryset.select_related("district").order_by(F("district__kato"), "role", "valid_from", "id")

    def csv_filename(self) -> str:
        return f"staffing-plans-{timezone.localdate():%Y-%m-%d}.csv"

    def _record(self, request) -> Response:
        body = StaffingPlanWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        district = self._district_to_change(values["district"])
        campaign = self._campaign()
        with transaction.atomic():
            result = set_staffing_plan(
                campaign=campaign,
                district=district,
                role=values["role"],
                planned=values["planned"],
                valid_from=values["valid_from"],
                note=values["note"],
                user=acting_user(request),
                source=AuditEntry.Source.API,
            )
            answer = StaffingPlanSerializer(result.plan).data
        return Response(answer, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)
