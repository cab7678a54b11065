"""The one write path for field staffing: staffing plans and each day's staffing of a district.

Aggregates only (how many on duty, how many of them vaccinated), never people: personal data is confidential
and vaccination status is health data. Each function validates, writes the record and its audit entry in one
transaction and asks for coverage work after commit, as census.services does for counts: the dashboards that
show staffing are rendered again by that work.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from census.contention import retry_on_contention
from census.errors import CountConflict, Rejected
from census.formatting import format_date, format_number
from census.models import REASON_MAX_LENGTH, AuditEntry, Campaign, DailyStaffing, StaffingPlan, StaffRole
from census.services import lock_districts, record_audit
from regions.models import District
from reports.outbox import request_recompute

# The roles of a day's staffing, in the order forms, files and the API list them.
ON_DUTY_FIELDS = ("interviewers", "instructors", "volunteers")
STAFFING_FIELDS = (*ON_DUTY_FIELDS, "vaccinated")
# No district has this many census personnel on duty (the whole country had some tens of thousands in 2021):
# anything above is a typo (an extra digit, a pasted total), not a figure.
MAX_STAFF = 100_000
LONGEST_FIGURE = 12


@dataclass(frozen=True)
class StaffingResult:
    """What record_staffing() did: the row as it now stands, and whether it was created or changed."""

    staffing: DailyStaffing
    created: bool
    changed: bool


@dataclass(frozen=True)
class PlanResult:
    """What set_staffing_plan() did: the version for that date, and whether it was added now."""

    plan: StaffingPlan
    created: bool


def clean_people(field: str, value, *, limit: int = MAX_STAFF, empty: str = "", too_many=None) -> int:
    """An entered number of people as a whole number from 0 to `limit`, or Rejected saying what is wrong.

    Staffing's wording unless told: `empty` is the message for no figure, `too_many(shown)` the one above the limit
    (the use of a self-service point counts other people than those on duty).
    """
    too_many = too_many or _too_many
    if value is None or value == "":
        raise Rejected({field: [empty or _("Enter a number (0 if nobody was on duty).")]})
    if isinstance(value, bool):
        raise Rejected({field: [_("Enter a whole number.")]})
    if isinstance(value, str):
        text = value.strip().replace("\xa0", "").replace(" ", "")
        # Only ASCII digits: int() would also accept other scripts' digits.
        if not (text.isascii() and text.removeprefix("-").isdigit()):
            raise Rejected({field: [_("Enter a whole number.")]})
        if text.startswith("-"):
            raise Rejected({field: [_("A number of people cannot be negative.")]})
        if len(text.lstrip("0")) > LONGEST_FIGURE:
            raise Rejected({field: [too_many(f"{format_number(int(text.lstrip('0')[:LONGEST_FIGURE]))}…")]})
        value = int(text)
    if isinstance(value, float):
        if not value.is_integer():
            raise Rejected({field: [_("Enter a whole number.")]})
        value = int(value)
    if not isinstance(value, int):
        raise Rejected({field: [_("Enter a whole number.")]})
    if value < 0:
        raise Rejected({field: [_("A number of people cannot be negative.")]})
    if value > limit:
        raise Rejected({field: [too_many(format_number(value))]})
    return value


def _too_many(shown: str) -> str:
    return _("%(value)s is more people than any district has on duty; check the figure.") % {"value": shown}


def check_reason(reason: str) -> None:
    if len(reason) > REASON_MAX_LENGTH:
        raise Rejected(
            {
                "reason": [
                    _("The reason has %(length)s characters; at most %(limit)s are kept. Shorten it.")
                    % {"length": format_number(len(reason)), "limit": format_number(REASON_MAX_LENGTH)}
                ]
            }
        )


def check_day(*, campaign: Campaign, district: District, date) -> None:
    """A day of field work (staffing, a point's use) is a real date, not in the future, and inside one of the campaign's phases in the district's region."""
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        raise Rejected({"date": [_("Enter a valid date.")]})
    if date > timezone.localdate():
        raise Rejected({"date": [_("%(date)s is in the future.") % {"date": format_date(date)}]})
    phases = campaign.phases.prefetch_related("extensions")
    if not any(phase.covers(date, district.region) for phase in phases):
        raise Rejected(
            {
                "date": [
                    _("%(date)s is outside every phase of %(campaign)s.") % {"date": format_date(date), "campaign": campaign.name}
                ]
            }
        )


def set_staffing_plan(
    *,
    campaign: Campaign,
    district: District,
    role: str,
    planned,
    valid_from: datetime.date,
    note: str = "",
    user=None,
    source: str,
) -> PlanResult:
    """Add a version of a district's staffing plan for one role; returns it, or the version already recorded for that date.

    Old versions stay, as for baselines: flags shown earlier ("understaffed") must remain explainable.
    A plan may be set ahead of its date; the one in force on a day is the latest valid on or before it.
    """
    if role not in StaffRole.values:
        raise Rejected({"role": [_("Choose a role from the list.")]})
    if not isinstance(valid_from, datetime.date) or isinstance(valid_from, datetime.datetime):
        raise Rejected({"valid_from": [_("Enter a valid date.")]})
    planned = clean_people("planned", planned)
    note = (note or "").strip()
    if len(note) > StaffingPlan._meta.get_field("note").max_length:
        raise Rejected({"note": [_("The note is too long; shorten it.")]})
    with transaction.atomic():
        current = StaffingPlan.objects.latest_for(campaign=campaign, district=district, role=role)
        same_date = (
            StaffingPlan.objects.filter(campaign=campaign, district=district, role=role, valid_from=valid_from)
            .order_by("-id")
            .first()
        )
        if same_date and same_date.planned == planned:
            # Already the plan for that date: saying it again (a re-sent form or request) adds no version.
            return PlanResult(plan=same_date, created=False)
        plan = StaffingPlan.objects.create(
            campaign=campaign, district=district, role=role, planned=planned, valid_from=valid_from, note=note, created_by=user
        )
        record_audit(
            subject=AuditEntry.Subject.STAFFING_PLAN,
            record=plan,
            campaign=campaign,
            district=district,
            date=valid_from,
            user=user,
            source=source,
            changes={"role": [None, role], "planned": [current.planned if current else None, planned]},
            reason=note,
        )
        # The plan is in the flags of every day from its date on: those days' pages are drawn again.
        request_recompute(campaign=campaign, district=district, from_date=max(valid_from, campaign.starts_on))
    return PlanResult(plan=plan, created=True)


@retry_on_contention
def record_staffing(
    *,
    campaign: Campaign,
    district: District,
    date: datetime.date,
    interviewers,
    instructors,
    volunteers,
    vaccinated,
    reason: str = "",
    user=None,
    source: str,
    expected_version: int | None = None,
) -> StaffingResult:
    """Record how many were on duty in a district on a day, by role, and how many of them are vaccinated.

    Raises Rejected (messages by field, in the active language) for bad input and CountConflict when
    `expected_version` no longer matches the stored row (0: "I saw no row"). Changing a past day, or
    lowering a figure, is a correction and needs a reason, as for counts.
    """
    reason = (reason or "").strip()
    check_reason(reason)
    entered, errors = {}, {}
    for field, value in zip(STAFFING_FIELDS, (interviewers, instructors, volunteers, vaccinated), strict=True):
        try:
            entered[field] = clean_people(field, value)
        except Rejected as exc:
            errors.update(exc.message_dict)
    if errors:
        raise Rejected(errors)
    on_duty = sum(entered[field] for field in ON_DUTY_FIELDS)
    if entered["vaccinated"] > on_duty:
        raise Rejected(
            {
                "vaccinated": [
                    _(
                        "%(vaccinated)s vaccinated is more than the %(on_duty)s on duty (interviewers, instructor-controllers and volunteers)."
                    )
                    % {"vaccinated": format_number(entered["vaccinated"]), "on_duty": format_number(on_duty)}
                ]
            }
        )
    check_day(campaign=campaign, district=district, date=date)

    row, created, changed = save_district_day(
        DailyStaffing, AuditEntry.Subject.STAFFING, campaign=campaign, district=district, date=date, entered=entered,
        reason=reason, user=user, source=source, expected_version=expected_version,
    )  # fmt: skip
    return StaffingResult(staffing=row, created=created, changed=changed)


def save_district_day(
    model, subject, *, campaign, district, date, entered: dict, reason: str, user, source: str, expected_version, key=None
) -> tuple:
    """Write one record of figures for a district's day (staffing, visits and non-response; with `key` naming it
    further, a self-service point's day) as counts are written; returns (row, created, changed).

    Under the district's lock; CountConflict when `expected_version` no longer matches (0: "I saw no row"); a
    lowered figure or a change to a past day needs a reason; audited with the figures before and after, and the
    pages that show it owe a render (a recompute from that day). The same figures again write nothing.
    """
    with transaction.atomic():
        # The same lock as counts: one writer of a district at a time, so two first saves of a day cannot race.
        lock_districts([district.pk])
        key = key or {}
        row = model.objects.select_for_update(of=("self",)).filter(campaign=campaign, district=district, date=date, **key).first()
        if expected_version is not None and (row.version if row else 0) != expected_version:
            raise CountConflict(current=row)
        if row is None:
            row = model(campaign=campaign, district=district, date=date, updated_by=user, **key, **entered)
            row.save()
            changes = {field: [None, value] for field, value in entered.items()}
            created = True
        else:
            changes = {f: [getattr(row, f), v] for f, v in entered.items() if getattr(row, f) != v}
            if not changes:
                return row, False, False
            if not reason:
                lowered = [field for field, (old, new) in changes.items() if new < old]
                if lowered:
                    raise Rejected(
                        {field: [_("Lowering a recorded figure is a correction: give a reason.")] for field in lowered}
                    )
                if date < timezone.localdate():
                    raise Rejected({"reason": [_("Changing a past day's figures is a correction: give a reason.")]})
            for field, value in entered.items():
                setattr(row, field, value)
            row.version += 1
            row.updated_by = user
            row.save()
            created = False
        record_audit(
            subject=subject, record=row, campaign=campaign, district=district, date=date, user=user, source=source,
            changes=changes, reason=reason,
        )  # fmt: skip
        request_recompute(campaign=campaign, district=district, from_date=date)
    return row, created, True
