"""One district's door-to-door visits and non-response on a day, in households (never addresses or people).

Written through census.nonresponse and scoped like the counts' pages (a district outside the person's scope is a
404, an official gets a 403). The rates it gives are on the dashboards, beside coverage, never in it.
"""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from census.access import Scope
from census.calendar import CampaignCalendar
from census.errors import CountConflict, Rejected, WriteContended
from census.formatting import format_date
from census.forms import DayForm, NonResponseDayForm
from census.models import Campaign, DailyNonResponse
from census.nonresponse import NON_RESPONSE_FIELDS, OUTCOMES, record_non_response
from census.views.base import FORM, day_and_mode, focus_first_error, page_url, staff_page


@staff_page
def district_visits(request, kato: str, *, scope: Scope, campaign: Campaign):
    district = scope.district_or_404(kato)
    calendar = CampaignCalendar.load(campaign)
    day, _mode, refused = day_and_mode(request, calendar, district.region)
    status = 200
    form = None
    if request.method == "POST":
        form = NonResponseDayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            day = data["date"]
            try:
                result = record_non_response(
                    campaign=campaign, district=district, date=day, figures={f: data[f] for f in NON_RESPONSE_FIELDS},
                    reason=data["reason"], user=request.user, source=FORM, expected_version=data["version"],
                )  # fmt: skip
            except Rejected as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            except CountConflict as exc:
                # The form again with what was typed, now at the current version: saving again is a deliberate overwrite.
                posted = request.POST.copy()
                posted["version"] = str(exc.current.version if exc.current else 0)
                form = NonResponseDayForm(posted)
                form.is_valid()
                form.add_error(None, _("This day's figures changed while you were editing. Check them and save again."))
                status = 409
            except WriteContended as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                if result.changed:
                    messages.success(
                        request, _("Saved %(district)s for %(date)s.") % {"district": district.name, "date": format_date(day)}
                    )
                else:
                    messages.info(request, _("Nothing changed: these figures were already recorded."))
                return redirect(page_url("entry:visits", district.kato, date=day.isoformat()))
        if status == 200:
            status = 400 if form.errors else 200
        focus_first_error(form)
    elif refused:
        messages.error(request, refused)
        status = 400
    row = DailyNonResponse.objects.filter(campaign=campaign, district=district, date=day).first()
    if form is None:
        initial = {field: getattr(row, field) if row else "" for field in NON_RESPONSE_FIELDS}
        form = NonResponseDayForm(initial={"date": day, "version": row.version if row else 0, **initial})
    return render(
        request,
        "census/visits.html",
        {
            "campaign": campaign,
            "district": district,
            "day": day,
            "form": form,
            "groups": [
                (_("Workload"), form.figure_fields(["assigned", "outstanding"])),
                (_("Visits and how each ended"), form.figure_fields(["visits", *OUTCOMES])),
                (_("Revisits"), form.figure_fields(["revisits_scheduled", "revisits_made"])),
            ],
            "day_form": DayForm(initial={"date": day}, auto_id="pick_%s"),
            "previous_url": page_url("entry:visits", district.kato, date=(day - datetime.timedelta(days=1)).isoformat()),
            "next_url": page_url("entry:visits", district.kato, date=(day + datetime.timedelta(days=1)).isoformat()),
        },
        status=status,
    )
