"""English pages write dates day first with the month as a word (27 Oct 2021), never the American 10/27/2021."""

import datetime
import re

import pytest
from django.utils import translation

from census.formatting import day_label, format_date, format_datetime
from tests.entry.conftest import OPEN_DAY, client_for, make_person

AMERICAN = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


@pytest.mark.parametrize(
    ("day", "short", "long", "label"),
    [
        (datetime.date(2021, 10, 27), "27 Oct 2021", "27 October 2021", "27 Oct"),
        (datetime.date(2021, 11, 8), "8 Nov 2021", "8 November 2021", "8 Nov"),
        (datetime.date(2024, 5, 10), "10 May 2024", "10 May 2024", "10 May"),
    ],
)
def test_english_dates_put_the_day_first_and_name_the_month(day, short, long, label):
    with translation.override("en"):
        assert format_date(day) == short
        assert format_date(day, "DATE_FORMAT") == long
        assert day_label(day) == label


def test_english_times_are_24_hour_after_the_date():
    moment = datetime.datetime(2021, 10, 27, 15, 5, tzinfo=datetime.UTC)  # 21:05 in Almaty

    with translation.override("en"):
        assert format_datetime(moment) == "27 Oct 2021 21:05"


def test_russian_and_kazakh_dates_are_unchanged():
    day = datetime.date(2021, 10, 27)
    with translation.override("ru"):
        assert format_date(day) == "27.10.2021"
        assert day_label(day) == "27.10"
    with translation.override("kk"):
        assert format_date(day) == "27.10.2021"


def test_the_english_staff_pages_show_no_month_first_date(area, after_campaign):
    client = client_for(make_person("staff.region", "staff", area.region.kato))
    saved = client.post(
        f"/en/entry/district/{area.first.kato}/",
        {"date": OPEN_DAY.isoformat(), "mode": "daily", "online": "11", "offline": "7", "reason": "", "version": "0"},
    )
    assert saved.status_code == 302

    pages = [
        f"/en/entry/district/{area.first.kato}/?date={OPEN_DAY.isoformat()}",
        f"/en/entry/region/{area.region.kato}/?date={OPEN_DAY.isoformat()}",
        f"/en/entry/district/{area.first.kato}/history/",
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert "5 Oct 2021" in page, url
        assert not AMERICAN.search(page), (url, AMERICAN.findall(page))
