"""Whether an entered district-day is believable, judged against the district's baseline and its own recent days.

Two levels. An *implausible* entry (the district's total would pass 110% of its
baseline, or one day's figure passes 50% of it) is refused unless the person
confirms it with a reason: it is almost always a typo or a pasted total. An
*unusual* entry (a day above 5% of the baseline, a day above 4× the previous
week's average once a channel's first week is over, figures added to a closed
district) is saved and shown with a warning: a district's first report after
days of silence is often large, and that is worth a look, not a refusal.

Pure: census/services.py gathers the figures (from its ledger, the same for one
entry and for a whole import) and calls `checks()`; nothing here reads the
database. The thresholds are settings (CENSUS_PLAUSIBILITY_*).
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from census.formatting import format_date, format_number, format_percent, format_whole_percent

# The field an implausible district-level check is reported on (forms, the grid's row, the API's body).
CONFIRM_FIELD = "confirm_implausible"


@dataclass(frozen=True)
class Thresholds:
    """The limits the checks use; from settings, or given by a test."""

    implausible_total_percent: float
    implausible_day_percent: float
    unusual_day_percent: float
    unusual_jump_factor: float
    first_week_days: int

    @classmethod
    def from_settings(cls) -> "Thresholds":
        return cls(
            implausible_total_percent=settings.CENSUS_PLAUSIBILITY_TOTAL_PERCENT,
            implausible_day_percent=settings.CENSUS_PLAUSIBILITY_DAY_PERCENT,
            unusual_day_percent=settings.CENSUS_PLAUSIBILITY_UNUSUAL_DAY_PERCENT,
            unusual_jump_factor=settings.CENSUS_PLAUSIBILITY_JUMP_FACTOR,
            first_week_days=settings.CENSUS_PLAUSIBILITY_FIRST_WEEK_DAYS,
        )


@dataclass(frozen=True)
class Check:
    """One check an entry failed: which (`code`), on which field, how serious, the message and the figures behind it."""

    code: str
    field: str
    implausible: bool
    message: str
    figures: dict

    def as_json(self) -> dict:
        return {
            "check": self.code,
            "field": self.field,
            "implausible": self.implausible,
            "message": self.message,
            "figures": self.figures,
        }


@dataclass(frozen=True)
class EnteredDay:
    """What the checks look at: one district-day as an entry would leave it.

    `day` holds the day's figures after the entry, `raised` the channels the entry
    increases; `week` each channel's figures on the seven days before (oldest
    first); `channel_starts` when each channel's phase began; `closed` the closing
    decision in force that day (its label and date), if any.
    """

    district_name: str
    date: datetime.date
    baseline: int | None
    total_after: int
    total_raised: bool
    day: dict[str, int]
    raised: dict[str, bool]
    week: dict[str, list[int]]
    channel_starts: dict[str, datetime.date | None]
    closed: tuple[str, datetime.date] | None


def _percent(value: int, baseline: int) -> Decimal:
    return (Decimal(value) * 100 / Decimal(baseline)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _percent_over(value: int, baseline: int, limit: float) -> str:
    """value / baseline as a percentage that reads as over `limit`, as it is: "50.01%", never "50.0% (more than 50%)".

    One decimal, as everywhere, unless that lands on the limit; then as many decimals as show the excess, cut
    rather than rounded, so that the figure never reads as more than it is.
    """
    exact = Decimal(value) * 100 / Decimal(baseline)
    limit_exact = Decimal(str(limit))
    decimals, shown = 1, exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    # Between whole counts the excess is at least 100 / baseline percent: six decimals show it for any real district.
    while shown <= limit_exact and decimals < 6:
        decimals += 1
        shown = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN)
    return format_percent(shown, decimals=decimals)


def _limit(percent: float) -> str:
    return format_whole_percent(percent) if float(percent).is_integer() else format_percent(percent)


def _over(value: int, baseline: int, percent: float) -> bool:
    """value > percent% of baseline, exactly (at the limit is not over)."""
    return value * 100 > baseline * percent


def _whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _channel_label(channel: str) -> str:
    return _("Online") if channel == "online" else _("Door-to-door")


def checks(entry: EnteredDay, limits: Thresholds) -> list[Check]:
    """Every check the entry fails, implausible ones first; nothing when the entry raises no figure."""
    if not entry.total_raised and not any(entry.raised.values()):
        return []
    found: list[Check] = []
    baseline = entry.baseline if entry.baseline and entry.baseline > 0 else None
    if baseline and entry.total_raised and _over(entry.total_after, baseline, limits.implausible_total_percent):
        found.append(
            Check(
                code="total_over_baseline",
                field=CONFIRM_FIELD,
                implausible=True,
                message=_(
                    "The district's total would reach %(total)s, %(percent)s of its baseline of %(baseline)s "
                    "(more than %(limit)s)."
                )
                % {
                    "total": format_number(entry.total_after),
                    "percent": _percent_over(entry.total_after, baseline, limits.implausible_total_percent),
                    "baseline": format_number(baseline),
                    "limit": _limit(limits.implausible_total_percent),
                },
                figures={
                    "total": entry.total_after,
                    "baseline": baseline,
                    "percent": float(_percent(entry.total_after, baseline)),
                    "limit_percent": limits.implausible_total_percent,
                },
            )
        )
    unusual: list[Check] = []
    for channel, value in entry.day.items():
        if not entry.raised.get(channel):
            continue
        label = _channel_label(channel)
        if baseline and _over(value, baseline, limits.implausible_day_percent):
            found.append(_day_check("day_over_baseline", True, channel, label, value, baseline, limits.implausible_day_percent))
        elif baseline and _over(value, baseline, limits.unusual_day_percent):
            unusual.append(_day_check("day_large", False, channel, label, value, baseline, limits.unusual_day_percent))
        started = entry.channel_starts.get(channel)
        week = entry.week.get(channel, [])
        after_first_week = started is not None and entry.date >= started + datetime.timedelta(days=limits.first_week_days)
        # A week without a single count has no average to compare with (that silence is flagged elsewhere);
        # a large first report after it is caught by the size rule above.
        if after_first_week and week and sum(week) > 0 and value * len(week) > limits.unusual_jump_factor * sum(week):
            average = sum(week) / len(week)
            unusual.append(
                Check(
                    code="day_jump",
                    field=channel,
                    implausible=False,
                    message=_(
                        "%(channel)s: %(value)s is more than %(factor)s times the previous week's average of %(average)s a day."
                    )
                    % {
                        "channel": label,
                        "value": format_number(value),
                        "factor": format_number(_whole(limits.unusual_jump_factor)),
                        "average": format_number(int(Decimal(average).quantize(Decimal(1), rounding=ROUND_HALF_UP))),
                    },
                    figures={"value": value, "week_average": round(average, 1), "factor": limits.unusual_jump_factor},
                )
            )
    if entry.closed is not None and any(entry.raised.values()):
        status, since = entry.closed
        unusual.append(
            Check(
                code="district_closed",
                field=CONFIRM_FIELD,
                implausible=False,
                message=_("%(district)s is marked “%(status)s” since %(date)s, yet figures are being added to it.")
                % {"district": entry.district_name, "status": status, "date": format_date(since)},
                figures={"closed_on": since.isoformat()},
            )
        )
    return found + unusual


def _day_check(code: str, implausible: bool, channel: str, label: str, value: int, baseline: int, limit: float) -> Check:
    template = (
        _(
            "%(channel)s: %(value)s in one day would be %(percent)s of the district's baseline of %(baseline)s (more than %(limit)s)."
        )
        if implausible
        else _(
            "%(channel)s: %(value)s in one day is %(percent)s of the district's baseline of %(baseline)s (more than %(limit)s)."
        )
    )
    return Check(
        code=code,
        field=channel,
        implausible=implausible,
        message=template
        % {
            "channel": label,
            "value": format_number(value),
            "percent": _percent_over(value, baseline, limit),
            "baseline": format_number(baseline),
            "limit": _limit(limit),
        },
        figures={"value": value, "baseline": baseline, "percent": float(_percent(value, baseline)), "limit_percent": limit},
    )


def refusal(found: list[Check]) -> dict[str, list[str]]:
    """The implausible checks as a Rejected's messages, by field, with what to do if the figures are right."""
    errors: dict[str, list[str]] = {}
    for check in found:
        if check.implausible:
            errors.setdefault(check.field, []).append(check.message)
    errors.setdefault(CONFIRM_FIELD, []).append(
        _("Nothing was saved. If the figures are right, confirm them and give the reason in the reason field.")
    )
    return errors
