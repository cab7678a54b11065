"""Cached API answers (reports/readcache.py): a saved count shows at once in every answer and language, a token never
gets an answer cached for another token's scope, and a repeated conditional GET is a 304.

Runs on SQLite with the local-memory cache; with DATABASE_URL and REDIS_URL set, on PostgreSQL with Redis.
"""

import datetime

import time_machine

from census.access import issue_token
from census.models import AuditEntry, Campaign, DailyCount
from census.services import record_count
from regions.models import District
from reports import readcache
from reports.dashboards.store import source_of
from reports.models import CoverageSnapshot
from reports.services import drain_recompute_outbox
from tests import factories
from tests.api.conftest import WKO, client_with
from tests.conftest import AFTER_CAMPAIGN

TASKALA = "276000000"
LANGUAGES = ["kk", "ru", "en"]
ANSWERS = [
    "/api/v1/coverage/?level=region",
    "/api/v1/coverage/?level=district",
    f"/api/v1/coverage/?level=district&region={WKO}",
    f"/api/v1/highlights/?region={WKO}",
    f"/api/v1/briefing/?region={WKO}",
]


def test_a_saved_count_shows_at_once_in_every_cached_answer_in_every_language(demo, django_capture_on_commit_callbacks):
    # given: every answer asked (and so cached) in every language, with the clock pinned after the campaign
    with time_machine.travel(AFTER_CAMPAIGN, tick=False):
        _token, key = issue_token(name="reader", region=None, can_write=False)
        client = client_with(key)
        before = {(url, lang): client.get(f"{url}&lang={lang}").json() for url in ANSWERS for lang in LANGUAGES}
    campaign = Campaign.objects.current()
    taskala = District.objects.get(kato=TASKALA)
    last_day, _computed_at = source_of(campaign, TASKALA)
    row = DailyCount.objects.get(campaign=campaign, district=taskala, date=last_day)

    # when: a count is saved through the service, and the job its commit publishes runs (a minute later)
    with time_machine.travel(AFTER_CAMPAIGN + datetime.timedelta(minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            record_count(
                campaign=campaign, district=taskala, date=last_day, online=row.online, offline=row.offline + 300,
                reason="late forms", source=AuditEntry.Source.COMMAND, confirm_implausible=True,
            )  # fmt: skip
            # The module's demo transaction (never committed) already holds the publish: the job is run here.
            drain_recompute_outbox()
        after = {(url, lang): client.get(f"{url}&lang={lang}").json() for url in ANSWERS for lang in LANGUAGES}
        # What the same requests answer with nothing cached at all.
        readcache.bump_generation()
        uncached = {(url, lang): client.get(f"{url}&lang={lang}").json() for url in ANSWERS for lang in LANGUAGES}

    # then: every answer is the new one
    assert after == uncached
    new_total = CoverageSnapshot.objects.get(campaign=campaign, kato=TASKALA, date=last_day).total
    for lang in LANGUAGES:
        rows = after[f"/api/v1/coverage/?level=district&region={WKO}", lang]["results"]
        assert next(r["total"] for r in rows if r["kato"] == TASKALA) == new_total
        old_rows = before[f"/api/v1/coverage/?level=district&region={WKO}", lang]["results"]
        assert next(r["total"] for r in old_rows if r["kato"] == TASKALA) == new_total - 300


def test_a_token_of_another_region_never_gets_the_answer_cached_for_the_first(demo):
    # given: the West Kazakhstan token's answers are cached
    other_region = factories.RegionFactory(kato="310000000")
    factories.DistrictFactory(region=other_region, kato="311000000")
    _token, wko_key = issue_token(name="wko", region=demo, can_write=False)
    _token, other_key = issue_token(name="other", region=other_region, can_write=False)
    _token, country_key = issue_token(name="country", region=None, can_write=False)
    wko, other, country = client_with(wko_key), client_with(other_key), client_with(country_key)
    wko_districts = wko.get("/api/v1/coverage/?level=district").json()["results"]
    assert wko.get(f"/api/v1/highlights/?region={WKO}").status_code == 200

    # when: the other region's token and a country-wide token ask the same URLs
    other_districts = other.get("/api/v1/coverage/?level=district").json()["results"]
    other_highlights = other.get(f"/api/v1/highlights/?region={WKO}")
    country_districts = country.get("/api/v1/coverage/?level=district").json()["results"]

    # then: each sees its own scope only
    assert wko_districts and {r["kato"][:2] for r in wko_districts} == {"27"}
    assert all(r["kato"][:2] != "27" for r in other_districts)
    assert other_highlights.status_code == 404
    assert len(country_districts) >= len(wko_districts)
    assert wko.get("/api/v1/coverage/?level=district").json()["results"] == wko_districts


def test_a_cached_answer_revalidated_with_its_etag_is_a_304(demo):
    _token, key = issue_token(name="poller", region=demo, can_write=False)
    client = client_with(key)
    for url in ANSWERS:
        first = client.get(url)
        assert first.status_code == 200, url

        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

        assert again.status_code == 304, url
        assert again["ETag"] == first["ETag"]


def test_a_kept_answer_is_served_as_first_sent_with_its_etag_time_and_file_name(demo):
    # given: each answer asked once (kept), as JSON and, where offered, as CSV
    _token, key = issue_token(name="poller", region=demo, can_write=False)
    client = client_with(key)
    urls = [*ANSWERS, "/api/v1/coverage/?level=district&format=csv"]
    first = {url: client.get(url) for url in urls}

    # when: asked again, and revalidated by its time
    again = {url: client.get(url) for url in urls}
    by_time = {url: client.get(url, HTTP_IF_MODIFIED_SINCE=first[url]["Last-Modified"]) for url in urls}

    # then: the same bytes and headers; a 304 by time too
    for url in urls:
        assert first[url].status_code == again[url].status_code == 200, url
        assert again[url].content == first[url].content, url
        for header in ("ETag", "Last-Modified", "Content-Type", "Cache-Control", "Content-Language", "Vary"):
            assert again[url].get(header) == first[url].get(header), (url, header)
        assert by_time[url].status_code == 304, url
    csv_url = "/api/v1/coverage/?level=district&format=csv"
    assert again[csv_url]["Content-Disposition"] == first[csv_url]["Content-Disposition"]
    assert first[csv_url]["Content-Disposition"].startswith('attachment; filename="coverage-')
