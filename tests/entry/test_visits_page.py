"""The district's visits and non-response page: staff enter a door-to-door day in households; it must add up."""

import pytest

from census.models import AuditEntry, DailyNonResponse
from tests.entry.conftest import OPEN_DAY, client_for, make_person

pytestmark = pytest.mark.usefixtures("after_campaign")


def page(district, language="en") -> str:
    return f"/{language}/entry/district/{district.kato}/visits/?date={OPEN_DAY.isoformat()}"


def day_form(**overrides) -> dict:
    return {
        "date": OPEN_DAY.isoformat(), "version": "0", "reason": "", "assigned": "400", "visits": "200",
        "interviewed": "120", "notice_shown": "20", "not_at_home": "25", "door_closed": "10", "refused": "5",
        "no_notice": "10", "vacant": "10", "revisits_scheduled": "30", "revisits_made": "10", "outstanding": "150",
    } | overrides  # fmt: skip


def test_staff_save_a_door_to_door_day_and_see_it_again(area, staff, staff_client):
    saved = staff_client.post(page(area.first), day_form())

    assert saved.status_code == 302
    row = DailyNonResponse.objects.get()
    assert (row.visits, row.door_closed, row.outstanding, row.updated_by) == (200, 10, 150, staff)
    assert AuditEntry.objects.get().source == AuditEntry.Source.FORM
    shown = staff_client.get(saved["Location"]).content.decode()
    assert 'name="door_closed" id="id_door_closed" value="10"' in shown
    assert "<legend>Visits and how each ended</legend>" in shown


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_figures_that_do_not_add_up_are_shown_again_with_the_error_on_visits_and_nothing_is_saved(area, staff_client, language):
    response = staff_client.post(page(area.first, language), day_form(visits="199"))

    html = response.content.decode()
    assert response.status_code == 400
    assert 'name="visits" id="id_visits" value="199"' in html
    assert 'aria-invalid="true" aria-describedby="err-visits" autofocus' in html
    assert not DailyNonResponse.objects.exists()


def test_a_district_outside_the_scope_is_a_404_and_an_official_gets_a_403(area):
    district_staff = client_for(make_person("staff.one", "staff", area.first.kato))
    official = client_for(make_person("official.one", "official", area.region.kato))

    assert district_staff.get(page(area.second)).status_code == 404
    assert district_staff.post(page(area.second), day_form()).status_code == 404
    assert official.get(page(area.first)).status_code == 403


def test_the_visits_export_holds_the_area_s_district_days_with_headers_in_the_reader_s_language(area, staff_client):
    staff_client.post(page(area.first), day_form())

    response = staff_client.get("/ru/entry/visits-export.csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    header, row = response.content.decode("utf-8-sig").splitlines()
    assert header.split(";")[3:6] == ["Назначено домохозяйств", "Сделано посещений", "Проведено интервью"]
    assert row.split(";")[0] == area.first.kato and row.split(";")[3:6] == ["400", "200", "120"]
