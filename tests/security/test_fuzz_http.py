"""Generated bad counts over HTTP: the API answers 400 in its error shape naming the field, the staff pages show form
errors, neither ever fails with a server error, and nothing is written.

The figures and dates are those record_count() is fuzzed with (test_fuzz_record_count), turned into what each
client can send: JSON values for the API, form text for the pages.
"""

import datetime
import json
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from census.access import issue_token
from census.services import MAX_DAILY_VALUE, record_count
from tests import factories
from tests.entry.conftest import client_for, make_person
from tests.security.test_fuzz_record_count import (
    DOOR_ENDS,
    DOOR_STARTS,
    ONLINE_ENDS,
    ONLINE_STARTS,
    SEEDED,
    TODAY,
    bad_figures,
    days,
    everything_written,
    is_plain_number,
    valid_figures,
)

pytestmark = pytest.mark.usefixtures("after_campaign")

URL = "/api/v1/daily-counts/"
LANGUAGES = ("en", "ru", "kk")
ONE_DAY = datetime.timedelta(days=1)
# Each example is a whole request; fewer than the service's fuzzing, still every kind of mistake many times over.
HTTP_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.fixture(autouse=True)
def unthrottled(settings):
    # Time stands still in these tests, so a token's writes would all fall in one throttling minute.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(("api_read", "api_write", "api_anon"), "100000/minute"),
    }


@pytest.fixture
def region(campaign):
    return factories.RegionFactory(kato="310000000")


@pytest.fixture
def seeded(region, campaign):
    """A district of the region with counts on two days, which no bad request may change (and one more beside it)."""
    district, other = (factories.DistrictFactory(region=region, kato=kato) for kato in ("313200000", "314000000"))
    for each in (district, other):
        factories.BaselineFactory(district=each, campaign=campaign, population=20_000)
    for date, (online, offline) in SEEDED.items():
        record_count(campaign=campaign, district=district, date=date, online=online, offline=offline, source="form")
    return district


@pytest.fixture
def staff_client(region):
    return client_for(make_person("stat.region", "staff", region.kato))


# --- Dates that are wrong for the figures, and the field the error belongs to --------------------------


def dated(first, last, online, offline, field):
    return st.tuples(days(first, last), online, offline, st.just(field))


positive = st.integers(1, MAX_DAILY_VALUE)
bad_dates = st.one_of(
    dated(datetime.date(1900, 1, 1), ONLINE_STARTS - ONE_DAY, valid_figures, valid_figures, "date"),
    dated(DOOR_ENDS + ONE_DAY, TODAY, valid_figures, valid_figures, "date"),
    dated(TODAY + ONE_DAY, datetime.date(9999, 12, 31), valid_figures, valid_figures, "date"),
    dated(ONLINE_STARTS, DOOR_STARTS - ONE_DAY, valid_figures, positive, "offline"),
    dated(ONLINE_ENDS + ONE_DAY, DOOR_ENDS, positive, valid_figures, "online"),
)
open_days = days(DOOR_STARTS, ONLINE_ENDS).filter(lambda d: d not in SEEDED)
# Text that no reading takes for a date: no digits at all, or impossible ones.
not_date_texts = st.text(max_size=12).filter(lambda s: not re.search(r"\d", s)) | st.sampled_from(
    ["2021-02-30", "2021-13-01", "2021-10-32", "0000-10-05", "2021-10-05T10:00:00", "2021/10/05 x", "05.10.2021 12:00"]
)


@st.composite
def bad_requests(draw, *, figure, date_text):
    """(online, offline, date, fields that must be named): at least one thing wrong, maybe beside valid values."""
    kind = draw(st.sampled_from(["online", "offline", "both", "date", "not-a-date", "everything"]))
    date, online, offline = draw(open_days), draw(valid_figures), draw(valid_figures)
    named = set()
    if kind in ("online", "both", "everything"):
        online, named = draw(figure), named | {"online"}
    if kind in ("offline", "both", "everything"):
        offline, named = draw(figure), named | {"offline"}
    if kind == "date":
        date, online, offline, field = draw(bad_dates)
        named = {field}
    if kind in ("not-a-date", "everything"):
        date = draw(date_text)
        named |= {"date"}
    return online, offline, date.isoformat() if isinstance(date, datetime.date) else date, named


# --- The API ------------------------------------------------------------------------------------------


def as_json(value):
    """A generated figure as a JSON value (NaN and infinity are not JSON; they are sent raw below)."""
    if isinstance(value, Decimal | bytes):
        return value.decode() if isinstance(value, bytes) else str(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, list | dict | str | int | float | None):
        return value
    return repr(value)


def api_reads_as_count(value) -> bool:
    """What the API's integer fields take for a count: ASCII, optionally "N.0", within 0 and the maximum (DRF's reading)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return False
    if isinstance(value, str) and (not value.isascii() or len(value) > 1000):
        return False
    try:
        number = int(re.sub(r"\.0*\s*$", "", str(value)))
    except ValueError:
        return False
    return 0 <= number <= MAX_DAILY_VALUE


api_figures = (
    bad_figures.filter(lambda v: not (isinstance(v, float) and (v != v or v in (float("inf"), float("-inf")))))
    .map(as_json)
    .filter(lambda v: not api_reads_as_count(v))
)
not_api_dates = not_date_texts | st.one_of(st.none(), st.integers(), st.booleans(), st.just([2021, 10, 5]))


def test_bad_figures_and_dates_posted_to_the_api_are_a_400_naming_the_field_and_change_nothing(region, seeded):
    _token, key = issue_token(name="fuzz writer", region=region, can_write=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    before = everything_written()

    @HTTP_FUZZ
    @given(request=bad_requests(figure=api_figures, date_text=not_api_dates), language=st.sampled_from(LANGUAGES))
    def check(request, language):
        online, offline, date, named = request
        body = {"district": seeded.kato, "date": date, "online": online, "offline": offline}

        response = client.post(f"{URL}?lang={language}", body, format="json")

        assert response.status_code == 400, (body, response.content)
        answer = response.json()
        assert set(answer) == {"status", "code", "detail", "errors"}
        assert (answer["status"], answer["code"]) == (400, "invalid")
        assert named <= set(answer["errors"]) <= {"date", "online", "offline"}, (body, answer)
        assert all(message.strip() for messages in answer["errors"].values() for message in messages)
        assert (answer["detail"] == "Some of the input is not valid.") == (language == "en")
        if language != "en":
            # Russian or Kazakh, whether the message is the project's or the framework's: never the English text.
            assert all(not message.isascii() for messages in answer["errors"].values() for message in messages), answer
        assert everything_written() == before

    check()


@pytest.mark.parametrize("figure", ["٣٤", "۳۴", "३४", "３４", "9" * 5000])
def test_other_scripts_digits_and_endless_digits_are_a_400_from_the_api_as_from_the_forms(region, seeded, figure):
    _token, key = issue_token(name="fuzz writer", region=region, can_write=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    before = everything_written()

    response = client.post(URL, {"district": seeded.kato, "date": "2021-10-05", "online": figure, "offline": 0}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["online"]
    assert everything_written() == before


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_numbers_json_does_not_have_are_a_400_too(region, seeded, raw):
    _token, key = issue_token(name="fuzz writer", region=region, can_write=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    before = everything_written()
    body = json.dumps({"district": seeded.kato, "date": "2021-10-05", "online": "@", "offline": 0}).replace('"@"', raw)

    response = client.post(URL, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["status"] == 400 and response.json()["detail"]
    assert everything_written() == before


# --- The staff pages ----------------------------------------------------------------------------------


def as_form_text(value) -> str | None:
    """A generated figure as a browser would send it (None: the field left out)."""
    if value is None:
        return None
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def fits_the_field(text: str | None) -> bool:
    return text is None or (len(text.strip()) <= 30 and "\x00" not in text)


def form_takes_as_count(text: str | None) -> bool:
    """Digits (grouped by spaces or not) within the maximum, in at most the 30 characters the field holds."""
    if text is None or len(text) > 30 or not is_plain_number(text):
        return False
    return int("".join(text.split())) <= MAX_DAILY_VALUE


form_figures = bad_figures.map(as_form_text).filter(lambda text: not form_takes_as_count(text))
not_form_dates = not_date_texts


def form_data(online, offline, date, **more) -> dict:
    data = {"date": date, "mode": "daily", "reason": "", "version": "0", "online": online, "offline": offline, **more}
    return {name: value for name, value in data.items() if value is not None}


def test_bad_figures_and_dates_in_the_district_form_are_shown_back_and_change_nothing(region, staff_client, seeded):
    before = everything_written()

    # A page is rendered for each example: fewer of them.
    @settings(HTTP_FUZZ, max_examples=80)
    @given(request=bad_requests(figure=form_figures, date_text=not_form_dates), language=st.sampled_from(LANGUAGES))
    def check(request, language):
        online, offline, date, named = request
        online, offline = as_form_text(online), as_form_text(offline)  # the valid ones beside them are numbers

        response = staff_client.post(f"/{language}/entry/district/{seeded.kato}/", form_data(online, offline, date))

        assert response.status_code in (200, 400), (online, offline, date, response.status_code)
        errors = response.context["form"].errors
        assert errors, (online, offline, date)
        if "date" in named or not all(fits_the_field(text) for text in (online, offline)):
            # What the form itself refuses (a date it cannot read, text too long) comes first: the service
            # judges the figures only once the form is whole, so some of what is wrong is named.
            assert named & set(errors), (online, offline, date, errors)
        else:
            assert named <= set(errors), (online, offline, date, errors)
        assert all(message.strip() for messages in errors.values() for message in messages)
        if language != "en":
            assert all(not message.isascii() for messages in errors.values() for message in messages), errors
        assert everything_written() == before

    check()


def test_bad_figures_in_the_region_grid_are_shown_back_and_change_nothing(region, staff_client, seeded):
    before = everything_written()
    page = staff_client.get(f"/en/entry/region/{region.kato}/?date=2021-10-05&mode=daily")
    loaded = {}
    for row in page.context["rows"]:
        kato = row["district"].kato
        loaded |= {f"{kato}-version": str(row["version"]), f"{kato}-online-was": "", f"{kato}-offline-was": ""}

    @settings(HTTP_FUZZ, max_examples=40)
    # A valid door-to-door figure beside the bad one: a row left all blank is a district not entered, not a mistake.
    @given(online=form_figures, offline=valid_figures.map(str), language=st.sampled_from(LANGUAGES))
    def check(online, offline, language):
        cells = {f"{seeded.kato}-online": online, f"{seeded.kato}-offline": offline}
        data = {
            "date": "2021-10-05",
            "mode": "daily",
            "reason": "",
            **loaded,
            **{k: v for k, v in cells.items() if v is not None},
        }

        response = staff_client.post(f"/{language}/entry/region/{region.kato}/", data)

        assert response.status_code in (200, 400), (online, offline, response.status_code)
        assert everything_written() == before

    check()
