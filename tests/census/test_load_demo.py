"""`manage.py load_demo`: the West Kazakhstan 2021 demo, loaded through the services and safe to run twice."""

import datetime
import json
from collections import Counter

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max, Min, Sum

from census.demo import DEMO_USERS
from census.models import (
    AuditEntry,
    Campaign,
    DailyCount,
    DailyNonResponse,
    DailyStaffing,
    DistrictStatus,
    Phase,
    PhaseExtension,
    ServicePoint,
    StaffingPlan,
)
from census.services import record_count
from regions.models import District, PopulationBaseline, Region

CHECKPOINT = datetime.date(2021, 10, 27)


@pytest.fixture(scope="module")
def demo_data():
    with open(settings.CENSUS_DEMO_DATA, encoding="utf-8") as file:
        return json.load(file)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for this module, inside a transaction that is rolled back afterwards.

    Each test's own transaction nests inside it as a savepoint, so tests cannot
    leak into each other, and the load (a few seconds) is paid once.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        yield Campaign.objects.get(slug="census-2021")
        transaction.set_rollback(True)


@pytest.fixture
def campaign(demo, db):
    return demo


def table_sizes() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Region,
            District,
            DailyCount,
            AuditEntry,
            PopulationBaseline,
            DistrictStatus,
            PhaseExtension,
            Phase,
            ServicePoint,
        )
    } | {"users": get_user_model().objects.count()}


def test_the_demo_has_one_region_with_thirteen_districts(campaign, demo_data):
    region = Region.objects.get(districts__isnull=False, districts__kato=demo_data["districts"][0]["kato"])
    assert set(Region.objects.filter(districts__isnull=False).values_list("kato", flat=True)) == {"270000000"}
    assert region.kato == demo_data["region"]["kato"] == "270000000"
    assert region.name_ru == "Западно-Казахстанская область"
    assert District.objects.filter(region=region).count() == 13
    assert set(District.objects.values_list("kato", flat=True)) == {d["kato"] for d in demo_data["districts"]}


def test_the_demo_districts_baselines_add_up_to_the_regions_664_500(campaign, demo_data):
    current = PopulationBaseline.objects.filter(campaign=campaign).current()

    assert current.count() == 13
    assert current.aggregate(total=Sum("population"))["total"] == 664_500 == demo_data["region"]["baseline"]
    by_kato = dict(current.values_list("district__kato", "population"))
    assert by_kato == {d["kato"]: d["baseline"] for d in demo_data["districts"]}


def test_the_demo_counts_add_up_to_the_published_27_october_figures_in_every_district(campaign, demo_data):
    sums = {
        row["district__kato"]: (row["online"], row["offline"])
        for row in DailyCount.objects.filter(campaign=campaign, date__lte=CHECKPOINT)
        .values("district__kato")
        .annotate(online=Sum("online"), offline=Sum("offline"))
    }

    expected = {d["kato"]: (d["as_of_2021_10_27"]["online"], d["as_of_2021_10_27"]["offline"]) for d in demo_data["districts"]}
    assert sums == expected
    published = demo_data["published_checks_2021_10_27"]
    assert sum(o for o, _f in sums.values()) == published["region_online_total"]
    assert sum(f for _o, f in sums.values()) == published["region_offline_total"]


def test_the_demo_counts_run_online_from_1_september_door_to_door_from_1_october_to_8_november(campaign):
    counts = DailyCount.objects.filter(campaign=campaign)

    online = counts.filter(online__gt=0).aggregate(first=Min("date"), last=Max("date"))
    offline = counts.filter(offline__gt=0).aggregate(first=Min("date"), last=Max("date"))
    assert online["first"] == datetime.date(2021, 9, 1)
    assert offline["first"] == datetime.date(2021, 10, 1)
    assert not counts.filter(date__lt=datetime.date(2021, 10, 1), offline__gt=0).exists()
    assert counts.aggregate(last=Max("date"))["last"] == datetime.date(2021, 11, 8)
    assert online["last"] == offline["last"] == datetime.date(2021, 11, 8)
    assert not counts.filter(online__lt=0).exists()
    assert not counts.filter(offline__lt=0).exists()


def test_the_demo_districts_have_their_published_statuses(campaign, demo_data):
    latest = {}
    for kato, status in (
        DistrictStatus.objects.filter(campaign=campaign).order_by("date", "id").values_list("district__kato", "status")
    ):
        latest[kato] = status

    assert latest == {d["kato"]: d["status"] for d in demo_data["districts"]}
    published = demo_data["published_checks_2021_10_27"]
    assert sorted(k for k, s in latest.items() if s == "completed_early") == sorted(published["completed_early"])
    assert sorted(k for k, s in latest.items() if s == "nearly_complete") == sorted(published["nearly_complete"])


def test_the_demo_has_both_extensions_to_8_november_for_the_region(campaign):
    region = Region.objects.get(kato="270000000")

    extensions = PhaseExtension.objects.filter(phase__campaign=campaign)

    assert sorted(extensions.values_list("phase__kind", "region", "ends_on")) == [
        ("door_to_door", region.pk, datetime.date(2021, 11, 8)),
        ("online", region.pk, datetime.date(2021, 11, 8)),
    ]
    assert all(e.reason for e in extensions)
    phases = {p.kind: p for p in campaign.phases.all()}
    assert (phases["online"].starts_on, phases["online"].ends_on) == (datetime.date(2021, 9, 1), datetime.date(2021, 10, 15))
    assert phases["door_to_door"].effective_end(region) == datetime.date(2021, 11, 8)


def test_the_demo_was_written_through_the_services_so_everything_is_audited(campaign):
    entries = Counter(AuditEntry.objects.filter(campaign=campaign).values_list("subject", flat=True))

    assert entries[AuditEntry.Subject.COUNT] == DailyCount.objects.filter(campaign=campaign).count()
    assert entries[AuditEntry.Subject.BASELINE] == 13
    assert entries[AuditEntry.Subject.STATUS] == DistrictStatus.objects.filter(campaign=campaign).count()
    assert entries[AuditEntry.Subject.EXTENSION] == 2
    assert set(AuditEntry.objects.values_list("source", flat=True)) == {AuditEntry.Source.COMMAND}


def test_the_demo_has_the_self_service_points_the_briefing_names_in_uralsk(campaign, demo_data):
    points = ServicePoint.objects.filter(campaign=campaign)

    assert points.count() == len(demo_data["service_points"]["points"]) == 8
    assert set(points.values_list("district__kato", flat=True)) == {"271000000"}
    assert {"psc", "car_psc", "akimat", "social", "mobile"} == set(points.values_list("kind", flat=True))
    # Open on the briefing's day, each written through the registry's write path.
    assert points.active(on=datetime.date(2021, 10, 27)).filter(public=True).count() == 8
    assert AuditEntry.objects.filter(campaign=campaign, subject=AuditEntry.Subject.SERVICE_POINT).count() == 8


def test_the_demo_has_illustrative_visits_for_each_door_to_door_day_from_18_october(campaign, demo_data):
    first = datetime.date.fromisoformat(demo_data["visits"]["from"])
    days = set(DailyCount.objects.filter(campaign=campaign, date__gte=first, offline__gt=0).values_list("district_id", "date"))

    visits = DailyNonResponse.objects.filter(campaign=campaign)

    assert set(visits.values_list("district_id", "date")) == days
    assert "ILLUSTRATIVE" in demo_data["visits"]["about"]
    assert AuditEntry.objects.filter(subject=AuditEntry.Subject.NON_RESPONSE).count() == len(days)


def test_the_demo_creates_its_published_accounts(campaign):
    usernames = set(get_user_model().objects.values_list("username", flat=True))

    assert {username for username, *_rest in DEMO_USERS} <= usernames


def test_loading_the_demo_again_changes_nothing(campaign):
    # given
    sizes = table_sizes()
    versions = dict(DailyCount.objects.values_list("pk", "version"))
    figures = dict(DailyCount.objects.values_list("pk", "online"))

    # when
    call_command("load_demo", verbosity=0)

    # then
    assert table_sizes() == sizes
    assert dict(DailyCount.objects.values_list("pk", "version")) == versions
    assert dict(DailyCount.objects.values_list("pk", "online")) == figures


def test_loading_the_demo_again_keeps_a_days_corrected_figure(campaign):
    # given: someone corrected a day of the demo
    row = DailyCount.objects.filter(campaign=campaign, online__gt=10).order_by("date").first()
    record_count(
        campaign=campaign, district=row.district, date=row.date, online=row.online - 10, offline=row.offline,
        reason="duplicate forms", source=AuditEntry.Source.FORM,
    )  # fmt: skip

    # when
    call_command("load_demo", verbosity=0)

    # then
    row.refresh_from_db()
    assert row.version == 2
    assert AuditEntry.objects.filter(reason="duplicate forms").count() == 1


def test_the_demo_has_the_countrys_17_regions_the_others_without_districts(campaign, demo_data):
    regions = Region.objects.all()

    assert regions.count() == 17
    assert set(regions.values_list("kato", flat=True)) == {r["kato"] for r in demo_data["regions_of_kazakhstan_2021"]}
    assert all(r.name_kk and r.name_ru and r.name_en for r in regions)
    assert regions.get(kato="750000000").name_ru == "город Алматы"
    assert regions.filter(districts__isnull=True).count() == 16


def test_the_demo_region_plans_more_than_700_interviewers_as_the_briefing_says_and_staffs_its_door_to_door_days(
    campaign, demo_data
):
    # then: the plans add up to the file's figure, above the briefing's "more than 700"
    planned = StaffingPlan.objects.filter(campaign=campaign, role="interviewer").in_force(on=datetime.date(2021, 10, 27))
    total = planned.aggregate(total=Sum("planned"))["total"]
    assert total == sum(plan["interviewers"] for plan in demo_data["staffing"]["plan"].values())
    assert total > demo_data["staffing"]["published"]["region_interviewers_more_than"]
    assert planned.count() == 13
    # and every district is staffed on the days it counted door to door, and only then
    worked = set(
        DailyCount.objects.filter(campaign=campaign, date__gte="2021-10-01", offline__gt=0).values_list("district", "date")
    )
    staffed = set(DailyStaffing.objects.filter(campaign=campaign).values_list("district", "date"))
    assert staffed == worked
    assert "ILLUSTRATIVE" in demo_data["staffing"]["about"]


def test_loading_the_demo_again_adds_no_staffing(campaign):
    before = (DailyStaffing.objects.count(), StaffingPlan.objects.count(), AuditEntry.objects.count())

    call_command("load_demo", verbosity=0)

    assert (DailyStaffing.objects.count(), StaffingPlan.objects.count(), AuditEntry.objects.count()) == before
