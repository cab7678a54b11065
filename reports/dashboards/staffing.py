"""The staffing card of the district and region dashboards: on duty against the plan, the vaccinated share, the flags,
and the staffing-aware forecast (reports.coverage) with the interviewers needed to finish door-to-door on time.

Counts per district and day only, never people. Door-to-door figures come from the coverage snapshots, as
everything else on a dashboard; staffing from its own rows (census.staffing writes them and asks for the
recompute that renders these pages again).
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from census.formatting import format_date, format_number, format_percent
from census.models import DailyStaffing, DistrictStatus, Phase, StaffingPlan, StaffRole
from census.services import CLOSING_STATUSES
from reports import coverage
from reports.models import CoverageSnapshot


def _flag_labels() -> dict[str, str]:
    return {
        coverage.NOT_REPORTED: _("staffing not reported"),
        coverage.UNDERSTAFFED: _("understaffed"),
        coverage.UNVACCINATED: _("unvaccinated personnel on duty"),
    }


def understaffed_share() -> Decimal:
    """The share of the plan below which a role is understaffed (CENSUS_STAFFING_UNDERSTAFFED_PERCENT, 90 by default)."""
    return Decimal(settings.CENSUS_STAFFING_UNDERSTAFFED_PERCENT) / 100


def _on_duty_text(on_duty: int, planned: int | None) -> str:
    if not planned:
        return format_number(on_duty)
    return _("%(on_duty)s of %(planned)s planned (%(share)s)") % {
        "on_duty": format_number(on_duty),
        "planned": format_number(planned),
        "share": format_percent(coverage.percent(on_duty, planned)),
    }


def staffing_card(campaign, calendar, *, area_kato: str, region, districts: list, as_of: datetime.date) -> dict | None:
    """The card's texts for an area (one district, or a region's districts) as of a day; None when nothing is recorded."""
    ids = [district.pk for district in districts]
    week_start = as_of - datetime.timedelta(days=coverage.RATE_WINDOW_DAYS - 1)
    rows = list(DailyStaffing.objects.filter(campaign=campaign, district_id__in=ids, date__gte=week_start, date__lte=as_of))
    plans = list(StaffingPlan.objects.filter(campaign=campaign, district_id__in=ids).in_force(on=as_of))
    if (
        not rows
        and not plans
        and not DailyStaffing.objects.filter(campaign=campaign, district_id__in=ids, date__lte=as_of).exists()
    ):
        return None
    planned_by_district: dict[int, dict[str, int]] = defaultdict(dict)
    for plan in plans:
        planned_by_district[plan.district_id][plan.role] = plan.planned
    today = {row.district_id: row for row in rows if row.date == as_of}
    door_to_door = next((phase for phase in calendar.phases if phase.kind == Phase.Kind.DOOR_TO_DOOR), None)
    due = door_to_door is not None and door_to_door.starts_on <= as_of <= door_to_door.effective_end(region, as_of)
    # A district closed by a decision (completed, completed early) has no door-to-door work left: no report is due.
    closed = set(
        DistrictStatus.objects.filter(campaign=campaign, district_id__in=ids, status__in=CLOSING_STATUSES)
        .in_force(on=as_of)
        .values_list("district_id", flat=True)
    )

    # Flags per district, then the districts under each flag (a district page shows its own).
    share = understaffed_share()
    flagged: dict[str, list] = defaultdict(list)
    for district in districts:
        row = today.get(district.pk)
        on_duty = {StaffRole.INTERVIEWER: row.interviewers, StaffRole.INSTRUCTOR: row.instructors} if row else None
        for flag in coverage.staffing_flags(
            due=due and district.pk not in closed,
            on_duty=on_duty,
            planned=planned_by_district.get(district.pk, {}),
            vaccinated=row.vaccinated if row else None,
            volunteers=row.volunteers if row else 0,
            share=share,
        ):
            flagged[flag].append(district)
    labels = _flag_labels()
    flags = [
        {"code": flag, "label": labels[flag], "districts": flagged[flag]}
        for flag in coverage.STAFFING_FLAG_ORDER
        if flagged[flag]
    ]

    interviewers = sum(row.interviewers for row in today.values())
    instructors = sum(row.instructors for row in today.values())
    volunteers = sum(row.volunteers for row in today.values())
    vaccinated = sum(row.vaccinated for row in today.values())
    everyone = interviewers + instructors + volunteers
    planned = defaultdict(int)
    for by_role in planned_by_district.values():
        for role, value in by_role.items():
            planned[role] += value

    card = {
        "reported": len(today),
        "districts": len(districts),
        "interviewers_text": _on_duty_text(interviewers, planned.get(StaffRole.INTERVIEWER)),
        "instructors_text": _on_duty_text(instructors, planned.get(StaffRole.INSTRUCTOR)),
        "volunteers_text": format_number(volunteers),
        "vaccinated_text": format_percent(coverage.percent(vaccinated, everyone)) if everyone else "—",
        "flags": flags,
        "forecast": _forecast(
            campaign,
            calendar,
            area_kato=area_kato,
            region=region,
            ids=ids,
            rows=rows,
            as_of=as_of,
            door_to_door=door_to_door,
            interviewers=interviewers,
            reported=bool(today),
        ),  # fmt: skip
    }
    return card


def _forecast(campaign, calendar, *, area_kato, region, ids, rows, as_of, door_to_door, interviewers, reported) -> dict | None:
    """The staffing-aware forecast's texts, or None without a door-to-door phase, a snapshot or a report on the day."""
    if door_to_door is None or not reported:
        return None
    snapshot = CoverageSnapshot.objects.filter(campaign=campaign, kato=area_kato, date=as_of).first()
    if snapshot is None or snapshot.baseline <= 0:
        return None
    # Productivity is measured on the districts that reported staffing that day, door-to-door figures and interviewers alike:
    # a region's door-to-door total over only some districts' interviewers would overstate it.
    staffed = defaultdict(dict)
    for row in rows:
        staffed[row.date][row.district_id] = row.interviewers
    added = defaultdict(int)
    for date, district_id, offline_day in CoverageSnapshot.objects.filter(
        campaign=campaign, level=CoverageSnapshot.Level.DISTRICT, district_id__in=ids, date__gte=min(staffed), date__lte=as_of
    ).values_list("date", "district_id", "offline_day"):
        if district_id in staffed[date]:
            added[date] += offline_day
    history = [(added[date], sum(staffed[date].values())) for date in sorted(staffed)]
    online_history = list(
        CoverageSnapshot.objects.filter(
            campaign=campaign,
            kato=area_kato,
            date__gt=as_of - datetime.timedelta(days=coverage.RATE_WINDOW_DAYS),
            date__lte=as_of,
        )
        .order_by("date")
        .values_list("online_day", flat=True)
    )
    deadline = calendar.deadline(region, known_on=as_of)
    online = next((phase for phase in calendar.phases if phase.kind == Phase.Kind.ONLINE), None)
    online_end = online.effective_end(region, as_of) if online else as_of
    phase_days = (door_to_door.ends_on - door_to_door.starts_on).days + 1
    result = coverage.staffing_forecast(
        baseline=snapshot.baseline,
        counted=snapshot.total,
        interviewers_on_duty=interviewers,
        history=history,
        online_history=online_history,
        days_left=max(0, (deadline - as_of).days) if deadline else 0,
        online_days_left=max(0, (online_end - as_of).days),
        norm=coverage.norm_productivity(
            persons_per_interviewer=settings.CENSUS_STAFFING_NORM_PERSONS_PER_INTERVIEWER, phase_days=phase_days
        ),
    )
    if result.gap is None:
        gap_text = "—"
    elif result.gap > 0:
        gap_text = _("%(count)s more than on duty") % {"count": format_number(result.gap)}
    else:
        gap_text = _("enough on duty (%(count)s to spare)") % {"count": format_number(-result.gap)}
    if result.from_norm:
        basis = _("the plan's norm of %(norm)s persons per interviewer over the whole door-to-door phase") % {
            "norm": format_number(settings.CENSUS_STAFFING_NORM_PERSONS_PER_INTERVIEWER)
        }
    else:
        basis = _("the median of the last 7 days")
    return {
        "productivity_text": format_number(result.productivity_shown),
        "basis": basis,
        "remaining_text": format_number(result.remaining),
        "expected_online_text": format_number(result.expected_online),
        "days_needed_text": format_number(result.days_needed) if result.days_needed is not None else "—",
        "needed_text": format_number(result.interviewers_needed) if result.interviewers_needed is not None else "—",
        "gap_text": gap_text,
        "short": result.gap is not None and result.gap > 0,
        "deadline_text": format_date(deadline) if deadline else "—",
    }
