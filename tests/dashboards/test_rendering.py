"""Stored dashboards on data of our own: rendered after a recompute, re-rendered when stale, published figures only in public."""

import datetime

import pytest
import time_machine
from django.utils import translation

from census.accounts import provision_user
from census.formatting import format_number, format_percent
from census.models import AuditEntry
from census.services import record_count, set_status
from regions.models import COUNTRY_KATO, District
from reports.dashboards import store
from reports.models import CoverageSnapshot, RenderedDashboard
from reports.publication import is_published
from reports.services import drain_recompute_outbox
from tests import factories
from tests.conftest import AFTER_CAMPAIGN

OCT_1 = datetime.date(2021, 10, 1)
LAST_DAY = datetime.date(2021, 10, 30)  # the campaign fixture's door-to-door end
FORM = AuditEntry.Source.FORM
STAFF_NAME = "Aigerim Zhaksylykova"
STATUS_NOTE = "internal: check the dormitory lists again"


@pytest.fixture
def north(campaign, after_campaign):
    """Region North: four districts, each showing one case of the publishing rule (see reports.publication.is_published).

    open: in progress, no review flag -> published
    unset: no status at all -> withheld
    over: in progress and over its baseline -> withheld (under review)
    closed: completed early and over its baseline -> published (the official accepted it)
    """
    region = factories.RegionFactory(kato="150000000", name_en="North Region", name_ru="Северная область")
    staff = provision_user(username="stat.north", role="staff", kato=region.kato, password=None)
    staff.first_name, staff.last_name = STAFF_NAME.split()
    staff.save()
    plan = {
        "open": ("151000000", 1_000, 400, "in_progress"),
        "unset": ("152000000", 1_000, 300, ""),
        "over": ("153000000", 100, 150, "in_progress"),
        "closed": ("154000000", 200, 250, "completed_early"),
    }
    districts = {}
    for name, (kato, baseline, counted, status) in plan.items():
        district = factories.DistrictFactory(region=region, kato=kato, name_en=f"{name.title()} District")
        factories.BaselineFactory(district=district, campaign=campaign, population=baseline)
        # "over" and "closed" count more than their baselines on purpose: confirmed past the plausibility check.
        record_count(
            campaign=campaign, district=district, date=OCT_1, online=counted, offline=0, user=staff, source=FORM,
            confirm_implausible=True, reason="verified by phone",
        )  # fmt: skip
        if status:
            set_status(campaign=campaign, district=district, status=status, date=OCT_1, user=staff, source=FORM, note=STATUS_NOTE)
        districts[name] = district
    drain_recompute_outbox()
    return region, districts, staff


def test_the_publishing_rule_shows_figures_with_a_status_unless_under_review_in_an_open_district():
    assert is_published("in_progress", [])
    assert is_published("nearly_complete", ["silent"])
    assert is_published("completed_early", ["over_100"])
    assert is_published("completed", ["jump", "total_fell"])
    assert not is_published("", [])
    assert not is_published("in_progress", ["over_100"])
    assert not is_published("nearly_complete", ["jump"])
    assert not is_published("in_progress", ["total_fell", "silent"])


def test_the_public_page_shows_only_published_districts_and_sums_only_them(north, client):
    region, districts, _staff = north

    # when: nobody is signed in
    response = client.get(f"/en/public/{region.kato}/")

    # then
    assert response.status_code == 200
    page = response.content.decode()
    rows = {name: page.split(f"{name.title()} District")[1].split("</tr>")[0] for name in districts}
    assert "40.0%" in rows["open"]
    assert "125.0%" in rows["closed"]
    assert "Not yet published" in rows["unset"]
    assert "Not yet published" in rows["over"]
    assert "150" not in rows["over"]
    # 400 + 250 counted of 1,000 + 200 registered: the withheld districts are in neither sum.
    assert "54.2%" in page
    assert "650 counted of 1,200 registered" in page
    assert "2 of 4 districts" in page


def test_a_name_without_an_english_form_is_marked_as_russian_on_an_english_page(north, client):
    # given a district that has no English name: the English pages show its Russian one
    region, districts, _staff = north
    District.objects.filter(pk=districts["open"].pk).update(name_en="", name_ru="Открытый район")

    # when
    public = client.get(f"/en/public/{region.kato}/").content.decode()
    widget = client.get(f"/en/widget/{region.kato}/").content.decode()

    # then that name is marked as Russian, the others as English
    for page in (public, widget):
        assert '<bdi lang="ru">Открытый район</bdi>' in page
        assert '<bdi lang="en">Closed District</bdi>' in page


def test_the_public_page_and_the_widget_show_no_staff_only_data(north, client):
    region, _districts, staff = north

    pages = [
        client.get(f"/{language}/{kind}/{kato}/").content.decode()
        for language in ("kk", "ru", "en")
        for kind in ("public", "widget")
        for kato in (region.kato, COUNTRY_KATO)
    ]

    for page in pages:
        assert staff.username not in page
        assert STAFF_NAME.split()[1] not in page
        assert STATUS_NOTE not in page
        assert "audit" not in page.lower()
        assert "over the baseline" not in page  # review flags are internal
        assert "/dashboard/" not in page  # no links into the officials' pages


def test_the_widget_may_be_framed_by_any_site_and_the_other_pages_by_none(north, client):
    region, _districts, _staff = north

    widget = client.get(f"/ru/widget/{region.kato}/")
    public = client.get(f"/ru/public/{region.kato}/")

    assert widget.status_code == 200
    assert "X-Frame-Options" not in widget
    assert "frame-ancestors *" in widget["Content-Security-Policy"]
    assert "script-src 'none'" in widget["Content-Security-Policy"]
    assert public["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'self'" in public["Content-Security-Policy"]


def test_a_count_change_renders_the_stored_dashboard_again(campaign, district, django_capture_on_commit_callbacks):
    # given: counts entered and committed at noon; the job renders the region's dashboard in each language
    region = district.region
    with time_machine.travel(AFTER_CAMPAIGN, tick=False), django_capture_on_commit_callbacks(execute=True):
        record_count(campaign=campaign, district=district, date=OCT_1, online=2_000, offline=500, source=FORM)
    stored = RenderedDashboard.objects.filter(kind="region", kato=region.kato, as_of=LAST_DAY)
    assert sorted(stored.values_list("language", flat=True)) == ["en", "kk", "ru"]
    before = stored.get(language="en")
    assert "25.0%" in before.html
    # Run in-process (the embedded mode) the job leaves the PDF to its first download.
    assert before.pdf is None
    with time_machine.travel(AFTER_CAMPAIGN, tick=False):
        first_pdf = bytes(store.report_pdf(campaign=campaign, kato=region.kato, as_of=None, language="en").pdf)
    assert first_pdf.startswith(b"%PDF")
    before = stored.get(language="en")

    # when: an hour later, a correction of that day is committed
    with (
        time_machine.travel(AFTER_CAMPAIGN + datetime.timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        record_count(
            campaign=campaign, district=district, date=OCT_1, online=2_000, offline=1_500, reason="missed a box", source=FORM
        )
        # The test's transaction still holds the first publish callback (it never commits), so this one is not
        # registered again: run the coverage job its commit publishes; the rendering it owes follows on commit.
        drain_recompute_outbox()

    # then: the stored page was rendered again from the new figures, and so is its PDF when asked for
    after = stored.get(language="en")
    assert after.rendered_at == before.rendered_at + datetime.timedelta(hours=1)
    assert after.html != before.html
    assert "35.0%" in after.html and "25.0%" not in after.html.split("chart-table")[0]
    assert after.source_computed_at > before.source_computed_at
    assert after.pdf is None, "a PDF of the old figures must not outlive them"
    new_pdf = bytes(store.report_pdf(campaign=campaign, kato=region.kato, as_of=None, language="en").pdf)
    assert new_pdf.startswith(b"%PDF") and new_pdf != first_pdf
    assert RenderedDashboard.objects.filter(kind="district", kato=district.kato, as_of=LAST_DAY).count() == 3
    assert RenderedDashboard.objects.filter(kind="national", kato=COUNTRY_KATO, as_of=LAST_DAY).count() == 3


def test_a_missing_page_is_rendered_on_demand_once_and_then_served_as_stored(north):
    region, _districts, _staff = north
    campaign = CoverageSnapshot.objects.filter(kato=region.kato).first().campaign

    # when
    first = store.dashboard_for(campaign=campaign, kind="region", kato=region.kato, as_of=None, language="ru")
    second = store.dashboard_for(campaign=campaign, kind="region", kato=region.kato, as_of=None, language="ru")

    # then
    assert first.as_of == LAST_DAY
    assert second.pk == first.pk and second.rendered_at == first.rendered_at
    assert RenderedDashboard.objects.filter(kind="region", kato=region.kato).count() == 1


def test_a_page_older_than_its_snapshot_is_rendered_again_on_demand(north):
    region, districts, staff = north
    campaign = CoverageSnapshot.objects.filter(kato=region.kato).first().campaign
    first = store.dashboard_for(campaign=campaign, kind="region", kato=region.kato, as_of=OCT_1, language="en")

    # when: a later count is recomputed, but no job rendered the page (the broker was down, say)
    with time_machine.travel(AFTER_CAMPAIGN + datetime.timedelta(minutes=5), tick=False):
        record_count(campaign=campaign, district=districts["open"], date=OCT_1, online=600, offline=0, reason="late box",
                     user=staff, source=FORM, confirm_implausible=True)  # fmt: skip
        drain_recompute_outbox()
        again = store.dashboard_for(campaign=campaign, kind="region", kato=region.kato, as_of=OCT_1, language="en")

    # then
    assert again.pk == first.pk
    assert again.rendered_at > first.rendered_at
    assert "60.0%" in again.html


def test_a_page_made_by_another_release_is_stale(north):
    region, _districts, _staff = north
    campaign = CoverageSnapshot.objects.filter(kato=region.kato).first().campaign
    first = store.dashboard_for(campaign=campaign, kind="public", kato=region.kato, as_of=None, language="kk")
    RenderedDashboard.objects.filter(pk=first.pk).update(design="older-release", html="old design")

    again = store.dashboard_for(campaign=campaign, kind="public", kato=region.kato, as_of=None, language="kk")

    assert again.design == store.design()
    assert again.html != "old design"


def test_a_page_rendered_again_without_its_pdf_drops_a_pdf_of_older_figures(north):
    region, districts, staff = north
    campaign = CoverageSnapshot.objects.filter(kato=region.kato).first().campaign
    with_pdf = store.report_pdf(campaign=campaign, kato=region.kato, as_of=None, language="ru")
    assert bytes(with_pdf.pdf).startswith(b"%PDF")

    with time_machine.travel(AFTER_CAMPAIGN + datetime.timedelta(minutes=5), tick=False):
        record_count(campaign=campaign, district=districts["open"], date=OCT_1, online=700, offline=0, reason="late box",
                     user=staff, source=FORM, confirm_implausible=True)  # fmt: skip
        drain_recompute_outbox()
        page = store.dashboard_for(campaign=campaign, kind="region", kato=region.kato, as_of=None, language="ru")

    page = RenderedDashboard.objects.get(pk=page.pk)
    assert page.pk == with_pdf.pk
    assert page.pdf is None


def test_rendering_a_day_without_a_snapshot_is_refused(north):
    region, _districts, _staff = north
    campaign = CoverageSnapshot.objects.filter(kato=region.kato).first().campaign

    with pytest.raises(ValueError, match="no coverage snapshot"):
        store.render_dashboard(campaign=campaign, kind="region", kato=region.kato, as_of=datetime.date(2021, 1, 1))


@pytest.mark.parametrize(
    ("language", "number", "percent"),
    [("ru", "308\xa0529", "72,4\xa0%"), ("kk", "308\xa0529", "72,4\xa0%"), ("en", "308,529", "72.4%")],
)
def test_numbers_are_written_the_way_the_reader_writes_them(language, number, percent):
    from decimal import Decimal

    with translation.override(language):
        assert format_number(308529) == number
        assert format_percent(Decimal("72.4")) == percent
        assert format_percent(None) == "—"


def test_each_language_gets_its_own_links_and_labels_whatever_language_the_job_runs_in(north):
    region, _districts, _staff = north
    campaign = CoverageSnapshot.objects.filter(kato=region.kato).first().campaign

    # when: the job happens to run with English active
    with translation.override("en"):
        rows = store.render_dashboard(campaign=campaign, kind="region", kato=region.kato, as_of=LAST_DAY, pdf=False)

    # then
    russian = next(r for r in rows if r.language == "ru")
    assert f'action="/ru/dashboard/{region.kato}/"' in russian.html
    assert "/en/" not in russian.html
    assert "Охват нарастающим итогом" in russian.html
    assert "Cumulative coverage" not in russian.html
