"""The region grid: one form for every district of a region and day, saved all or nothing, with per-cell errors."""

import datetime
import re

import pytest

from census.models import AuditEntry, DailyCount
from census.services import record_count
from tests.entry.conftest import OPEN_DAY, make_person

pytestmark = pytest.mark.usefixtures("after_campaign")

DAY = OPEN_DAY.isoformat()


def grid_url(area, **query):
    query = {"date": DAY, **query}
    return f"/en/entry/region/{area.region.kato}/?" + "&".join(f"{k}={v}" for k, v in query.items())


def grid_post(client, area, cells: dict, *, date=DAY, mode="daily", reason="", loaded=None, language="en"):
    """POST the grid as the browser would: `cells` {district: (online, offline)}; `loaded` is the page it was typed into."""
    page = loaded or client.get(f"/{language}/entry/region/{area.region.kato}/?date={date}&mode={mode}")
    data = {"date": date, "mode": mode, "reason": reason}
    for row in page.context["rows"]:
        kato = row["district"].kato
        data[f"{kato}-version"] = str(row["version"])
        data[f"{kato}-online-was"] = row["was_online"]
        data[f"{kato}-offline-was"] = row["was_offline"]
        data[f"{kato}-online"] = row["online"]
        data[f"{kato}-offline"] = row["offline"]
    for district, (online, offline) in cells.items():
        data[f"{district.kato}-online"] = online
        data[f"{district.kato}-offline"] = offline
    return client.post(f"/{language}/entry/region/{area.region.kato}/", data)


def stored(district, day=OPEN_DAY):
    row = DailyCount.objects.filter(district=district, date=day).first()
    return (row.online, row.offline) if row else None


def test_staff_save_a_whole_region_day_in_one_post(area, staff_client):
    # given
    cells = {area.first: ("120", "45"), area.second: ("1 300", "0"), area.third: ("7", "8")}

    # when
    response = grid_post(staff_client, area, cells)

    # then
    assert response.status_code == 302
    assert [stored(d) for d in area.districts] == [(120, 45), (1300, 0), (7, 8)]
    assert AuditEntry.objects.filter(source=AuditEntry.Source.FORM, subject="count").count() == 3
    page = staff_client.get(response["Location"])
    assert page.context["totals"] == {"online": 1427, "offline": 53, "all": 1480}
    assert "3 of 3 districts changed" in page.content.decode()


@pytest.mark.parametrize(
    ("language", "summary"),
    [("en", "1 of 1 district changed."), ("ru", "изменено районов — 1 из 1.")],
)
def test_one_district_saved_reads_in_the_singular(area, staff_client, language, summary):
    response = grid_post(staff_client, area, {area.first: ("120", "45")}, language=language)

    page = staff_client.get(response["Location"]).content.decode()
    assert summary in page


def test_the_grid_totals_are_formatted_for_the_reader(area, staff_client, campaign):
    # given
    record_count(
        campaign=campaign, district=area.first, date=OPEN_DAY, online=308_529, offline=270_695, source="form",
        confirm_implausible=True, reason="a city-sized figure",
    )  # fmt: skip

    # when
    ru = staff_client.get(f"/ru/entry/region/{area.region.kato}/?date={DAY}").content.decode()
    en = staff_client.get(grid_url(area)).content.decode()

    # then
    assert "579\xa0224" in ru
    assert "579,224" in en


def test_one_bad_cell_saves_nothing_and_says_which_cell_keeping_what_was_typed(area, staff_client):
    # given
    cells = {area.first: ("120", "45"), area.second: ("12x", "3"), area.third: ("7", "-8")}

    # when
    response = grid_post(staff_client, area, cells)

    # then
    assert response.status_code == 400
    assert not DailyCount.objects.exists()
    assert not AuditEntry.objects.exists()
    rows = {row["district"].kato: row for row in response.context["rows"]}
    assert rows[area.first.kato]["errors"] == {}
    assert rows[area.second.kato]["errors"] == {"online": ["Enter a whole number."]}
    assert rows[area.third.kato]["errors"] == {"offline": ["A count cannot be negative."]}
    html = response.content.decode()
    assert 'value="12x"' in html and 'value="-8"' in html and 'value="120"' in html
    assert 'aria-invalid="true" aria-describedby="err-' + area.second.kato + '-online"' in html
    assert "Nothing was saved" in html


def test_errors_come_in_the_reader_s_language(area, staff_client):
    # when
    response = grid_post(staff_client, area, {area.first: ("-1", "0")}, language="ru")

    # then
    assert response.context["rows"][0]["errors"]["online"] == ["Число переписанных не может быть отрицательным."]


def test_untouched_and_empty_rows_are_not_sent_so_they_cannot_conflict_or_fail(area, staff_client, campaign):
    # given: B already has a row; the page is loaded; then someone else changes B
    record_count(campaign=campaign, district=area.second, date=OPEN_DAY, online=5, offline=5, source="form")
    loaded = staff_client.get(grid_url(area))
    record_count(campaign=campaign, district=area.second, date=OPEN_DAY, online=9, offline=9, reason="late sheet", source="form")

    # when: only A is typed into; B is left as loaded and C left empty
    response = grid_post(staff_client, area, {area.first: ("10", "20")}, loaded=loaded)

    # then
    assert response.status_code == 302
    assert stored(area.first) == (10, 20)
    assert stored(area.second) == (9, 9)
    assert stored(area.third) is None


def test_a_stale_grid_gets_a_conflict_with_the_current_value_and_no_update_is_lost(area, staff_client, campaign):
    # given: staff load the grid, then a colleague saves A for the same day
    loaded = staff_client.get(grid_url(area))
    colleague = make_person("colleague", "staff", area.region.kato)
    record_count(campaign=campaign, district=area.first, date=OPEN_DAY, online=50, offline=60, user=colleague, source="form")

    # when
    response = grid_post(staff_client, area, {area.first: ("10", "20"), area.second: ("1", "2")}, loaded=loaded)

    # then: nothing of the stale grid is written, and the colleague's figures stand
    assert response.status_code == 409
    assert stored(area.first) == (50, 60)
    assert stored(area.second) is None
    row = response.context["rows"][0]
    message = " ".join(row["row_errors"])
    assert "colleague" in message and "50 online" in message and "60 door-to-door" in message
    assert (row["online"], row["offline"]) == ("10", "20")
    assert row["version"] == 1

    # when: saving again is a deliberate overwrite (the grid now carries the current version)
    again = grid_post(staff_client, area, {area.first: ("70", "80")}, loaded=response, reason="Checked with the colleague")

    # then
    assert again.status_code == 302
    assert stored(area.first) == (70, 80)


def test_a_correction_of_a_past_day_needs_a_reason_given_once_for_the_grid(area, staff_client, campaign):
    # given
    record_count(campaign=campaign, district=area.first, date=OPEN_DAY, online=10, offline=10, source="form")

    # when
    without = grid_post(staff_client, area, {area.first: ("12", "10")})
    with_reason = grid_post(staff_client, area, {area.first: ("12", "10")}, reason="Typo in the evening report")

    # then
    assert without.status_code == 400
    assert "give a reason" in without.context["reason_error"]
    # The cursor waits in the reason field, which the message describes.
    reason_input = re.search(r'<input[^>]*name="reason"[^>]*>', without.content.decode()).group(0)
    assert "autofocus" in reason_input and 'aria-describedby="id_reason_helptext grid-reason-error"' in reason_input
    assert 'id="grid-reason-error"' in without.content.decode()
    assert with_reason.status_code == 302
    assert stored(area.first) == (12, 10)
    entry = AuditEntry.objects.filter(district=area.first).order_by("-id").first()
    assert entry.reason == "Typo in the evening report"
    assert entry.changes == {"online": [10, 12]}


def test_in_cumulative_mode_the_grid_shows_and_takes_totals_as_of_the_day(area, staff_client, campaign):
    # given
    record_count(campaign=campaign, district=area.first, date=datetime.date(2021, 10, 4), online=100, offline=40, source="form")

    # when
    page = staff_client.get(grid_url(area, mode="cumulative"))
    response = grid_post(staff_client, area, {area.first: ("130", "50")}, mode="cumulative", loaded=page)

    # then
    assert page.context["rows"][0]["previous"] == (100, 40)
    assert response.status_code == 302
    assert stored(area.first) == (30, 10)
    after = staff_client.get(grid_url(area, mode="cumulative"))
    assert (after.context["rows"][0]["online"], after.context["rows"][0]["offline"]) == ("130", "50")


def test_a_day_outside_every_phase_is_refused_per_row(area, staff_client):
    # when
    response = grid_post(staff_client, area, {area.first: ("1", "1")}, date="2021-11-15")

    # then
    assert response.status_code == 400
    assert "outside every phase" in " ".join(response.context["rows"][0]["row_errors"])
    assert not DailyCount.objects.exists()


def test_a_grid_post_that_cannot_be_read_saves_nothing(area, staff_client):
    # when
    response = staff_client.post(f"/en/entry/region/{area.region.kato}/", {"date": "not a date", "mode": "daily"})

    # then
    assert response.status_code == 302
    assert not DailyCount.objects.exists()


def test_the_grid_page_obeys_the_strict_csp_and_works_without_javascript(area, staff_client):
    # when
    response = staff_client.get(grid_url(area))
    html = response.content.decode()

    # then: one plain form posting every cell, a script file of our own, nothing inline
    assert re.search(r'<form method="post"[^>]*data-grid', html)
    assert html.count('type="submit"') >= 1
    assert ' style="' not in html and " onclick=" not in html and "<style" not in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    for district in area.districts:
        assert f'name="{district.kato}-online"' in html and f'name="{district.kato}-offline"' in html
