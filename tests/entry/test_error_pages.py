"""What a person sees on an error with DEBUG off (how make run and a server run): the site's own page in their language.

A staff member who opens another district's page must get a plain "not found" in the site's frame, never Django's
technical page that lists every URL of the application.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults

from tests.entry.conftest import OPEN_DAY, client_for, make_person

pytestmark = pytest.mark.usefixtures("after_campaign")

NOT_FOUND = {
    "en": "Page not found",
    "ru": "Страница не найдена",
    "kk": "Бет табылмады",
}
FORBIDDEN = {
    "en": "Not available to your account",
    "ru": "Недоступно для вашей учётной записи",
    "kk": "Сіздің тіркелгіңізге қолжетімсіз",
}
TECHNICAL = ("URLconf", "Using the URLconf", "DEBUG = True", "Traceback", "django.")


@pytest.fixture(autouse=True)
def debug_off(settings):
    settings.DEBUG = False


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_staff_opening_another_district_gets_the_translated_not_found_page(area, language):
    # given: staff of district B, in the same region as A
    client = client_for(make_person("staff.second", "staff", area.second.kato))

    # when
    response = client.get(f"/{language}/entry/district/{area.first.kato}/?date={OPEN_DAY.isoformat()}")

    # then
    page = response.content.decode()
    assert response.status_code == 404
    assert NOT_FOUND[language] in page
    assert 'class="site-header"' in page  # the site's own frame, with its header and language links
    assert f'<html lang="{language}">' in page
    assert not any(marker in page for marker in TECHNICAL)
    assert area.first.name_en not in page and area.first.name_ru not in page  # nothing about what exists


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_an_official_opening_another_region_s_dashboard_gets_the_same_not_found_page(area, language):
    client = client_for(make_person("official.elsewhere", "official", area.elsewhere.region.kato))

    response = client.get(f"/{language}/dashboard/{area.region.kato}/")

    assert response.status_code == 404
    assert NOT_FOUND[language] in response.content.decode()


def test_an_address_that_does_not_exist_gets_the_same_page(area):
    response = client_for(None).get("/ru/no-such-page/")

    assert response.status_code == 404
    assert NOT_FOUND["ru"] in response.content.decode()


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_refusal_is_the_translated_forbidden_page(area, language):
    # an official may read dashboards but not enter counts
    client = client_for(make_person("official.region", "official", area.region.kato))

    response = client.get(f"/{language}/entry/district/{area.first.kato}/")

    assert response.status_code == 403
    assert FORBIDDEN[language] in response.content.decode()


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_permission_denied_anywhere_renders_the_site_s_403_page(db, language):
    request = RequestFactory().get(f"/{language}/")
    request.user = make_person("nobody", None, None)
    with translation.override(language):
        response = defaults.permission_denied(request, PermissionDenied())

    page = response.content.decode()
    assert response.status_code == 403
    assert FORBIDDEN[language] in page
    assert 'class="site-header"' in page


@pytest.mark.parametrize(
    ("language", "title"), [("kk", "Бірдеңе дұрыс болмады"), ("ru", "Что-то пошло не так"), ("en", "Something went wrong")]
)
def test_a_server_error_page_needs_no_request_and_is_translated(language, title):
    # Django renders 500.html without the request or context processors: the database may be what failed.
    with translation.override(language):
        response = defaults.server_error(RequestFactory().get("/"))

    page = response.content.decode()
    assert response.status_code == 500
    assert title in page
    assert f'<html lang="{language}">' in page
