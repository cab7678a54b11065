"""Staffing plans and daily staffing: the one write path, its validation, corrections, versions and audit trail."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from census.errors import CountConflict, Rejected
from census.models import AuditEntry, DailyStaffing, StaffingPlan, StaffRole
from census.staffing import MAX_STAFF, record_staffing, set_staffing_plan
from reports.models import RecomputeRequest

pytestmark = pytest.mark.usefixtures("after_campaign")

FORM = AuditEntry.Source.FORM
OCT_5 = datetime.date(2021, 10, 5)


def record(campaign, district, **overrides):
    figures = {"interviewers": 40, "instructors": 4, "volunteers": 6, "vaccinated": 45}
    kwargs = {"campaign": campaign, "district": district, "date": OCT_5, "source": FORM} | figures | overrides
    return record_staffing(**kwargs)


def written() -> tuple[int, int, int]:
    return DailyStaffing.objects.count(), AuditEntry.objects.count(), RecomputeRequest.objects.count()


# --- Daily staffing ------------------------------------------------------------------------------


def test_a_day_s_staffing_is_stored_with_its_audit_entry_and_owes_the_dashboards_a_recompute(campaign, district, user):
    # when
    result = record(campaign, district, user=user)

    # then
    row = DailyStaffing.objects.get()
    assert (row.interviewers, row.instructors, row.volunteers, row.vaccinated, row.version) == (40, 4, 6, 45, 1)
    assert result.created and result.changed
    entry = AuditEntry.objects.get()
    assert entry.subject == AuditEntry.Subject.STAFFING
    assert entry.user == user and entry.district == district and entry.date == OCT_5
    assert entry.changes["interviewers"] == [None, 40]
    assert RecomputeRequest.objects.filter(district=district, from_date=OCT_5).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("interviewers", -1),
        ("interviewers", "-3"),
        ("instructors", "abc"),
        ("volunteers", None),
        ("volunteers", ""),
        ("interviewers", 2.5),
        ("interviewers", True),
        ("instructors", "٣"),
        ("interviewers", MAX_STAFF + 1),
        ("interviewers", "9" * 5000),
    ],
)
def test_bad_figures_are_refused_by_field_and_nothing_is_written(campaign, district, field, value):
    with pytest.raises(Rejected) as refused:
        record(campaign, district, **{field: value})

    assert field in refused.value.message_dict
    assert written() == (0, 0, 0)


def test_more_vaccinated_than_on_duty_volunteers_included_is_refused(campaign, district):
    with pytest.raises(Rejected) as refused:
        record(campaign, district, interviewers=10, instructors=1, volunteers=2, vaccinated=14)

    assert "vaccinated" in refused.value.message_dict
    assert written() == (0, 0, 0)
    # and exactly everyone on duty vaccinated is fine
    assert record(campaign, district, interviewers=10, instructors=1, volunteers=2, vaccinated=13).created


@pytest.mark.parametrize(
    "date",
    [datetime.date(2021, 11, 21), datetime.date(2021, 8, 1), "2021-10-05"],
    ids=["future", "before-every-phase", "not-a-date"],
)
def test_a_day_in_the_future_outside_the_phases_or_not_a_date_is_refused(campaign, district, date):
    with pytest.raises(Rejected) as refused:
        record(campaign, district, date=date)

    assert "date" in refused.value.message_dict
    assert written() == (0, 0, 0)


def test_changing_a_past_day_needs_a_reason_and_with_one_it_is_kept_in_the_audit_trail(campaign, district):
    record(campaign, district)

    with pytest.raises(Rejected) as refused:
        record(campaign, district, interviewers=41)
    assert "reason" in refused.value.message_dict
    assert DailyStaffing.objects.get().interviewers == 40

    result = record(campaign, district, interviewers=41, reason="two teams were merged")
    assert result.changed and result.staffing.version == 2
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.changes == {"interviewers": [40, 41]} and entry.reason == "two teams were merged"


def test_lowering_a_figure_needs_a_reason_even_today(campaign, district):
    with time_machine.travel(datetime.datetime(2021, 10, 5, 12, tzinfo=datetime.UTC), tick=False):
        record(campaign, district)
        # raising today's figure is not a correction
        assert record(campaign, district, volunteers=8).changed
        with pytest.raises(Rejected) as refused:
            record(campaign, district, interviewers=35, vaccinated=40)

    assert "interviewers" in refused.value.message_dict
    assert DailyStaffing.objects.get().interviewers == 40


def test_the_same_figures_again_change_nothing_and_add_no_history(campaign, district):
    record(campaign, district)
    before = written()

    result = record(campaign, district)

    assert not result.changed
    assert written() == before


def test_a_stale_version_is_a_conflict_and_nothing_changes(campaign, district):
    record(campaign, district)

    with pytest.raises(CountConflict):
        record(campaign, district, interviewers=50, reason="late report", expected_version=0)

    assert DailyStaffing.objects.get().interviewers == 40


def test_messages_come_in_the_reader_s_language(campaign, district):
    for language, word in (("ru", "отрицательным"), ("kk", "теріс"), ("en", "negative")):
        with translation.override(language), pytest.raises(Rejected) as refused:
            record(campaign, district, interviewers=-1)
        assert word in refused.value.message_dict["interviewers"][0], language


# --- Staffing plans ------------------------------------------------------------------------------


def test_a_later_plan_wins_and_the_earlier_stays_as_history(campaign, district, user):
    # given
    first = set_staffing_plan(campaign=campaign, district=district, role=StaffRole.INTERVIEWER, planned=40,
                              valid_from=datetime.date(2021, 9, 20), user=user, source=FORM).plan  # fmt: skip
    second = set_staffing_plan(campaign=campaign, district=district, role=StaffRole.INTERVIEWER, planned=46,
                               valid_from=datetime.date(2021, 10, 10), note="more interviewers", user=user, source=FORM).plan  # fmt: skip

    # then
    in_force = StaffingPlan.objects.in_force
    assert list(in_force(on=datetime.date(2021, 10, 5)).values_list("pk", flat=True)) == [first.pk]
    assert list(in_force(on=datetime.date(2021, 10, 12)).values_list("pk", flat=True)) == [second.pk]
    assert not in_force(on=datetime.date(2021, 9, 1)).exists()
    entries = AuditEntry.objects.filter(subject=AuditEntry.Subject.STAFFING_PLAN).order_by("id")
    assert [entry.changes["planned"] for entry in entries] == [[None, 40], [40, 46]]


def test_plans_of_each_role_are_separate(campaign, district):
    set_staffing_plan(campaign=campaign, district=district, role=StaffRole.INTERVIEWER, planned=40, valid_from=OCT_5, source=FORM)
    set_staffing_plan(campaign=campaign, district=district, role=StaffRole.INSTRUCTOR, planned=4, valid_from=OCT_5, source=FORM)

    plans = dict(StaffingPlan.objects.in_force(on=OCT_5).values_list("role", "planned"))

    assert plans == {"interviewer": 40, "instructor": 4}


def test_the_same_plan_again_adds_no_version(campaign, district):
    kwargs = {"campaign": campaign, "district": district, "role": StaffRole.INTERVIEWER, "planned": 40, "valid_from": OCT_5,
              "source": FORM}  # fmt: skip
    set_staffing_plan(**kwargs)

    again = set_staffing_plan(**kwargs)

    assert not again.created
    assert StaffingPlan.objects.count() == 1
    assert AuditEntry.objects.count() == 1


@pytest.mark.parametrize(("field", "overrides"), [("role", {"role": "driver"}), ("planned", {"planned": -5}),
                                                  ("planned", {"planned": "lots"}), ("valid_from", {"valid_from": "soon"})])  # fmt: skip
def test_a_bad_plan_is_refused_and_nothing_is_written(campaign, district, field, overrides):
    kwargs = {"campaign": campaign, "district": district, "role": StaffRole.INTERVIEWER, "planned": 40, "valid_from": OCT_5,
              "source": FORM} | overrides  # fmt: skip

    with pytest.raises(Rejected) as refused:
        set_staffing_plan(**kwargs)

    assert field in refused.value.message_dict
    assert StaffingPlan.objects.count() == 0 and AuditEntry.objects.count() == 0


# --- The admin writes through the same functions ---------------------------------------------------


def _admin_add(client, model: str, data: dict):
    with translation.override("en"):
        return client.post(reverse(f"admin:census_{model}_add"), data)


def test_staffing_added_in_the_admin_is_validated_and_audited_as_an_admin_change(client, superuser, campaign, district):
    client.force_login(superuser)
    form = {"campaign": campaign.pk, "district": district.pk, "date": "05.10.2021", "interviewers": "12",
            "instructors": "2", "volunteers": "1", "vaccinated": "15", "version": "1", "reason": ""}  # fmt: skip

    refused = _admin_add(client, "dailystaffing", form | {"vaccinated": "16"})
    saved = _admin_add(client, "dailystaffing", form)

    assert refused.status_code == 200 and "16 vaccinated is more than the 15 on duty" in refused.content.decode()
    assert saved.status_code == 302
    row = DailyStaffing.objects.get()
    assert (row.interviewers, row.vaccinated, row.updated_by) == (12, 15, superuser)
    assert AuditEntry.objects.get().source == AuditEntry.Source.ADMIN


def test_a_plan_added_in_the_admin_is_a_new_version(client, superuser, campaign, district):
    client.force_login(superuser)
    form = {"campaign": campaign.pk, "district": district.pk, "role": "instructor", "planned": "5", "valid_from": "01.10.2021",
            "note": ""}  # fmt: skip

    _admin_add(client, "staffingplan", form)
    _admin_add(client, "staffingplan", form | {"planned": "6", "valid_from": "10.10.2021"})

    assert list(StaffingPlan.objects.order_by("valid_from").values_list("planned", flat=True)) == [5, 6]
    assert AuditEntry.objects.filter(subject=AuditEntry.Subject.STAFFING_PLAN, source=AuditEntry.Source.ADMIN).count() == 2
