"""The one write path for door-to-door visits and non-response: each district's day in households, never people.

Validated with messages in the reader's language (the visits' outcomes add up to the visits made), written like
every district-day record (census.staffing.save_district_day: the lock, versions, reasons for corrections, the
audit entry and the pages' render after commit). The rates derived from it are pure arithmetic in
reports/coverage.py; they are shown beside coverage, never mixed into it.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _

from census.contention import retry_on_contention
from census.errors import Rejected
from census.formatting import format_number
from census.models import AuditEntry, Campaign, DailyNonResponse
from census.staffing import check_day, check_reason, clean_people, save_district_day
from regions.models import District

# What a visit can end in: one outcome each, so they add up to the visits made.
OUTCOMES = ("interviewed", "notice_shown", "not_at_home", "door_closed", "refused", "no_notice", "vacant")
# Every figure of the day, in the order forms, files and the API list them.
NON_RESPONSE_FIELDS = ("assigned", "visits", *OUTCOMES, "revisits_scheduled", "revisits_made", "outstanding")
# More households than any district has (the largest city has some hundreds of thousands): above it, a typo.
MAX_HOUSEHOLDS = 1_000_000


@dataclass(frozen=True)
class NonResponseResult:
    """What record_non_response() did: the row as it now stands, and whether it was created or changed."""

    row: DailyNonResponse
    created: bool
    changed: bool


def _too_many(shown: str) -> str:
    return _("%(value)s is more households than any district has; check the figure.") % {"value": shown}


def clean_figures(figures: dict) -> dict:
    """The day's figures as whole numbers that hold together, or Rejected naming each field that is wrong and why."""
    entered, errors = {}, {}
    for field in NON_RESPONSE_FIELDS:
        try:
            entered[field] = clean_people(
                field, figures.get(field), limit=MAX_HOUSEHOLDS, empty=_("Enter a number (0 if none)."), too_many=_too_many
            )
        except Rejected as exc:
            errors.update(exc.message_dict)
    if errors:
        raise Rejected(errors)
    outcomes = sum(entered[field] for field in OUTCOMES)
    if outcomes != entered["visits"]:
        errors["visits"] = [
            _("The visits' outcomes add up to %(outcomes)s, not to the %(visits)s visits made: each visit ends in one outcome.")
            % {"outcomes": format_number(outcomes), "visits": format_number(entered["visits"])}
        ]
    if entered["revisits_made"] > entered["visits"]:
        errors["revisits_made"] = [
            _("%(revisits)s revisits are more than the %(visits)s visits made.")
            % {"revisits": format_number(entered["revisits_made"]), "visits": format_number(entered["visits"])}
        ]
    if entered["outstanding"] > entered["assigned"]:
        errors["outstanding"] = [
            _("%(outstanding)s households outstanding are more than the %(assigned)s assigned.")
            % {"outstanding": format_number(entered["outstanding"]), "assigned": format_number(entered["assigned"])}
        ]
    if errors:
        raise Rejected(errors)
    return entered


@retry_on_contention
def record_non_response(
    *,
    campaign: Campaign,
    district: District,
    date: datetime.date,
    figures: dict,
    reason: str = "",
    user=None,
    source: str,
    expected_version: int | None = None,
) -> NonResponseResult:
    """Record how a district's door-to-door visits went on a day (NON_RESPONSE_FIELDS in `figures`).

    Raises Rejected (messages by field) for bad input or figures that do not hold together, and CountConflict
    when `expected_version` no longer matches. Changing a past day, or lowering a figure, needs a reason.
    """
    reason = (reason or "").strip()
    check_reason(reason)
    entered = clean_figures(figures)
    check_day(campaign=campaign, district=district, date=date)
    row, created, changed = save_district_day(
        DailyNonResponse, AuditEntry.Subject.NON_RESPONSE, campaign=campaign, district=district, date=date,
        entered=entered, reason=reason, user=user, source=source, expected_version=expected_version,
    )  # fmt: skip
    return NonResponseResult(row=row, created=created, changed=changed)


def totals(rows) -> dict[str, int] | None:
    """The figures of several district-days (a region's districts on a day) summed field by field; None for none."""
    summed = rows.aggregate(**{field: Sum(field) for field in NON_RESPONSE_FIELDS})
    return None if summed["visits"] is None else summed
