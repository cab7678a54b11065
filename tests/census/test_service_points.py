"""The registry of self-service points: its one write path, validation in three languages, versions, audit and
which points are open on a day."""

import datetime

import pytest
from django.utils import translation

from census.errors import CountConflict, Rejected
from census.models import AuditEntry, ServicePoint
from census.service_points import save_service_point
from reports.models import RecomputeRequest

ADMIN = AuditEntry.Source.ADMIN
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
