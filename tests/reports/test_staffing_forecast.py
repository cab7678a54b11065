"""The staffing arithmetic on its own: flags, productivity and the staffing-aware forecast, no database."""

import math
import statistics
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports import coverage
from reports.coverage import NOT_REPORTED, UNDERSTAFFED, UNVACCINATED

NINETY = Decimal("0.9")
NORM_2021 = coverage.norm_productivity(persons_per_interviewer=830, phase_days=30)

people = st.integers(min_value=0, max_value=5_000)
persons = st.integers(min_value=0, max_value=2_000_000)
day_of_work = st.tuples(st.integers(min_value=0, max_value=200_000), st.integers(min_value=0, max_value=2_000))


def forecast(**overrides) -> coverage.StaffingForecast:
    figures = {
        "baseline": 100_000,
        "counted": 40_000,
        "interviewers_on_duty": 50,
        "history": [(1_500, 50)] * 7,
        "online_history": [0] * 7,
        "days_left": 10,
        "online_days_left": 0,
        "norm": NORM_2021,
    } | overrides
    return coverage.staffing_forecast(**figures)


# --- Flags -----------------------------------------------------------------------------------------


def test_a_district_below_ninety_percent_of_its_plan_is_understaffed_and_at_ninety_it_is_not():
    planned = {"interviewer": 100, "instructor": 10}

    below = coverage.staffing_flags(due=True, on_duty={"interviewer": 89, "instructor": 10}, planned=planned,
                                    vaccinated=99, share=NINETY)  # fmt: skip
    at = coverage.staffing_flags(due=True, on_duty={"interviewer": 90, "instructor": 9}, planned=planned,
                                 vaccinated=99, share=NINETY)  # fmt: skip

    assert below == [UNDERSTAFFED]
    assert at == []


def test_one_unvaccinated_person_on_duty_counting_volunteers_raises_the_flag():
    flags = coverage.staffing_flags(due=True, on_duty={"interviewer": 10}, planned={}, vaccinated=12, volunteers=3,
                                    share=NINETY)  # fmt: skip

    assert flags == [UNVACCINATED]


def test_no_report_on_a_day_one_was_due_is_flagged_and_on_other_days_it_is_not():
    assert coverage.staffing_flags(due=True, on_duty=None, planned={"interviewer": 5}, vaccinated=None, share=NINETY) == [
        NOT_REPORTED
    ]
    assert coverage.staffing_flags(due=False, on_duty=None, planned={"interviewer": 5}, vaccinated=None, share=NINETY) == []


@given(on_duty=people, plan=people, share=st.decimals(min_value=0, max_value=1, places=2))
def test_understaffed_exactly_when_on_duty_is_below_the_share_of_the_plan(on_duty, plan, share):
    flags = coverage.staffing_flags(due=True, on_duty={"interviewer": on_duty}, planned={"interviewer": plan},
                                    vaccinated=on_duty, share=share)  # fmt: skip

    assert (UNDERSTAFFED in flags) == (Fraction(on_duty) < Fraction(share) * plan)


# --- Productivity ----------------------------------------------------------------------------------


def test_productivity_is_the_median_of_persons_per_interviewer_leaving_out_days_without_interviewers():
    days = [(1_000, 10), (3_000, 10), (0, 0), (2_000, 10), (50_000, 10)]

    assert coverage.median_productivity(days) == Fraction(250)  # 100, 200, 300, 5000: between 200 and 300


def test_fewer_than_three_measured_days_have_no_productivity():
    assert coverage.median_productivity([(1_000, 10), (2_000, 10), (5, 0)]) is None


@given(days=st.lists(day_of_work, min_size=3, max_size=30))
def test_productivity_equals_the_statistics_median_and_ignores_the_order_of_days(days):
    measured = [Fraction(added, n) for added, n in days if n > 0]
    result = coverage.median_productivity(days)

    if len(measured) < coverage.PRODUCTIVITY_MIN_DAYS:
        assert result is None
    else:
        assert result == statistics.median(measured)
        assert coverage.median_productivity(list(reversed(days))) == result


def test_the_2021_norm_of_830_persons_per_interviewer_is_for_the_whole_phase_not_per_day():
    norm = coverage.norm_productivity(persons_per_interviewer=830, phase_days=30)

    assert norm == Fraction(83, 3)
    assert norm * 30 == 830


# --- The forecast ----------------------------------------------------------------------------------


def test_a_worked_example_of_the_forecast():
    # given: 60,000 persons left, 20,000 of them expected online (2,000 a day for 10 days), 30 per interviewer a day
    result = forecast(
        history=[(1_500, 50)] * 7, online_history=[2_000] * 7, online_days_left=10, days_left=10, interviewers_on_duty=50
    )

    # then
    assert result.productivity == 30
    assert result.from_norm is False
    assert result.expected_online == 20_000
    assert result.remaining == 40_000
    assert result.days_needed == math.ceil(Fraction(40_000, 1_500))  # 27 days at 50 interviewers
    assert result.interviewers_needed == math.ceil(Fraction(40_000, 300))  # 134 to finish in 10 days
    assert result.gap == 134 - 50


def test_before_three_days_of_data_the_norm_is_used():
    result = forecast(history=[(1_500, 50), (1_400, 50)])

    assert result.from_norm is True
    assert result.productivity == NORM_2021


def test_online_growth_is_only_expected_while_the_online_channel_is_open():
    open_three_days = forecast(online_history=[700] * 7, online_days_left=3)
    closed = forecast(online_history=[700] * 7, online_days_left=0)

    assert open_three_days.expected_online == 2_100
    assert closed.expected_online == 0
    assert closed.remaining - open_three_days.remaining == 2_100


def test_nobody_on_duty_has_no_days_needed_but_still_says_how_many_interviewers_it_takes():
    result = forecast(interviewers_on_duty=0)

    assert result.days_needed is None
    assert result.interviewers_needed is not None
    assert result.gap == result.interviewers_needed


def test_on_the_deadline_no_interviewer_count_can_finish_the_work():
    result = forecast(days_left=0)

    assert result.interviewers_needed is None
    assert result.gap is None


@given(
    baseline=persons,
    counted=persons,
    on_duty=st.integers(min_value=0, max_value=3_000),
    history=st.lists(day_of_work, max_size=14),
    online=st.lists(st.integers(min_value=0, max_value=50_000), max_size=14),
    days_left=st.integers(min_value=0, max_value=120),
    online_days_left=st.integers(min_value=0, max_value=120),
)
def test_the_interviewers_needed_are_the_fewest_that_finish_the_remaining_work_in_the_days_left(
    baseline, counted, on_duty, history, online, days_left, online_days_left
):
    # when
    result = coverage.staffing_forecast(
        baseline=baseline,
        counted=counted,
        interviewers_on_duty=on_duty,
        history=history,
        online_history=online,
        days_left=days_left,
        online_days_left=online_days_left,
        norm=NORM_2021,
    )

    # then: the remaining work is the baseline less what is counted and what online will still bring, never below 0
    expected_online = Fraction(sum(online[-7:]), 7) * min(online_days_left, days_left)
    assert result.remaining == max(0, baseline - counted - math.floor(expected_online))
    assert result.remaining >= 0
    work = result.remaining
    p = result.productivity
    if work == 0:
        assert (result.days_needed, result.interviewers_needed, result.gap) == (0, 0, -on_duty)
        return
    if days_left > 0 and p > 0:
        needed = result.interviewers_needed
        assert needed * p * days_left >= work
        assert (needed - 1) * p * days_left < work
        assert result.gap == needed - on_duty
    else:
        assert result.interviewers_needed is None and result.gap is None
    if on_duty > 0 and p > 0:
        assert result.days_needed * p * on_duty >= work
        assert (result.days_needed - 1) * p * on_duty < work
    else:
        assert result.days_needed is None


@given(
    on_duty=st.integers(min_value=1, max_value=2_000),
    more=st.integers(min_value=1, max_value=2_000),
    history=st.lists(day_of_work, min_size=3, max_size=7),
)
def test_more_interviewers_on_duty_never_need_more_days_nor_change_how_many_are_needed(on_duty, more, history):
    fewer = forecast(interviewers_on_duty=on_duty, history=history)
    plenty = forecast(interviewers_on_duty=on_duty + more, history=history)

    if fewer.days_needed is not None:
        assert plenty.days_needed <= fewer.days_needed
    assert plenty.interviewers_needed == fewer.interviewers_needed
    if fewer.gap is not None:
        assert plenty.gap == fewer.gap - more


@given(history=st.lists(day_of_work, min_size=3, max_size=30))
def test_only_the_last_seven_days_set_the_productivity(history):
    whole = forecast(history=history)
    last_week = forecast(history=history[-7:])

    assert whole.productivity == last_week.productivity
    assert whole.from_norm == last_week.from_norm


@pytest.mark.parametrize(
    ("productivity", "shown"), [(Fraction(83, 3), "27.7"), (Fraction(55, 2), "27.5"), (Fraction(30), "30.0")]
)
def test_productivity_is_shown_with_one_decimal_rounded_half_up(productivity, shown):
    result = coverage.StaffingForecast(productivity, False, 1, 0, 1, 1, 0)

    assert result.productivity_shown == Decimal(shown)
