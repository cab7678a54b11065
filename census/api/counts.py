"""REST API v1: daily counts with their running totals, and recording one district-day."""

from django.db import transaction
from django.db.models import BigIntegerField, F, Max, OuterRef, Subquery, Sum, Value, Window
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.http import quote_etag
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
    ImplausibleEntry,
    PreconditionFailed,
    acting_user,
    current_campaign,
    error_responses,
)
from census.api.fields import DateRangeQuery, kato_field
from census.contention import retry_on_contention
from census.errors import CountConflict, Implausible
from census.idempotency import idempotent
from census.models import REASON_MAX_LENGTH, AuditEntry, DailyCount
from census.services import MAX_DAILY_VALUE, EntryMode, record_count
from regions.models import District


class DailyCountQuery(DateRangeQuery):
    district = kato_field("Only this district (KATO code).", required=False)
    region = kato_field("Only the districts of this region (KATO code).", required=False)


class DailyCountSerializer(serializers.Serializer):
    district = serializers.CharField(source="district_kato", help_text="KATO code of the district.")
    date = serializers.DateField()
    online = serializers.IntegerField(help_text="Counted online that day.")
    offline = serializers.IntegerField(help_text="Counted door to door that day.")
    online_cumulative = serializers.IntegerField(help_text="Online counted in the district up to and including that day.")
    offline_cumulative = serializers.IntegerField(help_text="Door to door counted up to and including that day.")
    version = serializers.IntegerField(help_text="Grows by one on every change; send it in If-Match to detect a stale write.")
    updated_at = serializers.DateTimeField()


class FigureField(serializers.IntegerField):
    """A count as the web forms take it: other scripts' digits ("٣٤", "３４") are not a number here, though int() reads them."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.isascii():
            self.fail("invalid")
        return super().to_internal_value(data)


class DailyCountWriteSerializer(serializers.Serializer):
    district = kato_field("KATO code of the district.")
    date = serializers.DateField(help_text="The day counted (YYYY-MM-DD).")
    online = FigureField(
        min_value=0,
        max_value=MAX_DAILY_VALUE,
        help_text="The day's online figure, or the online total as of that day when mode is cumulative.",
        error_messages={"min_value": gettext_lazy("A count cannot be negative.")},
    )
    offline = FigureField(
        min_value=0,
        max_value=MAX_DAILY_VALUE,
        help_text="The day's door-to-door figure, or the door-to-door total as of that day when mode is cumulative.",
        error_messages={"min_value": gettext_lazy("A count cannot be negative.")},
    )
    mode = serializers.ChoiceField(
        choices=list(EntryMode.choices),
        default=EntryMode.DAILY,
        help_text="daily: the figures are the day's; cumulative: they are totals as of that day.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=REASON_MAX_LENGTH,
        help_text="Why, when the entry corrects figures already recorded or confirms implausible ones (required then).",
    )
    confirm_implausible = serializers.BooleanField(
        default=False,
        help_text=(
            "Save figures that fail a plausibility check (the district's total above 110% of its baseline, or one "
            "day above 50% of it); needs a reason. Without it such an entry is refused with 400 `implausible`."
        ),
    )


class PlausibilityCheckSerializer(serializers.Serializer):
    check = serializers.CharField(
        help_text="total_over_baseline, day_over_baseline (implausible); day_large, day_jump, district_closed (unusual)."
    )
    field = serializers.CharField(help_text="online, offline, or confirm_implausible for the district as a whole.")
    implausible = serializers.BooleanField()
    message = serializers.CharField(help_text="In the language asked for, with the figures.")
    figures = serializers.DictField(help_text="The figures the check compared.")


class DailyCountWriteAnswerSerializer(DailyCountSerializer):
    warnings = PlausibilityCheckSerializer(
        many=True, help_text="Plausibility checks the saved entry failed: unusual figures, or implausible ones confirmed."
    )


def daily_counts_with_totals(queryset, *, campaign, date_from=None):
    """Daily counts with each district's running totals, right on every page of a paginated list.

    The running sum is a window over the rows the filter keeps; the days before
    `date_from` are added by a subquery, so a list that starts mid-campaign
    still shows totals since the first day. SQL evaluates the window before
    LIMIT/OFFSET, so page 2 continues where page 1 ended.
    """

    def running(channel):
        window = Window(Sum(channel), partition_by=[F("district_id")], order_by=F("date").asc())
        if date_from is None:
            return Cast(window, BigIntegerField())
        earlier = (
            DailyCount.objects.filter(campaign=campaign, district=OuterRef("district")).totals_before(date_from).values(channel)
        )
        return Cast(window, BigIntegerField()) + Cast(Coalesce(Subquery(earlier), Value(0)), BigIntegerField())

    if date_from is not None:
        queryset = queryset.filter(date__gte=date_from)
    return queryset.annotate(
        district_kato=F("district__kato"),
        online_cumulative=running("online"),
        offline_cumulative=running("offline"),
    ).order_by("district__kato", "date")


def parse_if_match(header: str, current: DailyCount | None) -> int:
    """The version the client expects from `If-Match: <version>` or the ETag a write returned ("*": any existing row)."""
    header = header.strip()
    current_version = current.version if current is not None else 0
    if header == "*":
        if current is None:
            raise PreconditionFailed(_("There is no record for this district and day yet."))
        return current_version
    versions = []
    for part in header.split(","):
        tag = part.strip().removeprefix("W/").strip('"')
        if tag.isascii() and tag.isdigit():
            versions.append(int(tag))
    if not versions:
        raise PreconditionFailed(_("If-Match must carry the record's version or the ETag a write returned."))
    # Any listed version that is current lets the write through; otherwise the first one fails in the service.
    return current_version if current_version in versions else versions[0]


def expected_version_from(request, model, **day) -> int | None:
    """The version an `If-Match` header expects of `model`'s record for `day` (campaign, district, date); None when
    the request carries none. The counts' and the staffing's writes both call it in their own transaction."""
    if "If-Match" not in request.headers:
        return None
    return parse_if_match(request.headers["If-Match"], model.objects.filter(**day).first())


def version_etag(version: int) -> str:
    return quote_etag(str(version))


@extend_schema_view(
    list=extend_schema(
        summary="Daily counts with running totals",
        parameters=[DailyCountQuery, CSV_PARAMETER],
        responses={200: DailyCountSerializer(many=True), **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Record one district's counts for one day",
        description=(
            "Creates (201) or updates (200) the district-day through the same service as the web forms. "
            "`Idempotency-Key` makes a retry return the first response without a second change; "
            "`If-Match` (the record's `version`, or the ETag a previous write returned; `0` for no record yet) "
            "makes a stale write fail with 412. "
            "Figures that fail a plausibility check (the district's total above 110% of its baseline, or one day above "
            "50% of it) are refused with 400 `implausible`, naming each check and its figures in `checks`, unless "
            "`confirm_implausible` is sent with a `reason`; unusual figures (a day above 5% of the baseline, above 4× "
            "the previous week's average, a closed district) are saved and listed in the answer's `warnings`."
        ),
        request=DailyCountWriteSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", str, OpenApiParameter.HEADER, description="Any unique string, up to 255 characters."
            ),
            OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description="The version the write is based on."),
        ],
        responses={
            (200, "application/json"): DailyCountWriteAnswerSerializer,
            (201, "application/json"): DailyCountWriteAnswerSerializer,
            **error_responses(400, 401, 403, 404, 412, 422, 429, 503),
        },
    ),
)
class DailyCountViewSet(ApiListMixin, ApiView, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = DailyCount.objects.all()
    serializer_class = DailyCountSerializer
    renderer_classes = [renderers.JSONRenderer, CsvRenderer]
    csv_header = list(DailyCountSerializer().fields)

    def get_queryset(self):
        campaign = current_campaign()
        if campaign is None:
            return DailyCount.objects.none()
        params = self.query(DailyCountQuery)
        queryset = super().get_queryset().filter(campaign=campaign)
        if params.get("district"):
            queryset = queryset.filter(district__kato=params["district"])
        if params.get("region"):
            queryset = queryset.filter(district__region__kato=params["region"])
        # Any change to these districts' counts can move the running totals shown, even on days not listed.
        self.last_modified = queryset.aggregate(last=Max("updated_at"))["last"]
        if params.get("date_to"):
            queryset = queryset.filter(date__lte=params["date_to"])
        return daily_counts_with_totals(queryset, campaign=campaign, date_from=params.get("date_from"))

    def csv_filename(self) -> str:
        return f"daily-counts-{timezone.localdate():%Y-%m-%d}.csv"

    def get_renderers(self):
        if self.request is not None and self.request.method == "POST":
            return [renderers.JSONRenderer()]
        return super().get_renderers()

    def perform_content_negotiation(self, request, force=False):
        # A write answers in JSON whatever ?format= says.
        return super().perform_content_negotiation(request, force=force or request.method == "POST")

    def create(self, request, *args, **kwargs):
        # Retried as a whole: with an Idempotency-Key the write runs inside the key's transaction,
        # and only that outermost transaction can be run again after losing a deadlock.
        return retry_on_contention(idempotent)(request, lambda: self._record(request))

    def _record(self, request) -> Response:
        body = DailyCountWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        district = District.objects.select_related("region").filter(kato=values["district"]).first()
        if district is None:
            raise exceptions.ValidationError(
                {"district": [_("No district has the KATO code %(kato)s.") % {"kato": values["district"]}]}
            )
        if not self.scope.may_change(district):
            raise exceptions.PermissionDenied(_("This district is outside the area you may change."))
        campaign = current_campaign()
        if campaign is None:
            raise exceptions.ValidationError({"date": [_("There is no census campaign to record counts for.")]})
        # The answer is read in the write's own transaction, while the district is still locked: read
        # after commit, it could show another writer's value, version and ETag as this write's.
        with transaction.atomic():
            expected_version = expected_version_from(
                request, DailyCount, campaign=campaign, district=district, date=values["date"]
            )
            try:
                result = record_count(
                    campaign=campaign,
                    district=district,
                    date=values["date"],
                    online=values["online"],
                    offline=values["offline"],
                    mode=values["mode"],
                    reason=values["reason"],
                    user=acting_user(request),
                    source=AuditEntry.Source.API,
                    expected_version=expected_version,
                    confirm_implausible=values["confirm_implausible"],
                )
            except Implausible as refused:
                raise ImplausibleEntry(refused) from refused
            except CountConflict as conflict:
                raise PreconditionFailed(
                    _("The record was changed by someone else (it is now at version %(version)s); read it again.")
                    % {"version": conflict.current.version if conflict.current else 0}
                ) from conflict
            row = daily_counts_with_totals(
                DailyCount.objects.filter(pk=result.count.pk), campaign=campaign, date_from=result.count.date
            ).get()
            answer = DailyCountSerializer(row).data
            answer["warnings"] = [check.as_json() for check in result.warnings]
        return Response(
            answer,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
            headers={"ETag": version_etag(row.version)},
        )
