"""Notes the application writes are shown in the reader's language; notes people type are shown as typed."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from census.accounts import provision_user
from census.models import AuditEntry
from census.services import record_count, set_status
from census.units import IMPORTED_NOTE, set_baseline
from reports.services import drain_recompute_outbox
from tests import factories

OCT_1 = datetime.date(2021, 10, 1)
FORM = AuditEntry.Source.FORM
IMPORTED = {"kk": "файлдан жүктелді", "ru": "загружено из файла", "en": "imported from file"}
TYPED = "Акимат letter No. 17, 2 Sep"


@pytest.fixture
def district_with_two_baselines(campaign, after_campaign):
    region = factories.RegionFactory(kato="190000000")
    district = factories.DistrictFactory(region=region, kato="191000000")
    factories.BaselineFactory(
        district=district, campaign=campaign, population=1_000, as_of=datetime.date(2021, 8, 1), source=TYPED
    )
    set_baseline(
        district=district, campaign=campaign, population=1_200, as_of=datetime.date(2021, 9, 1), note=IMPORTED_NOTE, source=FORM
    )
    staff = provision_user(username="stat.notes", role="staff", kato=region.kato, password=None)
    record_count(campaign=campaign, district=district, date=OCT_1, online=600, offline=0, user=staff, source=FORM)
    set_status(campaign=campaign, district=district, status="in_progress", date=OCT_1, user=staff, source=FORM, note="")
    drain_recompute_outbox()
    official = provision_user(username="akimat.notes", role="official", kato=region.kato, password=None)
    return district, official


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_baseline_history_shows_an_import_note_in_the_readers_language(district_with_two_baselines, client, language):
    district, official = district_with_two_baselines
    client.force_login(official)

    page = client.get(f"/{language}/dashboard/district/{district.kato}/").content.decode()

    assert IMPORTED[language] in page
    assert TYPED in page  # what someone typed stays as typed
    for other, text in IMPORTED.items():
        if other != language:
            assert text not in page


def test_the_note_is_stored_once_untranslated(district_with_two_baselines):
    district, _official = district_with_two_baselines

    assert district.baselines.filter(source="imported from file").count() == 1


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_audit_trail_gives_an_imports_reason_in_the_readers_language(district_with_two_baselines, client, language):
    # given the import's baseline change in the audit trail, stored once with its English note
    district, _official = district_with_two_baselines
    entry = AuditEntry.objects.get(subject=AuditEntry.Subject.BASELINE, district=district)
    assert entry.reason == IMPORTED_NOTE
    client.force_login(get_user_model().objects.get(username="stat.notes"))

    # when staff read the district's history and its dashboard's audit table
    history = client.get(f"/{language}/entry/district/{district.kato}/history/").content.decode()
    dashboard = client.get(f"/{language}/dashboard/district/{district.kato}/").content.decode()

    # then the reason is in their language
    for page in (history, dashboard):
        assert f"<td>{IMPORTED[language]}</td>" in page
        assert all(f"<td>{text}</td>" not in page for other, text in IMPORTED.items() if other != language)


def test_a_typed_reason_is_shown_as_typed_in_every_language(campaign, district):
    typed = set_baseline(
        district=district, campaign=campaign, population=12_000, as_of=datetime.date(2021, 9, 2), note="imported", source=FORM
    )
    entry = AuditEntry.objects.get(subject=AuditEntry.Subject.BASELINE, object_id=typed.pk)

    with translation.override("ru"):
        assert entry.reason_text == "imported"
