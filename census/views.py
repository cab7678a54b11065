"""Pages for statistics staff: sign-in, a district's day, the region grid, corrections, statuses, import, export.

Every page takes the person's Scope from census/access.py: a district outside it
is a 404, a person who may not enter counts (an official) gets a 403 and an
anonymous visitor is sent to sign in. Every write goes through census.services.
"""

import datetime
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from census import exporting, security
from census.access import Scope, scope_of
from census.calendar import CampaignCalendar
from census.errors import CountConflict, CountRejected, WriteContended
from census.forms import (
    DayForm,
    DistrictEntryForm,
    GridForm,
    ImportForm,
    SignInForm,
    StatusForm,
    default_day,
)
from census.importing import FileRejected, Limits, check_size, outcome_errors, read_counts
from census.models import AuditEntry, Campaign, DailyCount, DistrictStatus, PendingImport
from census.services import LONGEST_FIGURE, CountRow, EntryMode, import_counts, record_count, set_status
from regions.models import District, Region

FORM = AuditEntry.Source.FORM
# How many days before the chosen one the district page lists beside the form.
DAYS_BESIDE = 7
HISTORY_PAGE_SIZE = 50
IMPORT_SESSION_KEY = "census_import"


def entry_navigation(request):
    """Template context: whether the entry pages belong in this person's menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can_enter_counts": False}
    return {"can_enter_counts": scope_of(user).can_write}


def _number(value) -> str:
    return formats.number_format(value, force_grouping=True)


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


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


def _day_and_mode(request, calendar: CampaignCalendar, region: Region | None) -> tuple[datetime.date, str, str | None]:
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


def _open_channels(calendar: CampaignCalendar, day: datetime.date, region: Region | None) -> list[str]:
    """Labels of the phases open on `day` in `region`."""
    return [phase.get_kind_display() for phase in calendar.phases if phase.covers(day, region)]


def _page_url(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    query = {key: value for key, value in query.items() if value}
    return f"{url}?{urlencode(query)}" if query else url


# --- Sign-in -------------------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "failure_limit": settings.AXES_FAILURE_LIMIT}


def start(request):
    """Where sign-in lands: the entry pages for staff, the dashboards for everyone else."""
    if request.user.is_authenticated and scope_of(request.user).can_write:
        return redirect("entry:home")
    return redirect("home")


# --- Overview --------------------------------------------------------------------------------------


@staff_page
def home(request, *, scope: Scope, campaign: Campaign):
    today = timezone.localdate()
    districts = list(scope.districts(District.objects.select_related("region")).order_by("region__kato", "kato"))
    reported = set(
        DailyCount.objects.filter(campaign=campaign, date=today, district__in=districts).values_list("district_id", flat=True)
    )
    statuses = _current_statuses(campaign, districts, today)
    regions = list(scope.regions().order_by("kato"))
    return render(
        request,
        "census/home.html",
        {
            "campaign": campaign,
            "today": today,
            "regions": regions,
            "rows": [{"district": d, "reported": d.pk in reported, "status": statuses.get(d.pk)} for d in districts],
        },
    )


def _current_statuses(campaign, districts, day: datetime.date) -> dict[int, DistrictStatus]:
    """Each district's decision in force on `day` (today: set_status takes no decision dated later)."""
    in_force = DistrictStatus.objects.filter(campaign=campaign, district__in=districts).in_force(on=day)
    return {decision.district_id: decision for decision in in_force}


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
    due = [d for d in districts if _open_channels(calendar, day, d.region)]
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


# --- One district's day --------------------------------------------------------------------------------


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


def _totals_before(campaign, district, day: datetime.date) -> tuple[int, int]:
    """The district's online and offline totals over its days before `day`."""
    row = DailyCount.objects.filter(campaign=campaign, district=district).totals_before(day).first()
    return (row["online"], row["offline"]) if row else (0, 0)


def _conflict_message(current, *, shown: tuple[int, int] | None, mode: str) -> str:
    if current is None:
        return _("This day's figures changed while you were editing. Check them and save again.")
    who = current.updated_by.get_username() if current.updated_by else _("someone else")
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
        "online": _number(online),
        "offline": _number(offline),
    }


@staff_page
def district_day(request, kato: str, *, scope: Scope, campaign: Campaign):
    district = scope.district_or_404(kato)
    calendar = CampaignCalendar.load(campaign)
    status = 200
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
                )
            except CountRejected as exc:
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
                        _("Saved %(district)s for %(date)s.") % {"district": district.name, "date": _day(data["date"])},
                    )
                else:
                    messages.info(request, _("Nothing changed: these figures were already recorded."))
                return redirect(_page_url("entry:district", district.kato, date=data["date"].isoformat(), mode=data["mode"]))
        day = form.cleaned_data.get("date") or _day_and_mode(request, calendar, district.region)[0]
        mode = form.cleaned_data.get("mode") or EntryMode.DAILY
        if status == 200:
            status = 400 if form.errors else 200
    else:
        day, mode, refused = _day_and_mode(request, calendar, district.region)
        if refused:
            messages.error(request, refused)
            status = 400
        form = None

    days, before = _district_days(campaign, district, day)
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
            "days_beside": list(reversed(days[-(DAYS_BESIDE + 1) :])),
            "open_channels": _open_channels(calendar, day, district.region),
            "status": _current_statuses(campaign, [district], timezone.localdate()).get(district.pk),
            "grid_url": _page_url("entry:grid", district.region.kato, date=day.isoformat(), mode=mode),
            "previous_url": _page_url(
                "entry:district", district.kato, date=(day - datetime.timedelta(days=1)).isoformat(), mode=mode
            ),
            "next_url": _page_url(
                "entry:district", district.kato, date=(day + datetime.timedelta(days=1)).isoformat(), mode=mode
            ),
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
        before = _totals_before(campaign, district, data["date"])
        shown = (before[0] + current.online, before[1] + current.offline)
    posted = request.POST.copy()
    posted["version"] = str(current.version if current else 0)
    form = DistrictEntryForm(posted)
    form.is_valid()
    form.add_error(None, _conflict_message(current, shown=shown, mode=data["mode"]))
    return form


# --- The region grid -------------------------------------------------------------------------------------


def _cell_name(district: District, field: str) -> str:
    return f"{district.kato}-{field}"


def _grid_rows(campaign, districts, day: datetime.date, mode: str) -> list[dict]:
    """One row per district with what is stored for the day, in the grid's mode, and the day before for reference."""
    on_day = {row.district_id: row for row in DailyCount.objects.filter(campaign=campaign, district__in=districts, date=day)}
    if mode == EntryMode.CUMULATIVE:
        sums = DailyCount.objects.filter(campaign=campaign, district__in=districts).totals_before(day)
        previous = {item["district_id"]: (item["online"] or 0, item["offline"] or 0) for item in sums}
    else:
        previous = {
            row.district_id: (row.online, row.offline)
            for row in DailyCount.objects.filter(campaign=campaign, district__in=districts, date=day - datetime.timedelta(days=1))
        }
    rows = []
    for district in districts:
        row = on_day.get(district.pk)
        before = previous.get(district.pk)
        if row is None:
            online = offline = ""
        elif mode == EntryMode.CUMULATIVE:
            base = before or (0, 0)
            online, offline = str(base[0] + row.online), str(base[1] + row.offline)
        else:
            online, offline = str(row.online), str(row.offline)
        rows.append(
            {
                "district": district,
                "stored": row,
                "online": online,
                "offline": offline,
                "was_online": online,
                "was_offline": offline,
                "version": row.version if row else 0,
                "previous": before,
                "errors": {},
                "row_errors": [],
            }
        )
    return rows


def _as_int(text: str) -> int | None:
    text = (text or "").replace("\xa0", "").replace(" ", "").strip()
    # Longer than any count (int() refuses more than 4,300 digits): the service rejects it; the totals leave it out.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= LONGEST_FIGURE else None


def _grid_totals(rows: list[dict]) -> dict:
    totals = {"online": 0, "offline": 0}
    for row in rows:
        row_total = 0
        for channel in ("online", "offline"):
            value = _as_int(row[channel])
            if value is not None:
                totals[channel] += value
                row_total += value
        row["total"] = row_total
    totals["all"] = totals["online"] + totals["offline"]
    return totals


@staff_page
def grid(request, kato: str, *, scope: Scope, campaign: Campaign):
    """Every district of a region (those in scope) for one day: one form, saved all or nothing."""
    region = scope.region_or_404(kato)
    districts = list(scope.districts(region.districts.all()).order_by("kato"))
    calendar = CampaignCalendar.load(campaign)
    status = 200
    reason_error = None
    if request.method == "POST":
        form = GridForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The grid could not be read; it was reloaded. Nothing was saved."))
            return redirect("entry:grid", region.kato)
        day, mode = form.cleaned_data["date"], form.cleaned_data["mode"]
        rows = _grid_rows(campaign, districts, day, mode)
        batch = []
        for line, row in enumerate(rows, start=1):
            district = row["district"]
            for field in ("online", "offline"):
                row[field] = request.POST.get(_cell_name(district, field), "").strip()
                row[f"was_{field}"] = request.POST.get(_cell_name(district, f"{field}-was"), "").strip()
            try:
                row["version"] = int(request.POST.get(_cell_name(district, "version"), "0"))
            except ValueError:
                row["version"] = 0
            untouched = (row["online"], row["offline"]) == (row["was_online"], row["was_offline"])
            nothing_entered = not row["online"] and not row["offline"] and row["version"] == 0
            if untouched or nothing_entered:
                continue
            row["line"] = line
            batch.append(
                CountRow(
                    line=line,
                    district=district,
                    date=day,
                    online=row["online"],
                    offline=row["offline"],
                    expected_version=row["version"],
                )
            )
        if not batch:
            messages.info(request, _("Nothing to save: no figure was changed."))
            return redirect(_page_url("entry:grid", region.kato, date=day.isoformat(), mode=mode))
        try:
            summary = import_counts(
                campaign=campaign,
                rows=batch,
                mode=mode,
                user=request.user,
                source=FORM,
                reason=form.cleaned_data["reason"],
            )
        except WriteContended as exc:
            # Nothing was saved: the page comes back with everything typed, to be saved once more.
            status = 409
            messages.error(request, exc.message)
        else:
            if summary.applied:
                saved = summary.created + summary.changed
                messages.success(
                    request,
                    _("Saved %(day)s: %(saved)s of %(sent)s districts changed.")
                    % {"day": _day(day), "saved": saved, "sent": len(batch)},
                )
                return redirect(_page_url("entry:grid", region.kato, date=day.isoformat(), mode=mode))
            status, reason_error = _mark_grid_errors(rows, summary, campaign, day, mode)
            messages.error(
                request,
                _("Nothing was saved: %(count)s districts need attention. Everything you typed is kept below.")
                % {"count": len(summary.failed)},
            )
    else:
        day, mode, refused = _day_and_mode(request, calendar, region)
        if refused:
            messages.error(request, refused)
            status = 400
        form = GridForm(initial={"date": day, "mode": mode})
        rows = _grid_rows(campaign, districts, day, mode)

    for row in rows:
        row["online_name"] = _cell_name(row["district"], "online")
        row["offline_name"] = _cell_name(row["district"], "offline")
        row["version_name"] = _cell_name(row["district"], "version")
        row["online_was_name"] = _cell_name(row["district"], "online-was")
        row["offline_was_name"] = _cell_name(row["district"], "offline-was")
    totals = _grid_totals(rows)
    # The page opens ready to type: in the first cell, or in the first one that needs fixing.
    failed = [(row, field) for row in rows for field in ("online", "offline") if field in row["errors"]]
    failed += [(row, "online") for row in rows if row["row_errors"]]
    if failed:
        failed[0][0]["autofocus"] = failed[0][1]
    elif rows:
        rows[0]["autofocus"] = "online"
    return render(
        request,
        "census/grid.html",
        {
            "campaign": campaign,
            "region": region,
            "day": day,
            "mode": mode,
            "form": form,
            "reason_error": reason_error,
            "day_form": DayForm(initial={"date": day, "mode": mode}, auto_id="pick_%s"),
            "rows": rows,
            "totals": totals,
            "open_channels": _open_channels(calendar, day, region),
            "thousands": formats.get_format("THOUSAND_SEPARATOR"),
            "previous_url": _page_url("entry:grid", region.kato, date=(day - datetime.timedelta(days=1)).isoformat(), mode=mode),
            "next_url": _page_url("entry:grid", region.kato, date=(day + datetime.timedelta(days=1)).isoformat(), mode=mode),
            "other_mode_url": _page_url(
                "entry:grid",
                region.kato,
                date=day.isoformat(),
                mode=EntryMode.DAILY if mode == EntryMode.CUMULATIVE else EntryMode.CUMULATIVE,
            ),
        },
        status=status,
    )


def _mark_grid_errors(rows, summary, campaign, day, mode) -> tuple[int, str | None]:
    """Put each failed row's messages on its cells; a conflicted row takes the current version and values."""
    by_line = {outcome.row.line: outcome for outcome in summary.failed}
    status, reason_error = 400, None
    for row in rows:
        outcome = by_line.get(row.get("line"))
        if outcome is None:
            continue
        if outcome.action == "conflict":
            status = 409
            current = outcome.current
            shown = None
            if current is not None:
                shown = (current.online, current.offline)
                if mode == EntryMode.CUMULATIVE:
                    before = _totals_before(campaign, row["district"], day)
                    shown = (before[0] + current.online, before[1] + current.offline)
                # Saving again now overwrites on purpose: the grid carries the version just shown.
                row["version"] = current.version
                row["was_online"], row["was_offline"] = str(shown[0]), str(shown[1])
            row["row_errors"].append(_conflict_message(current, shown=shown, mode=mode))
            continue
        for field, errors in (outcome.errors or {}).items():
            if field in ("online", "offline"):
                row["errors"][field] = errors
            else:
                row["row_errors"].extend(errors)
            if field == "reason":
                reason_error = _("Some changes are corrections of a past day or lower a figure: give a reason.")
    return status, reason_error


# --- Corrections and history, statuses ----------------------------------------------------------------


# Lazy: the labels are read in each request's language, not the one active at import.
FIELD_LABELS = {
    "online": gettext_lazy("Online"),
    "offline": gettext_lazy("Door-to-door"),
    "status": gettext_lazy("Status"),
    "population": gettext_lazy("Population"),
    "ends_on": gettext_lazy("End date"),
    "phase": gettext_lazy("Phase"),
}


def _change_value(field: str, value):
    if value is None:
        return "—"
    if field == "status":
        return DistrictStatus.Status(value).label if value in DistrictStatus.Status.values else value
    if isinstance(value, int) and not isinstance(value, bool):
        return _number(value)
    return value


@staff_page
def history(request, kato: str, *, scope: Scope, campaign: Campaign):
    """Every recorded change of the district: who, when, old → new, why and from where."""
    district = scope.district_or_404(kato)
    entries = scope.by_district(AuditEntry.objects.select_related("user")).filter(district=district).order_by("-at", "-id")
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.change_list = [
            {
                "label": FIELD_LABELS.get(field, field),
                "old": _change_value(field, values[0]),
                "new": _change_value(field, values[1]),
            }
            for field, values in (entry.changes or {}).items()
            if isinstance(values, list | tuple) and len(values) == 2
        ]
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
            except CountRejected as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Status of %(district)s saved.") % {"district": district.name})
                return redirect("entry:status", district.kato)
        status = 400
    else:
        current = _current_statuses(campaign, [district], timezone.localdate()).get(district.pk)
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


# --- Import and export -------------------------------------------------------------------------------------


def _read_upload(raw: bytes, filename: str, scope: Scope):
    return read_counts(
        raw,
        filename=filename,
        scope_districts=scope.districts(District.objects.all()),
        all_districts=District.objects.all(),
    )


def _run_import(request, *, scope, campaign, raw, filename, mode, reason, dry_run):
    read = _read_upload(raw, filename, scope)
    summary = import_counts(
        campaign=campaign,
        rows=read.rows,
        mode=mode,
        user=request.user,
        reason=reason,
        dry_run=dry_run,
        rejected_elsewhere=bool(read.errors),
    )
    return read, summary


def _preview_context(read, summary, **extra) -> dict:
    shown = [o for o in summary.outcomes if o.action in ("created", "changed")]
    return {
        "read": read,
        "summary": summary,
        "errors": outcome_errors(read, summary),
        "shown": shown[:1000],
        "more_shown": max(len(shown) - 1000, 0),
        **extra,
    }


@staff_page
def import_file(request, *, scope: Scope, campaign: Campaign):
    """Upload a spreadsheet: it is read and checked in full, nothing is written, and the preview says what would happen."""
    limits = Limits.from_settings()
    if request.method != "POST":
        return render(request, "census/import.html", {"form": ImportForm(), "limits": limits, "campaign": campaign})
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        data = form.cleaned_data
        try:
            # Refused on its declared size before a byte of it is read into memory.
            check_size(upload.size, limits)
            raw = upload.read()
            read, summary = _run_import(
                request, scope=scope, campaign=campaign, raw=raw, filename=upload.name,
                mode=data["mode"], reason=data["reason"], dry_run=True,
            )  # fmt: skip
        except FileRejected as exc:
            form.add_error("file", exc.message)
        else:
            token = None
            if not summary.failed and not read.errors and (summary.created or summary.changed):
                # Kept for "Apply" in the database (any web process may get the click, Redis may be down);
                # the token is also in this person's session, so only this browser can apply it.
                token = PendingImport.objects.keep(
                    user=request.user, content=raw, filename=upload.name, mode=data["mode"], reason=data["reason"]
                ).token
                request.session[IMPORT_SESSION_KEY] = token
            return render(
                request,
                "census/import_preview.html",
                _preview_context(read, summary, token=token, filename=upload.name, mode=data["mode"], campaign=campaign),
            )
    return render(request, "census/import.html", {"form": form, "limits": limits, "campaign": campaign}, status=400)


def _preview_again(request, *, scope, campaign, token, stored, status):
    """The preview of a kept file, checked afresh, for an apply that wrote nothing and can be pressed again."""
    read, summary = _run_import(
        request, scope=scope, campaign=campaign, raw=bytes(stored.content), filename=stored.filename,
        mode=stored.mode, reason=stored.reason, dry_run=True,
    )  # fmt: skip
    context = _preview_context(read, summary, token=token, filename=stored.filename, mode=stored.mode, campaign=campaign)
    return render(request, "census/import_preview.html", context, status=status)


@require_POST
@staff_page
def import_apply(request, *, scope: Scope, campaign: Campaign):
    """Apply a previewed file: read again and written all or nothing; what changed since the preview is checked again."""
    token = request.POST.get("token", "")
    PendingImport.objects.expired().delete()
    stored = None
    if token and token == request.session.get(IMPORT_SESSION_KEY):
        stored = PendingImport.objects.live().filter(token=token, user=request.user).first()
    if stored is None:
        messages.error(request, _("The uploaded file is no longer kept. Upload it again."))
        return redirect("entry:import")
    try:
        read, summary = _run_import(
            request, scope=scope, campaign=campaign, raw=bytes(stored.content), filename=stored.filename,
            mode=stored.mode, reason=stored.reason, dry_run=False,
        )  # fmt: skip
    except FileRejected as exc:
        messages.error(request, exc.message)
        return redirect("entry:import")
    except WriteContended as exc:
        # Retried already and still losing to other saves of the same districts: the file stays
        # kept under its token, and the preview comes back with "Apply" to press again.
        messages.error(request, exc.message)
        return _preview_again(request, scope=scope, campaign=campaign, token=token, stored=stored, status=503)
    except (OperationalError, InterfaceError):
        # The database went away mid-import (a restart, a cut connection): its one transaction was
        # rolled back. The file is still kept under its token, so the preview is shown again
        # (on a new connection) with "Apply" to press once more; rows already stored are left alone.
        connection.close_if_unusable_or_obsolete()  # a dead connection is replaced by a new one, not reused
        messages.error(
            request,
            _("The connection to the database was lost while importing %(filename)s: nothing was saved. Apply it again.")
            % {"filename": stored.filename},
        )
        return _preview_again(request, scope=scope, campaign=campaign, token=token, stored=stored, status=503)
    if not summary.applied:
        messages.error(request, _("Nothing was written: the file has problems (listed below)."))
        return render(
            request,
            "census/import_preview.html",
            _preview_context(read, summary, token=token, filename=stored.filename, mode=stored.mode, campaign=campaign),
            status=400,
        )
    stored.delete()
    request.session.pop(IMPORT_SESSION_KEY, None)
    messages.success(
        request,
        _("Imported %(filename)s: %(created)s created, %(changed)s changed, %(unchanged)s unchanged.")
        % {
            "filename": stored.filename,
            "created": summary.created,
            "changed": summary.changed,
            "unchanged": summary.unchanged,
        },
    )
    return redirect("entry:import")


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
