"""record_count() under generated input: whatever is wrong is rejected with a translated message and writes nothing.

Hypothesis draws bad figures (negative, beyond the maximum, fractions, Decimals,
text that is not a number, other scripts' digits, None, booleans, very long
digit strings) and bad dates (before, after and outside the channel's phase,
in the future, not a date at all), alone and beside valid values. A valid
district-day drawn the same way is stored exactly as entered.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from census.errors import Rejected
from census.models import AuditEntry, DailyCount
from census.services import MAX_DAILY_VALUE, record_count
from reports.models import RecomputeRequest

pytestmark = pytest.mark.usefixtures("after_campaign")

FORM = AuditEntry.Source.FORM
# The `campaign` fixture: online 1 Sep-15 Oct, door to door 1-30 Oct; "today" is 20 Nov 2021.
ONLINE_STARTS, ONLINE_ENDS = datetime.date(2021, 9, 1), datetime.date(2021, 10, 15)
DOOR_STARTS, DOOR_ENDS = datetime.date(2021, 10, 1), datetime.date(2021, 10, 30)
TODAY = datetime.date(2021, 11, 20)
# Days already holding counts when the examples run: bad input must leave them as they are.
SEEDED = {datetime.date(2021, 10, 3): (120, 40), datetime.date(2021, 10, 4): (80, 35)}
LANGUAGES = ("en", "ru", "kk")

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)


# --- What a bad figure looks like ----------------------------------------------------------------

# Digits of other scripts: int() reads them, a census form must not.
FOREIGN_DIGITS = {
    "arabic-indic": "٠١٢٣٤٥٦٧٨٩",
    "persian": "۰۱۲۳۴۵۶۷۸۹",
    "devanagari": "०१२३४५६७८९",
    "fullwidth": "０１２３４５６７８９",
    "bengali": "০১২৩৪৫৬৭৮৯",
}


def is_plain_number(text: str) -> bool:
    """ASCII digits once spaces are taken out: what people type for a count (a valid one if small enough)."""
    digits = "".join(text.split())
    return digits.isascii() and digits.isdigit()


def in_script(number: int, digits: str) -> str:
    return "".join(digits[int(d)] for d in str(number))


foreign_digit_strings = st.builds(
    in_script, st.integers(min_value=0, max_value=MAX_DAILY_VALUE), st.sampled_from(list(FOREIGN_DIGITS.values()))
) | st.sampled_from(["٣٤", "۳۴", "३४", "３４", "1٣", "²", "½"])

bad_figures = st.one_of(
    st.integers(max_value=-1),
    st.integers(min_value=MAX_DAILY_VALUE + 1, max_value=10**30),
    st.just(10**30),
    st.integers(max_value=-1).map(str),
    st.integers(min_value=MAX_DAILY_VALUE + 1, max_value=10**30).map(str),
    # Longer than Python will turn into an int without being asked (4300 digits).
    st.integers(min_value=4301, max_value=6000).map(lambda n: "9" * n),
    st.floats(allow_nan=True, allow_infinity=True).filter(lambda f: not f.is_integer()),
    st.floats(min_value=MAX_DAILY_VALUE + 1, allow_infinity=False),
    st.floats(max_value=-1, allow_infinity=False),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(st.characters(codec="utf-8"), max_size=20).filter(lambda s: not is_plain_number(s)),
    st.sampled_from(["", " ", "   ", "\t", "\n", "\xa0", "\u2003"]),
    foreign_digit_strings,
    st.none(),
    st.booleans(),
    st.sampled_from([[5], {"value": 5}, (1,), b"12", object()]),
)

valid_figures = st.integers(min_value=0, max_value=MAX_DAILY_VALUE)


# --- What a bad date looks like ------------------------------------------------------------------


def days(first: datetime.date, last: datetime.date):
    return st.dates(min_value=first, max_value=last)


# (date, online, offline) where the date is wrong for the figures given.
bad_dated_entries = st.one_of(
    # Before the campaign, after it (but not yet today) and in the future: no channel is open.
    st.tuples(days(datetime.date(1900, 1, 1), ONLINE_STARTS - datetime.timedelta(days=1)), valid_figures, valid_figures),
    st.tuples(days(DOOR_ENDS + datetime.timedelta(days=1), TODAY), valid_figures, valid_figures),
    st.tuples(days(TODAY + datetime.timedelta(days=1), datetime.date(9999, 12, 31)), valid_figures, valid_figures),
    # Only online was open in September: door-to-door figures cannot be for those days.
    st.tuples(days(ONLINE_STARTS, DOOR_STARTS - datetime.timedelta(days=1)), valid_figures, st.integers(1, MAX_DAILY_VALUE)),
    # Only door to door was open after 15 Oct.
    st.tuples(days(ONLINE_ENDS + datetime.timedelta(days=1), DOOR_ENDS), st.integers(1, MAX_DAILY_VALUE), valid_figures),
)

not_dates = st.one_of(
    st.datetimes(min_value=datetime.datetime(2021, 10, 1), max_value=datetime.datetime(2021, 10, 15)),
    st.dates(ONLINE_STARTS, ONLINE_ENDS).map(datetime.date.isoformat),
    st.none(),
    st.integers(),
    st.text(max_size=12),
)

open_days = days(DOOR_STARTS, ONLINE_ENDS).filter(lambda d: d not in SEEDED)


@st.composite
def bad_entries(draw):
    """Keyword arguments for record_count() with at least one thing wrong, possibly beside valid values."""
    kind = draw(st.sampled_from(["online", "offline", "both", "date", "not-a-date", "everything"]))
    date = draw(open_days)
    online, offline = draw(valid_figures), draw(valid_figures)
    if kind in ("online", "both", "everything"):
        online = draw(bad_figures)
    if kind in ("offline", "both", "everything"):
        offline = draw(bad_figures)
    if kind == "date":
        date, online, offline = draw(bad_dated_entries)
    if kind in ("not-a-date", "everything"):
        date = draw(not_dates)
    return {"date": date, "online": online, "offline": offline}


# --- What must not change ------------------------------------------------------------------------


def everything_written():
    return (
        list(DailyCount.objects.order_by("pk").values_list("pk", "date", "online", "offline", "version")),
        list(AuditEntry.objects.order_by("pk").values_list("pk", flat=True)),
        list(RecomputeRequest.objects.order_by("pk").values_list("pk", "from_date")),
    )


@pytest.fixture
def seeded(campaign, district):
    for date, (online, offline) in SEEDED.items():
        record_count(campaign=campaign, district=district, date=date, online=online, offline=offline, source=FORM)
    return campaign, district


def rejection(campaign, district, entry, language) -> dict[str, list[str]]:
    with translation.override(language), pytest.raises(Rejected) as rejected:
        record_count(campaign=campaign, district=district, source=FORM, **entry)
    return rejected.value.message_dict


# --- Properties ----------------------------------------------------------------------------------


def test_every_bad_entry_is_rejected_in_each_language_and_changes_nothing(seeded):
    campaign, district = seeded
    before = everything_written()
    assert len(before[0]) == len(SEEDED) and before[1] and before[2]

    @FUZZ
    @given(entry=bad_entries())
    def check(entry):
        messages = {language: rejection(campaign, district, entry, language) for language in LANGUAGES}

        english = messages["en"]
        assert english, entry
        assert set(english) <= {"online", "offline", "date"}
        for language in ("ru", "kk"):
            # The same fields, each with a message of its own language (every one of these has a translation).
            assert set(messages[language]) == set(english)
            for field, texts in messages[language].items():
                assert all(text.strip() for text in texts)
                assert texts != english[field], (language, field, texts)
        assert messages["ru"] != messages["kk"]
        assert everything_written() == before

    check()


@pytest.mark.parametrize("value", ["٣٤", "۳۴", "३४", "３４", "9" * 5000, Decimal("34"), 10**30, True])
def test_the_messages_for_bad_figures_are_not_the_english_msgid(seeded, value):
    campaign, district = seeded
    entry = {"date": datetime.date(2021, 10, 5), "online": value, "offline": 0}

    english = rejection(campaign, district, entry, "en")["online"]
    for language in ("ru", "kk"):
        translated = rejection(campaign, district, entry, language)["online"]
        assert translated != english
        assert not any(text.isascii() for text in translated)  # Cyrillic, not the English text left untranslated


@st.composite
def valid_entries(draw):
    """A new district-day within the bounds, its figures typed as numbers or as text the way people type them."""
    date = draw(days(ONLINE_STARTS, DOOR_ENDS).filter(lambda d: d not in SEEDED))
    online = draw(valid_figures) if date <= ONLINE_ENDS else 0
    offline = draw(valid_figures) if date >= DOOR_STARTS else 0

    def typed(number):
        grouped = f"{number:,}".replace(",", draw(st.sampled_from([" ", "\xa0", ""])))
        padding = draw(st.sampled_from(["", " ", "  "]))
        return draw(st.sampled_from([number, float(number), str(number), f"{padding}{grouped}{padding}"]))

    return {"date": date, "online": typed(online), "offline": typed(offline)}, (online, offline)


def test_every_valid_entry_is_accepted_and_stored_exactly(seeded):
    campaign, district = seeded

    @FUZZ
    @given(drawn=valid_entries())
    def check(drawn):
        entry, (online, offline) = drawn
        audits = AuditEntry.objects.count()
        with transaction.atomic():
            # Any figure within the bounds, however large for the district: confirmed past the plausibility checks.
            result = record_count(
                campaign=campaign, district=district, source=FORM, confirm_implausible=True, reason="fuzz", **entry
            )

            stored = DailyCount.objects.get(campaign=campaign, district=district, date=entry["date"])
            assert (stored.online, stored.offline, stored.version) == (online, offline, 1)
            assert result.created and result.changed
            assert AuditEntry.objects.count() == audits + 1
            assert AuditEntry.objects.latest("pk").changes == {"online": [None, online], "offline": [None, offline]}
            transaction.set_rollback(True)  # the next example starts from the same seeded days

    check()
