"""Details of the entry pages: the days beside the form, the day the form saves, who a conflict names, the import
summary's plurals and unchanged cells, and the home page of a finished campaign."""

import datetime
import io

import pytest
import time_machine

from census.models import AuditEntry
from census.services import record_count
from tests.entry.conftest import OPEN_DAY, client_for, make_person

pytestmark = pytest.mark.usefixtures("after_campaign")

DAY = OPEN_DAY.isoformat()


def enter(campaign, district, date, online, offline, **extra):
    return record_count(campaign=campaign, district=district, date=date, online=online, offline=offline, source="form", **extra)


def test_previous_days_are_the_days_before_the_one_shown(area, staff_client, campaign):
    for n in range(1, 6):
        enter(campaign, area.first, datetime.date(2021, 10, n), n, 0)

    page = staff_client.get(f"/en/entry/district/{area.first.kato}/?date={DAY}")

    shown = [item["count"].date.day for item in page.context["days_beside"]]
    assert shown == [4, 3, 2, 1]


def test_the_form_saves_the_day_it_was_loaded_for_and_changing_the_day_is_a_new_page(area, staff_client, campaign):
    enter(campaign, area.first, OPEN_DAY, 10, 20)
    other_day = OPEN_DAY + datetime.timedelta(days=1)
    enter(campaign, area.first, other_day, 30, 40)

    page = staff_client.get(f"/en/entry/district/{area.first.kato}/?date={DAY}").content.decode()
    # The day and the mode go back hidden: there is no field on the form to move its figures to another day.
    assert f'<input type="hidden" name="date" value="{DAY}"' in page
    assert '<input type="hidden" name="mode" value="daily"' in page
    assert 'type="date" name="date"' in page  # the day picker (a GET form) changes the day

    other = staff_client.get(f"/en/entry/district/{area.first.kato}/?date={other_day}&mode=cumulative")
    assert other.context["form"].initial == {
        "date": other_day,
        "mode": "cumulative",
        "online": 40,
        "offline": 60,
        "version": 1,
    }


def test_a_conflict_names_the_person_who_saved(area, staff_client, campaign):
    colleague = make_person("aigul.stat", "staff", area.region.kato)
    client_for(colleague).post(
        f"/en/entry/district/{area.first.kato}/",
        {"date": DAY, "mode": "daily", "online": "5", "offline": "6", "reason": "", "version": "0"},
    )

    response = staff_client.post(
        f"/en/entry/district/{area.first.kato}/",
        {"date": DAY, "mode": "daily", "online": "7", "offline": "8", "reason": "", "version": "0"},
    )

    assert response.status_code == 409
    assert "aigul.stat saved this day" in response.content.decode()


def test_a_conflict_with_an_api_write_names_the_api_not_someone(area, staff_client, campaign):
    # As a token's write leaves it: no person on the row, the API as the audit entry's source.
    record_count(campaign=campaign, district=area.first, date=OPEN_DAY, online=5, offline=6, source=AuditEntry.Source.API)

    response = staff_client.post(
        f"/en/entry/district/{area.first.kato}/",
        {"date": DAY, "mode": "daily", "online": "7", "offline": "8", "reason": "", "version": "0"},
    )

    assert response.status_code == 409
    assert "An API client saved this day" in response.content.decode()


def test_the_import_summary_agrees_with_its_numbers_in_russian_and_kazakh(area, staff_client, campaign):
    enter(campaign, area.first, OPEN_DAY, 10, 20)
    lines = [f"{area.first.kato};{DAY};10;20", f"{area.second.kato};{DAY};1;2", f"{area.third.kato};{DAY};x;y"]
    text = "kato;date;online;offline\n" + "\n".join(lines) + "\n"

    def summary(language):
        file = io.BytesIO(text.encode())
        file.name = "counts.csv"
        html = staff_client.post(f"/{language}/entry/import/", {"file": file, "mode": "daily"}).content.decode()
        start = html.index('<ul class="summary"')
        return " ".join(html[start : html.index("</ul>", start)].split())

    ru = summary("ru")
    assert "1</strong> строка будет добавлена" in ru
    assert "0</strong> строк будет изменено" in ru
    assert "1</strong> строка уже внесена" in ru
    assert "2</strong> ошибки" in ru
    assert "1 строк " not in ru and "ошибок" not in ru
    kk = summary("kk")
    assert "1</strong> жол қосылады" in kk and "2</strong> қате" in kk


def test_the_preview_lists_only_the_cells_that_change(area, staff_client, campaign):
    enter(campaign, area.first, OPEN_DAY, 7387, 20)
    file = io.BytesIO(f"kato;date;online;offline\n{area.first.kato};{DAY};7387;25\n".encode())
    file.name = "counts.csv"

    html = staff_client.post("/en/entry/import/", {"file": file, "mode": "daily", "reason": "late forms"}).content.decode()

    assert "20 → 25" in html
    assert "7,387 → 7,387" not in html and "7387 → 7387" not in html


def test_the_home_page_of_a_finished_campaign_shows_its_last_day_and_says_it_ended(area, staff_client, campaign):
    last_day = datetime.date(2021, 10, 30)  # the campaign fixture's door to door ends then; today is 20 Nov
    enter(campaign, area.first, last_day, 0, 5)

    page = staff_client.get("/ru/entry/")

    html = page.content.decode()
    assert "Кампания завершилась 30.10.2021" in html
    rows = {row["district"].kato: row["reported"] for row in page.context["rows"]}
    assert rows[area.first.kato] and not rows[area.second.kato]


def test_the_home_page_of_a_running_campaign_has_no_banner(area, staff_client, campaign):
    with time_machine.travel(datetime.datetime(2021, 10, 20, 12, 0, tzinfo=datetime.UTC), tick=False):
        page = staff_client.get("/en/entry/")

    assert page.context["ended_on"] is None
    assert "ended on" not in page.content.decode()


def test_a_regions_extension_moves_its_staffs_last_day(area, staff_client, campaign):
    door_to_door = campaign.phases.get(kind="door_to_door")
    door_to_door.extensions.create(
        region=area.region, ends_on=datetime.date(2021, 11, 8), decided_on=datetime.date(2021, 10, 28), reason="weather"
    )

    page = staff_client.get("/en/entry/")

    assert page.context["ended_on"] == datetime.date(2021, 11, 8)


def test_a_conflict_with_ones_own_save_in_another_tab_says_so(area, staff_client):
    form = {"date": DAY, "mode": "daily", "online": "5", "offline": "6", "reason": "", "version": "0"}
    staff_client.post(f"/en/entry/district/{area.first.kato}/", form)

    # the same form, still open in another tab at version 0
    response = staff_client.post(f"/en/entry/district/{area.first.kato}/", form | {"online": "7"})

    assert response.status_code == 409
    assert "You (in another tab or window) saved this day" in response.content.decode()
