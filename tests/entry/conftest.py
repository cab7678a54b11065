"""A region of three districts (and a district elsewhere) in the 2021-shaped campaign, and people of every role."""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import translation

from census.accounts import provision_user
from regions.models import COUNTRY_KATO
from tests import factories

PASSWORD = "a-long-test-password"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Both phases of the `campaign` fixture are open on this day (online to 15 Oct, door to door from 1 Oct).
OPEN_DAY = datetime.date(2021, 10, 5)


@dataclass
class Area:
    """The geography the entry tests work in."""

    region: object
    first: object  # district A: the one most tests write to
    second: object  # district B: same region
    third: object
    elsewhere: object  # a district of another region

    @property
    def districts(self):
        return [self.first, self.second, self.third]


@pytest.fixture
def area(campaign):
    region = factories.RegionFactory(kato="310000000", name_ru="Тестовая область", name_kk="Сынақ облысы", name_en="Test Region")
    names = [
        ("313200000", "Ақжайық ауданы", "Акжаикский район", "Akzhaik District"),
        ("314000000", "Бөрлі ауданы", "Бурлинский район", "Burli District"),
        ("316000000", "Тасқала ауданы", "Таскалинский район", "Taskala District"),
    ]
    districts = []
    for kato, kk, ru, en in names:
        district = factories.DistrictFactory(region=region, kato=kato, name_kk=kk, name_ru=ru, name_en=en)
        factories.BaselineFactory(district=district, campaign=campaign, population=20_000)
        districts.append(district)
    other_region = factories.RegionFactory(kato="390000000", name_ru="Другая область", name_en="Other Region")
    elsewhere = factories.DistrictFactory(
        region=other_region, kato="391000000", name_kk="Басқа ауданы", name_ru="Другой район", name_en="Other District"
    )
    factories.BaselineFactory(district=elsewhere, campaign=campaign, population=5_000)
    return Area(region, *districts, elsewhere)


def make_person(username: str, role: str | None, kato: str | None):
    """An account through the same path `manage.py add_user` takes; role None is an account without an assignment."""
    if role is None:
        return factories.UserFactory(username=username)
    return provision_user(username=username, role=role, kato=kato, password=PASSWORD)


def people(area) -> dict:
    """One account per kind of person the permission matrix names."""
    return {
        "anonymous": None,
        "no_role": make_person("no.role", None, None),
        "official_region": make_person("official.region", "official", area.region.kato),
        "official_country": make_person("official.country", "official", COUNTRY_KATO),
        "staff_region": make_person("staff.region", "staff", area.region.kato),
        "staff_district": make_person("staff.district", "staff", area.first.kato),
        "staff_other_district": make_person("staff.second", "staff", area.second.kato),
        "staff_other_region": make_person("staff.elsewhere", "staff", area.elsewhere.region.kato),
        "admin": make_person("the.admin", "admin", COUNTRY_KATO),
    }


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def staff(area):
    """Statistics staff of the test region."""
    return make_person("stat.region", "staff", area.region.kato)


@pytest.fixture
def staff_client(staff):
    return client_for(staff)


@pytest.fixture
def in_english():
    """Messages of code called directly (not through a page) in English, the language these tests are written in."""
    with translation.override("en"):
        yield
