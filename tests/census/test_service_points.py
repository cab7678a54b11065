"""Self-service points: the registry's one write path (validation in three languages, versions, audit, which points
are open on a day) and the people helped at a point per day (corrections, refusals, the warning against online)."""

import datetime

import pytest
from django.utils import translation

from census.errors import CountConflict, Rejected
from census.models import AuditEntry, ServicePoint, ServicePointUse
from census.service_points import MAX_ASSISTED, record_point_use, save_service_point
from census.services import record_count
from reports.models import RecomputeRequest

ADMIN = AuditEntry.Source.ADMIN
FORM = AuditEntry.Source.FORM
OCT_5 = datetime.date(2021, 10, 5)
SEP_1 = datetime.date(2021, 9, 1)
OCT_15 = datetime.date(2021, 10, 15)


def values(**overrides) -> dict:
    return {
        "kind": "psc",
        "name_kk": "Орал қаласының ХҚКО",
        "name_ru": "ЦОН города Уральск",
        "name_en": "Uralsk public service centre",
        "address": "ул. Есенжанова, 42/1",
        "latitude": "51.20345",
        "longitude": "51.37050",
        "opening_hours": "09:00–19:00",
        "active_from": SEP_1,
        "active_to": OCT_15,
        "public": True,
    } | overrides


def stored() -> tuple[int, int, int]:
    return ServicePoint.objects.count(), AuditEntry.objects.count(), RecomputeRequest.objects.count()


def test_a_point_is_stored_with_its_audit_entry_and_owes_its_pages_a_render(campaign, district, user):
    point = save_service_point(campaign=campaign, district=district, values=values(), user=user, source=ADMIN)

    point.refresh_from_db()
    assert (point.name_ru, point.kind, point.version, point.updated_by) == ("ЦОН города Уральск", "psc", 1, user)
    assert (str(point.latitude), str(point.longitude)) == ("51.20345", "51.37050")
    entry = AuditEntry.objects.get()
    assert (entry.subject, entry.district, entry.date, entry.user) == (AuditEntry.Subject.SERVICE_POINT, district, SEP_1, user)
    assert entry.changes["name_ru"] == [None, "ЦОН города Уральск"]
    # The public page and the dashboards that list it are rendered again from the day it opens.
    assert RecomputeRequest.objects.filter(district=district, from_date=SEP_1).exists()


def test_a_change_is_a_new_version_auditing_only_what_changed(campaign, district):
    point = save_service_point(campaign=campaign, district=district, values=values(), source=ADMIN)

    changed = save_service_point(
        campaign=campaign, district=district, point=point, values=values(active_to=None), expected_version=1, source=ADMIN
    )

    assert changed.version == 2 and changed.active_to is None
    assert AuditEntry.objects.latest("pk").changes == {"active_to": ["2021-10-15", None]}


def test_saying_the_same_again_writes_nothing(campaign, district):
    point = save_service_point(campaign=campaign, district=district, values=values(), source=ADMIN)
    before = stored()

    again = save_service_point(campaign=campaign, district=district, point=point, values=values(), source=ADMIN)

    assert again.version == 1 and stored() == before


def test_a_change_made_against_an_older_version_is_a_conflict(campaign, district):
    point = save_service_point(campaign=campaign, district=district, values=values(), source=ADMIN)
    save_service_point(campaign=campaign, district=district, point=point, values=values(opening_hours="10–18"), source=ADMIN)
    before = stored()

    with pytest.raises(CountConflict):
        save_service_point(
            campaign=campaign, district=district, point=point, values=values(public=False), expected_version=1, source=ADMIN
        )

    assert stored() == before and ServicePoint.objects.get().public


def test_a_point_stays_in_its_district(campaign, district, other_district):
    point = save_service_point(campaign=campaign, district=district, values=values(), source=ADMIN)

    with pytest.raises(Rejected) as refused:
        save_service_point(campaign=campaign, district=other_district, point=point, values=values(), source=ADMIN)

    assert "district" in refused.value.message_dict
    assert ServicePoint.objects.get().district == district


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "bank"}, "kind"),
        ({"name_kk": "  "}, "name_kk"),
        ({"name_ru": "x" * 201}, "name_ru"),
        ({"name_en": "Centre\u202eertneC"}, "name_en"),
        ({"address": "line one\nline two"}, "address"),
        ({"latitude": "91"}, "latitude"),
        ({"longitude": "east"}, "longitude"),
        ({"longitude": ""}, "longitude"),
        ({"active_from": None}, "active_from"),
        ({"active_from": "2021-09-01"}, "active_from"),
        ({"active_to": datetime.date(2021, 8, 31)}, "active_to"),
        ({"public": "yes"}, "public"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(campaign, district, overrides, field):
    with pytest.raises(Rejected) as refused:
        save_service_point(campaign=campaign, district=district, values=values(**overrides), source=ADMIN)

    assert list(refused.value.message_dict) == [field]
    assert stored() == (0, 0, 0)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "A point cannot close before it opens."),
        ("ru", "Пункт не может закрыться раньше, чем откроется."),
        ("kk", "Пункт ашылғанға дейін жабыла алмайды."),
    ],
)
def test_the_refusal_is_in_the_readers_language(campaign, district, language, message):
    with translation.override(language), pytest.raises(Rejected) as refused:
        save_service_point(campaign=campaign, district=district, values=values(active_to=datetime.date(2021, 8, 1)), source=ADMIN)

    assert refused.value.message_dict["active_to"] == [message]


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (datetime.date(2021, 8, 31), False),
        (SEP_1, True),
        (OCT_15, True),
        (datetime.date(2021, 10, 16), False),
    ],
)
def test_a_point_is_open_from_its_first_day_to_its_last_inclusive(campaign, district, day, open_):
    save_service_point(campaign=campaign, district=district, values=values(), source=ADMIN)
    save_service_point(
        campaign=campaign, district=district, values=values(name_ru="Акимат", active_to=None, kind="akimat"), source=ADMIN
    )

    names = set(ServicePoint.objects.active(on=day).values_list("name_ru", flat=True))

    assert names == ({"ЦОН города Уральск", "Акимат"} if open_ else ({"Акимат"} if day > SEP_1 else set()))


# --- People helped at a point per day ------------------------------------------------------------


@pytest.fixture
def point(campaign, district):
    return save_service_point(campaign=campaign, district=district, values=values(active_to=None), source=ADMIN)


def use_rows() -> tuple[int, int]:
    return ServicePointUse.objects.count(), AuditEntry.objects.filter(subject=AuditEntry.Subject.SERVICE_POINT_USE).count()


@pytest.mark.usefixtures("after_campaign")
def test_a_points_day_is_stored_audited_and_owes_its_pages_a_render(campaign, district, point, user):
    RecomputeRequest.objects.all().delete()

    result = record_point_use(campaign=campaign, point=point, date=OCT_5, assisted="42", user=user, source=FORM)

    assert (result.created, result.changed, result.use.assisted, result.use.district, result.use.version) == (
        True, True, 42, district, 1,
    )  # fmt: skip
    entry = AuditEntry.objects.get(subject=AuditEntry.Subject.SERVICE_POINT_USE)
    assert (entry.changes, entry.user, entry.date) == ({"assisted": [None, 42]}, user, OCT_5)
    assert RecomputeRequest.objects.filter(district=district, from_date=OCT_5).exists()


@pytest.mark.usefixtures("after_campaign")
def test_a_past_days_change_or_a_lower_figure_is_a_correction_that_needs_a_reason(campaign, point):
    record_point_use(campaign=campaign, point=point, date=OCT_5, assisted=42, source=FORM)

    with pytest.raises(Rejected) as lowered:
        record_point_use(campaign=campaign, point=point, date=OCT_5, assisted=40, source=FORM)
    with pytest.raises(Rejected) as raised:
        record_point_use(campaign=campaign, point=point, date=OCT_5, assisted=45, source=FORM)
    corrected = record_point_use(campaign=campaign, point=point, date=OCT_5, assisted=40, reason="double entry", source=FORM)

    assert list(lowered.value.message_dict) == ["assisted"] and list(raised.value.message_dict) == ["reason"]
    assert (corrected.use.assisted, corrected.use.version) == (40, 2)
    assert AuditEntry.objects.filter(subject=AuditEntry.Subject.SERVICE_POINT_USE).latest("pk").reason == "double entry"
    # said again: nothing written
    again = record_point_use(campaign=campaign, point=point, date=OCT_5, assisted=40, source=FORM)
    assert not again.changed and use_rows() == (1, 2)


@pytest.mark.usefixtures("after_campaign")
@pytest.mark.parametrize(
    ("assisted", "day", "field"),
    [
        ("-1", OCT_5, "assisted"),
        ("many", OCT_5, "assisted"),
        ("", OCT_5, "assisted"),
        (MAX_ASSISTED + 1, OCT_5, "assisted"),
        (5, datetime.date(2021, 8, 31), "date"),  # before any phase
        (5, datetime.date(2031, 10, 5), "date"),  # in the future
    ],
)
def test_a_bad_figure_or_day_is_refused_naming_it_and_nothing_is_written(campaign, point, assisted, day, field):
    with pytest.raises(Rejected) as refused:
        record_point_use(campaign=campaign, point=point, date=day, assisted=assisted, source=FORM)

    assert list(refused.value.message_dict) == [field]
    assert use_rows() == (0, 0)


@pytest.mark.usefixtures("after_campaign")
def test_a_day_the_point_is_closed_is_refused(campaign, district):
    closed = save_service_point(
        campaign=campaign, district=district, values=values(active_to=datetime.date(2021, 10, 1)), source=ADMIN
    )

    with translation.override("en"), pytest.raises(Rejected) as refused:
        record_point_use(campaign=campaign, point=closed, date=OCT_5, assisted=3, source=FORM)

    assert refused.value.message_dict["date"] == ["Uralsk public service centre is not open on 5 Oct 2021."]


@pytest.mark.usefixtures("after_campaign")
def test_points_helping_more_people_than_the_districts_online_answers_that_day_are_saved_with_a_warning(
    campaign, district, point
):
    record_count(campaign=campaign, district=district, date=OCT_5, online=30, offline=0, source=FORM)
    other = save_service_point(campaign=campaign, district=district, values=values(name_ru="Акимат", kind="akimat"), source=ADMIN)

    first = record_point_use(campaign=campaign, point=point, date=OCT_5, assisted=20, source=FORM)
    with translation.override("en"):
        second = record_point_use(campaign=campaign, point=other, date=OCT_5, assisted=15, source=FORM)

    assert first.warnings == []
    with translation.override("en"):
        name = district.name
    assert second.warnings == [
        f"The points of {name} helped 35 people on 5 Oct 2021, more than the 30 online answers recorded "
        "for the district that day: check both figures."
    ]
    assert use_rows() == (2, 2)
