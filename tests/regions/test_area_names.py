"""One rule for area names, wherever they are entered: one line of visible text, no direction controls.

A name is shown in SVG titles, the briefing text, CSV and PDF, where a
right-to-left override would reorder everything after it; the admin's forms
refuse such a name just as `manage.py import_units` does (tests/census/test_import_units.py).
"""

import re

import pytest
from django.test import Client
from django.utils import translation

from regions.models import District, Region
from tests import factories

BAD_NAMES = {
    "right-to-left-override": "Орал\u202eқаласы",
    "left-to-right-embedding": "\u202aОрал",
    "first-strong-isolate": "Орал\u2068",
    "right-to-left-mark": "Орал\u200f",
    "carriage-return": "Орал\rқаласы",
    "line-separator": "Орал\u2028қаласы",
    "nul": "Орал\x00",
}


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(factories.SuperuserFactory(), backend="django.contrib.auth.backends.ModelBackend")
    return client


def district_form(district, **changes) -> dict:
    fields = {
        "kato": district.kato,
        "region": district.region_id,
        "kind": district.kind,
        "name_kk": district.name_kk,
        "name_ru": district.name_ru,
        "name_en": district.name_en,
        "map_col": "",
        "map_row": "",
        "boundary": "null",
    }
    return {**fields, **changes}


@pytest.mark.parametrize("name", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_the_admin_refuses_a_district_name_with_a_control_or_direction_character(admin_client, name):
    # given
    district = factories.DistrictFactory(name_en="Oral")

    # when
    response = admin_client.post(f"/en/admin/regions/district/{district.pk}/change/", district_form(district, name_en=name))

    # then: the form again, with the error on the field; nothing saved
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name_en"]
    district.refresh_from_db()
    assert district.name_en == "Oral"


def test_the_admin_refuses_a_region_name_with_a_right_to_left_override(admin_client):
    response = admin_client.post(
        "/en/admin/regions/region/add/",
        {
            "kato": "270000000",
            "kind": Region.Kind.REGION,
            "name_kk": "Батыс Қазақстан облысы",
            "name_ru": "Западно-Казахстанская \u202eобласть",
            "name_en": "West Kazakhstan Region",
            "districts-TOTAL_FORMS": "0",
            "districts-INITIAL_FORMS": "0",
            "districts-MIN_NUM_FORMS": "0",
            "districts-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 200
    assert "U+202E" in str(response.context["adminform"].form.errors["name_ru"])
    assert not Region.objects.exists()


def test_the_admin_still_saves_a_plain_kazakh_name(admin_client):
    district = factories.DistrictFactory(name_kk="Ақжайық ауданы")

    response = admin_client.post(
        f"/en/admin/regions/district/{district.pk}/change/", district_form(district, name_kk="Жаңақала ауданы")
    )

    assert response.status_code == 302
    assert District.objects.get(pk=district.pk).name_kk == "Жаңақала ауданы"


def test_a_name_is_marked_with_the_language_it_is_shown_in(db):
    # given a district named in Kazakh and Russian only
    district = factories.DistrictFactory(name_kk="Тасқала ауданы", name_ru="Таскалинский район", name_en="")

    # then a Kazakh page shows its Kazakh name, an English page its Russian one, each marked as such
    with translation.override("kk"):
        assert (district.name, district.name_lang) == ("Тасқала ауданы", "kk")
    with translation.override("en"):
        assert (district.name, district.name_lang) == ("Таскалинский район", "ru")


def test_the_russian_admin_marks_the_kazakh_and_english_names_with_their_language(admin_client):
    # given
    district = factories.DistrictFactory(name_kk="Тасқала ауданы", name_ru="Таскалинский район", name_en="Taskala District")

    # when
    listing = admin_client.get("/ru/admin/regions/district/").content.decode()
    form = admin_client.get(f"/ru/admin/regions/district/{district.pk}/change/").content.decode()

    # then a screen reader reads each name in its own language
    for language, name in (("kk", "Тасқала ауданы"), ("ru", "Таскалинский район"), ("en", "Taskala District")):
        assert f'<span lang="{language}">{name}</span>' in listing
    for language in ("kk", "ru", "en"):
        field = re.search(rf'<input[^>]*name="name_{language}"[^>]*>', form)
        assert field and f'lang="{language}"' in field.group(0)
