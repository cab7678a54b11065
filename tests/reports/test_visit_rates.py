"""The rates of door-to-door visits and non-response (reports/coverage.py visit_rates): pure arithmetic."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from reports.coverage import visit_rates

OUTCOMES = ("interviewed", "notice_shown", "not_at_home", "door_closed", "refused", "no_notice", "vacant")


def day(**outcomes) -> dict:
    figures = dict.fromkeys(OUTCOMES, 0) | outcomes
    visits = sum(figures[name] for name in OUTCOMES)
    return figures | {"visits": visits, "assigned": 400, "outstanding": 150, "revisits_scheduled": 30, "revisits_made": 10}


def test_a_day_of_visits_gives_each_rate_over_its_own_base():
    # 200 visits: 10 to vacant places, so 190 to dwellings
    rates = visit_rates(day(interviewed=120, notice_shown=20, not_at_home=25, door_closed=10, refused=5, no_notice=10, vacant=10))

    assert rates.contact == Decimal("81.6")  # (120 + 20 + 5 + 10) / 190 = 81.58
    assert rates.non_response == Decimal("26.3")  # (25 + 10 + 5 + 10) / 190 = 26.32
    assert rates.outstanding == Decimal("37.5")  # 150 / 400
    assert rates.revisit_burden == Decimal("15.0")  # 30 / 200
    assert rates.notice_gap == Decimal("33.3")  # 10 / (20 + 10)


def test_an_exact_half_tenth_rounds_up():
    # 1 of 2,000 households outstanding is exactly 0.05%
    rates = visit_rates(day(interviewed=1) | {"assigned": 2000, "outstanding": 1})

    assert rates.outstanding == Decimal("0.1")


def test_no_base_no_rate():
    rates = visit_rates(day(vacant=3) | {"assigned": 0, "outstanding": 0})

    assert (rates.contact, rates.non_response, rates.outstanding, rates.notice_gap) == (None, None, None, None)
    assert rates.revisit_burden == Decimal("1000.0")  # 30 revisits planned for 3 visits: a burden can exceed 100%


@given(
    outcomes=st.fixed_dictionaries({name: st.integers(min_value=0, max_value=10_000) for name in OUTCOMES}),
)
def test_every_share_of_the_dwellings_visited_lies_between_0_and_100(outcomes):
    rates = visit_rates(day(**outcomes))

    for rate in (rates.contact, rates.non_response, rates.notice_gap):
        assert rate is None or Decimal(0) <= rate <= Decimal(100)
    dwellings = sum(outcomes.values()) - outcomes["vacant"]
    assert (rates.contact is None) == (dwellings == 0)
