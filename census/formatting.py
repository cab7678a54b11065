"""Numbers and dates written the way the reader's language writes them (dashboards, entry pages, messages)."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, timezone
from django.utils.translation import get_language

# Russian and Kazakh put a (non-breaking) space before the percent sign: "72,4 %"; English does not: "72.4%".
SPACE_BEFORE_PERCENT = {"ru", "kk"}


def format_number(value) -> str:
    if value is None:
        return "—"
    return formats.number_format(value, force_grouping=True)


def format_percent(value, decimals: int = 1) -> str:
    """72.4 -> "72,4 %" (ru, kk) or "72.4%" (en); None -> a dash (no baseline). One decimal unless told."""
    if value is None:
        return "—"
    text = formats.number_format(Decimal(value), decimal_pos=decimals, force_grouping=True)
    return f"{text}\xa0%" if (get_language() or "")[:2] in SPACE_BEFORE_PERCENT else f"{text}%"


def format_whole_percent(value) -> str:
    """An axis tick or a legend bound: a whole percentage ("100 %" / "100%")."""
    text = formats.number_format(int(value), force_grouping=True)
    return f"{text}\xa0%" if (get_language() or "")[:2] in SPACE_BEFORE_PERCENT else f"{text}%"


def format_rate(value) -> str:
    """People a day, as a whole number (the stored rate has one decimal)."""
    if value is None:
        return "—"
    return format_number(int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def format_date(value, style: str = "SHORT_DATE_FORMAT") -> str:
    if not value:
        return "—"
    text = formats.date_format(value, style)
    # Inside a date Kazakh writes the month in lower case ("27 қазан 2021 ж."). locale/django-kk gives Django's
    # "alt. month" names so, for the admin too; this keeps it so should Django's own capitalised ones be read.
    return text.lower() if style == "DATE_FORMAT" and (get_language() or "")[:2] == "kk" else text


def format_datetime(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else "—"


def day_label(value: datetime.date) -> str:
    """A short day label for chart axes: the short date without the year ("27.10", "27 Oct")."""
    pattern = formats.get_format("SHORT_DATE_FORMAT")
    for year in ("/Y", ".Y", "-Y", " Y", "Y/", "Y.", "Y-", "Y"):
        pattern = pattern.replace(year, "")
    return formats.date_format(value, pattern)
