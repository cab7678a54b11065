"""A district's recorded changes (who, when, old → new, why) and its status decisions."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from census import audit
from census.access import Scope
from census.errors import Rejected
from census.forms import StatusForm
from census.models import AuditEntry, Campaign, DistrictStatus
from census.services import set_status
from census.views.base import FORM, current_statuses, focus_first_error, staff_page

HISTORY_PAGE_SIZE = 50


@staff_page
def history(request, kato: str, *, scope: Scope, campaign: Campaign):
    """Every recorded change of the district: who, when, old → new, why and from where."""
    district = scope.district_or_404(kato)
    entries = scope.by_district(AuditEntry.objects.select_related("user")).filter(district=district).order_by("-at", "-id")
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.change_list = [change._asdict() for change in audit.changes(entry)]
    return render(request, "census/history.html", {"campaign": campaign, "district": district, "page": page})


@staff_page
def district_status(request, kato: str, *, scope: Scope, campaign: Campaign):
    district = scope.district_or_404(kato)
    status = 200
    if request.method == "POST":
        form = StatusForm(request.POST)
        if form.is_valid():
            try:
                set_status(
                    campaign=campaign,
                    district=district,
                    status=form.cleaned_data["status"],
                    date=form.cleaned_data["date"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                    source=FORM,
                )
            except Rejected as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Status of %(district)s saved.") % {"district": district.name})
                return redirect("entry:status", district.kato)
        status = 400
        focus_first_error(form)
    else:
        current = current_statuses(campaign, [district], timezone.localdate()).get(district.pk)
        form = StatusForm(initial={"date": timezone.localdate(), "status": current.status if current else None})
    decisions = (
        DistrictStatus.objects.filter(campaign=campaign, district=district).select_related("set_by").order_by("-date", "-id")
    )
    return render(
        request,
        "census/status.html",
        {"campaign": campaign, "district": district, "form": form, "decisions": decisions},
        status=status,
    )
