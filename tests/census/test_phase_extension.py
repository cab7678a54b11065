"""Phase extensions: a recorded decision moves a channel's last day, for one region or the whole campaign."""

import datetime

import pytest

from census.errors import Rejected
from census.models import AuditEntry, DailyCount, Phase, PhaseExtension
from census.services import extend_phase, record_count
from reports.models import RecomputeRequest

pytestmark = pytest.mark.usefixtures("after_campaign")

COMMAND = AuditEntry.Source.COMMAND
# The `campaign` fixture's online phase ends on 15 Oct; door to door runs to 30 Oct.
OCT_20 = datetime.date(2021, 10, 20)
PLANNED_END = datetime.date(2021, 10, 15)
NOV_8 = datetime.date(2021, 11, 8)


@pytest.fixture
def online(campaign):
    return campaign.phases.get(kind=Phase.Kind.ONLINE)


@pytest.fixture
def door_to_door(campaign):
    return campaign.phases.get(kind=Phase.Kind.DOOR_TO_DOOR)


def extend(phase, *, region, ends_on=NOV_8, decided_on=datetime.date(2021, 10, 14), reason="commission decision", **kw):
    return extend_phase(phase=phase, ends_on=ends_on, decided_on=decided_on, reason=reason, region=region, source=COMMAND, **kw)


def count_online(campaign, district, date=OCT_20, online=25):
    return record_count(campaign=campaign, district=district, date=date, online=online, offline=0, source=COMMAND)


def test_an_online_count_after_the_online_phase_ended_is_rejected_on_the_online_field(campaign, district):
    with pytest.raises(Rejected) as rejected:
        count_online(campaign, district)

    assert list(rejected.value.message_dict) == ["online"]
    assert not DailyCount.objects.exists()


def test_extending_online_for_the_districts_region_lets_the_count_in(campaign, district, online):
    # given
    extend(online, region=district.region)

    # when
    result = count_online(campaign, district)

    # then
    assert result.created
    assert DailyCount.objects.get().online == 25


def test_an_extension_for_another_region_does_not_help(campaign, district, other_district, online):
    # given
    extend(online, region=other_district.region)

    # when
    with pytest.raises(Rejected) as rejected:
        count_online(campaign, district)

    # then
    assert list(rejected.value.message_dict) == ["online"]
    assert count_online(campaign, other_district).created


def test_a_whole_campaign_extension_helps_every_region(campaign, district, other_district, online):
    extend(online, region=None)

    assert count_online(campaign, district).created
    assert count_online(campaign, other_district).created


def test_an_extension_ends_on_its_new_end_date(campaign, district, online):
    extend(online, region=district.region, ends_on=datetime.date(2021, 10, 25))

    assert count_online(campaign, district, date=datetime.date(2021, 10, 25)).created
    with pytest.raises(Rejected):
        count_online(campaign, district, date=datetime.date(2021, 10, 26))


def test_a_later_decision_that_brings_the_end_forward_again_wins(campaign, district, online):
    # given
    extend(online, region=district.region, decided_on=datetime.date(2021, 10, 14))
    extend(online, region=district.region, ends_on=datetime.date(2021, 10, 18), decided_on=datetime.date(2021, 10, 17))

    # when
    with pytest.raises(Rejected) as rejected:
        count_online(campaign, district)

    # then
    assert list(rejected.value.message_dict) == ["online"]
    assert count_online(campaign, district, date=datetime.date(2021, 10, 18)).created


def test_the_latest_decision_wins_not_the_latest_entered(campaign, district, online):
    # given: the 17 Oct extension is entered first, an older 12 Oct decision is recorded afterwards
    extend(online, region=district.region, decided_on=datetime.date(2021, 10, 17))
    extend(online, region=district.region, ends_on=datetime.date(2021, 10, 16), decided_on=datetime.date(2021, 10, 12))

    # then
    assert online.effective_end(district.region) == NOV_8
    assert count_online(campaign, district).created


def test_a_later_regional_decision_overrides_an_earlier_whole_campaign_one_only_in_that_region(
    campaign, district, other_district, online
):
    # given
    extend(online, region=None, decided_on=datetime.date(2021, 10, 14))
    extend(online, region=district.region, ends_on=datetime.date(2021, 10, 17), decided_on=datetime.date(2021, 10, 16))

    # then
    with pytest.raises(Rejected):
        count_online(campaign, district)
    assert count_online(campaign, other_district).created


def test_extending_one_channel_does_not_open_the_other(campaign, district, online):
    # given: online is extended to 8 Nov, door to door still ends on 30 Oct
    extend(online, region=district.region)

    # when
    with pytest.raises(Rejected) as rejected:
        record_count(campaign=campaign, district=district, date=datetime.date(2021, 11, 2), online=5, offline=3, source=COMMAND)

    # then
    assert list(rejected.value.message_dict) == ["offline"]


def test_extending_door_to_door_lets_a_later_door_to_door_count_in(campaign, district, door_to_door):
    extend(door_to_door, region=district.region)

    result = record_count(
        campaign=campaign, district=district, date=datetime.date(2021, 11, 2), online=0, offline=3, source=COMMAND
    )

    assert result.created


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_extension_without_a_reason_is_rejected_and_not_recorded(campaign, district, online, reason):
    with pytest.raises(Rejected) as rejected:
        extend(online, region=district.region, reason=reason)

    assert list(rejected.value.message_dict) == ["reason"]
    assert not PhaseExtension.objects.exists()
    assert not AuditEntry.objects.exists()
    assert not RecomputeRequest.objects.exists()
    assert online.effective_end(district.region) == PLANNED_END


def test_an_extension_ending_before_the_phase_starts_is_rejected_on_the_end_date(campaign, district, online):
    with pytest.raises(Rejected) as rejected:
        extend(online, region=district.region, ends_on=datetime.date(2021, 8, 31))

    assert list(rejected.value.message_dict) == ["ends_on"]
    assert not PhaseExtension.objects.exists()


def test_an_extension_is_audited_with_the_old_and_new_end_and_owes_a_whole_campaign_recompute(campaign, district, online, user):
    # when
    extension = extend(online, region=district.region, user=user, reason="  regional commission, 14 Oct  ")

    # then
    entry = AuditEntry.objects.get()
    assert entry.subject == AuditEntry.Subject.EXTENSION
    assert entry.object_id == extension.pk
    assert (entry.user, entry.source, entry.region, entry.district) == (user, COMMAND, district.region, None)
    assert entry.date == datetime.date(2021, 10, 14)
    assert entry.changes == {"ends_on": ["2021-10-15", "2021-11-08"], "phase": [None, "online"]}
    assert entry.reason == "regional commission, 14 Oct"
    assert extension.reason == "regional commission, 14 Oct"
    assert extension.created_by == user
    request = RecomputeRequest.objects.get()
    # Every district's days from the old end on are due or not due differently now (earlier days may be owed too).
    assert request.district is None
    assert request.from_date <= PLANNED_END


def test_a_second_extension_is_audited_from_the_end_then_in_force(campaign, district, online):
    extend(online, region=district.region, decided_on=datetime.date(2021, 10, 14))

    extend(online, region=district.region, ends_on=datetime.date(2021, 10, 31), decided_on=datetime.date(2021, 10, 20))

    latest = AuditEntry.objects.order_by("-id").first()
    assert latest.changes["ends_on"] == ["2021-11-08", "2021-10-31"]
    assert RecomputeRequest.objects.order_by("-id").first().from_date <= datetime.date(2021, 10, 31)


def test_days_counted_after_an_end_brought_forward_can_still_be_corrected_down_but_not_up(campaign, district, online):
    # given: 25 counted online on 2 Nov during an extension, then a later decision ends the phase on 15 Oct again
    nov_2 = datetime.date(2021, 11, 2)
    extend(online, region=district.region)
    count_online(campaign, district, date=nov_2)
    extend(online, region=district.region, ends_on=PLANNED_END, decided_on=datetime.date(2021, 10, 20))

    # when: the day is corrected down to zero, with a reason
    result = record_count(
        campaign=campaign, district=district, date=nov_2, online=0, offline=0, reason="phase ended 15 Oct", source=COMMAND
    )

    # then: the correction is recorded like any other, and nothing can be added on or after that day
    assert (result.count.online, result.count.version) == (0, 2)
    assert AuditEntry.objects.filter(subject=AuditEntry.Subject.COUNT, date=nov_2).count() == 2
    with pytest.raises(Rejected) as raised:
        record_count(campaign=campaign, district=district, date=nov_2, online=5, offline=0, reason="late", source=COMMAND)
    assert list(raised.value.message_dict) == ["date"]
    with pytest.raises(Rejected):
        count_online(campaign, district, date=datetime.date(2021, 11, 3), online=0)
    assert DailyCount.objects.filter(date=nov_2).values_list("online", flat=True).get() == 0
