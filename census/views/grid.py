"""The region grid: every district of a region for one day, saved all or nothing."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from census.access import Scope
from census.calendar import CampaignCalendar
from census.errors import WriteContended
from census.formatting import format_date, format_number
from census.forms import DayForm, GridForm
from census.models import Campaign, DailyCount
from census.services import LONGEST_FIGURE, CountRow, EntryMode, import_counts
from census.views.base import (
    FORM,
    conflict_message,
    day_and_mode,
    open_channels,
    page_url,
    staff_page,
    totals_before,
)
from regions.models import District


class GridCells:
    """The grid's cells as posted, read into the rows the page is drawn from.

    Each district's cells are named after its KATO code: "<kato>-online" and "<kato>-offline" (the figures typed),
    "<kato>-online-was" and "<kato>-offline-was" (the figures the page showed, to tell a change from an untouched
    cell), "<kato>-version" (the version the page was drawn from, for the conflict check) and "<kato>-confirm"
    (the row's figures confirmed past a plausibility check, a box shown once they were refused). Reading fills the
    rows with what was typed, so that a refused save shows the page as the person left it, and gives the rows to
    save: those changed or newly filled, numbered by their place in the grid.
    """

    FIELDS = ("online", "offline", "online-was", "offline-was", "version", "confirm")

    def __init__(self, data):
        self.data = data

    @staticmethod
    def name(district: District, field: str) -> str:
        return f"{district.kato}-{field}"

    @classmethod
    def name_cells(cls, rows: list[dict]) -> None:
        """Each row's cell names for the template: online_name, offline_name, online_was_name, ..."""
        for row in rows:
            for field in cls.FIELDS:
                row[f"{field.replace('-', '_')}_name"] = cls.name(row["district"], field)

    def _text(self, district: District, field: str) -> str:
        return self.data.get(self.name(district, field), "").strip()

    def read(self, rows: list[dict], day: datetime.date) -> list[CountRow]:
        """Put the posted cells on `rows` and return the changed ones as CountRows (row["line"] marks them)."""
        batch = []
        for line, row in enumerate(rows, start=1):
            district = row["district"]
            for field in ("online", "offline"):
                row[field] = self._text(district, field)
                row[f"was_{field}"] = self._text(district, f"{field}-was")
            try:
                row["version"] = int(self.data.get(self.name(district, "version"), "0"))
            except ValueError:
                row["version"] = 0
            row["confirm"] = bool(self.data.get(self.name(district, "confirm")))
            # A ticked box stays on the page if the save is refused for another row's sake.
            row["needs_confirmation"] = row["confirm"]
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
                    confirm_implausible=row["confirm"],
                )
            )
        return batch


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
                "confirm": False,
                "needs_confirmation": False,
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
    # KATO order, not by name: the rows stay in the same places whichever language staff switch to, in the
    # classifier's order, which the admin's lists use too (NamedArea.Meta.ordering).
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
        batch = GridCells(request.POST).read(rows, day)
        if not batch:
            messages.info(request, _("Nothing to save: no figure was changed."))
            return redirect(page_url("entry:grid", region.kato, date=day.isoformat(), mode=mode))
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
                    # The count of districts sent decides the plural: "1 of 1 district", "2 of 3 districts".
                    ngettext(
                        "Saved %(day)s: %(saved)s of %(sent)s district changed.",
                        "Saved %(day)s: %(saved)s of %(sent)s districts changed.",
                        len(batch),
                    )
                    % {"day": format_date(day), "saved": format_number(saved), "sent": format_number(len(batch))},
                )
                for outcome in summary.warned:
                    for check in outcome.warnings:
                        messages.warning(request, f"{outcome.row.district.name}: {check.message}")
                return redirect(page_url("entry:grid", region.kato, date=day.isoformat(), mode=mode))
            status, reason_error = _mark_grid_errors(rows, summary, campaign, day, mode, viewer=request.user)
            messages.error(
                request,
                ngettext(
                    "Nothing was saved: %(count)s district needs attention. Everything you typed is kept below.",
                    "Nothing was saved: %(count)s districts need attention. Everything you typed is kept below.",
                    len(summary.failed),
                )
                % {"count": len(summary.failed)},
            )
    else:
        day, mode, refused = day_and_mode(request, calendar, region)
        if refused:
            messages.error(request, refused)
            status = 400
        form = GridForm(initial={"date": day, "mode": mode})
        rows = _grid_rows(campaign, districts, day, mode)

    GridCells.name_cells(rows)
    totals = _grid_totals(rows)
    # The page opens ready to type: in the first cell, or where the first thing to fix is (a cell, the missing
    # reason, a row's conflict), which its message describes.
    failed = [(row, field) for row in rows for field in ("online", "offline") if field in row["errors"]]
    if not failed and reason_error:
        described_by = f"{form['reason'].auto_id}_helptext grid-reason-error"
        form.fields["reason"].widget.attrs.update({"autofocus": True, "aria-describedby": described_by})
    else:
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
            "open_channels": open_channels(calendar, day, region),
            "thousands": formats.get_format("THOUSAND_SEPARATOR"),
            "previous_url": page_url("entry:grid", region.kato, date=(day - datetime.timedelta(days=1)).isoformat(), mode=mode),
            "next_url": page_url("entry:grid", region.kato, date=(day + datetime.timedelta(days=1)).isoformat(), mode=mode),
            "other_mode_url": page_url(
                "entry:grid",
                region.kato,
                date=day.isoformat(),
                mode=EntryMode.DAILY if mode == EntryMode.CUMULATIVE else EntryMode.CUMULATIVE,
            ),
        },
        status=status,
    )


def _mark_grid_errors(rows, summary, campaign, day, mode, *, viewer=None) -> tuple[int, str | None]:
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
                    before = totals_before(campaign, row["district"], day)
                    shown = (before[0] + current.online, before[1] + current.offline)
                # Saving again now overwrites on purpose: the grid carries the version just shown.
                row["version"] = current.version
                row["was_online"], row["was_offline"] = str(shown[0]), str(shown[1])
            row["row_errors"].append(conflict_message(current, shown=shown, mode=mode, viewer=viewer))
            continue
        row["needs_confirmation"] = outcome.implausible or row["confirm"]
        for field, errors in (outcome.errors or {}).items():
            if field in ("online", "offline"):
                row["errors"][field] = errors
            else:
                row["row_errors"].extend(errors)
            if field == "reason":
                reason_error = _("Some changes are corrections of a past day or lower a figure: give a reason.")
    return status, reason_error
