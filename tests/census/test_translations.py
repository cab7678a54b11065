"""The Kazakh and Russian catalogs: complete, placeholders intact, compiled without GNU gettext, and used by the services."""

import datetime
import gettext
import io
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from census.errors import CountRejected
from census.models import AuditEntry, DailyCount
from census.services import record_count

PO_FILES = sorted(path for locale_dir in settings.LOCALE_PATHS for path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"))
PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "kk": "nplurals=2; plural=(n!=1);",
}
# A printf-style placeholder: %(name)s and friends, with optional flags, width and precision.
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _language(po_path: Path) -> str:
    return po_path.parent.parent.name


def _catalog(language: str) -> polib.POFile:
    return polib.pofile(str(next(p for p in PO_FILES if _language(p) == language and p.name == "django.po")))


def _placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text)}


def _po_id(po_path: Path) -> str:
    return f"{_language(po_path)}/{po_path.name}"


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs():
    """Compile the .mo files once, as `make install` does, so that running pytest alone works too.

    Catalogs already loaded in this process (e.g. while the test database was
    migrated) may predate the compile: overriding LOCALE_PATHS makes Django drop
    its cache, and gettext's own cache of .mo files is cleared for the same reason.
    """
    out = io.StringIO()
    call_command("compile_translations", stdout=out)
    gettext._translations.clear()
    with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
        yield out.getvalue()


def test_kazakh_and_russian_catalogs_exist():
    assert {"django.po"} <= {p.name for p in PO_FILES}
    assert {"kk", "ru"} <= {_language(p) for p in PO_FILES}


@pytest.mark.parametrize("po_path", PO_FILES, ids=_po_id)
def test_header_names_the_project_language_charset_and_plural_forms(po_path):
    catalog = polib.pofile(str(po_path))
    language = _language(po_path)
    assert not catalog.metadata_is_fuzzy
    assert catalog.metadata["Project-Id-Version"] == "Census Progress"
    assert catalog.metadata["Language"] == language
    assert catalog.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    if language in PLURAL_FORMS:
        assert catalog.metadata["Plural-Forms"] == PLURAL_FORMS[language]


@pytest.mark.parametrize("po_path", PO_FILES, ids=_po_id)
def test_every_message_is_translated_and_none_is_fuzzy(po_path):
    catalog = polib.pofile(str(po_path))
    assert [e.msgid for e in catalog.untranslated_entries()] == []
    assert [e.msgid for e in catalog.fuzzy_entries()] == []
    assert len(catalog.translated_entries()) > 0
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", catalog.metadata["Plural-Forms"]).group(1))
    for entry in catalog.translated_entries():
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == list(range(nplurals)), entry.msgid


@pytest.mark.parametrize("po_path", PO_FILES, ids=_po_id)
def test_translations_keep_the_placeholders_of_the_source(po_path):
    catalog = polib.pofile(str(po_path))
    wrong = []
    for entry in catalog.translated_entries():
        if entry.msgid_plural:
            pairs = [(entry.msgid_plural if n else entry.msgid, text) for n, text in entry.msgstr_plural.items()]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translated in pairs:
            expected = _placeholders(source)
            if _placeholders(translated) != expected:
                wrong.append((entry.msgid, translated))
            elif "python-format" in entry.flags:
                # A stray % would make the interpolation in the code raise at run time.
                try:
                    translated % dict.fromkeys(m.group(1) for m in PLACEHOLDER.finditer(source))
                except (ValueError, TypeError, KeyError) as exc:
                    wrong.append((entry.msgid, f"{translated} ({exc})"))
    assert wrong == []


def test_compiled_catalogs_cover_every_po_file(compiled_catalogs):
    for po_path in PO_FILES:
        assert str(po_path.relative_to(settings.BASE_DIR)) in compiled_catalogs
        assert po_path.with_suffix(".mo").is_file()


def test_compile_translations_leaves_out_fuzzy_entries(tmp_path):
    messages = tmp_path / "kk" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "kk"}
    catalog.append(polib.POEntry(msgid="district", msgstr="аудан"))
    catalog.append(polib.POEntry(msgid="region", msgstr="облыс", flags=["fuzzy"]))
    catalog.append(polib.POEntry(msgid="country", msgstr=""))
    catalog.save(str(messages / "django.po"))

    out = io.StringIO()
    with override_settings(LOCALE_PATHS=[tmp_path]):
        call_command("compile_translations", stdout=out)

    with open(messages / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled.gettext("district") == "аудан"
    assert compiled.gettext("region") == "region"
    assert compiled.gettext("country") == "country"
    assert "(1 translated, 1 fuzzy skipped)" in out.getvalue()


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_negative_count_is_rejected_in_the_active_language(language, campaign, district, after_campaign):
    source = "A count cannot be negative."
    expected = _catalog(language).find(source).msgstr
    assert expected and expected != source

    with translation.override(language), pytest.raises(CountRejected) as rejected:
        record_count(
            campaign=campaign,
            district=district,
            date=datetime.date(2021, 9, 10),
            online=-5,
            offline=0,
            source=AuditEntry.Source.FORM,
        )

    assert rejected.value.message_dict["online"] == [expected]
    assert "offline" not in rejected.value.message_dict
    assert not DailyCount.objects.exists()
