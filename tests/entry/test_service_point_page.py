"""The district's self-service points page: staff enter how many people each open point helped that day, all or none."""

import datetime

import pytest

from census.models import AuditEntry, ServicePointUse
from census.service_points import record_point_use, save_service_point
from tests.entry.conftest import OPEN_DAY

pytestmark = pytest.mark.usefixtures("after_campaign")


def page(district, language="en", day=OPEN_DAY) -> str:
    return f"/{language}/entry/district/{district.kato}/points/?date={day.isoformat()}"


@pytest.fixture
def points(area, campaign):
    def add(name, **values):
        values = {"kind": "psc", "name_kk": name, "name_ru": name, "name_en": name, "active_from": datetime.date(2021, 9, 1)}
        return save_service_point(campaign=campaign, district=area.first, values=values, source=AuditEntry.Source.COMMAND)

    closed = add("Closed")
    save_service_point(
        campaign=campaign, district=area.first, point=closed, source=AuditEntry.Source.COMMAND,
        values={"kind": "psc", "name_kk": "Closed", "name_ru": "Closed", "name_en": "Closed",
                "active_from": datetime.date(2021, 9, 1), "active_to": datetime.date(2021, 9, 30)},
    )  # fmt: skip
    return add("Akimat corner"), add("Public service centre"), closed


def test_staff_see_the_points_open_that_day_and_save_their_figures(area, staff, staff_client, points):
    akimat, centre, _closed = points

    shown = staff_client.get(page(area.first)).content.decode()
    saved = staff_client.post(
        page(area.first), {"date": OPEN_DAY.isoformat(), f"assisted-{akimat.pk}": "7", f"assisted-{centre.pk}": "", "reason": ""}
    )

    assert "Akimat corner" in shown and "Public service centre" in shown and "Closed" not in shown
    assert '<label for="id_assisted-' in shown
    assert saved.status_code == 302
    use = ServicePointUse.objects.get()
    assert (use.point, use.date, use.assisted, use.updated_by) == (akimat, OPEN_DAY, 7, staff)
    assert 'value="7"' in staff_client.get(saved["Location"]).content.decode()


def test_one_refused_figure_saves_none_of_the_day_and_keeps_what_was_typed(area, staff_client, points):
    akimat, centre, _closed = points

    response = staff_client.post(
        page(area.first), {"date": OPEN_DAY.isoformat(), f"assisted-{akimat.pk}": "7", f"assisted-{centre.pk}": "-3"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "A number of people cannot be negative." in html
    assert f'id="id_assisted-{centre.pk}" value="-3"' in html and f'id="id_assisted-{akimat.pk}" value="7"' in html
    assert 'aria-invalid="true"' in html and "autofocus" in html
    assert not ServicePointUse.objects.exists()


def test_changing_a_past_days_figure_asks_for_a_reason(area, campaign, staff_client, points):
    akimat, _centre, _closed = points
    record_point_use(campaign=campaign, point=akimat, date=OPEN_DAY, assisted=7, source=AuditEntry.Source.FORM)
    form = {"date": OPEN_DAY.isoformat(), f"assisted-{akimat.pk}": "9", f"version-{akimat.pk}": "1", "reason": ""}

    refused = staff_client.post(page(area.first, "ru"), form)
    saved = staff_client.post(page(area.first), form | {"reason": "late sheet"})

    assert refused.status_code == 400
    assert "Изменение данных за прошедший день — это исправление: укажите причину." in refused.content.decode()
    assert saved.status_code == 302
    assert ServicePointUse.objects.get().assisted == 9


def test_a_district_outside_the_scope_is_a_404_and_an_official_gets_a_403(area, points):
    from tests.entry.conftest import client_for, make_person

    district_staff = client_for(make_person("staff.one", "staff", area.first.kato))
    official = client_for(make_person("official.one", "official", area.region.kato))

    assert district_staff.get(page(area.second)).status_code == 404
    assert official.get(page(area.first)).status_code == 403


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Self-service points"), ("ru", "Пункты самообслуживания"), ("kk", "Өзіне-өзі қызмет көрсету пункттері")],
)
def test_the_district_form_links_to_the_page_in_each_language(area, staff_client, language, heading):
    html = staff_client.get(f"/{language}/entry/district/{area.first.kato}/?date={OPEN_DAY.isoformat()}").content.decode()

    assert f'href="/{language}/entry/district/{area.first.kato}/points/?date={OPEN_DAY.isoformat()}">{heading}</a>' in html
