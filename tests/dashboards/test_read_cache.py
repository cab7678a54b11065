"""Cached reads (reports/readcache.py): a saved count shows on every cached page at once, in every language, and no
reader is ever served a page of another reader's scope from the cache.

Runs on SQLite with the local-memory cache (the embedded mode); with DATABASE_URL and REDIS_URL set, on PostgreSQL
with the cache in Redis, which is where the cached pages live in production.
"""

import contextlib
import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from census.accounts import provision_user
from census.formatting import format_number
from census.models import AuditEntry, Campaign, DailyCount
from census.services import record_count
from regions.models import COUNTRY_KATO, District
from reports import readcache
from reports.dashboards.store import source_of
from reports.models import CoverageSnapshot, RenderedDashboard
from reports.services import drain_recompute_outbox
from tests.conftest import AFTER_CAMPAIGN
from tests.dashboards.conftest import TASKALA, WKO

LANGUAGES = ["kk", "ru", "en"]


@pytest.fixture
def later():
    """A minute after the pinned day, started by the test when it needs it."""
    traveller = time_machine.travel(AFTER_CAMPAIGN + datetime.timedelta(minutes=1), tick=False)
    yield traveller
    with contextlib.suppress(RuntimeError):
        traveller.stop()


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def readers(demo):
    """A client per reader kind: officials of the region, of a district and of the country, and an anonymous visitor."""
    provision_user(username="akimat.taskala", role="official", kato=TASKALA, password=None)
    return {
        "region": signed_in("akimat.wko"),
        "district": signed_in("akimat.taskala"),
        "national": signed_in("official.kz"),
        "anonymous": Client(),
    }


# (reader, URL after the language, kind of stored page, its area)
PAGES = [
    ("region", f"dashboard/{WKO}/", "region", WKO),
    ("district", f"dashboard/district/{TASKALA}/", "district", TASKALA),
    ("national", "dashboard/", "national", COUNTRY_KATO),
    ("anonymous", "public/", "public", COUNTRY_KATO),
    ("anonymous", f"public/{WKO}/", "public", WKO),
    ("anonymous", f"widget/{WKO}/", "widget", WKO),
    ("anonymous", f"widget/{TASKALA}/", "widget", TASKALA),
]


def stored_page(kind: str, kato: str, language: str) -> RenderedDashboard:
    campaign = Campaign.objects.current()
    day, _computed_at = source_of(campaign, kato)
    return RenderedDashboard.objects.get(campaign=campaign, kind=kind, kato=kato, as_of=day, language=language)


def test_a_saved_count_shows_at_once_on_every_cached_page_in_every_language(readers, django_capture_on_commit_callbacks, later):
    # given: every page read (and so cached) in every language
    before = {}
    for reader, path, kind, kato in PAGES:
        for language in LANGUAGES:
            response = readers[reader].get(f"/{language}/{path}")
            assert response.status_code == 200, (reader, path, language)
            before[path, language] = stored_page(kind, kato, language).html
            assert before[path, language] in response.content.decode()
    campaign = Campaign.objects.current()
    taskala = District.objects.get(kato=TASKALA)
    last_day, _computed_at = source_of(campaign, TASKALA)
    row = DailyCount.objects.get(campaign=campaign, district=taskala, date=last_day)

    # when: a count is saved through the real path (the service, the recompute and render jobs after commit),
    # a minute later (the clock is pinned: the new snapshots must carry a later time than the pages read)
    later.start()
    with django_capture_on_commit_callbacks(execute=True):
        record_count(
            campaign=campaign, district=taskala, date=last_day, online=row.online, offline=row.offline + 300,
            reason="late forms", source=AuditEntry.Source.COMMAND, confirm_implausible=True,
        )  # fmt: skip
        # The job that commit publishes, run here: the module's demo transaction (never committed) already holds
        # the publish, which is registered once per transaction. The render job and the bumps follow on commit.
        drain_recompute_outbox()

    # then: every page, in every language, is the one rendered from the new figures, not the cached one
    new_total = CoverageSnapshot.objects.get(campaign=campaign, kato=TASKALA, date=last_day).total
    for reader, path, kind, kato in PAGES:
        for language in LANGUAGES:
            body = readers[reader].get(f"/{language}/{path}").content.decode()
            page = stored_page(kind, kato, language)
            assert page.source_computed_at == source_of(campaign, kato)[1], (path, language)
            assert page.html in body, (reader, path, language)
            assert before[path, language] not in body, (reader, path, language)
    district_page = readers["district"].get(f"/ru/dashboard/district/{TASKALA}/").content.decode()
    with translation.override("ru"):
        assert format_number(new_total) in district_page


def test_an_official_of_another_region_never_gets_the_cached_page_of_the_first(official_client, other_region_official):
    # given: the West Kazakhstan official's dashboard is cached
    assert official_client.get(f"/ru/dashboard/{WKO}/").status_code == 200
    other = Client()
    other.force_login(other_region_official)

    # when: the Zhambyl official asks for the same URL
    response = other.get(f"/ru/dashboard/{WKO}/")

    # then: not theirs to see, cache or not; and the first official still sees it
    assert response.status_code == 404
    assert official_client.get(f"/ru/dashboard/{WKO}/").status_code == 200


def test_a_district_official_never_gets_the_cached_region_page_nor_another_district(readers):
    region_page = readers["region"].get(f"/ru/dashboard/{WKO}/")
    other_district = District.objects.filter(region__kato=WKO).exclude(kato=TASKALA).first()
    assert readers["region"].get(f"/ru/dashboard/district/{other_district.kato}/").status_code == 200

    assert region_page.status_code == 200
    assert readers["district"].get(f"/ru/dashboard/{WKO}/").status_code == 404
    assert readers["district"].get(f"/ru/dashboard/district/{other_district.kato}/").status_code == 404
    assert readers["district"].get(f"/ru/dashboard/district/{TASKALA}/").status_code == 200


def test_the_public_page_cached_for_visitors_never_shows_a_signed_in_reader_and_theirs_is_never_shared(readers):
    # given: an official opens the public page first, then an anonymous visitor, then the official again
    official_first = readers["region"].get("/ru/public/")
    anonymous = readers["anonymous"].get("/ru/public/")
    official_again = readers["region"].get("/ru/public/")

    # then: the visitor's copy names nobody and may be kept by a proxy; the official's is theirs alone
    assert "akimat.wko" in official_first.content.decode()
    assert "akimat.wko" in official_again.content.decode()
    assert "akimat.wko" not in anonymous.content.decode()
    assert "private" in official_first["Cache-Control"]
    assert "public" in anonymous["Cache-Control"]
    assert "Cookie" in anonymous["Vary"]


@pytest.mark.parametrize("path", ["public/", f"public/{WKO}/", f"widget/{WKO}/"])
def test_anonymous_pages_can_be_kept_by_a_proxy_and_revalidated_with_a_304(demo, client, path):
    first = client.get(f"/kk/{path}")
    assert first.status_code == 200
    assert "max-age=" in first["Cache-Control"] and "public" in first["Cache-Control"]
    assert first["ETag"]

    again = client.get(f"/kk/{path}", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    # Each language is a URL of its own (/kk/, /ru/, /en/): another language is another page with another ETag.
    assert client.get(f"/en/{path}")["ETag"] != first["ETag"]


@pytest.mark.parametrize("path", ["public/", f"widget/{WKO}/"])
def test_anonymous_pages_are_revalidated_by_time_too_until_the_data_changes(demo, client, path):
    # given: a page as first sent, with the time its copy was made
    first = client.get(f"/kk/{path}")
    assert first.status_code == 200 and first["Last-Modified"]

    # when: asked again since that time, before and after the jobs changed the data
    unchanged = client.get(f"/kk/{path}", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    readcache.bump_generation()
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=5), tick=False):
        changed = client.get(f"/kk/{path}", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    # then
    assert unchanged.status_code == 304
    assert changed.status_code == 200 and changed["Last-Modified"] != first["Last-Modified"]


def test_a_dashboard_served_from_the_cache_carries_a_sign_out_token_that_works(demo):
    # given: an official whose dashboard is already cached (the first view stored it)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(get_user_model().objects.get(username="akimat.wko"))
    first = browser.get(f"/ru/dashboard/{WKO}/").content.decode()

    # when: the page comes from the cache, and the official signs out with its form
    again = browser.get(f"/ru/dashboard/{WKO}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', again).group(1)
    signed_out = browser.post(reverse("entry:logout"), {"csrfmiddlewaretoken": token})

    # then: a token of this response's own (masked afresh), accepted: the official is signed out
    assert token != re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', first).group(1)
    assert signed_out.status_code == 302
    assert browser.get(f"/ru/dashboard/{WKO}/").status_code == 302


def test_two_officials_of_one_region_each_see_their_own_name_on_the_cached_dashboard(official_client):
    provision_user(username="akimat.wko.deputy", role="official", kato=WKO, password=None)
    deputy = signed_in("akimat.wko.deputy")

    official_client.get(f"/ru/dashboard/{WKO}/")
    page = deputy.get(f"/ru/dashboard/{WKO}/").content.decode()

    assert "akimat.wko.deputy" in page
    assert ">akimat.wko<" not in page
