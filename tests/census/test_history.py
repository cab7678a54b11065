"""The audit trail and baseline versions: every change is recorded once, and nothing recorded is lost."""

import datetime

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from census.errors import Rejected
from census.models import AuditEntry, DistrictStatus, Phase
from census.services import extend_phase, record_count, set_status
from census.units import set_baseline
from regions.models import PopulationBaseline
from tests import factories

pytestmark = pytest.mark.usefixtures("after_campaign")

API = AuditEntry.Source.API
FORM = AuditEntry.Source.FORM
OCT_5 = datetime.date(2021, 10, 5)


def new_entries(since: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(id__gt=since).order_by("id"))


def last_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


# --- One entry per change ------------------------------------------------------------------------


def test_a_new_count_is_audited_once_with_who_where_from_and_the_new_values(campaign, district, user):
    result = record_count(campaign=campaign, district=district, date=OCT_5, online=12, offline=3, user=user, source=API)

    [entry] = new_entries(0)
    assert (entry.subject, entry.object_id) == (AuditEntry.Subject.COUNT, result.count.pk)
    assert (entry.user, entry.source, entry.reason) == (user, API, "")
    assert (entry.campaign, entry.district, entry.region, entry.date) == (campaign, district, district.region, OCT_5)
    assert entry.changes == {"online": [None, 12], "offline": [None, 3]}


def test_a_changed_count_is_audited_once_with_only_what_changed_and_why(campaign, district, user):
    # given
    record_count(campaign=campaign, district=district, date=OCT_5, online=12, offline=3, source=API)
    since = last_id()

    # when
    record_count(
        campaign=campaign, district=district, date=OCT_5, online=12, offline=9, user=user, source=FORM, reason="late sheet"
    )

    # then
    [entry] = new_entries(since)
    assert entry.changes == {"offline": [3, 9]}
    assert (entry.user, entry.source, entry.reason, entry.date) == (user, FORM, "late sheet", OCT_5)


def test_a_new_baseline_version_is_audited_with_the_old_and_new_population(campaign, district, user):
    # given: the `district` fixture has a 10,000 baseline as of 1 Sep (written directly, so not audited)
    since = last_id()

    # when
    baseline = set_baseline(
        district=district, campaign=campaign, population=10_450, as_of=datetime.date(2021, 9, 1), note="registry update",
        user=user, source=FORM,
    )  # fmt: skip

    # then
    [entry] = new_entries(since)
    assert (entry.subject, entry.object_id) == (AuditEntry.Subject.BASELINE, baseline.pk)
    assert entry.changes == {"population": [10_000, 10_450]}
    assert (entry.user, entry.source, entry.reason, entry.district) == (user, FORM, "registry update", district)


def test_a_first_baseline_is_audited_as_new(campaign, user):
    district = factories.DistrictFactory()

    set_baseline(district=district, campaign=campaign, population=800, as_of=datetime.date(2021, 9, 1), user=user, source=FORM)

    [entry] = new_entries(0)
    assert entry.changes == {"population": [None, 800]}


def test_setting_the_same_baseline_again_adds_no_version_and_no_entry(campaign, district):
    set_baseline(district=district, campaign=campaign, population=10_450, as_of=datetime.date(2021, 9, 1), source=FORM)
    since = last_id()

    again = set_baseline(district=district, campaign=campaign, population=10_450, as_of=datetime.date(2021, 9, 1), source=FORM)

    assert again == PopulationBaseline.objects.latest_for(district=district, campaign=campaign)
    assert PopulationBaseline.objects.filter(district=district).count() == 2
    assert new_entries(since) == []


@pytest.mark.parametrize("population", [0, -5, 12.5, "1000", True, None])
def test_a_baseline_that_is_not_a_whole_number_above_zero_is_rejected(campaign, district, population):
    with pytest.raises(Rejected) as rejected:
        set_baseline(district=district, campaign=campaign, population=population, as_of=datetime.date(2021, 9, 1), source=FORM)

    assert list(rejected.value.message_dict) == ["population"]
    assert PopulationBaseline.objects.filter(district=district).count() == 1
    assert not AuditEntry.objects.exists()


def test_a_status_decision_is_audited_with_the_previous_status_and_the_note(campaign, district, user):
    # given
    set_status(campaign=campaign, district=district, status="in_progress", date=datetime.date(2021, 9, 1), source=FORM)
    since = last_id()

    # when
    decision = set_status(
        campaign=campaign, district=district, status="completed_early", date=datetime.date(2021, 10, 27), user=user,
        source=FORM, note="akimat confirmation",
    )  # fmt: skip

    # then
    [entry] = new_entries(since)
    assert (entry.subject, entry.object_id) == (AuditEntry.Subject.STATUS, decision.pk)
    assert entry.changes == {"status": ["in_progress", "completed_early"]}
    assert (entry.user, entry.source, entry.reason, entry.date) == (
        user,
        FORM,
        "akimat confirmation",
        datetime.date(2021, 10, 27),
    )
    assert AuditEntry.objects.get(id=since).changes == {"status": [None, "in_progress"]}


def test_repeating_the_status_in_force_for_a_day_adds_nothing(campaign, district):
    set_status(campaign=campaign, district=district, status="nearly_complete", date=OCT_5, source=FORM)
    since = last_id()

    set_status(campaign=campaign, district=district, status="nearly_complete", date=OCT_5, source=FORM)

    assert new_entries(since) == []
    assert DistrictStatus.objects.count() == 1


def test_an_unknown_status_a_future_date_or_a_date_before_the_census_is_rejected(campaign, district):
    with pytest.raises(Rejected) as unknown:
        set_status(campaign=campaign, district=district, status="finished", date=OCT_5, source=FORM)
    with pytest.raises(Rejected) as future:
        set_status(campaign=campaign, district=district, status="completed", date=datetime.date(2021, 11, 21), source=FORM)
    day_before_the_census = campaign.starts_on - datetime.timedelta(days=1)
    with pytest.raises(Rejected) as before:
        set_status(campaign=campaign, district=district, status="completed", date=day_before_the_census, source=FORM)

    assert list(unknown.value.message_dict) == ["status"]
    assert list(future.value.message_dict) == ["date"]
    assert list(before.value.message_dict) == ["date"]
    assert not DistrictStatus.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_phase_extension_is_audited_once(campaign, district, user):
    phase = campaign.phases.get(kind=Phase.Kind.DOOR_TO_DOOR)

    extension = extend_phase(
        phase=phase, ends_on=datetime.date(2021, 11, 8), decided_on=datetime.date(2021, 10, 28), reason="briefing of 28 Oct",
        region=None, user=user, source=FORM,
    )  # fmt: skip

    [entry] = new_entries(0)
    assert (entry.subject, entry.object_id, entry.region) == (AuditEntry.Subject.EXTENSION, extension.pk, None)
    assert entry.changes == {"ends_on": ["2021-10-30", "2021-11-08"], "phase": [None, "door_to_door"]}
    assert (entry.user, entry.source, entry.reason) == (user, FORM, "briefing of 28 Oct")


# --- Append-only ---------------------------------------------------------------------------------


@pytest.fixture
def entry(campaign, district, user):
    record_count(campaign=campaign, district=district, date=OCT_5, online=12, offline=3, user=user, source=FORM)
    return AuditEntry.objects.get()


def assert_untouched(entry):
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.changes, stored.reason, stored.source) == ({"online": [None, 12], "offline": [None, 3]}, "", FORM)


def test_an_audit_entry_cannot_be_saved_again(entry):
    entry.reason = "rewritten"

    with pytest.raises(TypeError):
        entry.save()

    assert_untouched(entry)


def test_an_audit_entry_cannot_be_deleted(entry):
    with pytest.raises(TypeError):
        entry.delete()

    assert_untouched(entry)


@pytest.mark.parametrize(
    "action",
    [
        pytest.param(lambda qs: qs.update(reason="rewritten"), id="update"),
        pytest.param(lambda qs: qs.delete(), id="delete"),
        pytest.param(lambda qs: qs.all().delete(), id="delete-all"),
        pytest.param(lambda qs: qs.filter(source=FORM).update(source=API), id="filtered-update"),
    ],
)
def test_audit_entries_cannot_be_updated_or_deleted_in_bulk(entry, action):
    with pytest.raises(TypeError):
        action(AuditEntry.objects)

    assert_untouched(entry)


def test_audit_entries_cannot_be_rewritten_with_bulk_update(entry):
    entry.reason = "rewritten"

    # bulk_update marks the enclosing transaction broken on failure: give it a savepoint of its own.
    with pytest.raises(TypeError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["reason"])

    assert_untouched(entry)


def test_deleting_a_user_with_audit_entries_is_refused(entry, user):
    with pytest.raises(ProtectedError):
        user.delete()

    assert_untouched(entry)


# --- Baseline versions ---------------------------------------------------------------------------


def test_a_baseline_change_keeps_the_old_version_and_current_returns_the_latest(campaign, district, other_district):
    # when
    set_baseline(district=district, campaign=campaign, population=10_300, as_of=datetime.date(2021, 10, 1), source=FORM)
    set_baseline(district=district, campaign=campaign, population=10_250, as_of=datetime.date(2021, 10, 1), source=FORM)

    # then
    history = PopulationBaseline.objects.filter(district=district).order_by("id").values_list("population", flat=True)
    assert list(history) == [10_000, 10_300, 10_250]
    current = PopulationBaseline.objects.filter(campaign=campaign).current()
    assert sorted(current.values_list("district_id", "population")) == sorted([(district.pk, 10_250), (other_district.pk, 5_000)])


def test_a_baseline_as_of_an_earlier_date_is_kept_but_does_not_replace_the_one_in_force(campaign, district):
    set_baseline(district=district, campaign=campaign, population=9_900, as_of=datetime.date(2021, 8, 1), source=FORM)

    assert PopulationBaseline.objects.filter(district=district).count() == 2
    assert PopulationBaseline.objects.filter(district=district).current().get().population == 10_000


def test_setting_the_same_earlier_dated_baseline_twice_keeps_one_version_of_it(campaign, district):
    set_baseline(district=district, campaign=campaign, population=9_900, as_of=datetime.date(2021, 8, 1), source=FORM)
    since = last_id()

    set_baseline(district=district, campaign=campaign, population=9_900, as_of=datetime.date(2021, 8, 1), source=FORM)

    assert PopulationBaseline.objects.filter(district=district).count() == 2
    assert new_entries(since) == []


def test_current_baselines_are_per_campaign(campaign, district):
    other_campaign = factories.CampaignFactory(starts_on=datetime.date(2022, 9, 1))
    factories.BaselineFactory(district=district, campaign=other_campaign, population=11_000, as_of=datetime.date(2022, 9, 1))

    assert PopulationBaseline.objects.filter(campaign=campaign).current().get().population == 10_000
    assert PopulationBaseline.objects.filter(campaign=other_campaign).current().get().population == 11_000
