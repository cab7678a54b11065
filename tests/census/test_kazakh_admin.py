"""Kazakh staff see right Kazakh in Django's admin: dates with a lowercase month in Kazakh word order, and
Django's own wrong Kazakh (mistranslations, typos, a counter that printed "one:"/"other:") corrected by
locale/django-kk, as listed in locale/kk/GLOSSARY.md and the kk review."""

import datetime
import gettext
import io
import json
import re

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from django.test import override_settings
from django.utils import formats, translation
from django.utils.html import escape

from census.services import record_count
from tests import factories

pytestmark = pytest.mark.usefixtures("after_campaign")

OCT_27 = datetime.date(2021, 10, 27)
KK_MONTHS = [
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
]


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs():
    """The .mo files as `make install` builds them; LOCALE_PATHS overridden so Django reloads its catalogs."""
    call_command("compile_translations", stdout=io.StringIO())
    gettext._translations.clear()  # gettext caches .mo files by path: drop any read before the compile
    with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
        yield


@pytest.mark.parametrize("month", range(1, 13))
def test_every_kazakh_month_is_lowercase_inside_a_date_and_capitalised_alone(month):
    day = datetime.date(2021, month, 27)
    with translation.override("kk"):
        long_date = formats.date_format(day, "DATE_FORMAT")
        month_day = formats.date_format(day, "MONTH_DAY_FORMAT")
        year_month = formats.date_format(day, "YEAR_MONTH_FORMAT")
        with_time = formats.date_format(datetime.datetime(2021, month, 27, 14, 5), "DATETIME_FORMAT")
    name = KK_MONTHS[month - 1]
    assert long_date == f"27 {name} 2021 ж."
    assert month_day == f"27 {name}"
    assert with_time == f"27 {name} 2021 ж. 14:05"
    assert year_month == f"{name.capitalize()} 2021 ж."


def test_the_short_forms_and_the_other_languages_are_unchanged():
    with translation.override("kk"):
        assert formats.date_format(OCT_27, "SHORT_DATE_FORMAT") == "27.10.2021"
        assert formats.date_format(OCT_27, "b") == "қаз"
        assert formats.date_format(datetime.date(2021, 1, 4), "b") == "қаң"
        assert formats.date_format(OCT_27, "D") == "Ср"  # a Wednesday: Django's kk said "Сб" for Tuesday
        assert formats.date_format(datetime.date(2021, 10, 26), "D") == "Сс"
    with translation.override("ru"):
        assert formats.date_format(OCT_27, "DATE_FORMAT") == "27 октября 2021 г."


@pytest.fixture
def kk_staff(client, superuser):
    client.force_login(superuser)
    return client


def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_the_admins_date_drill_down_reads_day_then_lowercase_month(kk_staff, campaign, district, superuser):
    record_count(
        campaign=campaign, district=district, date=datetime.date(2021, 9, 3), online=5, offline=0, user=superuser, source="form"
    )
    record_count(campaign=campaign, district=district, date=OCT_27, online=0, offline=7, user=superuser, source="form")

    months = _text(kk_staff.get("/kk/admin/census/dailycount/?date__year=2021"))
    days = _text(kk_staff.get("/kk/admin/census/dailycount/?date__year=2021&date__month=10"))

    assert "Қазан 2021 ж." in months and "Қыркүйек 2021 ж." in months
    assert "27 қазан" in days
    assert "Қазан 27" not in days and "27 Қазан" not in days


def test_the_user_list_and_form_use_corrected_kazakh(kk_staff, superuser):
    factories.UserFactory(username="aigerim")
    LogEntry.objects.log_actions(superuser.pk, [superuser], CHANGE, change_message="")

    listing = _text(kk_staff.get("/kk/admin/auth/user/"))
    form = _text(kk_staff.get(f"/kk/admin/auth/user/{superuser.pk}/change/"))
    history = _text(kk_staff.get(f"/kk/admin/auth/user/{superuser.pk}/history/"))

    assert "Сүзгі" in listing and "Сүзгіз" not in listing  # Filter
    assert escape("Таңдалған пайдаланушылар өшіру") in listing  # Delete selected users, not "were deleted"
    assert "2 ішінен 0 таңдалды" in listing  # 0 of 2 selected, no English left
    assert "one:" not in listing and "other:" not in listing
    assert "Өзгерту үшін пайдаланушы таңдаңыз" in listing  # Select user to change
    assert "Басты бет" in listing  # Home
    assert "Тегі" in form and "Жөні" not in form  # last name
    assert "Сақтап, жаңасын қосу" in form and "Сақтап, өңдеуді жалғастыру" in form
    assert "Суперпайдаланушы мәртебесі" in form and "Әкімші мәртебесі" not in form
    assert "Маңызды күндер" in form
    assert "Қолданушы" not in form and "қолданушы" not in form
    assert "Күні/уақыты" in history and "Өшіру/Уақыт" not in history


def test_the_admin_index_keeps_the_verb_change_and_the_audit_column_the_noun(kk_staff, client):
    index = _text(kk_staff.get("/kk/admin/"))
    assert "Өзгерту" in index  # the "Change" links: a verb
    assert ">Өзгеріс<" not in index
    with translation.override("kk"):
        assert translation.gettext("Change") == "Өзгерту"
        assert translation.pgettext("audit column", "Change") == "Өзгеріс"
    with translation.override("ru"):
        assert translation.gettext("Change") == "Изменить"
        assert translation.pgettext("audit column", "Change") == "Изменение"


def test_the_sign_in_error_names_the_username_as_the_label_does(client, superuser):
    response = client.post("/kk/admin/login/", {"username": superuser.username, "password": "wrong"})

    page = _text(response)
    assert "пайдаланушы аты" in page
    assert "Қолданушы атауы" not in page


def test_the_admins_javascript_counter_and_picker_read_right(kk_staff):
    response = kk_staff.get("/kk/admin/jsi18n/")

    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\n  \});", response.content.decode(), re.DOTALL).group(1))
    assert catalog["%(sel)s of %(cnt)s selected"] == ["%(cnt)s ішінен %(sel)s таңдалды"] * 2
    assert catalog["Available %s"] == "Қолжетімді %s"
    assert catalog["Filter"] == "Сүзгі"
    assert catalog["%(month)s %(day)s, %(year)s"] == "%(day)s %(month)s %(year)s ж."
