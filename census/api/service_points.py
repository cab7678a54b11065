"""REST API v1: the self-service points in the caller's scope, where residents take part online with help."""

from django.db.models import F, Max
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, renderers, serializers, viewsets

from census.api.base import CSV_PARAMETER, LANG_PARAMETER, READ_ERRORS, ApiListMixin, ApiView, CsvRenderer, current_campaign
from census.api.fields import kato_field
from census.models import ServicePoint


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
