"""What the staff pages share: the staff_page guard, the day asked for, links, the status in force, the conflict message.

Every page takes the person's Scope from census/access.py: a district outside it
is a 404, a person who may not enter counts (an official) gets a 403 and an
anonymous visitor is sent to sign in. Every write goes through census.services.
"""

import datetime
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from census.access import scope_of
from census.calendar import CampaignCalendar
from census.formatting import format_number
from census.forms import DayForm, default_day
from census.models import AuditEntry, Campaign, DailyCount, DistrictStatus
from census.services import EntryMode
from regions.models import Region

FORM = AuditEntry.Source.FORM


def staff_page(view):
    """Only people who may enter counts: anonymous → sign in, read-only accounts → 403, no campaign → a notice."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        scope = scope_of(request.user)
        if not scope.can_write:
            return render(request, "census/forbidden.html", status=403)
        campaign = Campaign.objects.current()
        if campaign is None:
            return render(request, "census/no_campaign.html")
        return view(request, *args, scope=scope, campaign=campaign, **kwargs)

    return wrapper


def day_and_mode(request, calendar: CampaignCalendar, region: Region | None) -> tuple[datetime.date, str, str | None]:
    """The day and mode asked for in the query string, else the default day (today, kept inside the campaign).

    The third value says why a date that was asked for is not the one shown (None when it is, or none was asked for).
    """
    form = DayForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["date"], form.cleaned_data["mode"], None
    mode = request.GET.get("mode") if request.GET.get("mode") in EntryMode.choices else EntryMode.DAILY
    refused = None
    if request.GET.get("date") and "date" in form.errors:
        refused = _("The date in the address was not used: %(error)s") % {"error": form.errors["date"][0]}
    return default_day(timezone.localdate(), calendar.start, calendar.phase_end(region)), mode, refused


def open_channels(calendar: CampaignCalendar, day: datetime.date, region: Region | None) -> list[str]:
    """Labels of the phases open on `day` in `region`."""
    return [phase.get_kind_display() for phase in calendar.phases if phase.covers(day, region)]


def page_url(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    query = {key: value for key, value in query.items() if value}
    return f"{url}?{urlencode(query)}" if query else url


def current_statuses(campaign, districts, day: datetime.date) -> dict[int, DistrictStatus]:
    """Each district's decision in force on `day` (today: set_status takes no decision dated later)."""
    in_force = DistrictStatus.objects.filter(campaign=campaign, district__in=districts).in_force(on=day)
    return {decision.district_id: decision for decision in in_force}


def totals_before(campaign, district, day: datetime.date) -> tuple[int, int]:
    """The district's online and offline totals over its days before `day`."""
    row = DailyCount.objects.filter(campaign=campaign, district=district).totals_before(day).first()
    return (row["online"], row["offline"]) if row else (0, 0)


def actor(current: DailyCount, viewer=None) -> str:
    """Who made the row's latest change, as the conflict message names them: a person, or the way it came in."""
    if current.updated_by is not None:
        if viewer is not None and current.updated_by.pk == viewer.pk:
            return _("You (in another tab or window)")
        return current.updated_by.get_username()
    # No person: an API token, a file imported from the command line, the demo. The audit trail says which.
    latest = AuditEntry.objects.filter(subject=AuditEntry.Subject.COUNT, object_id=current.pk).order_by("-id").first()
    if latest is None:
        return _("someone else")
    return {
        AuditEntry.Source.API: _("An API client"),
        AuditEntry.Source.IMPORT: _("A file import"),
        AuditEntry.Source.COMMAND: _("A management command"),
        AuditEntry.Source.ADMIN: _("The admin"),
    }.get(latest.source, _("someone else"))


def conflict_message(current, *, shown: tuple[int, int] | None, mode: str, viewer=None) -> str:
    if current is None:
        return _("This day's figures changed while you were editing. Check them and save again.")
    who = actor(current, viewer)
    online, offline = shown if shown is not None else (current.online, current.offline)
    template = (
        _(
            "%(who)s saved this day at %(when)s while you were editing: the totals now stand at %(online)s online and "
            "%(offline)s door-to-door. Your figures are kept: check them and save again to replace these."
        )
        if mode == EntryMode.CUMULATIVE
        else _(
            "%(who)s saved this day at %(when)s while you were editing: it now holds %(online)s online and "
            "%(offline)s door-to-door. Your figures are kept: check them and save again to replace these."
        )
    )
    return template % {
        "who": who,
        "when": formats.date_format(timezone.localtime(current.updated_at), "SHORT_DATETIME_FORMAT"),
        "online": format_number(online),
        "offline": format_number(offline),
    }


def focus_first_error(form) -> str | None:
    """Put the cursor in the first field with an error (autofocus), so that its message is read out with it; its name."""
    for name, field in form.fields.items():
        if name in form.errors and not field.widget.is_hidden:
            field.widget.attrs["autofocus"] = True
            return name
    return None
