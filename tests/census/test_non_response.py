"""Door-to-door visits and non-response: the one write path, figures that must hold together, corrections, audit."""

import datetime

import pytest
from django.utils import translation

from census.errors import CountConflict, Rejected
from census.models import AuditEntry, DailyNonResponse
from census.nonresponse import MAX_HOUSEHOLDS, record_non_response
from reports.models import RecomputeRequest

pytestmark = pytest.mark.usefixtures("after_campaign")

FORM = AuditEntry.Source.FORM
OCT_5 = datetime.date(2021, 10, 5)


def figures(**overrides) -> dict:
    day = {
        "assigned": 400, "visits": 200, "interviewed": 120, "notice_shown": 20, "not_at_home": 25, "door_closed": 10,
        "refused": 5, "no_notice": 10, "vacant": 10, "revisits_scheduled": 30, "revisits_made": 10, "outstanding": 150,
    }  # fmt: skip
    return day | overrides


def written() -> tuple[int, int]:
    return DailyNonResponse.objects.count(), AuditEntry.objects.count()


def test_a_day_is_stored_audited_and_owes_the_dashboards_a_render(campaign, district, user):
    result = record_non_response(campaign=campaign, district=district, date=OCT_5, figures=figures(), user=user, source=FORM)

    row = DailyNonResponse.objects.get()
    assert (result.created, result.changed, row.visits, row.no_notice, row.version, row.updated_by) == (
        True, True, 200, 10, 1, user,
    )  # fmt: skip
    entry = AuditEntry.objects.get()
    assert (entry.subject, entry.changes["refused"], entry.date) == (AuditEntry.Subject.NON_RESPONSE, [None, 5], OCT_5)
    assert RecomputeRequest.objects.filter(district=district, from_date=OCT_5).exists()


def test_figures_typed_as_text_are_read_and_the_same_again_writes_nothing(campaign, district):
    record_non_response(
        campaign=campaign, district=district, date=OCT_5, figures={k: str(v) for k, v in figures().items()}, source=FORM
    )

    again = record_non_response(campaign=campaign, district=district, date=OCT_5, figures=figures(), source=FORM)

    assert not again.changed and written() == (1, 1)


def test_a_correction_of_a_past_day_needs_a_reason_and_a_stale_version_is_a_conflict(campaign, district):
    record_non_response(campaign=campaign, district=district, date=OCT_5, figures=figures(), source=FORM)
    changed = figures(interviewed=121, refused=4)

    with pytest.raises(Rejected) as lowered:
        record_non_response(campaign=campaign, district=district, date=OCT_5, figures=changed, source=FORM)
    with pytest.raises(CountConflict):
        record_non_response(
            campaign=campaign, district=district, date=OCT_5, figures=changed, reason="recount", expected_version=0, source=FORM
        )
    corrected = record_non_response(
        campaign=campaign, district=district, date=OCT_5, figures=changed, reason="recount", expected_version=1, source=FORM
    )

    assert list(lowered.value.message_dict) == ["refused"]
    assert (corrected.row.interviewed, corrected.row.refused, corrected.row.version) == (121, 4, 2)
    assert AuditEntry.objects.latest("pk").changes == {"interviewed": [120, 121], "refused": [5, 4]}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"visits": 199}, "visits"),  # the outcomes add up to 200
        ({"revisits_made": 201}, "revisits_made"),
        ({"outstanding": 401}, "outstanding"),
        ({"refused": "-1"}, "refused"),
        ({"vacant": "ten"}, "vacant"),
        ({"assigned": ""}, "assigned"),
        ({"assigned": MAX_HOUSEHOLDS + 1}, "assigned"),
    ],
)
def test_figures_that_do_not_hold_together_are_refused_naming_the_field_and_nothing_is_written(
    campaign, district, overrides, field
):
    with pytest.raises(Rejected) as refused:
        record_non_response(campaign=campaign, district=district, date=OCT_5, figures=figures(**overrides), source=FORM)

    assert field in refused.value.message_dict
    assert written() == (0, 0)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The visits' outcomes add up to 200, not to the 199 visits made: each visit ends in one outcome."),
        ("ru", "Итоги посещений в сумме дают 200, а не 199 сделанных посещений: каждое посещение заканчивается одним итогом."),
        ("kk", "Бару нәтижелерінің қосындысы 200, жасалған 199 бару емес: әр бару бір нәтижемен аяқталады."),
    ],
)
def test_the_refusal_is_in_the_readers_language(campaign, district, language, message):
    with translation.override(language), pytest.raises(Rejected) as refused:
        record_non_response(campaign=campaign, district=district, date=OCT_5, figures=figures(visits=199), source=FORM)

    assert refused.value.message_dict["visits"] == [message]


def test_a_day_outside_every_phase_is_refused(campaign, district):
    with pytest.raises(Rejected) as refused:
        record_non_response(campaign=campaign, district=district, date=datetime.date(2021, 8, 1), figures=figures(), source=FORM)

    assert list(refused.value.message_dict) == ["date"] and written() == (0, 0)
