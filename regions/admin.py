from django import forms
from django.contrib import admin

from census.admin import CensusModelAdmin, ServiceAdmin, ServiceForm
from census.models import AuditEntry
from regions.models import District, PopulationBaseline, Region
from regions.services import set_baseline


class DistrictInline(admin.TabularInline):
    model = District
    extra = 0
    fields = ["kato", "kind", "name_kk", "name_ru", "name_en"]


@admin.register(Region)
class RegionAdmin(CensusModelAdmin):
    list_display = ["kato", "name_ru", "name_kk", "name_en", "kind"]
    search_fields = ["kato", "name_ru", "name_kk", "name_en"]
    inlines = [DistrictInline]


@admin.register(District)
class DistrictAdmin(CensusModelAdmin):
    list_display = ["kato", "name_ru", "name_kk", "name_en", "kind", "region"]
    list_filter = ["region", "kind"]
    search_fields = ["kato", "name_ru", "name_kk", "name_en"]


class BaselineForm(ServiceForm):
    class Meta:
        model = PopulationBaseline
        fields = ["district", "campaign", "population", "as_of", "source"]
        widgets = {"source": forms.TextInput}

    def call_service(self, data):
        return set_baseline(
            district=data["district"], campaign=data["campaign"], population=data["population"], as_of=data["as_of"],
            note=data.get("source", ""), user=self.request_user, source=AuditEntry.Source.ADMIN,
        )  # fmt: skip


@admin.register(PopulationBaseline)
class PopulationBaselineAdmin(ServiceAdmin):
    """Baselines are versions: a change is a new row, so rows are added here, never edited."""

    form = BaselineForm
    list_display = ["district", "campaign", "population", "as_of", "source", "created_at", "created_by"]
    list_filter = ["campaign", "district__region"]
