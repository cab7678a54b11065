"""The counts of the person's area as CSV or XLSX."""

from django.http import HttpResponse
from django.utils import timezone

from census import exporting, security
from census.access import Scope
from census.models import Campaign, DailyCount, DailyStaffing
from census.views.base import staff_page


@staff_page
def export(request, file_format: str, *, scope: Scope, campaign: Campaign):
    """The counts of the person's area, every district-day, as CSV or XLSX."""
    counts = (
        scope.by_district(DailyCount.objects.filter(campaign=campaign))
        .select_related("district")
        .order_by("district__kato", "date")
    )
    stamp = timezone.localdate().isoformat()
    if file_format == "xlsx":
        response = HttpResponse(exporting.counts_xlsx(counts), content_type=exporting.XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(exporting.counts_csv(counts), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="census-counts-{stamp}.{file_format}"'
    security.log_event("export", request, format=file_format, area=security.area_of(scope), rows=len(counts))
    return response


@staff_page
def export_staffing(request, file_format: str, *, scope: Scope, campaign: Campaign):
    """The staffing of the person's area, every district-day (numbers on duty, never people), as CSV or XLSX."""
    rows = (
        scope.by_district(DailyStaffing.objects.filter(campaign=campaign))
        .select_related("district")
        .order_by("district__kato", "date")
    )
    stamp = timezone.localdate().isoformat()
    if file_format == "xlsx":
        response = HttpResponse(exporting.staffing_xlsx(rows), content_type=exporting.XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(exporting.staffing_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="census-staffing-{stamp}.{file_format}"'
    security.log_event("export", request, format=file_format, area=security.area_of(scope), rows=len(rows))
    return response
