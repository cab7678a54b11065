"""The coverage arithmetic on its own: no database, only integers, dates and decimals."""

import datetime
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports import coverage
from reports.coverage import Day

SEP_1 = datetime.date(2021, 9, 1)


def day(n: int) -> datetime.date:
    """The n-th day of the campaign (0 = 1 Sep 2021)."""
    return SEP_1 + datetime.timedelta(days=n)


def steady_series(*, days: int, online_per_day: int = 0, offline_per_day: int = 0) -> list[Day]:
    increments = {day(i): (online_per_day, offline_per_day) for i in range(days)}
    return coverage.cumulative_series(increments, start=day(0), end=day(days - 1))


def half_up_tenths_of_percent(part: int, whole: int) -> Decimal:
    """The reference: the exact fraction, in tenths of a percent, rounded half up."""
    exact_tenths = Fraction(part * 1000, whole)
    return Decimal(math.floor(exact_tenths + Fraction(1, 2))).scaleb(-1)


# --- percent ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (1, 2000, "0.1"),  # exactly 0.05 %: half up, not to even
        (3, 2000, "0.2"),  # exactly 0.15 %: a float would give 0.1
        (49, 2000, "2.5"),  # exactly 2.45 %
        (1, 400, "0.3"),  # exactly 0.25 %: banker's rounding would give 0.2
        (1, 16, "6.3"),  # exactly 6.25 %
        (16727, 16629, "100.6"),  # Taskala, published
        (11005, 15200, "72.4"),  # Bokeyorda online, published
        (270695, 664500, "40.7"),  # the region's door-to-door rate, published
        (579224, 664500, "87.2"),  # the region's coverage, published
        (1, 3, "33.3"),
        (2, 3, "66.7"),
        (1, 3000, "0.0"),
        (2, 3000, "0.1"),
        (0, 500, "0.0"),
        (500, 500, "100.0"),
    ],
)
def test_percent_rounds_exact_values_half_up_to_one_decimal(part, whole, expected):
    # when
    result = coverage.percent(part, whole)

    # then
    assert result == Decimal(expected)
    assert str(result) == expected


def test_percent_is_never_capped_at_100():
    assert coverage.percent(1082, 1000) == Decimal("108.2")
    assert coverage.percent(3000, 1000) == Decimal("300.0")


@pytest.mark.parametrize("whole", [0, -5])
def test_percent_without_a_baseline_is_none(whole):
    assert coverage.percent(10, whole) is None


@given(part=st.integers(min_value=0, max_value=10**10), whole=st.integers(min_value=1, max_value=10**9))
def test_percent_equals_the_exact_fraction_rounded_half_up(part, whole):
    assert coverage.percent(part, whole) == half_up_tenths_of_percent(part, whole)


@pytest.mark.parametrize(("part", "whole", "expected"), [(70, 7, "10.0"), (1, 20, "0.1"), (3, 20, "0.2"), (930, 93, "10.0")])
def test_ratio_one_decimal_rounds_half_up(part, whole, expected):
    assert coverage.ratio_one_decimal(part, whole) == Decimal(expected)


# --- series ----------------------------------------------------------------------------------------


def test_cumulative_series_carries_totals_over_unreported_days():
    # given
    increments = {day(0): (10, 5), day(2): (3, 0)}

    # when
    series = coverage.cumulative_series(increments, start=day(0), end=day(3))

    # then
    assert [(d.date, d.online_day, d.offline_day, d.online, d.offline, d.reported) for d in series] == [
        (day(0), 10, 5, 10, 5, True),
        (day(1), 0, 0, 10, 5, False),
        (day(2), 3, 0, 13, 5, True),
        (day(3), 0, 0, 13, 5, False),
    ]
    assert [d.total for d in series] == [15, 15, 18, 18]


def test_cumulative_series_starting_mid_campaign_adds_the_totals_before_its_start():
    # given: 100 online and 50 door to door were counted before day 10
    increments = {day(10): (1, 2), day(11): (0, 4)}

    # when
    series = coverage.cumulative_series(increments, start=day(10), end=day(11), online_before=100, offline_before=50)

    # then
    assert [(d.online, d.offline, d.total) for d in series] == [(101, 52, 153), (101, 56, 157)]
    assert [d.total_day for d in series] == [3, 4]


def test_cumulative_series_marks_a_reported_zero_as_reported():
    series = coverage.cumulative_series({day(0): (0, 0)}, start=day(0), end=day(0))

    assert series[0].reported is True
    assert series[0].total == 0


def test_add_series_sums_increments_and_totals_day_by_day():
    # given
    first = coverage.cumulative_series({day(0): (10, 0), day(1): (5, 1)}, start=day(0), end=day(1))
    second = coverage.cumulative_series({day(1): (7, 3)}, start=day(0), end=day(1), online_before=20, offline_before=2)

    # when
    rolled = coverage.add_series([first, second])

    # then
    assert [(d.date, d.online_day, d.offline_day, d.online, d.offline) for d in rolled] == [
        (day(0), 10, 0, 30, 2),
        (day(1), 12, 4, 42, 6),
    ]


# --- jumps -----------------------------------------------------------------------------------------


def test_a_day_more_than_four_times_the_weeks_average_is_a_jump():
    # A week of 10 a day: 41 is above 4 x 10, and 41 people is well above 0.5% of 1,000.
    assert coverage.is_jump([10] * 7, 41, baseline=1000) is True


def test_exactly_four_times_the_weeks_average_is_not_a_jump():
    assert coverage.is_jump([10] * 7, 40, baseline=1000) is False


def test_a_channel_that_is_just_starting_has_no_jump():
    # Only two days of the week had counts: not enough to judge a pattern.
    assert coverage.is_jump([0, 0, 0, 0, 0, 10, 10], 1000, baseline=1000) is False
    assert coverage.is_jump([], 1000, baseline=1000) is False


def test_a_jump_smaller_than_half_a_percent_of_the_baseline_is_not_flagged():
    # 12 people after a week of 2 a day is six times the pace, but 12 of 10,000 is 0.12%.
    assert coverage.is_jump([2] * 7, 12, baseline=10_000) is False
    # At 0.5% of the baseline it is.
    assert coverage.is_jump([2] * 7, 50, baseline=10_000) is True


def test_a_jump_looks_only_at_the_last_seven_days():
    # Large days long ago do not hide today's jump.
    assert coverage.is_jump([1000, 1000, 1000] + [10] * 7, 100, baseline=1000) is True


# --- forecast --------------------------------------------------------------------------------------


def test_forecast_of_an_area_that_reached_its_baseline_is_done_on_the_day_it_got_there():
    # given: 100 a day against 250, reached on the third day
    series = steady_series(days=5, online_per_day=100)

    # when
    result = coverage.forecast(series, 4, baseline=250, deadline=day(30))

    # then
    assert result.outlook == "done"
    assert result.projected_on == day(2)
    assert result.needed_daily_rate == Decimal(0)


def test_forecast_of_a_series_starting_after_the_area_got_there_gives_the_day_it_got_there():
    # given: a series that starts mid-campaign, already over the baseline on its first day
    series = coverage.cumulative_series({day(10): (5, 0)}, start=day(10), end=day(12), online_before=300)

    # when
    told = coverage.forecast(series, 2, baseline=250, deadline=day(30), reached_on=day(2))
    not_told = coverage.forecast(series, 2, baseline=250, deadline=day(30))

    # then
    assert told.projected_on == day(2)
    assert not_told.projected_on == day(10)  # all it can see


def test_forecast_ignores_reached_on_when_the_series_shows_the_day_itself():
    series = steady_series(days=5, online_per_day=100)

    result = coverage.forecast(series, 4, baseline=250, deadline=day(30), reached_on=day(0))

    assert result.projected_on == day(2)


def test_forecast_on_track_when_the_weeks_pace_exactly_meets_the_pace_needed():
    # given: 10 a day for a week, 930 still to count
    series = steady_series(days=7, online_per_day=10)

    # when: 93 days left need exactly 10 a day
    result = coverage.forecast(series, 6, baseline=1000, deadline=day(6 + 93))

    # then
    assert result.outlook == "on_track"
    assert result.daily_rate == Decimal("10.0")
    assert result.needed_daily_rate == Decimal("10.0")
    assert result.projected_on == day(6 + 93)


@pytest.mark.parametrize(
    ("days_left", "outlook"),
    [
        (93, "on_track"),
        (92, "at_risk"),  # needs 10.1 a day, does 10: at least 75% of the pace needed
        (70, "at_risk"),  # needs 13.3 a day: 10 is 75.3% of it
        (69, "off_track"),  # needs 13.5 a day: 10 is 74.2% of it
        (1, "off_track"),
    ],
)
def test_forecast_outlook_compares_the_weeks_pace_with_the_pace_needed(days_left, outlook):
    series = steady_series(days=7, online_per_day=10)

    result = coverage.forecast(series, 6, baseline=1000, deadline=day(6 + days_left))

    assert result.outlook == outlook
    assert result.projected_on == day(6 + 93)


def test_forecast_needed_rate_is_what_remains_over_the_days_left():
    series = steady_series(days=7, online_per_day=10)

    result = coverage.forecast(series, 6, baseline=1000, deadline=day(6 + 70))

    assert result.needed_daily_rate == Decimal("13.3")  # 930 / 70


def test_forecast_at_the_end_of_the_deadline_is_ended_without_a_needed_rate():
    # The outcome is known at the end of the deadline day: no verdict on pace, no rate needed.
    series = steady_series(days=7, online_per_day=10)

    on_the_deadline = coverage.forecast(series, 6, baseline=1000, deadline=day(6))
    after_it = coverage.forecast(series, 6, baseline=1000, deadline=day(3))
    the_day_before = coverage.forecast(series, 6, baseline=1000, deadline=day(7))

    assert on_the_deadline.outlook == after_it.outlook == coverage.ENDED
    assert the_day_before.outlook == coverage.OFF_TRACK
    assert on_the_deadline.needed_daily_rate is None
    # The projection at the recent pace is still given.
    assert after_it.projected_on == day(6 + 93)


def test_forecast_with_nothing_counted_in_the_week_projects_no_date():
    # given: 500 counted long ago, nothing in the last week
    series = coverage.cumulative_series({day(0): (500, 0)}, start=day(0), end=day(10))

    # when
    result = coverage.forecast(series, 10, baseline=1000, deadline=day(40))

    # then
    assert result.daily_rate == Decimal("0.0")
    assert result.projected_on is None
    assert result.outlook == "off_track"
    assert result.needed_daily_rate == Decimal("16.7")  # 500 / 30


def test_forecast_rate_spans_seven_days_even_at_the_start_of_the_campaign():
    # Two days of 70: the rate is 140 over a week, not 70 a day.
    series = steady_series(days=2, online_per_day=70)

    result = coverage.forecast(series, 1, baseline=10_000, deadline=day(60))

    assert result.daily_rate == Decimal("20.0")


def test_forecast_without_a_deadline_or_baseline_has_no_outlook():
    series = steady_series(days=7, online_per_day=10)

    assert coverage.forecast(series, 6, baseline=1000, deadline=None).outlook == ""
    assert coverage.forecast(series, 6, baseline=0, deadline=day(60)).outlook == ""


# --- area figures and flags ------------------------------------------------------------------------


def test_area_figures_gives_each_rate_of_the_baseline():
    # given
    series = coverage.cumulative_series({day(0): (11005, 3450)}, start=day(0), end=day(0))

    # when
    (figures,) = coverage.area_figures(series, baseline=15200, deadline=day(60))

    # then
    assert figures.baseline == 15200
    assert figures.online_pct == Decimal("72.4")
    assert figures.offline_pct == Decimal("22.7")
    assert figures.coverage_pct == Decimal("95.1")
    assert figures.online_share_pct == Decimal("76.1")  # 11005 / 14455
    assert figures.flags == []
    assert figures.forecast is not None


def test_coverage_over_100_percent_is_flagged_not_capped():
    series = coverage.cumulative_series({day(0): (10100, 6627)}, start=day(0), end=day(0))

    (figures,) = coverage.area_figures(series, baseline=16629, deadline=day(60))

    assert figures.coverage_pct == Decimal("100.6")
    assert figures.flags == [coverage.OVER_100]


def test_coverage_of_exactly_100_percent_is_not_flagged():
    series = coverage.cumulative_series({day(0): (600, 400)}, start=day(0), end=day(0))

    (figures,) = coverage.area_figures(series, baseline=1000, deadline=day(60))

    assert figures.coverage_pct == Decimal("100.0")
    assert figures.flags == []


def test_an_area_without_a_baseline_has_no_percentages_and_no_over_100_flag():
    series = coverage.cumulative_series({day(0): (5, 5)}, start=day(0), end=day(0))

    (figures,) = coverage.area_figures(series, baseline=0, deadline=day(60))

    assert figures.coverage_pct is figures.online_pct is figures.offline_pct is None
    assert figures.flags == []


def test_online_share_is_none_before_anyone_is_counted():
    series = coverage.cumulative_series({day(0): (0, 0)}, start=day(0), end=day(0))

    (figures,) = coverage.area_figures(series, baseline=1000, deadline=day(60))

    assert figures.online_share_pct is None
    assert figures.coverage_pct == Decimal("0.0")


def test_a_day_far_above_the_weeks_pattern_is_flagged_as_a_jump_on_that_day_only():
    # given: a week of 10 door-to-door a day, then 200, then 10 again
    increments = {day(i): (0, 10) for i in range(7)} | {day(7): (0, 200), day(8): (0, 10)}
    series = coverage.cumulative_series(increments, start=day(0), end=day(8))

    # when
    figures = coverage.area_figures(series, baseline=10_000, deadline=day(60))

    # then
    assert [f.day.date for f in figures if coverage.JUMP in f.flags] == [day(7)]


def test_a_jump_in_either_channel_is_a_jump():
    increments = {day(i): (10, 1000) for i in range(7)} | {day(7): (600, 1000)}
    series = coverage.cumulative_series(increments, start=day(0), end=day(7))

    figures = coverage.area_figures(series, baseline=100_000, deadline=day(60))

    assert figures[-1].flags == [coverage.JUMP]


def test_a_day_a_correction_lowered_is_flagged_total_fell():
    series = steady_series(days=4, online_per_day=10)

    figures = coverage.area_figures(series, baseline=1000, deadline=day(60), lowered_days=[day(2)])

    assert [f.flags for f in figures] == [[], [], [coverage.FELL], []]


def test_an_unreported_day_inside_an_open_phase_is_silent_and_one_outside_is_not():
    # given: reports on days 0 and 2 (a zero counts as a report); the phase is open on days 0-2
    series = coverage.cumulative_series({day(0): (5, 0), day(2): (0, 0)}, start=day(0), end=day(3))

    # when
    figures = coverage.area_figures(series, baseline=1000, deadline=day(60), active_days=[day(0), day(1), day(2)])

    # then
    assert [f.flags for f in figures] == [[], [coverage.SILENT], [], []]


def test_flags_of_the_areas_below_are_carried_up_in_a_fixed_order():
    # given: a roll-up 10% over its baseline whose children had a silent day and a jump
    series = coverage.cumulative_series({day(0): (1100, 0)}, start=day(0), end=day(0))
    child_flags = {day(0): {coverage.SILENT, coverage.JUMP}}

    # when
    (figures,) = coverage.area_figures(series, baseline=1000, deadline=day(60), child_flags=child_flags)

    # then
    assert figures.flags == [coverage.OVER_100, coverage.JUMP, coverage.SILENT]


def test_area_figures_from_first_uses_earlier_days_only_as_history():
    # given: a week of 10 a day, then 100: the jump needs the week as history
    increments = {day(i): (10, 0) for i in range(7)} | {day(7): (100, 0)}
    series = coverage.cumulative_series(increments, start=day(0), end=day(7))

    # when
    figures = coverage.area_figures(series, baseline=1000, deadline=day(60), first=7)

    # then
    assert [f.day.date for f in figures] == [day(7)]
    assert figures[0].flags == [coverage.JUMP]
    assert figures[0].day.total == 170
    assert figures[0].forecast.daily_rate == Decimal("22.9")  # (6 x 10 + 100) / 7


# --- roll-ups: properties --------------------------------------------------------------------------

DAYS = 12


@st.composite
def districts(draw):
    """A few districts: each a baseline and, per day, either no report or (online, offline) increments."""
    count = draw(st.integers(min_value=1, max_value=6))
    result = []
    for _ in range(count):
        baseline = draw(st.integers(min_value=1, max_value=2_000_000))
        reports = draw(
            st.lists(
                st.none() | st.tuples(st.integers(0, 50_000), st.integers(0, 50_000)),
                min_size=DAYS,
                max_size=DAYS,
            )
        )
        before = draw(st.tuples(st.integers(0, 500_000), st.integers(0, 500_000)))
        result.append((baseline, {day(i): r for i, r in enumerate(reports) if r is not None}, before))
    return result


@given(districts())
def test_a_roll_up_of_district_series_equals_the_figures_of_the_summed_counts_and_baselines(areas):
    # given: each district's own series
    start, end = day(0), day(DAYS - 1)
    series = [
        coverage.cumulative_series(increments, start=start, end=end, online_before=before[0], offline_before=before[1])
        for _baseline, increments, before in areas
    ]
    total_baseline = sum(baseline for baseline, _increments, _before in areas)

    # when
    rolled = coverage.add_series(series)
    figures = coverage.area_figures(rolled, baseline=total_baseline, deadline=end)

    # then: the same as adding up the raw increments and baselines and dividing once
    online = sum(before[0] for _b, _i, before in areas)
    offline = sum(before[1] for _b, _i, before in areas)
    assert len(figures) == DAYS
    for i, f in enumerate(figures):
        online_day = sum(increments.get(day(i), (0, 0))[0] for _b, increments, _before in areas)
        offline_day = sum(increments.get(day(i), (0, 0))[1] for _b, increments, _before in areas)
        online += online_day
        offline += offline_day
        assert f.day.date == day(i)
        assert (f.day.online_day, f.day.offline_day, f.day.online, f.day.offline) == (online_day, offline_day, online, offline)
        assert f.baseline == total_baseline
        assert f.coverage_pct == half_up_tenths_of_percent(online + offline, total_baseline)
        assert f.online_pct == half_up_tenths_of_percent(online, total_baseline)
        assert f.offline_pct == half_up_tenths_of_percent(offline, total_baseline)
        assert (coverage.OVER_100 in f.flags) == (online + offline > total_baseline)


def test_a_roll_up_divides_summed_counts_by_summed_baselines_not_the_average_of_percentages():
    # given: a small district at 100% and a big one at 10%
    small = coverage.cumulative_series({day(0): (100, 0)}, start=day(0), end=day(0))
    big = coverage.cumulative_series({day(0): (900, 0)}, start=day(0), end=day(0))

    # when
    (figures,) = coverage.area_figures(coverage.add_series([small, big]), baseline=100 + 9000, deadline=day(60))

    # then: 1,000 of 9,100 is 11.0%, not (100% + 10%) / 2 = 55%
    assert figures.coverage_pct == Decimal("11.0")


# --- closed areas and ramp-ups -----------------------------------------------------------------------


def test_a_closed_area_is_completed_whatever_its_pace_or_deadline():
    slow = steady_series(days=10, online_per_day=1)

    before_deadline = coverage.forecast(slow, 9, baseline=1000, deadline=day(12), closed=True)
    after_deadline = coverage.forecast(slow, 9, baseline=1000, deadline=day(5), closed=True)
    open_one = coverage.forecast(slow, 9, baseline=1000, deadline=day(12))

    assert before_deadline.outlook == after_deadline.outlook == coverage.COMPLETED
    assert before_deadline.needed_daily_rate is None
    assert open_one.outlook == coverage.OFF_TRACK


def test_a_closed_area_over_its_baseline_is_completed_with_the_day_it_got_there():
    series = steady_series(days=10, online_per_day=150)

    result = coverage.forecast(series, 9, baseline=1000, deadline=day(20), closed=True)

    assert result.outlook == coverage.COMPLETED
    assert result.projected_on == day(6)  # 7 x 150 = 1,050


def test_area_figures_close_only_the_days_a_closing_decision_was_in_force():
    series = steady_series(days=10, online_per_day=1)

    figures = coverage.area_figures(series, baseline=1000, deadline=day(12), closed_days=[day(8), day(9)])

    assert [f.forecast.outlook for f in figures[7:]] == [coverage.OFF_TRACK, coverage.COMPLETED, coverage.COMPLETED]


def ramp_up_series() -> list[Day]:
    """Online steady at 100 a day; door-to-door opens on day 10 and climbs 10, 20, ... 300 a day."""
    increments = {day(i): (100, 0) for i in range(10)}
    for i in range(10, 30):
        increments[day(i)] = (100, min(10 * (2 ** (i - 10)), 300 * (i - 9)))
    return coverage.cumulative_series(increments, start=day(0), end=day(29))


def test_the_ramp_up_of_a_channel_that_just_opened_is_not_a_jump():
    series = ramp_up_series()

    flagged = coverage.area_figures(series, baseline=100_000, deadline=None)
    quiet = coverage.area_figures(series, baseline=100_000, deadline=None, ramp_up_until={"offline": day(17)})

    jump_days = [f.day.date for f in flagged if coverage.JUMP in f.flags]
    assert jump_days, "the climb is steep enough to be a jump without a ramp-up"
    assert any(d < day(17) for d in jump_days)
    assert all(coverage.JUMP not in f.flags for f in quiet if f.day.date < day(17))


def test_after_the_ramp_up_a_jump_is_flagged_again():
    increments = {day(i): (0, 100) for i in range(20)}
    increments[day(18)] = (0, 5000)
    series = coverage.cumulative_series(increments, start=day(0), end=day(19))

    figures = coverage.area_figures(series, baseline=100_000, deadline=None, ramp_up_until={"offline": day(7)})

    assert [f.day.date for f in figures if coverage.JUMP in f.flags] == [day(18)]


def test_the_ramp_up_of_one_channel_does_not_hide_a_jump_in_the_other():
    increments = {day(i): (100, 0) for i in range(20)}
    increments[day(15)] = (5000, 0)
    series = coverage.cumulative_series(increments, start=day(0), end=day(19))

    figures = coverage.area_figures(series, baseline=100_000, deadline=None, ramp_up_until={"offline": day(20)})

    assert coverage.JUMP in figures[15].flags


def test_a_pace_too_slow_to_finish_within_a_census_cycle_projects_no_date_instead_of_failing():
    # One person in the week and a baseline of a billion: at that pace the date would fall after the year 9999.
    series = coverage.cumulative_series({day(0): (1, 0)}, start=day(0), end=day(6))
    slow = coverage.forecast(series, 6, baseline=1_000_000_000, deadline=day(30))
    assert slow.projected_on is None
    assert slow.outlook == coverage.OFF_TRACK
    # Just inside the horizon a date is still projected: 7 counted in the week, 3,653 days to go.
    series = coverage.cumulative_series({day(0): (7, 0)}, start=day(0), end=day(6))
    near = coverage.forecast(series, 6, baseline=7 + coverage.PROJECTION_HORIZON_DAYS, deadline=day(30))
    assert near.projected_on == day(6) + datetime.timedelta(days=coverage.PROJECTION_HORIZON_DAYS)
    far = coverage.forecast(series, 6, baseline=7 + coverage.PROJECTION_HORIZON_DAYS + 1, deadline=day(30))
    assert far.projected_on is None
