"""The admin: every page opens, and every write in it goes through the services (validated and audited)."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from census.admin import ReadOnlyAdmin
from census.models import AuditEntry, DailyCount, DistrictStatus, Phase, PhaseExtension, ServicePoint
from census.nonresponse import record_non_response
from census.service_points import record_point_use, save_service_point
from census.services import extend_phase, record_count, set_status
from census.staffing import record_staffing, set_staffing_plan
from regions.models import PopulationBaseline
from reports.services import drain_recompute_outbox

pytestmark = pytest.mark.usefixtures("after_campaign")

OCT_5 = datetime.date(2021, 10, 5)


def url(name: str, *args) -> str:
    # Admin URLs carry the language prefix (/ru/admin/...).
    with translation.override("ru"):
        return reverse(name, args=args)


def admin_url(model, action: str, *args) -> str:
    return url(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", *args)


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def some_of_everything(campaign, district, superuser):
    """At least one row of every census table, so changelists render real rows."""
    record_count(campaign=campaign, district=district, date=OCT_5, online=12, offline=3, user=superuser, source="form")
    set_status(campaign=campaign, district=district, status="in_progress", date=OCT_5, source="form")
    extend_phase(
        phase=campaign.phases.get(kind=Phase.Kind.ONLINE), ends_on=datetime.date(2021, 11, 8),
        decided_on=datetime.date(2021, 10, 14), reason="commission", region=district.region, source="form",
    )  # fmt: skip
    set_staffing_plan(campaign=campaign, district=district, role="interviewer", planned=12, valid_from=OCT_5, source="form")
    record_staffing(campaign=campaign, district=district, date=OCT_5, interviewers=11, instructors=1, volunteers=2,
                    vaccinated=13, source="form")  # fmt: skip
    point = save_service_point(campaign=campaign, district=district, source="form",
                               values={"kind": "psc", "name_kk": "ХҚКО", "name_ru": "ЦОН", "name_en": "PSC", "active_from": OCT_5})  # fmt: skip
    record_point_use(campaign=campaign, point=point, date=OCT_5, assisted=3, source="form")
    record_non_response(campaign=campaign, district=district, date=OCT_5, source="form", figures={
        "assigned": 10, "visits": 2, "interviewed": 1, "notice_shown": 0, "not_at_home": 1, "door_closed": 0, "refused": 0,
        "no_notice": 0, "vacant": 0, "revisits_scheduled": 1, "revisits_made": 0, "outstanding": 8,
    })  # fmt: skip
    drain_recompute_outbox()
    record_count(campaign=campaign, district=district, date=OCT_5, online=15, offline=3, reason="late", source="form")


def count_form(campaign, district, **overrides) -> dict:
    data = {
        "campaign": campaign.pk,
        "district": district.pk,
        "date": "05.10.2021",
        "online": "40",
        "offline": "7",
        "version": "1",
        "mode": "daily",
        "reason": "",
    }
    data.update(overrides)
    return data


# --- Pages open ---------------------------------------------------------------------------------


def test_the_admin_index_opens_under_the_language_prefix(staff_client):
    response = staff_client.get(url("admin:index"))

    assert url("admin:index") == "/ru/admin/"
    assert response.status_code == 200
    assert b'lang="ru"' in response.content


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_changelist_opens_with_rows_in_it(staff_client, some_of_everything, model):
    response = staff_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200


OWN_MODELS = [m for m in admin.site._registry if m._meta.app_label in ("census", "regions", "reports")]


@pytest.mark.parametrize("model", OWN_MODELS, ids=lambda m: m._meta.label)
def test_every_add_page_opens_except_for_records_only_the_system_writes(staff_client, model):
    response = staff_client.get(admin_url(model, "add"))

    read_only = isinstance(admin.site._registry[model], ReadOnlyAdmin)
    assert response.status_code == (403 if read_only else 200)


@pytest.mark.parametrize("model", OWN_MODELS, ids=lambda m: m._meta.label)
def test_every_change_page_opens_editable_or_read_only(staff_client, some_of_everything, model):
    obj = model.objects.order_by("pk").first()

    response = staff_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200


# --- Adding a count goes through record_count ----------------------------------------------------


def test_adding_a_count_in_the_admin_records_it_with_an_admin_audit_entry(staff_client, superuser, campaign, district):
    # when
    response = staff_client.post(admin_url(DailyCount, "add"), count_form(campaign, district))

    # then
    assert response.status_code == 302
    row = DailyCount.objects.get()
    assert (row.date, row.online, row.offline, row.version, row.updated_by) == (OCT_5, 40, 7, 1, superuser)
    entry = AuditEntry.objects.get()
    assert (entry.source, entry.user, entry.object_id) == (AuditEntry.Source.ADMIN, superuser, row.pk)
    assert entry.changes == {"online": [None, 40], "offline": [None, 7]}


def test_a_cumulative_entry_in_the_admin_stores_the_days_increment(staff_client, campaign, district):
    record_count(campaign=campaign, district=district, date=datetime.date(2021, 10, 4), online=30, offline=5, source="form")

    staff_client.post(admin_url(DailyCount, "add"), count_form(campaign, district, online="45", offline="9", mode="cumulative"))

    row = DailyCount.objects.get(date=OCT_5)
    assert (row.online, row.offline) == (15, 4)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"online": "-5"}, "online", id="negative"),
        pytest.param({"offline": "40000000"}, "offline", id="too-large"),
        pytest.param({"date": "31.10.2021"}, "date", id="outside-phases"),
    ],
)
def test_a_bad_count_in_the_admin_reshows_the_form_with_the_error_and_writes_nothing(
    staff_client, campaign, district, overrides, field
):
    # when
    response = staff_client.post(admin_url(DailyCount, "add"), count_form(campaign, district, **overrides))

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]
    assert not DailyCount.objects.exists()
    assert not AuditEntry.objects.exists()


def test_adding_a_day_that_already_has_a_count_does_not_overwrite_it(staff_client, campaign, district):
    # given: someone else entered the day after this form was opened
    record_count(campaign=campaign, district=district, date=OCT_5, online=12, offline=3, source="form")

    # when
    response = staff_client.post(admin_url(DailyCount, "add"), count_form(campaign, district, reason="mine"))

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    row = DailyCount.objects.get()
    assert (row.online, row.offline, row.version) == (12, 3, 1)
    assert AuditEntry.objects.count() == 1


# --- Correcting a count -------------------------------------------------------------------------


@pytest.fixture
def recorded(campaign, district):
    return record_count(campaign=campaign, district=district, date=OCT_5, online=12, offline=3, source="form").count


def test_the_change_page_of_a_count_opens(staff_client, recorded):
    response = staff_client.get(admin_url(DailyCount, "change", recorded.pk))

    assert response.status_code == 200


def test_correcting_a_count_in_the_admin_with_a_reason_is_audited(staff_client, superuser, recorded):
    # when
    response = staff_client.post(
        admin_url(DailyCount, "change", recorded.pk),
        {"online": "10", "offline": "3", "version": "1", "mode": "daily", "reason": "double entry"},
    )

    # then
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert (recorded.online, recorded.version) == (10, 2)
    entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.source, entry.user, entry.changes, entry.reason) == (
        AuditEntry.Source.ADMIN,
        superuser,
        {"online": [12, 10]},
        "double entry",
    )


def test_lowering_a_count_in_the_admin_without_a_reason_is_refused(staff_client, recorded):
    response = staff_client.post(
        admin_url(DailyCount, "change", recorded.pk), {"online": "10", "offline": "3", "version": "1", "mode": "daily"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["online"]
    recorded.refresh_from_db()
    assert (recorded.online, recorded.version) == (12, 1)


def test_saving_a_count_someone_changed_meanwhile_is_refused(staff_client, campaign, district, recorded):
    # given: the form was opened at version 1, then someone else corrected the day
    record_count(campaign=campaign, district=district, date=OCT_5, online=20, offline=3, reason="late", source="api")

    # when
    response = staff_client.post(
        admin_url(DailyCount, "change", recorded.pk),
        {"online": "13", "offline": "3", "version": "1", "mode": "daily", "reason": "my figure"},
    )

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    recorded.refresh_from_db()
    assert (recorded.online, recorded.version) == (20, 2)


def test_an_error_about_the_read_only_date_is_shown_on_top_of_the_change_form(staff_client, campaign, district):
    # given: a count entered during an extension that a later decision took back
    online = campaign.phases.get(kind=Phase.Kind.ONLINE)
    nov_2 = datetime.date(2021, 11, 2)
    extend_phase(
        phase=online, ends_on=datetime.date(2021, 11, 8), decided_on=datetime.date(2021, 10, 14), reason="commission",
        region=district.region, source="form",
    )  # fmt: skip
    row = record_count(campaign=campaign, district=district, date=nov_2, online=25, offline=0, source="form").count
    extend_phase(
        phase=online, ends_on=datetime.date(2021, 10, 15), decided_on=datetime.date(2021, 10, 20), reason="revoked",
        region=district.region, source="form",
    )  # fmt: skip

    # when: the day is raised (lowering it stays possible: see test_phase_extension)
    response = staff_client.post(
        admin_url(DailyCount, "change", row.pk),
        {"online": "30", "offline": "0", "version": "1", "mode": "daily", "reason": "late forms"},
    )

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    row.refresh_from_db()
    assert (row.online, row.version) == (25, 1)


def test_counts_cannot_be_deleted_in_the_admin(staff_client, recorded):
    response = staff_client.post(admin_url(DailyCount, "delete", recorded.pk), {"post": "yes"})

    assert response.status_code == 403
    assert DailyCount.objects.filter(pk=recorded.pk).exists()


# --- Other service-written records ---------------------------------------------------------------


def point_form(campaign, district, **overrides) -> dict:
    data = {
        "campaign": campaign.pk, "district": district.pk, "kind": "psc", "name_kk": "ХҚКО", "name_ru": "ЦОН",
        "name_en": "Public service centre", "address": "", "latitude": "", "longitude": "", "opening_hours": "09–18",
        "active_from": "01.09.2021", "active_to": "", "public": "on", "version": "1",
    }  # fmt: skip
    return data | overrides


def test_adding_a_self_service_point_in_the_admin_goes_through_the_registry_s_service(
    staff_client, superuser, campaign, district
):
    response = staff_client.post(admin_url(ServicePoint, "add"), point_form(campaign, district))

    assert response.status_code == 302
    point = ServicePoint.objects.get()
    assert (point.name_en, point.active_from, point.public, point.updated_by) == (
        "Public service centre",
        datetime.date(2021, 9, 1),
        True,
        superuser,
    )
    entry = AuditEntry.objects.get()
    assert (entry.subject, entry.source, entry.user) == (AuditEntry.Subject.SERVICE_POINT, AuditEntry.Source.ADMIN, superuser)


def test_a_point_closing_before_it_opens_is_refused_on_the_admin_form(staff_client, campaign, district):
    response = staff_client.post(admin_url(ServicePoint, "add"), point_form(campaign, district, active_to="31.08.2021"))

    assert response.status_code == 200
    # The admin speaks the language of its address (Russian here).
    assert response.context["adminform"].form.errors["active_to"] == ["Пункт не может закрыться раньше, чем откроется."]
    assert not ServicePoint.objects.exists() and not AuditEntry.objects.exists()


def test_a_point_is_closed_not_deleted_in_the_admin(staff_client, campaign, district):
    staff_client.post(admin_url(ServicePoint, "add"), point_form(campaign, district))
    point = ServicePoint.objects.get()

    closed = staff_client.post(
        admin_url(ServicePoint, "change", point.pk), point_form(campaign, district, active_to="30.10.2021")
    )

    assert closed.status_code == 302
    point.refresh_from_db()
    assert (point.active_to, point.version) == (datetime.date(2021, 10, 30), 2)
    assert staff_client.get(admin_url(ServicePoint, "delete", point.pk)).status_code == 403


def test_adding_a_status_in_the_admin_goes_through_set_status(staff_client, superuser, campaign, district):
    response = staff_client.post(
        admin_url(DistrictStatus, "add"),
        {"campaign": campaign.pk, "district": district.pk, "status": "completed_early", "date": "27.10.2021", "note": "akimat"},
    )

    assert response.status_code == 302
    decision = DistrictStatus.objects.get()
    assert (decision.status, decision.set_by) == ("completed_early", superuser)
    entry = AuditEntry.objects.get()
    assert (entry.subject, entry.source, entry.reason) == (AuditEntry.Subject.STATUS, AuditEntry.Source.ADMIN, "akimat")


def test_an_extension_without_a_reason_is_refused_in_the_admin(staff_client, campaign, district):
    phase = campaign.phases.get(kind=Phase.Kind.ONLINE)

    response = staff_client.post(
        admin_url(PhaseExtension, "add"),
        {"phase": phase.pk, "region": district.region.pk, "ends_on": "08.11.2021", "decided_on": "14.10.2021", "reason": " "},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reason"]
    assert not PhaseExtension.objects.exists()
    assert not AuditEntry.objects.exists()


def test_adding_a_baseline_in_the_admin_adds_a_version(staff_client, superuser, campaign, district):
    response = staff_client.post(
        admin_url(PopulationBaseline, "add"),
        {"district": district.pk, "campaign": campaign.pk, "population": "10250", "as_of": "01.10.2021", "source": "registry"},
    )

    assert response.status_code == 302
    assert list(PopulationBaseline.objects.filter(district=district).order_by("id").values_list("population", flat=True)) == [
        10_000,
        10_250,
    ]
    entry = AuditEntry.objects.get()
    assert (entry.subject, entry.source, entry.user) == (AuditEntry.Subject.BASELINE, AuditEntry.Source.ADMIN, superuser)


# --- The audit trail is read-only -----------------------------------------------------------------


def test_an_audit_entry_opens_read_only_and_a_post_to_it_is_refused(staff_client, recorded):
    # given
    entry = AuditEntry.objects.get()
    change_url = admin_url(AuditEntry, "change", entry.pk)

    # when
    page = staff_client.get(change_url)
    post = staff_client.post(change_url, {"reason": "rewritten", "source": "api", "changes": "{}", "_save": "1"})

    # then
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert post.status_code == 403
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.reason, stored.source, stored.changes) == ("", "form", {"online": [None, 12], "offline": [None, 3]})


def test_an_audit_entry_cannot_be_deleted_in_the_admin(staff_client, recorded):
    entry = AuditEntry.objects.get()

    response = staff_client.post(admin_url(AuditEntry, "delete", entry.pk), {"post": "yes"})

    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
