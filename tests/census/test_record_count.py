"""record_count(): the one write path for counts, its validation, cumulative entry, corrections and versions."""

import datetime
import re

import pytest
import time_machine
from django.db.models import Sum
from django.utils import translation

from census.errors import CountConflict, Rejected
from census.models import REASON_MAX_LENGTH, AuditEntry, DailyCount
from census.services import MAX_DAILY_VALUE, CountRow, EntryMode, import_counts, record_count
from reports.models import RecomputeRequest

pytestmark = pytest.mark.usefixtures("after_campaign")

FORM = AuditEntry.Source.FORM
# Both phases of the `campaign` fixture are open on these days (online to 15 Oct, door to door from 1 Oct).
OCT_1 = datetime.date(2021, 10, 1)
OCT_5 = datetime.date(2021, 10, 5)


def day(n: int) -> datetime.date:
    return datetime.date(2021, 10, n)


def record(campaign, district, **overrides):
    kwargs = {"campaign": campaign, "district": district, "date": OCT_5, "online": 10, "offline": 5, "source": FORM}
    kwargs.update(overrides)
    return record_count(**kwargs)


def written() -> tuple[int, int, int]:
    return DailyCount.objects.count(), AuditEntry.objects.count(), RecomputeRequest.objects.count()


def stored(district) -> list[tuple[datetime.date, int, int]]:
    return list(DailyCount.objects.filter(district=district).order_by("date").values_list("date", "online", "offline"))


def cumulative(district, as_of) -> tuple[int, int]:
    sums = DailyCount.objects.filter(district=district, date__lte=as_of).aggregate(online=Sum("online"), offline=Sum("offline"))
    return sums["online"] or 0, sums["offline"] or 0


# --- Bad input ---------------------------------------------------------------------------------

BAD_VALUES = [
    pytest.param(-1, id="negative"),
    pytest.param("-7", id="negative-text"),
    pytest.param(None, id="none"),
    pytest.param("", id="empty"),
    pytest.param("   ", id="blank"),
    pytest.param("abc", id="letters"),
    pytest.param("12a", id="digits-then-letters"),
    pytest.param("--5", id="double-minus"),
    pytest.param("1e3", id="exponent"),
    pytest.param("1.5", id="decimal-text"),
    pytest.param(True, id="bool-true"),
    pytest.param(False, id="bool-false"),
    pytest.param(2.5, id="float-with-fraction"),
    pytest.param(float("nan"), id="nan"),
    pytest.param(float("inf"), id="infinity"),
    pytest.param("٣", id="arabic-indic-digit"),
    pytest.param("３", id="fullwidth-digit"),
    pytest.param("²", id="superscript-digit"),
    pytest.param([5], id="list"),
    pytest.param(MAX_DAILY_VALUE + 1, id="too-large"),
    pytest.param(str(MAX_DAILY_VALUE + 1), id="too-large-text"),
]


@pytest.mark.parametrize("channel", ["online", "offline"])
@pytest.mark.parametrize("value", BAD_VALUES)
def test_a_bad_figure_is_rejected_on_its_own_field_and_nothing_is_written(campaign, district, channel, value):
    # given
    figures = {"online": 10, "offline": 5, channel: value}

    # when
    with pytest.raises(Rejected) as rejected:
        record(campaign, district, **figures)

    # then
    assert list(rejected.value.message_dict) == [channel]
    assert written() == (0, 0, 0)


def test_bad_figures_in_both_channels_are_reported_together(campaign, district):
    with pytest.raises(Rejected) as rejected:
        record(campaign, district, online=-1, offline="x")

    assert set(rejected.value.message_dict) == {"online", "offline"}
    assert written() == (0, 0, 0)


def test_a_reason_longer_than_the_forms_allow_is_rejected_from_any_caller_and_nothing_is_written(campaign, district):
    # given: a stored day, and a correction whose reason is a pasted page (a command's --reason, say)
    record(campaign, district)
    before = written()

    # when
    with pytest.raises(Rejected) as rejected:
        record(campaign, district, online=5, reason="x" * (REASON_MAX_LENGTH + 1))
    # ...and the same through a batch
    summary = import_counts(
        campaign=campaign,
        rows=[CountRow(line=2, district=district, date=OCT_5, online=4, offline=5, reason="y" * (REASON_MAX_LENGTH + 1))],
        source=FORM,
    )

    # then
    assert list(rejected.value.message_dict) == ["reason"]
    assert [list(outcome.errors) for outcome in summary.failed] == [["reason"]]
    assert written() == before
    assert stored(district) == [(OCT_5, 10, 5)]


def test_a_reason_of_exactly_the_limit_is_kept(campaign, district):
    record(campaign, district)

    record(campaign, district, online=5, reason="z" * REASON_MAX_LENGTH)

    assert AuditEntry.objects.latest("id").reason == "z" * REASON_MAX_LENGTH


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("1 234", 1234, id="space-grouped"),
        pytest.param("12\xa0345", 12345, id="nbsp-grouped"),
        pytest.param(" 42 ", 42, id="padded"),
        pytest.param(7.0, 7, id="whole-float"),
        pytest.param(0, 0, id="zero"),
        pytest.param(MAX_DAILY_VALUE, MAX_DAILY_VALUE, id="the-maximum"),
    ],
)
def test_figures_typed_the_way_people_type_them_are_stored_as_whole_numbers(campaign, district, value, expected):
    # Some are far above what the district can count: confirmed past the plausibility checks, which are not tested here.
    result = record(campaign, district, online=value, offline=0, confirm_implausible=True, reason="reading test")

    assert result.count.online == expected
    assert DailyCount.objects.get().online == expected


def test_the_too_large_message_names_the_figure(campaign, district):
    with pytest.raises(Rejected) as rejected:
        record(campaign, district, online=MAX_DAILY_VALUE + 1)

    # Grouping differs by language; the digits do not.
    assert str(MAX_DAILY_VALUE + 1) in re.sub(r"\D", "", rejected.value.message_dict["online"][0])


def test_a_count_for_tomorrow_is_rejected_and_accepted_once_the_day_has_come(campaign, district):
    # given: it is the evening of 10 Oct in Almaty
    with time_machine.travel(datetime.datetime(2021, 10, 10, 13, 0, tzinfo=datetime.UTC), tick=False):
        # when
        with pytest.raises(Rejected) as rejected:
            record(campaign, district, date=day(11))

        # then
        assert list(rejected.value.message_dict) == ["date"]
        assert written() == (0, 0, 0)

    with time_machine.travel(datetime.datetime(2021, 10, 11, 3, 0, tzinfo=datetime.UTC), tick=False):
        assert record(campaign, district, date=day(11)).created


def test_today_is_today_in_almaty_not_in_utc(campaign, district):
    # 19:30 UTC on 10 Oct is already 01:30 on 11 Oct in Almaty (UTC+6).
    with time_machine.travel(datetime.datetime(2021, 10, 10, 19, 30, tzinfo=datetime.UTC), tick=False):
        assert record(campaign, district, date=day(11)).created


@pytest.mark.parametrize(
    "date",
    [
        pytest.param(datetime.date(2021, 8, 31), id="before-the-campaign"),
        pytest.param(datetime.date(2021, 10, 31), id="after-both-phases"),
    ],
)
def test_a_date_outside_every_phase_is_rejected_on_the_date(campaign, district, date):
    with pytest.raises(Rejected) as rejected:
        record(campaign, district, date=date, online=1, offline=0)

    assert list(rejected.value.message_dict) == ["date"]
    assert written() == (0, 0, 0)


def test_a_zero_count_outside_every_phase_is_still_rejected(campaign, district):
    with pytest.raises(Rejected) as rejected:
        record(campaign, district, date=datetime.date(2021, 11, 2), online=0, offline=0)

    assert list(rejected.value.message_dict) == ["date"]
    assert written() == (0, 0, 0)


def test_a_door_to_door_count_on_a_day_only_online_covers_is_rejected_on_the_offline_field(campaign, district):
    with pytest.raises(Rejected) as rejected:
        record(campaign, district, date=datetime.date(2021, 9, 15), online=10, offline=5)

    assert list(rejected.value.message_dict) == ["offline"]
    assert written() == (0, 0, 0)


def test_an_online_only_count_on_a_day_only_online_covers_is_accepted(campaign, district):
    result = record(campaign, district, date=datetime.date(2021, 9, 15), online=10, offline=0)

    assert result.created
    assert stored(district) == [(datetime.date(2021, 9, 15), 10, 0)]


@pytest.mark.parametrize("mode", ["weekly", "", None, "DAILY"])
def test_an_unknown_entry_mode_is_rejected_on_the_mode(campaign, district, mode):
    with pytest.raises(Rejected) as rejected:
        record(campaign, district, mode=mode)

    assert list(rejected.value.message_dict) == ["mode"]
    assert written() == (0, 0, 0)


@pytest.mark.parametrize(
    "date",
    [
        pytest.param("2021-10-05", id="text"),
        pytest.param(None, id="none"),
        pytest.param(datetime.datetime(2021, 10, 5, 12, 0, tzinfo=datetime.UTC), id="datetime"),
    ],
)
def test_something_that_is_not_a_date_is_rejected_on_the_date(campaign, district, date):
    with pytest.raises(Rejected) as rejected:
        record(campaign, district, date=date)

    assert list(rejected.value.message_dict) == ["date"]
    assert written() == (0, 0, 0)


# --- Daily and cumulative entry -----------------------------------------------------------------

INCREMENTS = [(120, 40), (0, 0), (55, 12), (7, 0), (0, 31), (1, 1)]


def test_cumulative_entry_day_by_day_stores_the_same_rows_as_daily_entry(campaign, district, other_district):
    # given
    totals, online_total, offline_total = [], 0, 0
    for online, offline in INCREMENTS:
        online_total += online
        offline_total += offline
        totals.append((online_total, offline_total))

    # when
    for n, (online, offline) in enumerate(INCREMENTS, start=1):
        record(campaign, district, date=day(n), online=online, offline=offline, mode=EntryMode.DAILY)
    for n, (online, offline) in enumerate(totals, start=1):
        record(campaign, other_district, date=day(n), online=online, offline=offline, mode=EntryMode.CUMULATIVE)

    # then
    assert stored(other_district) == stored(district)
    assert [(o, f) for _d, o, f in stored(district)] == INCREMENTS
    for n, total in enumerate(totals, start=1):
        assert cumulative(other_district, day(n)) == total


def test_a_cumulative_total_equal_to_yesterdays_stores_a_zero_day(campaign, district):
    record(campaign, district, date=day(1), online=100, offline=20, mode=EntryMode.CUMULATIVE)

    record(campaign, district, date=day(2), online=100, offline=20, mode=EntryMode.CUMULATIVE)

    assert stored(district) == [(day(1), 100, 20), (day(2), 0, 0)]


def test_re_entering_a_cumulative_total_for_an_earlier_day_leaves_later_days_alone(campaign, district):
    # given
    for n, (online, offline) in enumerate([(100, 10), (50, 10), (25, 10)], start=1):
        record(campaign, district, date=day(n), online=online, offline=offline)

    # when: day 2 really ended at 160 online, not 150
    record(campaign, district, date=day(2), online=160, offline=20, mode=EntryMode.CUMULATIVE, reason="late forms")

    # then
    assert stored(district) == [(day(1), 100, 10), (day(2), 60, 10), (day(3), 25, 10)]
    assert cumulative(district, day(2)) == (160, 20)


# --- A cumulative total that falls --------------------------------------------------------------


@pytest.fixture
def four_days(campaign, district):
    """Online 100, 30, 0, 20 (cumulative 150) and door to door 40, 0, 0, 10 (cumulative 50) on 1-4 Oct."""
    for n, (online, offline) in enumerate([(100, 40), (30, 0), (0, 0), (20, 10)], start=1):
        record(campaign, district, date=day(n), online=online, offline=offline)
    return stored(district)


def test_a_falling_cumulative_total_without_a_reason_is_rejected_on_that_channel(campaign, district, four_days):
    # given
    before = written()

    # when
    with pytest.raises(Rejected) as rejected:
        record(campaign, district, date=day(5), online=120, offline=50, mode=EntryMode.CUMULATIVE)

    # then
    assert list(rejected.value.message_dict) == ["online"]
    assert written() == before
    assert stored(district) == four_days


def test_falling_totals_in_both_channels_are_both_reported(campaign, district, four_days):
    with pytest.raises(Rejected) as rejected:
        record(campaign, district, date=day(5), online=120, offline=45, mode=EntryMode.CUMULATIVE, reason="  ")

    assert set(rejected.value.message_dict) == {"online", "offline"}
    assert stored(district) == four_days


def test_a_falling_cumulative_total_with_a_reason_takes_the_surplus_off_the_latest_earlier_days(
    campaign, district, four_days, user
):
    # given
    audit_before = AuditEntry.objects.count()

    # when: 30 online were counted twice
    result = record(
        campaign, district, date=day(5), online=120, offline=50, mode=EntryMode.CUMULATIVE, reason="duplicate forms", user=user
    )

    # then: 20 come off 4 Oct and the remaining 10 off 2 Oct (3 Oct had nothing to take)
    assert result.changed
    assert stored(district) == [(day(1), 100, 40), (day(2), 20, 0), (day(3), 0, 0), (day(4), 0, 10), (day(5), 0, 0)]
    assert cumulative(district, day(5)) == (120, 50)
    assert not DailyCount.objects.filter(online__lt=0).exists()
    assert not DailyCount.objects.filter(offline__lt=0).exists()
    corrections = AuditEntry.objects.filter(reason="duplicate forms").exclude(date=day(5)).order_by("date")
    assert [(e.date, e.changes) for e in corrections] == [(day(2), {"online": [30, 20]}), (day(4), {"online": [20, 0]})]
    assert {(e.user_id, e.source) for e in corrections} == {(user.pk, FORM)}
    # One entry for the new day, one for each lowered day.
    assert AuditEntry.objects.count() == audit_before + 3
    assert DailyCount.objects.get(date=day(2)).version == 2
    assert DailyCount.objects.get(date=day(1)).version == 1
    # Coverage is owed from the earliest day that changed.
    assert RecomputeRequest.objects.filter(district=district, from_date=day(2)).exists()


def test_a_surplus_larger_than_the_latest_day_is_spread_back_until_it_is_gone(campaign, district, four_days):
    record(campaign, district, date=day(5), online=10, offline=0, mode=EntryMode.CUMULATIVE, reason="wrong district")

    assert stored(district) == [(day(1), 10, 0), (day(2), 0, 0), (day(3), 0, 0), (day(4), 0, 0), (day(5), 0, 0)]
    assert cumulative(district, day(5)) == (10, 0)


def test_a_cumulative_total_of_zero_with_a_reason_clears_every_earlier_day(campaign, district, four_days):
    record(campaign, district, date=day(5), online=0, offline=0, mode=EntryMode.CUMULATIVE, reason="district mixed up")

    assert cumulative(district, day(5)) == (0, 0)
    assert not DailyCount.objects.filter(district=district).exclude(online=0, offline=0).exists()


# --- Corrections and repeats ---------------------------------------------------------------------


def test_lowering_a_figure_without_a_reason_is_rejected_on_that_channel(campaign, district):
    # given
    record(campaign, district, online=50, offline=20)
    before = written()

    # when
    with pytest.raises(Rejected) as rejected:
        record(campaign, district, online=40, offline=20)

    # then
    assert list(rejected.value.message_dict) == ["online"]
    assert written() == before
    row = DailyCount.objects.get()
    assert (row.online, row.offline, row.version) == (50, 20, 1)


def test_raising_a_past_days_figure_without_a_reason_is_rejected_on_the_reason(campaign, district):
    # given
    record(campaign, district, online=50, offline=20)
    before = written()

    # when
    with pytest.raises(Rejected) as rejected:
        record(campaign, district, online=60, offline=20)

    # then
    assert list(rejected.value.message_dict) == ["reason"]
    assert written() == before
    assert DailyCount.objects.get().online == 50


def test_raising_todays_figure_needs_no_reason(campaign, district):
    with time_machine.travel(datetime.datetime(2021, 10, 5, 10, 0, tzinfo=datetime.UTC), tick=False):
        record(campaign, district, online=50, offline=20)

        result = record(campaign, district, online=60, offline=25)

    assert result.changed
    assert (result.count.online, result.count.offline, result.count.version) == (60, 25, 2)


def test_lowering_todays_figure_still_needs_a_reason(campaign, district):
    with time_machine.travel(datetime.datetime(2021, 10, 5, 10, 0, tzinfo=datetime.UTC), tick=False):
        record(campaign, district, online=50, offline=20)

        with pytest.raises(Rejected) as rejected:
            record(campaign, district, online=50, offline=10)

    assert list(rejected.value.message_dict) == ["offline"]


def test_a_correction_with_a_reason_is_stored_with_the_next_version_and_audited(campaign, district, user):
    # given
    record(campaign, district, online=50, offline=20)

    # when
    result = record(campaign, district, online=45, offline=20, reason="double-counted household", user=user)

    # then
    assert (result.created, result.changed) == (False, True)
    row = DailyCount.objects.get()
    assert (row.online, row.offline, row.version, row.updated_by) == (45, 20, 2, user)
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.changes == {"online": [50, 45]}
    assert entry.reason == "double-counted household"


def test_entering_the_same_figures_again_changes_nothing(campaign, district):
    # given
    record(campaign, district, online=50, offline=20)
    before = written()

    # when
    result = record(campaign, district, online="50", offline=20.0)

    # then
    assert (result.created, result.changed) == (False, False)
    assert written() == before
    assert DailyCount.objects.get().version == 1


def test_entering_the_same_cumulative_totals_again_changes_nothing(campaign, district, four_days):
    before = written()

    result = record(campaign, district, date=day(4), online=150, offline=50, mode=EntryMode.CUMULATIVE)

    assert not result.changed
    assert written() == before
    assert stored(district) == four_days


def test_counts_of_one_district_do_not_touch_another(campaign, district, other_district):
    record(campaign, other_district, date=day(1), online=500, offline=0)

    record(campaign, district, date=day(2), online=30, offline=0, mode=EntryMode.CUMULATIVE)

    assert stored(district) == [(day(2), 30, 0)]
    assert stored(other_district) == [(day(1), 500, 0)]


# --- Versions ----------------------------------------------------------------------------------


def test_an_edit_based_on_the_current_version_is_accepted(campaign, district):
    first = record(campaign, district, online=50, offline=20).count

    result = record(campaign, district, online=55, offline=20, reason="late form", expected_version=first.version)

    assert result.count.version == 2


def test_an_edit_based_on_a_stale_version_is_refused_with_the_current_row(campaign, district):
    # given: two people opened version 1; the first saved
    record(campaign, district, online=50, offline=20)
    record(campaign, district, online=55, offline=20, reason="late form", expected_version=1)
    before = written()

    # when: the second saves
    with pytest.raises(CountConflict) as conflict:
        record(campaign, district, online=70, offline=20, reason="my figure", expected_version=1)

    # then
    current = conflict.value.current
    assert (current.pk, current.online, current.version) == (DailyCount.objects.get().pk, 55, 2)
    assert written() == before
    assert DailyCount.objects.get().online == 55


def test_expecting_no_row_when_one_exists_is_a_conflict(campaign, district):
    record(campaign, district, online=50, offline=20)
    before = written()

    with pytest.raises(CountConflict) as conflict:
        record(campaign, district, online=60, offline=20, reason="typo", expected_version=0)

    assert conflict.value.current.online == 50
    assert written() == before


def test_expecting_no_row_when_there_is_none_creates_it(campaign, district):
    result = record(campaign, district, expected_version=0)

    assert result.created
    assert result.count.version == 1


def test_expecting_a_row_that_does_not_exist_is_a_conflict(campaign, district):
    with pytest.raises(CountConflict) as conflict:
        record(campaign, district, expected_version=1)

    assert conflict.value.current is None
    assert written() == (0, 0, 0)


# --- Messages in the user's language -----------------------------------------------------------


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"online": -1}, "online", id="negative"),
        pytest.param({"offline": "٣"}, "offline", id="not-a-number"),
        pytest.param({"date": datetime.date(2021, 8, 1)}, "date", id="outside-phases"),
        pytest.param({"date": datetime.date(2021, 9, 15)}, "offline", id="phase-closed"),
        pytest.param({"mode": "weekly"}, "mode", id="mode"),
    ],
)
def test_rejections_carry_a_message_in_the_active_language_on_the_right_field(campaign, district, language, overrides, field):
    with translation.override(language), pytest.raises(Rejected) as rejected:
        record(campaign, district, **overrides)

    messages = rejected.value.message_dict[field]
    assert messages
    assert all(isinstance(m, str) and m.strip() for m in messages)
