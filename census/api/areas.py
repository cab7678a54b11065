"""REST API v1: the regions and districts in the caller's scope, with their registered population."""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from census.api.base import LANG_PARAMETER, READ_ERRORS, ApiListMixin, ApiView, current_campaign, error_responses
from census.api.fields import kato_field
from regions.models import District, PopulationBaseline, Region


def current_baselines(campaign, district_ids) -> dict[int, int]:
    if campaign is None:
        return {}
    rows = PopulationBaseline.objects.current().filter(campaign=campaign, district_id__in=district_ids)
    return dict(rows.values_list("district_id", "population"))


class DistrictQuery(serializers.Serializer):
    region = kato_field("Only the districts of this region (KATO code).", required=False)


class RegionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="The name in the language of the request.")
    baseline = serializers.SerializerMethodField(help_text="Registered population of the current campaign, summed.")

    class Meta:
        model = Region
        fields = ["kato", "name", "name_kk", "name_ru", "name_en", "kind", "baseline"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_baseline(self, region) -> int | None:
        return self.context["baselines"].get(region.pk)


class DistrictSerializer(RegionSerializer):
    region = serializers.SlugRelatedField(slug_field="kato", read_only=True, help_text="KATO code of the region.")
    baseline = serializers.SerializerMethodField(help_text="Registered population in force for the current campaign.")

    class Meta:
        model = District
        fields = ["kato", "name", "name_kk", "name_ru", "name_en", "kind", "region", "baseline"]


@extend_schema_view(
    list=extend_schema(
        summary="Regions in the caller's scope",
        parameters=[LANG_PARAMETER],
        responses={200: RegionSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One region",
        parameters=[LANG_PARAMETER],
        responses={200: RegionSerializer, **error_responses(401, 403, 404, 429)},
    ),
)
class RegionViewSet(ApiListMixin, ApiView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Region.objects.order_by("kato")
    serializer_class = RegionSerializer
    lookup_field = "kato"
    lookup_value_regex = r"\d{9}"

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["baselines"] = {}
        return context

    def get_serializer(self, instance=None, *args, **kwargs):
        serializer = super().get_serializer(instance, *args, **kwargs)
        regions = list(instance) if kwargs.get("many") else ([instance] if instance is not None else [])
        serializer.context["baselines"] = self._region_baselines(regions) if regions else {}
        return serializer

    def _region_baselines(self, regions) -> dict[int, int]:
        district_region = dict(District.objects.filter(region__in=regions).values_list("pk", "region_id"))
        sums: dict[int, int] = {}
        for district_id, population in current_baselines(current_campaign(), list(district_region)).items():
            region_id = district_region[district_id]
            sums[region_id] = sums.get(region_id, 0) + population
        return sums


@extend_schema_view(
    list=extend_schema(
        summary="Districts in the caller's scope",
        parameters=[DistrictQuery, LANG_PARAMETER],
        responses={200: DistrictSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One district",
        parameters=[LANG_PARAMETER],
        responses={200: DistrictSerializer, **error_responses(401, 403, 404, 429)},
    ),
)
class DistrictViewSet(ApiListMixin, ApiView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = District.objects.select_related("region").order_by("kato")
    serializer_class = DistrictSerializer
    lookup_field = "kato"
    lookup_value_regex = r"\d{9}"

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            region = self.query(DistrictQuery).get("region")
            if region:
                queryset = queryset.filter(region__kato=region)
        return queryset

    def get_serializer(self, instance=None, *args, **kwargs):
        serializer = super().get_serializer(instance, *args, **kwargs)
        districts = list(instance) if kwargs.get("many") else ([instance] if instance is not None else [])
        serializer.context["baselines"] = current_baselines(current_campaign(), [d.pk for d in districts])
        return serializer
