"""The counts, staffing and door-to-door visits of the person's area as CSV or XLSX."""

from django.http import HttpResponse
from django.utils import timezone

from census import exporting, security
from census.access import Scope
from census.models import Campaign, DailyCount, DailyNonResponse, DailyStaffing
from census.nonresponse import NON_RESPONSE_FIELDS
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


# The records exported per district and day: the model, its figures' columns, and the file's name.
DISTRICT_DAY_FILES = {
    "staffing": (DailyStaffing, exporting.STAFFING_COLUMNS),
    "visits": (DailyNonResponse, NON_RESPONSE_FIELDS),
}


@staff_page
def export_district_days(request, file_format: str, record: str, *, scope: Scope, campaign: Campaign):
    """Staffing, or door-to-door visits and non-response, of the person's area, every district-day (numbers only, never
    people), as CSV or XLSX."""
    model, columns = DISTRICT_DAY_FILES[record]
    rows = (
        scope.by_district(model.objects.filter(campaign=campaign)).select_related("district").order_by("district__kato", "date")
    )
    stamp = timezone.localdate().isoformat()
    if file_format == "xlsx":
        response = HttpResponse(exporting.district_days_xlsx(rows, model, columns), content_type=exporting.XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(exporting.district_days_csv(rows, model, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="census-{record}-{stamp}.{file_format}"'
    security.log_event("export", request, format=file_format, area=security.area_of(scope), rows=len(rows))
    return response
