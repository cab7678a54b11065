"""The device sync health page: per person, the last send from a device, its items, conflicts and the longest wait;
seen by those who answer for an area, for the senders in it."""

import datetime

import pytest
import time_machine
from django.test import Client

from census.models import DeviceSync
from census.services import record_device_sync
from regions.models import COUNTRY_KATO
from tests.conftest import AFTER_CAMPAIGN
from tests.entry.conftest import MODEL_BACKEND, make_person

URL = "/en/entry/sync-health/"


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def sends(area, after_campaign):
    staff = make_person("stat.aksai", "staff", area.region.kato)
    with time_machine.travel(AFTER_CAMPAIGN - datetime.timedelta(days=1), tick=False):
        record_device_sync(user=staff, token=None, outcomes=["created", "conflict"], longest_wait=datetime.timedelta(hours=5))
    record_device_sync(user=staff, token=None, outcomes=["created", "updated", "unchanged"], longest_wait=None)
    return staff


def test_the_administrator_sees_each_senders_last_batch_conflicts_and_longest_wait(sends):
    admin = make_person("chief", "admin", COUNTRY_KATO)

    response = signed_in(admin).get(URL)

    assert response.status_code == 200
    [sender] = response.context["senders"]
    assert (sender.name, sender.last.items, sender.batches, sender.conflicts, sender.longest_wait_minutes) == (
        "stat.aksai",
        3,
        2,
        1,
        300,
    )
    assert DeviceSync.objects.count() == 2


def test_a_regions_official_sees_the_senders_of_that_region_only(area, sends):
    in_district = make_person("stat.burli", "staff", area.first.kato)
    elsewhere = make_person("stat.elsewhere", "staff", area.elsewhere.region.kato)
    record_device_sync(user=in_district, token=None, outcomes=["created"], longest_wait=None)
    record_device_sync(user=elsewhere, token=None, outcomes=["created"], longest_wait=None)
    official = make_person("official.region", "official", area.region.kato)

    response = signed_in(official).get(URL)

    assert response.status_code == 200
    assert sorted(sender.name for sender in response.context["senders"]) == ["stat.aksai", "stat.burli"]
    # The country's official sees all three.
    country = signed_in(make_person("official.country", "official", COUNTRY_KATO)).get(URL)
    assert len(country.context["senders"]) == 3


def test_a_districts_staff_may_not_open_it(area, sends):
    response = signed_in(make_person("stat.burli", "staff", area.first.kato)).get(URL)

    assert response.status_code == 403
