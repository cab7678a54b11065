"""Coverage arithmetic: pure functions on integers and dates, no database.

Coverage = cumulative (online + offline) / baseline, not capped at 100%.
Roll-ups add counts and baselines and divide once; percentages are never
averaged. Rounding is to one decimal, half up, done on exact integers.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

ONE_DAY = datetime.timedelta(days=1)
RATE_WINDOW_DAYS = 7
# A channel's day counts as a jump when it exceeds this multiple of the channel's
# average over the previous week (and that week had at least JUMP_MIN_DAYS days
# with counts, so a channel that is just starting is not a jump).
JUMP_FACTOR = 4
JUMP_MIN_DAYS = 3
# ...and when it is at least this share of the baseline (per mille), so that
# 12 people after a week of 2 a day does not ask anyone to review anything.
JUMP_MIN_PER_MILLE = 5
# "At risk" when the recent daily rate is at least this share of the rate needed.
AT_RISK_SHARE = Decimal("0.75")

OVER_100 = "over_100"
JUMP = "jump"
FELL = "total_fell"
SILENT = "silent"
FLAG_ORDER = (OVER_100, JUMP, FELL, SILENT)


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal, rounded half up, exactly; None without a baseline."""
    if whole <= 0:
        return None
    # Work in tenths of a percent on integers, so 1/2000 is exactly 0.05% and rounds to 0.1.
    tenths, remainder = divmod(part * 1000, whole)
    if remainder * 2 >= whole:
        tenths += 1
    return Decimal(tenths).scaleb(-1)


def ratio_one_decimal(part: int, whole: int) -> Decimal | None:
    """part / whole with one decimal, rounded half up (a rate such as people per day)."""
    if whole <= 0:
        return None
    tenths, remainder = divmod(part * 10, whole)
    if remainder * 2 >= whole:
        tenths += 1
    return Decimal(tenths).scaleb(-1)


def ceil_div(part: int, whole: int) -> int:
    return -(-part // whole)


@dataclass(frozen=True)
class Day:
    """One area's figures at the end of one day: that day's increments and the totals so far."""

    date: datetime.date
    online_day: int
    offline_day: int
    online: int
    offline: int
    reported: bool = True

    @property
    def total_day(self) -> int:
        return self.online_day + self.offline_day

    @property
    def total(self) -> int:
        return self.online + self.offline


@dataclass(frozen=True)
class Forecast:
    """Where an area is heading: its recent pace, the pace it needs and when it would reach 100%."""

    daily_rate: Decimal | None
    needed_daily_rate: Decimal | None
    projected_on: datetime.date | None
    outlook: str


@dataclass(frozen=True)
class Figures:
    """Everything a snapshot stores about one area on one day."""

    day: Day
    baseline: int
    coverage_pct: Decimal | None
    online_pct: Decimal | None
    offline_pct: Decimal | None
    online_share_pct: Decimal | None
    flags: list[str] = field(default_factory=list)
    forecast: Forecast | None = None


def days_between(start: datetime.date, end: datetime.date) -> Iterable[datetime.date]:
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


def cumulative_series(
    increments: Mapping[datetime.date, tuple[int, int]],
    *,
    start: datetime.date,
    end: datetime.date,
    online_before: int = 0,
    offline_before: int = 0,
) -> list[Day]:
    """Running totals for every day from start to end, given each reported day's (online, offline) increments.

    `online_before`/`offline_before` are the totals of all days before `start`,
    so a series can start mid-campaign. Days with no report add nothing and
    are marked `reported=False`.
    """
    online, offline = online_before, offline_before
    series = []
    for day in days_between(start, end):
        reported = day in increments
        online_day, offline_day = increments.get(day, (0, 0))
        online += online_day
        offline += offline_day
        series.append(Day(day, online_day, offline_day, online, offline, reported))
    return series


def add_series(series: Iterable[Sequence[Day]]) -> list[Day]:
    """The day-by-day sum of several areas' series that cover the same dates (a roll-up)."""
    totals: dict[datetime.date, list[int]] = {}
    for one in series:
        for d in one:
            acc = totals.setdefault(d.date, [0, 0, 0, 0])
            acc[0] += d.online_day
            acc[1] += d.offline_day
            acc[2] += d.online
            acc[3] += d.offline
    return [
        Day(date, online_day, offline_day, online, offline)
        for date, (online_day, offline_day, online, offline) in sorted(totals.items())
    ]


def is_jump(history: Sequence[int], today: int, baseline: int) -> bool:
    """Whether today's increment is far above the previous week's (see JUMP_* above)."""
    week = list(history[-RATE_WINDOW_DAYS:])
    if sum(1 for value in week if value > 0) < JUMP_MIN_DAYS:
        return False
    if today * 1000 < baseline * JUMP_MIN_PER_MILLE:
        return False
    # today > FACTOR * mean(week), compared on integers.
    return today * len(week) > JUMP_FACTOR * sum(week)


def forecast(
    series: Sequence[Day], index: int, *, baseline: int, deadline: datetime.date | None, reached_on: datetime.date | None = None
) -> Forecast:
    """The outlook on series[index].date: rate over the last 7 days, rate needed to reach 100% by the deadline.

    `reached_on`: the day the area first reached its baseline when that was before
    the series starts (a series that begins mid-campaign cannot see it).
    """
    today = series[index]
    window = series[max(0, index - RATE_WINDOW_DAYS + 1) : index + 1]
    counted_in_window = sum(d.total_day for d in window)
    daily_rate = ratio_one_decimal(counted_in_window, RATE_WINDOW_DAYS)
    if baseline <= 0:
        return Forecast(daily_rate, None, None, "")
    if today.total >= baseline:
        reached = next(d.date for d in series[: index + 1] if d.total >= baseline)
        if reached == series[0].date and reached_on is not None:
            reached = reached_on
        return Forecast(daily_rate, Decimal(0), reached, "done")
    remaining = baseline - today.total
    projected_on = None
    if counted_in_window > 0:
        # Days needed at the recent pace, rounded up: a part-day still needs that day.
        projected_on = today.date + datetime.timedelta(days=ceil_div(remaining * RATE_WINDOW_DAYS, counted_in_window))
    if deadline is None:
        return Forecast(daily_rate, None, projected_on, "")
    days_left = (deadline - today.date).days
    if days_left <= 0:
        return Forecast(daily_rate, None, projected_on, "off_track")
    needed = ratio_one_decimal(remaining, days_left)
    # Compare exact rates: counted/7 against remaining/days_left.
    if counted_in_window * days_left >= remaining * RATE_WINDOW_DAYS:
        outlook = "on_track"
    elif Decimal(counted_in_window * days_left) >= AT_RISK_SHARE * remaining * RATE_WINDOW_DAYS:
        outlook = "at_risk"
    else:
        outlook = "off_track"
    return Forecast(daily_rate, needed, projected_on, outlook)


def area_figures(
    series: Sequence[Day],
    *,
    baseline: int | Mapping[datetime.date, int],
    deadline: datetime.date | None | Mapping[datetime.date, datetime.date | None],
    active_days: Iterable[datetime.date] = (),
    lowered_days: Iterable[datetime.date] = (),
    first: int = 0,
    child_flags: Mapping[datetime.date, Iterable[str]] | None = None,
    reached_on: datetime.date | None = None,
) -> list[Figures]:
    """Percentages, flags and forecast for each day of `series` from index `first` on.

    Days before `first` are there only as history for the jump flag and the 7-day rate.
    `baseline`: one population for every day, or {day: the baseline in force that day} (a day missing has none).
    `deadline`: one date for every day, or {day: the deadline as known on that day} so that a day's
    forecast never uses a later decision (a day missing from it has no deadline, hence no outlook).
    `active_days`: days a report was due (inside an open phase), for the "silent" flag.
    `lowered_days`: days whose counts a correction lowered, for the "total fell" flag.
    `child_flags`: flags of the areas below, carried up to a roll-up.
    `reached_on`: the day the area reached its baseline, if before the series starts (see forecast()).
    """
    active = set(active_days)
    lowered = set(lowered_days)
    result = []
    for index in range(first, len(series)):
        d = series[index]
        day_baseline = baseline.get(d.date, 0) if isinstance(baseline, Mapping) else baseline
        flags = set(child_flags.get(d.date, ()) if child_flags else ())
        if day_baseline > 0 and d.total > day_baseline:
            flags.add(OVER_100)
        # The size test first: most days are too small to be a jump, and the week need not be gathered.
        if d.total_day * 1000 >= day_baseline * JUMP_MIN_PER_MILLE:
            history = series[max(0, index - RATE_WINDOW_DAYS) : index]
            if is_jump([h.online_day for h in history], d.online_day, day_baseline) or is_jump(
                [h.offline_day for h in history], d.offline_day, day_baseline
            ):
                flags.add(JUMP)
        if d.date in lowered:
            flags.add(FELL)
        if not d.reported and d.date in active:
            flags.add(SILENT)
        known_deadline = deadline.get(d.date) if isinstance(deadline, Mapping) else deadline
        result.append(
            Figures(
                day=d,
                baseline=day_baseline,
                coverage_pct=percent(d.total, day_baseline),
                online_pct=percent(d.online, day_baseline),
                offline_pct=percent(d.offline, day_baseline),
                online_share_pct=percent(d.online, d.total) if d.total else None,
                flags=[f for f in FLAG_ORDER if f in flags],
                forecast=forecast(series, index, baseline=day_baseline, deadline=known_deadline, reached_on=reached_on),
            )
        )
    return result
