"""One district's day: the entry form, the days beside it, a conflicting save shown with what was typed."""

import datetime
import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from census.access import Scope
from census.calendar import CampaignCalendar
from census.errors import CountConflict, Implausible, Rejected, WriteContended
from census.formatting import format_date
from census.forms import MODE_CHOICES, DayForm, DistrictEntryForm
from census.models import Campaign, DailyCount
from census.services import EntryMode, record_count
from census.views.base import (
    FORM,
    conflict_message,
    current_statuses,
    day_and_mode,
    focus_first_error,
    open_channels,
    page_url,
    staff_page,
    totals_before,
)

# How many days before the chosen one the district page lists beside the form.
DAYS_BESIDE = 7


def _district_days(campaign, district, day: datetime.date) -> tuple[list[dict], tuple[int, int]]:
    """The days up to `day` with each day's figures and the running totals; and the totals before `day`."""
    running = [0, 0]
    days = []
    before = (0, 0)
    for row in DailyCount.objects.filter(campaign=campaign, district=district, date__lte=day).order_by("date"):
        if row.date == day:
            before = tuple(running)
        running[0] += row.online
        running[1] += row.offline
        days.append({"count": row, "total_online": running[0], "total_offline": running[1]})
    if not days or days[-1]["count"].date != day:
        before = tuple(running)
    return days, before


@staff_page
def district_day(request, kato: str, *, scope: Scope, campaign: Campaign):
    district = scope.district_or_404(kato)
    calendar = CampaignCalendar.load(campaign)
    status = 200
    needs_confirmation = False
    if request.method == "POST":
        form = DistrictEntryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = record_count(
                    campaign=campaign,
                    district=district,
                    date=data["date"],
                    online=data["online"],
                    offline=data["offline"],
                    mode=data["mode"],
                    reason=data["reason"],
                    user=request.user,
                    source=FORM,
                    expected_version=data["version"],
                    confirm_implausible=data["confirm_implausible"],
                )
            except Rejected as exc:
                needs_confirmation = isinstance(exc, Implausible) or data["confirm_implausible"]
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            except CountConflict as exc:
                form, status = _conflicted_form(request, exc.current, campaign, district, data), 409
            except WriteContended as exc:
                # Nothing was saved; the form keeps what was typed, to be saved again.
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
                for check in result.warnings:
                    messages.warning(request, check.message)
                return redirect(page_url("entry:district", district.kato, date=data["date"].isoformat(), mode=data["mode"]))
        day = form.cleaned_data.get("date") or day_and_mode(request, calendar, district.region)[0]
        mode = form.cleaned_data.get("mode") or EntryMode.DAILY
        if status == 200:
            status = 400 if form.errors else 200
    else:
        day, mode, refused = day_and_mode(request, calendar, district.region)
        if refused:
            messages.error(request, refused)
            status = 400
        form = None

    days, before = _district_days(campaign, district, day)
    # The days before the one shown: the day itself is in the form.
    earlier = [item for item in days if item["count"].date < day]
    row = next((d["count"] for d in days if d["count"].date == day), None)
    if form is None:
        if row is None:
            online = offline = ""
        elif mode == EntryMode.CUMULATIVE:
            online, offline = before[0] + row.online, before[1] + row.offline
        else:
            online, offline = row.online, row.offline
        form = DistrictEntryForm(
            initial={"date": day, "mode": mode, "online": online, "offline": offline, "version": row.version if row else 0}
        )
    response = render(
        request,
        "census/district_day.html",
        {
            "campaign": campaign,
            "district": district,
            "day": day,
            "mode": mode,
            "form": form,
            "day_form": DayForm(initial={"date": day, "mode": mode}, auto_id="pick_%s"),
            "row": row,
            "before": before,
            "days_beside": list(reversed(earlier[-DAYS_BESIDE:])),
            # Every recorded day's version: offline, the page switches days in place and enters against these.
            "versions": json.dumps(
                {
                    date.isoformat(): version
                    for date, version in DailyCount.objects.filter(campaign=campaign, district=district).values_list(
                        "date", "version"
                    )
                }
            ),
            "needs_confirmation": needs_confirmation,
            "form_focus": focus_first_error(form) if form.errors else None,
            "mode_label": dict(MODE_CHOICES)[mode],
            "open_channels": open_channels(calendar, day, district.region),
            "status": current_statuses(campaign, [district], timezone.localdate()).get(district.pk),
            "grid_url": page_url("entry:grid", district.region.kato, date=day.isoformat(), mode=mode),
            "previous_url": page_url(
                "entry:district", district.kato, date=(day - datetime.timedelta(days=1)).isoformat(), mode=mode
            ),
            "next_url": page_url("entry:district", district.kato, date=(day + datetime.timedelta(days=1)).isoformat(), mode=mode),
        },
        status=status,
    )
    # The version the page was drawn from, for clients that prefer a header to the hidden field.
    response["ETag"] = f'"{row.version if row else 0}"'
    return response


def _conflicted_form(request, current, campaign, district, data) -> DistrictEntryForm:
    """The form again with what was typed, now carrying the current version so that saving again is a deliberate overwrite."""
    shown = None
    if current is not None and data["mode"] == EntryMode.CUMULATIVE:
        before = totals_before(campaign, district, data["date"])
        shown = (before[0] + current.online, before[1] + current.offline)
    posted = request.POST.copy()
    posted["version"] = str(current.version if current else 0)
    form = DistrictEntryForm(posted)
    form.is_valid()
    form.add_error(None, conflict_message(current, shown=shown, mode=data["mode"], viewer=request.user))
    return form
