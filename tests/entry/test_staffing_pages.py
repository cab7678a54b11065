"""The district staffing page and the staffing export: entered by staff, saved through the service, scoped like counts."""

import csv
import datetime
import io

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from census.models import AuditEntry, DailyStaffing, StaffingPlan
from census.staffing import record_staffing
from tests.entry.conftest import OPEN_DAY, client_for, make_person

pytestmark = pytest.mark.usefixtures("after_campaign")


def page(district, language="en") -> str:
    return f"/{language}/entry/district/{district.kato}/staffing/"


def day_form(**overrides) -> dict:
    return {"date": OPEN_DAY.isoformat(), "interviewers": "40", "instructors": "4", "volunteers": "3", "vaccinated": "45",
            "reason": "", "version": "0"} | overrides  # fmt: skip


def test_staff_save_a_day_s_staffing_and_see_it_again(area, staff, staff_client):
    # when
    saved = staff_client.post(page(area.first), day_form())

    # then
    assert saved.status_code == 302
    row = DailyStaffing.objects.get()
    assert (row.interviewers, row.instructors, row.volunteers, row.vaccinated, row.updated_by) == (40, 4, 3, 45, staff)
    assert AuditEntry.objects.get().source == AuditEntry.Source.FORM
    shown = staff_client.get(saved["Location"])
    assert shown.status_code == 200
    assert 'value="40"' in shown.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"interviewers": "-2"}, "interviewers", "A number of people cannot be negative."),
        ({"volunteers": "a few"}, "volunteers", "Enter a whole number."),
        ({"vaccinated": "60"}, "vaccinated", "60 vaccinated is more than the 47 on duty"),
        ({"date": "2021-13-45"}, "date", "Enter a valid date."),
    ],
)
def test_bad_input_is_shown_in_place_with_a_400_and_nothing_is_written(area, staff_client, overrides, field, message):
    response = staff_client.post(page(area.first), day_form(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert DailyStaffing.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_a_past_day_is_corrected_only_with_a_reason(area, campaign, staff_client):
    record_staffing(campaign=campaign, district=area.first, date=OPEN_DAY, interviewers=40, instructors=4, volunteers=3,
                    vaccinated=45, source="form")  # fmt: skip

    refused = staff_client.post(page(area.first), day_form(interviewers="42", version="1"))
    corrected = staff_client.post(page(area.first), day_form(interviewers="42", version="1", reason="late report"))
    stale = staff_client.post(page(area.first), day_form(interviewers="44", version="1", reason="again"))

    assert refused.status_code == 400 and "give a reason" in refused.content.decode()
    assert corrected.status_code == 302
    assert stale.status_code == 409
    assert 'name="version" value="2"' in stale.content.decode()  # saving again overwrites, knowingly
    assert DailyStaffing.objects.get().interviewers == 42


def test_a_plan_version_is_added_from_the_page_and_shown_beside_the_figures(area, staff_client):
    posted = staff_client.post(page(area.first) + "?date=2021-10-05",
                               {"form": "plan", "role": "interviewer", "planned": "46", "valid_from": "2021-10-01", "note": ""})  # fmt: skip
    shown = staff_client.get(page(area.first) + "?date=2021-10-05")

    assert posted.status_code == 302
    assert StaffingPlan.objects.get().planned == 46
    assert "plan: 46" in " ".join(shown.content.decode().split())


def test_a_bad_plan_is_a_400_and_nothing_is_written(area, staff_client):
    response = staff_client.post(
        page(area.first), {"form": "plan", "role": "driver", "planned": "-1", "valid_from": "2021-10-01"}
    )

    assert response.status_code == 400
    assert StaffingPlan.objects.count() == 0


def test_a_district_outside_the_scope_is_a_404_and_an_official_gets_a_403(area):
    district_staff = client_for(make_person("staff.one", "staff", area.first.kato))
    official = client_for(make_person("official.one", "official", area.region.kato))

    assert district_staff.get(page(area.second)).status_code == 404
    assert district_staff.post(page(area.second), day_form()).status_code == 404
    assert official.get(page(area.first)).status_code == 403
    assert DailyStaffing.objects.count() == 0


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_page_speaks_the_reader_s_language(area, staff_client, language):
    words = {"kk": "Жұмыстағы санақ жүргізушілер", "ru": "Интервьюеров на работе", "en": "Interviewers on duty"}

    response = staff_client.get(page(area.first, language))

    assert words[language] in response.content.decode()


@pytest.fixture
def staffing(area, campaign):
    for district, interviewers in ((area.first, 40), (area.second, 12), (area.elsewhere, 99)):
        record_staffing(campaign=campaign, district=district, date=OPEN_DAY, interviewers=interviewers, instructors=2,
                        volunteers=1, vaccinated=3, source="form")  # fmt: skip


def test_the_staffing_csv_holds_the_area_s_districts_only_with_headers_in_the_reader_s_language(area, staffing, staff_client):
    response = staff_client.get("/ru/entry/staffing-export.csv")

    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][3:] == ["Интервьюеров на работе", "Инструкторов-контролёров на работе", "Волонтёров на работе",
                           "Вакцинированных на работе"]  # fmt: skip
    assert rows[1:] == [[area.first.kato, "Акжаикский район", "2021-10-05", "40", "2", "1", "3"],
                        [area.second.kato, "Бурлинский район", "2021-10-05", "12", "2", "1", "3"]]  # fmt: skip


def test_the_staffing_xlsx_has_real_dates_and_numbers(area, staffing, staff_client):
    response = staff_client.get("/en/entry/staffing-export.xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][3] == "Interviewers on duty"
    assert rows[1][2].date() == OPEN_DAY and rows[1][3] == 40
    assert len(rows) == 3


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    figures=st.fixed_dictionaries(
        {
            field: st.one_of(st.text(max_size=40), st.integers().map(str))
            for field in ("interviewers", "instructors", "volunteers", "vaccinated")
        }
    ),
    date=st.one_of(st.dates().map(datetime.date.isoformat), st.text(max_size=20)),
    version=st.one_of(st.integers(min_value=-5, max_value=10**12).map(str), st.text(max_size=10)),
)
def test_whatever_is_posted_to_the_staffing_form_it_is_saved_or_shown_back_never_a_server_error(
    area, staff_client, figures, date, version
):
    before = DailyStaffing.objects.count(), AuditEntry.objects.count()

    response = staff_client.post(page(area.first), {"date": date, "version": version, "reason": "", **figures})

    assert response.status_code in (302, 400, 409)
    if response.status_code != 302:
        assert (DailyStaffing.objects.count(), AuditEntry.objects.count()) == before


def test_the_history_page_shows_a_staffing_change_with_its_labels(area, campaign, staff_client):
    record_staffing(campaign=campaign, district=area.first, date=OPEN_DAY, interviewers=40, instructors=4, volunteers=3,
                    vaccinated=45, source="form")  # fmt: skip

    shown = " ".join(staff_client.get(f"/ru/entry/district/{area.first.kato}/history/").content.decode().split())

    assert "Интервьюеров на работе" in shown and "40" in shown
