"""Coverage arithmetic: pure functions on integers and dates, no database.

Coverage = cumulative (online + offline) / baseline, not capped at 100%.
Roll-ups add counts and baselines and divide once; percentages are never
averaged. Rounding is to one decimal, half up, done on exact integers.
"""

import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

ONE_DAY = datetime.timedelta(days=1)
RATE_WINDOW_DAYS = 7
# The furthest a completion date is projected: ten years, one census cycle.
PROJECTION_HORIZON_DAYS = 3653
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

DONE = "done"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
# Closed by a decision (e.g. "completed early"): nothing more is expected, so no verdict on pace.
COMPLETED = "completed"
# The deadline has passed below 100%: the outcome is known, there is no pace left to judge.
ENDED = "ended"

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


# Bars of a list start at 0 unless every figure is at least this (%): then they start just below the lowest.
BAR_ZOOM_FROM = 50
BAR_STEP = 5


def bar_range(values: Iterable[Decimal | float | None]) -> tuple[int, int]:
    """(low, high) of the coverage bars of one list, in whole percent.

    On a 0-110% scale, 98% and 100% differ by two pixels of a 90-pixel bar: when every figure is high the bars
    start at a round number at least 2 points below the lowest (so it still shows a stub), and end 1 point past
    the highest or 100, whichever is more. Otherwise they start at 0 and end at 110, with 100% marked.
    """
    figures = [float(value) for value in values if value is not None]
    if not figures or min(figures) < BAR_ZOOM_FROM:
        return 0, 110
    low = int((min(figures) - 2) // BAR_STEP * BAR_STEP)
    high = int(-(-max(max(figures), 100) // 1)) + 1
    return low, high


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
    series: Sequence[Day],
    index: int,
    *,
    baseline: int,
    deadline: datetime.date | None,
    reached_on: datetime.date | None = None,
    closed: bool = False,
    earlier: Sequence[tuple[datetime.date, int]] = (),
) -> Forecast:
    """The outlook on series[index].date: rate over the last 7 days, rate needed to reach 100% by the deadline.

    `reached_on`: the day the area first reached its baseline when that was before
    the series starts (a series that begins mid-campaign cannot see it).
    `earlier`: the area's (day, total) before the series starts, in order: the day it reached this
    baseline is then the first of those at or above it (the same day a series from the start would find).
    `closed`: the area was closed by a decision (e.g. "completed early"): COMPLETED, never a verdict on pace.
    After the deadline (the figures at the end of the deadline day included) an area below
    its baseline is ENDED: its outcome is final, no rate is needed any more.
    """
    today = series[index]
    window = series[max(0, index - RATE_WINDOW_DAYS + 1) : index + 1]
    counted_in_window = sum(d.total_day for d in window)
    daily_rate = ratio_one_decimal(counted_in_window, RATE_WINDOW_DAYS)
    if baseline <= 0:
        return Forecast(daily_rate, None, None, "")
    if today.total >= baseline:
        reached = next(d.date for d in series[: index + 1] if d.total >= baseline)
        if reached == series[0].date:
            reached = next((date for date, total in earlier if total >= baseline), reached_on or reached)
        return Forecast(daily_rate, None if closed else Decimal(0), reached, COMPLETED if closed else DONE)
    if closed:
        return Forecast(daily_rate, None, None, COMPLETED)
    remaining = baseline - today.total
    projected_on = None
    if counted_in_window > 0:
        # Days needed at the recent pace, rounded up: a part-day still needs that day.
        days_needed = ceil_div(remaining * RATE_WINDOW_DAYS, counted_in_window)
        # Past a census cycle a projected date says nothing, and a slow enough pace would run past the calendar's
        # last day (year 9999) and fail: no date then, as when nothing was counted.
        if days_needed <= PROJECTION_HORIZON_DAYS:
            projected_on = today.date + datetime.timedelta(days=days_needed)
    if deadline is None:
        return Forecast(daily_rate, None, projected_on, "")
    days_left = (deadline - today.date).days
    if days_left <= 0:
        return Forecast(daily_rate, None, projected_on, ENDED)
    needed = ratio_one_decimal(remaining, days_left)
    # Compare exact rates: counted/7 against remaining/days_left.
    if counted_in_window * days_left >= remaining * RATE_WINDOW_DAYS:
        outlook = ON_TRACK
    elif Decimal(counted_in_window * days_left) >= AT_RISK_SHARE * remaining * RATE_WINDOW_DAYS:
        outlook = AT_RISK
    else:
        outlook = OFF_TRACK
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
    closed_days: Iterable[datetime.date] = (),
    ramp_up_until: Mapping[str, datetime.date] | None = None,
    earlier: Sequence[tuple[datetime.date, int]] = (),
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
    `earlier`: the area's (day, total) before the series starts (see forecast()).
    `closed_days`: days the area was closed by a decision (its forecast is COMPLETED, see forecast()).
    `ramp_up_until`: {"online" | "offline": first day after the channel's ramp-up}: before it that
    channel's day is never a jump: a phase's first days are a ramp-up (interviewers reaching
    their areas), not an anomaly (census.calendar.RAMP_UP_DAYS).
    """
    active = set(active_days)
    lowered = set(lowered_days)
    closed = set(closed_days)
    ramp_up = ramp_up_until or {}
    no_date = datetime.date.min
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
            online_jump = d.date >= ramp_up.get("online", no_date) and is_jump(
                [h.online_day for h in history], d.online_day, day_baseline
            )
            offline_jump = d.date >= ramp_up.get("offline", no_date) and is_jump(
                [h.offline_day for h in history], d.offline_day, day_baseline
            )
            if online_jump or offline_jump:
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
                forecast=forecast(
                    series,
                    index,
                    baseline=day_baseline,
                    deadline=known_deadline,
                    reached_on=reached_on,
                    closed=d.date in closed,
                    earlier=earlier,
                ),
            )
        )
    return result


# --- Staffing: flags and the staffing-aware forecast ---------------------------------------------------
#
# Aggregates per district and day only (how many on duty, how many of them vaccinated), never people.

UNDERSTAFFED = "understaffed"
UNVACCINATED = "unvaccinated_on_duty"
NOT_REPORTED = "staffing_not_reported"
STAFFING_FLAG_ORDER = (NOT_REPORTED, UNDERSTAFFED, UNVACCINATED)
# Days of measured productivity (days with interviewers on duty) before the measure replaces the norm:
# on the first days of door-to-door, interviewers are still reaching their areas and one day says little.
PRODUCTIVITY_MIN_DAYS = 3


def staffing_flags(
    *,
    due: bool,
    on_duty: Mapping[str, int] | None,
    planned: Mapping[str, int],
    vaccinated: int | None,
    volunteers: int = 0,
    share: Decimal,
) -> list[str]:
    """The staffing flags of one district on one day, in STAFFING_FLAG_ORDER.

    `due`: a staffing report was expected that day (door-to-door was open); `on_duty`: {role: people on duty}
    as reported, None when nothing was reported; `planned`: {role: the plan in force}; `share`: the share of
    the plan below which a role is understaffed (0.9 is 90%). A role with no plan (or a plan of 0) is never
    understaffed. `vaccinated` counts everyone on duty, volunteers included, so anyone on duty beyond it is
    unvaccinated.
    """
    if on_duty is None:
        return [NOT_REPORTED] if due else []
    flags = []
    # on_duty < share × plan, compared exactly (share is a Decimal such as 0.9).
    if any(plan > 0 and Decimal(on_duty.get(role, 0)) < share * plan for role, plan in planned.items()):
        flags.append(UNDERSTAFFED)
    if vaccinated is not None and vaccinated < sum(on_duty.values()) + volunteers:
        flags.append(UNVACCINATED)
    return flags


def median_productivity(days: Iterable[tuple[int, int]]) -> Fraction | None:
    """The median of door-to-door persons added per interviewer on duty, over (persons added, interviewers) days.

    Days without interviewers on duty say nothing about productivity and are left out; with fewer than
    PRODUCTIVITY_MIN_DAYS measured days there is no median (the caller falls back to the norm). Exact:
    a Fraction, so rounding happens once, where a figure is shown.
    """
    ratios = sorted(Fraction(added, interviewers) for added, interviewers in days if interviewers > 0)
    if len(ratios) < PRODUCTIVITY_MIN_DAYS:
        return None
    middle = len(ratios) // 2
    if len(ratios) % 2:
        return ratios[middle]
    return (ratios[middle - 1] + ratios[middle]) / 2


@dataclass(frozen=True)
class StaffingForecast:
    """What today's staffing means for finishing door-to-door on time, for one area on one day.

    `productivity`: door-to-door persons per interviewer per day (measured, or the norm when `from_norm`);
    `remaining`: door-to-door work left (persons) once the online growth expected by the deadline is counted;
    `days_needed`: days to do it at today's staffing and productivity (None when nobody is on duty or the
    productivity is 0); `interviewers_needed`: interviewers it takes to finish by the effective end of
    door-to-door (None when no day is left or the productivity is 0); `gap`: interviewers_needed minus those
    on duty (positive: short of that many; negative: more on duty than needed).
    """

    productivity: Fraction
    from_norm: bool
    remaining: int
    expected_online: int
    days_needed: int | None
    interviewers_needed: int | None
    gap: int | None

    @property
    def productivity_shown(self) -> Decimal:
        """The productivity with one decimal, rounded half up, for people to read."""
        return ratio_one_decimal(self.productivity.numerator, self.productivity.denominator) or Decimal(0)


def norm_productivity(*, persons_per_interviewer: int, phase_days: int) -> Fraction:
    """The planned persons per interviewer per day: the norm for the whole door-to-door phase spread over its days.

    The 2021 field plans set about 830 persons per interviewer over the whole phase, not per day.
    """
    return Fraction(persons_per_interviewer, max(phase_days, 1))


def staffing_forecast(
    *,
    baseline: int,
    counted: int,
    interviewers_on_duty: int,
    history: Sequence[tuple[int, int]],
    online_history: Sequence[int],
    days_left: int,
    online_days_left: int,
    norm: Fraction,
) -> StaffingForecast:
    """The staffing-aware forecast on one day, from the figures at the end of that day.

    `counted`: persons counted so far (online and door-to-door); `history`: (door-to-door persons added,
    interviewers on duty) for the days up to and including today, oldest first, of which the last
    RATE_WINDOW_DAYS are read; `online_history`: the online increments of those days, whose 7-day average
    is the online growth expected on each of the `online_days_left` days the online channel stays open
    (never more than `days_left`); `days_left`: days after today up to the effective end of door-to-door;
    `norm`: persons per interviewer per day before PRODUCTIVITY_MIN_DAYS days are measured.
    Volunteers are never interviewer capacity: only interviewers on duty enter here.
    """
    measured = median_productivity(history[-RATE_WINDOW_DAYS:])
    productivity = norm if measured is None else measured
    online_days = max(0, min(online_days_left, days_left))
    week = list(online_history[-RATE_WINDOW_DAYS:])
    # Expected online persons: the week's average per day (sum over 7, as the coverage forecast's rate) times the days.
    expected_online = sum(week) * online_days // RATE_WINDOW_DAYS
    remaining = max(0, baseline - counted - expected_online)
    if remaining == 0:
        return StaffingForecast(productivity, measured is None, 0, expected_online, 0, 0, -interviewers_on_duty)
    days_needed = None
    per_day = productivity * interviewers_on_duty
    if per_day > 0:
        # Rounded up: a part-day of work still takes that day.
        days_needed = math.ceil(remaining / per_day)
    interviewers_needed = gap = None
    if days_left > 0 and productivity > 0:
        interviewers_needed = math.ceil(remaining / (productivity * days_left))
        gap = interviewers_needed - interviewers_on_duty
    return StaffingForecast(productivity, measured is None, remaining, expected_online, days_needed, interviewers_needed, gap)


@dataclass(frozen=True)
class VisitRates:
    """What a day's door-to-door visits say, as percentages with one decimal (None where the base is zero).

    `contact`: visits where someone answered the door (an interview, a notice shown, a refusal, "we answered
    online"), of the visits to dwellings (vacant places and non-dwellings left out); `non_response`: visits that
    ended without an answer counted (nobody at home, the door not opened, a refusal, "we answered online" with no
    notice), of the same; `outstanding`: households still to do at the end of the day, of those assigned;
    `revisit_burden`: revisits scheduled, of the visits made; `notice_gap`: "we answered online" with no notice
    to show, of all who said they had answered online (with or without the notice): how often online and
    door-to-door fail to meet.
    """

    contact: Decimal | None
    non_response: Decimal | None
    outstanding: Decimal | None
    revisit_burden: Decimal | None
    notice_gap: Decimal | None


def visit_rates(figures: Mapping[str, int]) -> VisitRates:
    """The rates of one district-day's (or several summed) visits and non-response figures."""
    dwellings = figures["visits"] - figures["vacant"]
    answered_door = figures["interviewed"] + figures["notice_shown"] + figures["refused"] + figures["no_notice"]
    no_answer = figures["not_at_home"] + figures["door_closed"] + figures["refused"] + figures["no_notice"]
    return VisitRates(
        contact=percent(answered_door, dwellings),
        non_response=percent(no_answer, dwellings),
        outstanding=percent(figures["outstanding"], figures["assigned"]),
        revisit_burden=percent(figures["revisits_scheduled"], figures["visits"]),
        notice_gap=percent(figures["no_notice"], figures["notice_shown"] + figures["no_notice"]),
    )
