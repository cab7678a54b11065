from django.contrib import admin

from census.admin import ReadOnlyAdmin
from reports.models import CoverageSnapshot, RecomputeRequest


@admin.register(CoverageSnapshot)
class CoverageSnapshotAdmin(ReadOnlyAdmin):
    list_display = [
        "kato",
        "level",
        "date",
        "baseline",
        "online",
        "offline",
        "total",
        "coverage_pct",
        "flags",
        "outlook",
        "computed_at",
    ]
    list_filter = ["campaign", "level", "date"]
    search_fields = ["kato"]


@admin.register(RecomputeRequest)
class RecomputeRequestAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "district", "from_date", "created_at"]
