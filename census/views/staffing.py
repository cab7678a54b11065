"""One district's field staffing: the day's personnel on duty, the plan in force and its versions, the days before.

Counts per role only, never people. Written through census.staffing and scoped like the counts' pages (a district
outside the person's scope is a 404, an official gets a 403). The flags and the forecast are on the dashboards.
"""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from census.access import Scope
from census.calendar import CampaignCalendar
from census.errors import CountConflict, Rejected, WriteContended
from census.formatting import format_date
from census.forms import DayForm, StaffingDayForm, StaffingPlanForm, default_day
from census.models import Campaign, DailyStaffing, StaffingPlan, StaffRole
from census.staffing import STAFFING_FIELDS, record_staffing, set_staffing_plan
from census.views.base import FORM, focus_first_error, page_url, staff_page

# How many days before the chosen one the page lists beside the form.
DAYS_BESIDE = 7


def _day(request, calendar: CampaignCalendar, region) -> tuple[datetime.date, str | None]:
    """The day asked for in the query string, else today kept inside the campaign; and why an asked-for day was not used."""
    form = DayForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["date"], None
    refused = None
    if request.GET.get("date") and "date" in form.errors:
        refused = _("The date in the address was not used: %(error)s") % {"error": form.errors["date"][0]}
    return default_day(timezone.localdate(), calendar.start, calendar.phase_end(region)), refused


def _add_errors(form, exc: Rejected) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


@staff_page
def district_staffing(request, kato: str, *, scope: Scope, campaign: Campaign):
    district = scope.district_or_404(kato)
    calendar = CampaignCalendar.load(campaign)
    status = 200
    form = plan_form = None
    if request.method == "POST" and request.POST.get("form") == "plan":
        plan_form = StaffingPlanForm(request.POST)
        if plan_form.is_valid():
            data = plan_form.cleaned_data
            try:
                result = set_staffing_plan(
                    campaign=campaign,
                    district=district,
                    role=data["role"],
                    planned=data["planned"],
                    valid_from=data["valid_from"],
                    note=data["note"],
                    user=request.user,
                    source=FORM,
                )
            except Rejected as exc:
                _add_errors(plan_form, exc)
            else:
                if result.created:
                    messages.success(request, _("Staffing plan of %(district)s saved.") % {"district": district.name})
                else:
                    messages.info(request, _("Nothing changed: this plan was already recorded."))
                return redirect(page_url("entry:staffing", district.kato, date=request.GET.get("date", "")))
        focus_first_error(plan_form)
        status = 400
        day, _refused = _day(request, calendar, district.region)
    elif request.method == "POST":
        form = StaffingDayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = record_staffing(
                    campaign=campaign,
                    district=district,
                    date=data["date"],
                    **{field: data[field] for field in STAFFING_FIELDS},
                    reason=data["reason"],
                    user=request.user,
                    source=FORM,
                    expected_version=data["version"],
                )
            except Rejected as exc:
                _add_errors(form, exc)
            except CountConflict as exc:
                # The form again with what was typed, now at the current version: saving again is a deliberate overwrite.
                posted = request.POST.copy()
                posted["version"] = str(exc.current.version if exc.current else 0)
                form = StaffingDayForm(posted)
                form.is_valid()
                form.add_error(None, _("This day's figures changed while you were editing. Check them and save again."))
                status = 409
            except WriteContended as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                if result.changed:
                    messages.success(
                        request,
                        _("Saved %(district)s for %(date)s.") % {"district": district.name, "date": format_date(data["date"])},
                    )
                else:
                    messages.info(request, _("Nothing changed: these figures were already recorded."))
                return redirect(page_url("entry:staffing", district.kato, date=data["date"].isoformat()))
        day = form.cleaned_data.get("date") or _day(request, calendar, district.region)[0]
        if status == 200:
            status = 400 if form.errors else 200
        focus_first_error(form)
    else:
        day, refused = _day(request, calendar, district.region)
        if refused:
            messages.error(request, refused)
            status = 400

    days = list(
        DailyStaffing.objects.filter(campaign=campaign, district=district, date__lte=day).order_by("-date")[: DAYS_BESIDE + 1]
    )
    row = days[0] if days and days[0].date == day else None
    if form is None:
        initial = {field: getattr(row, field) if row else "" for field in STAFFING_FIELDS}
        form = StaffingDayForm(initial={"date": day, "version": row.version if row else 0, **initial})
    if plan_form is None:
        plan_form = StaffingPlanForm(initial={"role": StaffRole.INTERVIEWER, "valid_from": day}, auto_id="plan_%s")
    in_force = {plan.role: plan for plan in StaffingPlan.objects.filter(campaign=campaign, district=district).in_force(on=day)}
    plans = (
        StaffingPlan.objects.filter(campaign=campaign, district=district)
        .select_related("created_by")
        .order_by("role", "-valid_from", "-id")
    )
    response = render(
        request,
        "census/staffing.html",
        {
            "campaign": campaign,
            "district": district,
            "day": day,
            "form": form,
            "plan_form": plan_form,
            "row": row,
            "day_form": DayForm(initial={"date": day}, auto_id="pick_%s"),
            "days_beside": [item for item in days if item.date < day][:DAYS_BESIDE],
            "plan_interviewers": in_force.get(StaffRole.INTERVIEWER),
            "plan_instructors": in_force.get(StaffRole.INSTRUCTOR),
            "plans": plans,
            "previous_url": page_url("entry:staffing", district.kato, date=(day - datetime.timedelta(days=1)).isoformat()),
            "next_url": page_url("entry:staffing", district.kato, date=(day + datetime.timedelta(days=1)).isoformat()),
        },
        status=status,
    )
    response["ETag"] = f'"{row.version if row else 0}"'
    return response
