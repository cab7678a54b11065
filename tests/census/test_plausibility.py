"""Plausibility checks of entered counts: implausible figures are refused unless confirmed, unusual ones saved with a warning.

One district of 10,000 people (so 110% is 11,000, 50% is 5,000, 5% is 500) in a
2021-shaped campaign: online from 1 Sep, door to door from 1 Oct.
"""

import datetime

import pytest
from django.utils import translation

from census.errors import Implausible, Rejected
from census.models import AuditEntry, DailyCount
from census.services import CountRow, EntryMode, import_counts, record_count, set_status
from reports.models import RecomputeRequest
from tests import factories

pytestmark = pytest.mark.usefixtures("after_campaign")

FORM = AuditEntry.Source.FORM


def day(month: int, n: int) -> datetime.date:
    return datetime.date(2021, month, n)


@pytest.fixture
def district(campaign):
    district = factories.DistrictFactory(name_en="Zhanibek District", name_ru="Жанибекский район")
    factories.BaselineFactory(district=district, campaign=campaign, population=10_000)
    return district


def record(campaign, district, date, online, offline=0, **extra):
    return record_count(campaign=campaign, district=district, date=date, online=online, offline=offline, source=FORM, **extra)


def written() -> tuple[int, int, int]:
    return DailyCount.objects.count(), AuditEntry.objects.count(), RecomputeRequest.objects.count()


def codes(checks) -> list[str]:
    return [check.code for check in checks]


# --- Implausible: refused unless confirmed --------------------------------------------------------


def test_one_day_at_exactly_half_the_baseline_is_saved_and_one_more_is_refused(campaign, district):
    at_limit = record(campaign, district, day(9, 20), 5_000)
    assert codes(at_limit.warnings) == ["day_large"]  # unusual, not implausible

    before = written()
    with pytest.raises(Implausible) as refused:
        record(campaign, district, day(10, 5), 0, 5_001)

    assert codes(refused.value.checks) == ["day_over_baseline"]
    assert refused.value.checks[0].field == "offline"
    assert refused.value.checks[0].figures == {"value": 5_001, "baseline": 10_000, "percent": 50.0, "limit_percent": 50}
    assert written() == before


@pytest.mark.parametrize(
    ("language", "day_figure", "figure", "limit"),
    [
        # 50.01 %: with one decimal it would read "50.0% (more than 50%)"
        ("en", 5_001, "would be 50.01% of", "(more than 50%)"),
        ("ru", 5_001, "составили бы 50,01\xa0% базовой", "больше 50\xa0%."),
        ("en", 5_004, "would be 50.04% of", "(more than 50%)"),  # half up to one decimal: 50.0 again
        ("en", 5_005, "would be 50.1% of", "(more than 50%)"),  # one decimal already reads as over
    ],
)
def test_a_figure_just_over_a_limit_never_reads_as_the_limit_itself(campaign, district, language, day_figure, figure, limit):
    # given a district of 10,000: one day above 5,000 (50 %) is refused
    with translation.override(language), pytest.raises(Implausible) as refused:
        record(campaign, district, day(10, 5), day_figure)

    # then the message shows the figure as over the limit it names
    message = refused.value.message_dict["online"][0]
    assert figure in message and limit in message
    assert "50.0%" not in message and "50,0\xa0%" not in message


def test_a_total_just_over_110_percent_reads_as_over_it(campaign, district):
    for n, online in enumerate([4_000, 4_000, 3_000], start=1):
        record(campaign, district, day(9, n), online)  # 11,000: exactly 110 %

    with translation.override("en"), pytest.raises(Implausible) as refused:
        record(campaign, district, day(9, 4), 1)

    message = refused.value.message_dict["confirm_implausible"][0]
    assert "11,001, 110.01% of its baseline of 10,000 (more than 110%)" in message


def test_a_total_of_exactly_110_percent_is_saved_and_one_more_is_refused(campaign, district):
    for n, online in enumerate([4_000, 4_000], start=1):
        record(campaign, district, day(9, n), online)
    record(campaign, district, day(9, 3), 3_000)  # 11,000: exactly 110%

    with pytest.raises(Implausible) as refused:
        record(campaign, district, day(9, 4), 1)

    assert codes(refused.value.checks) == ["total_over_baseline"]
    assert refused.value.checks[0].figures["total"] == 11_001
    assert not DailyCount.objects.filter(date=day(9, 4)).exists()


def test_five_million_for_a_district_of_36_100_is_refused_naming_the_checks_and_figures(campaign):
    district = factories.DistrictFactory(name_en="Kaztal District")
    factories.BaselineFactory(district=district, campaign=campaign, population=36_100)

    with translation.override("en"), pytest.raises(Implausible) as refused:
        record(campaign, district, day(10, 5), 5_000_000, reason="test")

    messages = refused.value.message_dict
    assert set(codes(refused.value.checks)) == {"total_over_baseline", "day_over_baseline"}
    assert "5,000,000" in messages["online"][0] and "36,100" in messages["online"][0]
    assert "13,850.4%" in messages["online"][0] and "50%" in messages["online"][0]
    assert "110%" in messages["confirm_implausible"][0]
    assert not DailyCount.objects.exists()


def test_the_figures_are_in_the_readers_format(campaign, district):
    with translation.override("ru"), pytest.raises(Implausible) as refused:
        record(campaign, district, day(10, 5), 6_000)

    assert "6\xa0000" in refused.value.message_dict["online"][0]
    assert "60,0\xa0%" in refused.value.message_dict["online"][0]
    assert "Онлайн" in refused.value.message_dict["online"][0]


def test_a_confirmation_needs_a_reason_and_then_the_figures_are_saved_with_the_reason_kept(campaign, district):
    with pytest.raises(Rejected) as refused:
        record(campaign, district, day(10, 5), 6_000, confirm_implausible=True)
    assert list(refused.value.message_dict) == ["reason"]
    assert not DailyCount.objects.exists()

    result = record(campaign, district, day(10, 5), 6_000, confirm_implausible=True, reason="a city joined the district")

    assert result.count.online == 6_000
    assert codes(result.warnings) == ["day_over_baseline"]
    assert AuditEntry.objects.get().reason == "a city joined the district"


def test_a_large_first_report_after_days_of_silence_is_unusual_not_implausible(campaign, district):
    record(campaign, district, day(9, 1), 100)

    result = record(campaign, district, day(9, 12), 3_000)  # eleven silent days, then 30% at once

    assert result.count.online == 3_000
    assert codes(result.warnings) == ["day_large"]


def test_cumulative_entry_is_judged_on_the_days_figure_and_the_new_total(campaign, district):
    record(campaign, district, day(9, 1), 4_000)

    # A total of 9,000 as of 2 Sep is 5,000 that day: at the day limit, under the total one.
    result = record(campaign, district, day(9, 2), 9_000, mode=EntryMode.CUMULATIVE)
    assert result.count.online == 5_000

    with pytest.raises(Implausible) as refused:
        record(campaign, district, day(9, 3), 11_001, mode=EntryMode.CUMULATIVE)
    assert codes(refused.value.checks) == ["total_over_baseline"]


def test_lowering_figures_of_a_district_already_over_its_baseline_is_not_refused(campaign, district):
    record(campaign, district, day(9, 1), 6_000, confirm_implausible=True, reason="verified")
    record(campaign, district, day(9, 2), 5_500, confirm_implausible=True, reason="verified")  # 11,500: 115%

    result = record(campaign, district, day(9, 2), 5_400, reason="double-counted forms")  # still 114%, but lower

    assert result.count.online == 5_400
    assert result.warnings == ()


def test_a_district_without_a_baseline_is_not_judged_on_size(campaign):
    district = factories.DistrictFactory()

    assert record(campaign, district, day(9, 1), 1_000_000).warnings == ()


# --- Unusual: saved with a warning -----------------------------------------------------------------


def test_a_day_at_exactly_5_percent_has_no_warning_and_one_more_has_one(campaign, district):
    assert record(campaign, district, day(9, 1), 500).warnings == ()

    result = record(campaign, district, day(9, 3), 501)

    assert codes(result.warnings) == ["day_large"]
    assert result.warnings[0].figures["percent"] == 5.0
    assert DailyCount.objects.get(date=day(9, 3)).online == 501


def test_a_day_above_four_times_the_previous_weeks_average_is_unusual(campaign, district):
    for n in range(10, 17):  # a week of 100 a day
        record(campaign, district, day(9, n), 100)

    exactly = record(campaign, district, day(9, 17), 400)
    above = record(campaign, district, day(9, 17), 401, reason="late forms")

    assert exactly.warnings == ()
    assert codes(above.warnings) == ["day_jump"]
    assert above.warnings[0].figures == {"value": 401, "week_average": 100.0, "factor": 4}
    assert DailyCount.objects.get(date=day(9, 17)).online == 401


def test_the_jump_rule_waits_for_a_channels_first_week(campaign, district):
    # Door to door opens on 1 Oct: its ramp-up in the first week is expected.
    for n in range(1, 4):
        record(campaign, district, day(10, n), 0, 10)

    ramp = record(campaign, district, day(10, 4), 0, 400)
    assert ramp.warnings == ()

    for n in range(5, 8):
        record(campaign, district, day(10, n), 0, 10)
    after_first_week = record(campaign, district, day(10, 8), 0, 400)
    assert codes(after_first_week.warnings) == ["day_jump"]
    assert after_first_week.warnings[0].field == "offline"


def test_figures_added_to_a_closed_district_are_unusual(campaign, district):
    set_status(campaign=campaign, district=district, status="completed_early", date=day(10, 20), source=FORM)

    before_closing = record(campaign, district, day(10, 19), 0, 10)
    after_closing = record(campaign, district, day(10, 21), 0, 10)

    assert "district_closed" not in codes(before_closing.warnings)
    assert "district_closed" in codes(after_closing.warnings)
    assert DailyCount.objects.get(date=day(10, 21)).offline == 10


# --- Batches: the same checks per row ---------------------------------------------------------------


def test_a_batch_refuses_an_implausible_row_and_writes_nothing_and_warns_about_unusual_ones(campaign, district):
    other = factories.DistrictFactory()
    factories.BaselineFactory(district=other, campaign=campaign, population=10_000)
    rows = [
        CountRow(line=2, district=district, date=day(10, 5), online=600, offline=0),
        CountRow(line=3, district=other, date=day(10, 5), online=7_000, offline=0),
    ]

    summary = import_counts(campaign=campaign, rows=rows, source=FORM)

    assert not summary.applied
    assert [(o.row.line, o.action, o.implausible) for o in summary.outcomes] == [
        (2, "created", False),
        (3, "rejected", True),
    ]
    assert codes(summary.outcomes[0].warnings) == ["day_large"]
    assert written() == (0, 0, 0)

    confirmed = import_counts(campaign=campaign, rows=rows, source=FORM, confirm_implausible=True, reason="checked by phone")
    assert confirmed.applied
    assert DailyCount.objects.get(district=other).online == 7_000


def test_rows_of_one_batch_see_each_other_for_the_total(campaign, district):
    rows = [CountRow(line=n, district=district, date=day(9, n), online=3_000, offline=0) for n in range(1, 5)]

    summary = import_counts(campaign=campaign, rows=rows, source=FORM)

    # 3,000, 6,000, 9,000 and then 12,000: the fourth row passes 110%.
    assert [o.action for o in summary.outcomes] == ["created", "created", "created", "rejected"]
    assert not DailyCount.objects.exists()


def test_the_thresholds_are_settings(campaign, district, settings):
    settings.CENSUS_PLAUSIBILITY_DAY_PERCENT = 20
    settings.CENSUS_PLAUSIBILITY_UNUSUAL_DAY_PERCENT = 10

    assert record(campaign, district, day(9, 1), 1_000).warnings == ()  # 10%: no longer unusual
    with pytest.raises(Implausible):
        record(campaign, district, day(9, 2), 2_001)  # just over 20%
