"""The one write path for self-service points: the registry of places where residents take part online with
help, and how many were helped at each point on each day.

A point is added or changed here, validated with messages in the reader's
language, audited and, once committed, the pages that list it (the public page,
the dashboards) are rendered again by the coverage work it asks for, as every
other write does. A point is never deleted: it closes on a day (`active_to`).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from census.contention import retry_on_contention
from census.errors import CountConflict, Rejected
from census.formatting import format_date, format_number
from census.models import AuditEntry, Campaign, DailyCount, ServicePoint, ServicePointUse
from census.services import lock_districts, record_audit
from census.staffing import check_day, check_reason, clean_people, save_district_day
from regions.models import District, validate_area_name
from reports.outbox import request_recompute

# What a point's record holds besides campaign and district, in the order forms and the API list them.
POINT_FIELDS = (
    "kind", "name_kk", "name_ru", "name_en", "address", "latitude", "longitude", "opening_hours", "active_from",
    "active_to", "public",
)  # fmt: skip
NAMES = ("name_kk", "name_ru", "name_en")
TEXTS = (*NAMES, "address", "opening_hours")


def _text(errors: dict, field: str, value, *, required: bool) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        errors[field] = [_("Enter text.")]
        return ""
    if required and not text:
        errors[field] = [_("This field is required.")]
    elif len(text) > ServicePoint._meta.get_field(field).max_length:
        errors[field] = [_("The text is too long; shorten it.")]
    else:
        # The rule of every name and line of text shown to the public: one line, no direction controls.
        try:
            validate_area_name(text)
        except ValidationError as exc:
            errors[field] = exc.messages
    return text


def _coordinate(errors: dict, field: str, value, limit: int) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or abs(number) > limit:
        errors[field] = [_("Enter degrees between −%(limit)s and %(limit)s.") % {"limit": limit}]
        return None
    return number.quantize(Decimal("0.00001"))


def _day(errors: dict, field: str, value, *, required: bool) -> datetime.date | None:
    if value is None or value == "":
        if required:
            errors[field] = [_("This field is required.")]
        return None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        errors[field] = [_("Enter a valid date.")]
        return None
    return value


def clean_point(values: dict) -> dict:
    """The point's fields as they will be stored, or Rejected naming every field that is wrong and why."""
    errors: dict[str, list[str]] = {}
    kind = values.get("kind")
    if kind not in ServicePoint.Kind.values:
        errors["kind"] = [_("Choose a kind from the list.")]
    cleaned = {"kind": kind}
    for field in TEXTS:
        cleaned[field] = _text(errors, field, values.get(field), required=field in NAMES)
    cleaned["latitude"] = _coordinate(errors, "latitude", values.get("latitude"), 90)
    cleaned["longitude"] = _coordinate(errors, "longitude", values.get("longitude"), 180)
    if "latitude" not in errors and "longitude" not in errors and (cleaned["latitude"] is None) != (cleaned["longitude"] is None):
        errors["longitude" if cleaned["longitude"] is None else "latitude"] = [_("Give both coordinates, or neither.")]
    cleaned["active_from"] = _day(errors, "active_from", values.get("active_from"), required=True)
    cleaned["active_to"] = _day(errors, "active_to", values.get("active_to"), required=False)
    if cleaned["active_from"] and cleaned["active_to"] and cleaned["active_to"] < cleaned["active_from"]:
        errors["active_to"] = [_("A point cannot close before it opens.")]
    public = values.get("public", True)
    if not isinstance(public, bool):
        errors["public"] = [_("Say yes or no.")]
    cleaned["public"] = public
    if errors:
        raise Rejected(errors)
    return cleaned


def _audit_value(value):
    return value if value is None or isinstance(value, bool | int | str) else str(value)


def save_service_point(
    *,
    campaign: Campaign,
    district: District,
    values: dict,
    point: ServicePoint | None = None,
    expected_version: int | None = None,
    user=None,
    source: str,
) -> ServicePoint:
    """Add a self-service point (`point` None) or change one; returns it as stored.

    `values` holds POINT_FIELDS. A change made against an older `expected_version` than the stored one
    raises CountConflict, as for counts: someone else changed the point meanwhile. A change that changes
    nothing writes nothing.
    """
    cleaned = clean_point(values)
    if point is not None and (point.campaign_id != campaign.pk or point.district_id != district.pk):
        raise Rejected({"district": [_("A point stays in its district; close it and add one in the other district.")]})
    with transaction.atomic():
        # The district's lock, as every write of its records takes: one writer of its pages' inputs at a time.
        lock_districts([district.pk])
        if point is None:
            before = dict.fromkeys(POINT_FIELDS)
            point = ServicePoint(campaign=campaign, district=district)
        else:
            point = ServicePoint.objects.select_for_update(of=("self",)).get(pk=point.pk)
            if expected_version is not None and expected_version != point.version:
                raise CountConflict(point)
            before = {field: getattr(point, field) for field in POINT_FIELDS}
        changes = {
            field: [_audit_value(before[field]), _audit_value(cleaned[field])]
            for field in POINT_FIELDS
            if before[field] != cleaned[field]
        }
        if not changes:
            return point
        for field, value in cleaned.items():
            setattr(point, field, value)
        if point.pk is not None:
            point.version += 1
        point.updated_by = user
        point.save()
        record_audit(
            subject=AuditEntry.Subject.SERVICE_POINT,
            record=point,
            campaign=campaign,
            district=district,
            date=point.active_from,
            user=user,
            source=source,
            changes=changes,
            reason="",
        )
        # The public page and the dashboards list the points active on their day: they are rendered again from
        # the earliest day the change touches.
        first_day = min(day for day in (before["active_from"], point.active_from) if day is not None)
        request_recompute(campaign=campaign, district=district, from_date=max(first_day, campaign.starts_on))
    return point


# More than any one point helps in a day (a busy public service centre sees hundreds): above it, a typo.
MAX_ASSISTED = 20_000


@dataclass(frozen=True)
class UseResult:
    """What record_point_use() did: the row as it now stands, whether it was created or changed, and warnings."""

    use: ServicePointUse
    created: bool
    changed: bool
    warnings: list[str]


def _too_many_helped(shown: str) -> str:
    return _("%(value)s is more people than a point helps in a day; check the figure.") % {"value": shown}


def district_use_warnings(*, campaign: Campaign, district, date: datetime.date) -> list[str]:
    """A district's points helped more people on a day than the online answers the district recorded that day:
    one of the two figures is wrong (people helped at a point answer online, so they are part of those answers)."""
    helped = (
        ServicePointUse.objects.filter(campaign=campaign, district=district, date=date).aggregate(total=Sum("assisted"))["total"]
        or 0
    )
    online = DailyCount.objects.filter(campaign=campaign, district=district, date=date).values_list("online", flat=True).first()
    if helped <= (online or 0):
        return []
    return [
        _(
            "The points of %(district)s helped %(helped)s people on %(day)s, more than the %(online)s online answers "
            "recorded for the district that day: check both figures."
        )
        % {
            "district": district.name,
            "helped": format_number(helped),
            "day": format_date(date),
            "online": format_number(online or 0),
        }
    ]


@retry_on_contention
def record_point_use(
    *,
    campaign: Campaign,
    point: ServicePoint,
    date: datetime.date,
    assisted,
    reason: str = "",
    user=None,
    source: str,
    expected_version: int | None = None,
) -> UseResult:
    """Record how many people a self-service point helped to take part online on a day.

    Raises Rejected (messages by field) for bad input or a day the point is not open, and CountConflict when
    `expected_version` no longer matches (0: "I saw no row"). Changing a past day, or lowering a figure, is a
    correction and needs a reason, as for counts. The answer warns when the district's points helped more people
    that day than the district's online answers: saved all the same (either figure may be the late one).
    """
    reason = (reason or "").strip()
    check_reason(reason)
    assisted = clean_people(
        "assisted", assisted, limit=MAX_ASSISTED, empty=_("Enter a number (0 if nobody was helped)."), too_many=_too_many_helped
    )
    district = point.district
    check_day(campaign=campaign, district=district, date=date)
    if point.campaign_id != campaign.pk or not ServicePoint.objects.filter(pk=point.pk).active(on=date).exists():
        raise Rejected({"date": [_("%(point)s is not open on %(date)s.") % {"point": point.name, "date": format_date(date)}]})
    row, created, changed = save_district_day(
        ServicePointUse, AuditEntry.Subject.SERVICE_POINT_USE, campaign=campaign, district=district, date=date,
        entered={"assisted": assisted}, key={"point": point}, reason=reason, user=user, source=source,
        expected_version=expected_version,
    )  # fmt: skip
    warnings = district_use_warnings(campaign=campaign, district=district, date=date) if changed else []
    return UseResult(use=row, created=created, changed=changed, warnings=warnings)
