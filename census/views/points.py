"""One district's self-service points on a day: how many people each helped to take part online.

Numbers only, never people. Written through census.service_points and scoped like the counts' pages (a district
outside the person's scope is a 404, an official gets a 403). All the points of the day are saved together, or
none: a refused figure leaves the others unsaved and what was typed on the page.
"""

import datetime

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from census.access import Scope
from census.calendar import CampaignCalendar
from census.errors import CountConflict, Rejected, WriteContended
from census.formatting import format_date
from census.forms import DayForm
from census.models import REASON_MAX_LENGTH, Campaign, ServicePoint, ServicePointUse
from census.service_points import district_use_warnings, record_point_use
from census.views.base import FORM, day_and_mode, page_url, staff_page


class _Refused(Exception):
    """A point's figure was refused: the whole day's save is rolled back."""


@staff_page
def district_points(request, kato: str, *, scope: Scope, campaign: Campaign):
    district = scope.district_or_404(kato)
    calendar = CampaignCalendar.load(campaign)
    day, _mode, refused = day_and_mode(request, calendar, district.region)
    if request.method == "POST":
        form = DayForm(request.POST)
        day = form.cleaned_data["date"] if form.is_valid() else day
    points = sorted(
        ServicePoint.objects.filter(campaign=campaign, district=district).active(on=day), key=lambda p: (p.sort_name, p.pk)
    )
    uses = {use.point_id: use for use in ServicePointUse.objects.filter(point__in=points, date=day)}
    typed = {point.pk: request.POST.get(f"assisted-{point.pk}", "").strip() for point in points}
    reason = request.POST.get("reason", "")
    errors: dict[int, list[str]] = {}
    page_errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            changed = _save(request, campaign, points, uses, typed, reason, day, errors)
        except _Refused:
            status = 400
        except (WriteContended, CountConflict) as exc:
            page_errors.append(
                exc.message
                if isinstance(exc, WriteContended)
                else _("Someone changed these figures while you were entering them; check them and save again.")
            )
            status = 409
        else:
            if changed:
                messages.success(
                    request, _("Saved %(district)s for %(date)s.") % {"district": district.name, "date": format_date(day)}
                )
                for warning in district_use_warnings(campaign=campaign, district=district, date=day):
                    messages.warning(request, warning)
            else:
                messages.info(request, _("Nothing changed: these figures were already recorded."))
            return redirect(page_url("entry:points", district.kato, date=day.isoformat()))
    elif refused:
        messages.error(request, refused)
        status = 400
    rows = [
        {
            "point": point,
            "name": f"assisted-{point.pk}",
            "value": typed[point.pk] if request.method == "POST" else (uses[point.pk].assisted if point.pk in uses else ""),
            "version": uses[point.pk].version if point.pk in uses else 0,
            "errors": errors.get(point.pk, []),
        }
        for point in points
    ]
    return render(
        request,
        "census/service_point_day.html",
        {
            "campaign": campaign,
            "district": district,
            "day": day,
            "rows": rows,
            "reason": reason,
            "reason_max": REASON_MAX_LENGTH,
            "reason_errors": errors.get(0, []),
            "page_errors": page_errors,
            "first_error": next((row["name"] for row in rows if row["errors"]), "reason" if 0 in errors else None),
            "day_form": DayForm(initial={"date": day}, auto_id="pick_%s"),
            "previous_url": page_url("entry:points", district.kato, date=(day - datetime.timedelta(days=1)).isoformat()),
            "next_url": page_url("entry:points", district.kato, date=(day + datetime.timedelta(days=1)).isoformat()),
        },
        status=status,
    )


def _save(request, campaign, points, uses, typed, reason, day, errors) -> int:
    """Save every point whose figure was typed; returns how many changed. Raises _Refused (errors filled in by point,
    0 for the reason) and rolls everything back when any figure is refused."""
    changed = 0
    with transaction.atomic():
        for point in points:
            if typed[point.pk] == "" and point.pk not in uses:
                continue  # left empty, as it was: nothing to say about this point
            version = request.POST.get(f"version-{point.pk}", "")
            try:
                result = record_point_use(
                    campaign=campaign, point=point, date=day, assisted=typed[point.pk], reason=reason, user=request.user,
                    source=FORM, expected_version=int(version) if version.isdigit() else None,
                )  # fmt: skip
            except Rejected as exc:
                for field, said in exc.message_dict.items():
                    listed = errors.setdefault(0 if field == "reason" else point.pk, [])
                    listed.extend(message for message in said if message not in listed)
            else:
                changed += result.changed
        if errors:
            raise _Refused  # leaving the transaction by an exception: nothing of the day is kept
    return changed
