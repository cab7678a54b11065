"""The staff home page (today's reports in scope) and the districts that have not reported."""

from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone

from census.access import Scope
from census.calendar import CampaignCalendar
from census.forms import DayForm
from census.models import Campaign, DailyCount
from census.views.base import current_statuses, open_channels, staff_page
from regions.models import District


@staff_page
def home(request, *, scope: Scope, campaign: Campaign):
    """Today's reports in scope; once the campaign is over, its last day's, under a banner saying when it ended."""
    today = timezone.localdate()
    regions = list(scope.regions().order_by("kato"))
    calendar = CampaignCalendar.load(campaign)
    # The last day of any phase in the person's regions (an extension may be one region's).
    last_day = max([calendar.phase_end(None), *(calendar.phase_end(region) for region in regions)])
    ended_on = last_day if today > last_day else None
    day = ended_on or today
    districts = list(scope.districts(District.objects.select_related("region")).order_by("region__kato", "kato"))
    reported = set(
        DailyCount.objects.filter(campaign=campaign, date=day, district__in=districts).values_list("district_id", flat=True)
    )
    statuses = current_statuses(campaign, districts, day)
    return render(
        request,
        "census/home.html",
        {
            "campaign": campaign,
            "today": day,
            "ended_on": ended_on,
            "regions": regions,
            "rows": [{"district": d, "reported": d.pk in reported, "status": statuses.get(d.pk)} for d in districts],
        },
    )


@staff_page
def not_reported(request, *, scope: Scope, campaign: Campaign):
    """Districts in scope with no count for the day (today unless asked) although a phase is open there."""
    calendar = CampaignCalendar.load(campaign)
    form = DayForm(request.GET)
    day = form.cleaned_data["date"] if form.is_valid() else timezone.localdate()
    districts = list(scope.districts(District.objects.select_related("region")).order_by("region__kato", "kato"))
    reported = set(
        DailyCount.objects.filter(campaign=campaign, date=day, district__in=districts).values_list("district_id", flat=True)
    )
    last_counts = dict(
        DailyCount.objects.filter(campaign=campaign, district__in=districts, date__lte=day)
        .values("district_id")
        .annotate(last=Max("date"))
        .values_list("district_id", "last")
    )
    due = [d for d in districts if open_channels(calendar, day, d.region)]
    missing = [{"district": d, "last": last_counts.get(d.pk)} for d in due if d.pk not in reported]
    return render(
        request,
        "census/not_reported.html",
        {
            "campaign": campaign,
            "day": day,
            "day_form": DayForm(initial={"date": day}, auto_id="pick_%s"),
            "due_count": len(due),
            "missing": missing,
            "is_today": day == timezone.localdate(),
        },
    )
