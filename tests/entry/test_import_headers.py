"""The importer reads a file headed with any word the pages or the import help use for a column, in any language.

The header words come from the catalogs (what a reader actually sees), not from a list typed here: a new
translation of "Door-to-door" becomes an accepted header, and a help text naming a word the importer does not
know fails here.
"""

import datetime
import gettext
import io
import re

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from census.exporting import headers
from census.importing import COLUMN_LABELS, FileRejected, Limits, header_aliases, read_counts
from regions.models import District

pytestmark = pytest.mark.usefixtures("after_campaign")

OCT_27 = datetime.date(2021, 10, 27)
LANGUAGES = [code for code, _name in settings.LANGUAGES]
COLUMNS_HELP = (
    "Columns: district (KATO code or name in Kazakh, Russian or English), date, online, door-to-door; optionally a reason."
)
HEADERS_HELP = "Headers in English, Russian or Kazakh: district/район/аудан, date/дата/күні, online/онлайн, offline/офлайн."


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs():
    call_command("compile_translations", stdout=io.StringIO())
    gettext._translations.clear()  # gettext caches .mo files by path: drop any read before the compile
    with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
        # Read afresh from the catalogs just compiled, not from a process that read them before.
        header_aliases.cache_clear()
        yield


def _msgstr(language: str, msgid: str) -> str:
    if language == "en":
        return msgid
    entry = polib.pofile(str(settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po")).find(msgid)
    assert entry is not None and entry.msgstr, (language, msgid)
    return entry.msgstr


def _ui_labels(language: str) -> dict[str, str]:
    """Each column's label on the pages (table headers, the export), as the language's catalog gives it."""
    with translation.override(language):
        return {key: translation.gettext(labels[0]) for key, labels in COLUMN_LABELS.items()}


def _help_headers() -> dict[str, set[str]]:
    """The words the "Headers in …" help line lists for each column, in every language's version of it."""
    found: dict[str, set[str]] = {"district": set(), "date": set(), "online": set(), "offline": set()}
    for language in LANGUAGES:
        listed = _msgstr(language, HEADERS_HELP).split(":", 1)[1].rstrip(".")
        for key, group in zip(found, listed.split(","), strict=True):
            found[key].update(word.strip() for word in group.split("/"))
    return found


def _file(area, labels: dict[str, str], keys=("district", "date", "online", "offline", "reason")) -> bytes:
    values = {"kato": "316000000", "district": "316000000", "date": "27.10.2021", "online": "0", "offline": "340"}
    values["reason"] = "late report"
    return (";".join(labels[k] for k in keys) + "\n" + ";".join(values[k] for k in keys) + "\n").encode("utf-8")


def read(area, raw: bytes):
    return read_counts(
        raw,
        filename="counts.csv",
        scope_districts=District.objects.filter(region=area.region),
        all_districts=District.objects.all(),
        limits=Limits.from_settings(),
    )


@pytest.mark.parametrize("reader", LANGUAGES)
@pytest.mark.parametrize("written_in", LANGUAGES)
def test_a_file_headed_with_the_pages_labels_in_any_language_reads(area, reader, written_in):
    labels = _ui_labels(written_in)
    assert labels["offline"] == {"kk": "Үйме-үй аралау", "ru": "Сплошной обход", "en": "Door-to-door"}[written_in]

    with translation.override(reader):
        for district_column in ("district", "kato"):
            keys = (district_column, "date", "online", "offline", "reason")
            result = read(area, _file(area, labels, keys))

            assert result.errors == []
            assert [(r.district.kato, r.date, str(r.online), str(r.offline), r.reason) for r in result.rows] == [
                ("316000000", OCT_27, "0", "340", "late report")
            ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_column_help_names_the_words_the_importer_reads(language):
    """The help sentence ("…district (KATO code …), date, online, door-to-door…") uses the pages' own words."""
    help_text = _msgstr(language, COLUMNS_HELP).casefold()
    for key, label in _ui_labels(language).items():
        if key == "kato":
            label = label.split("(")[0].strip() if language == "kk" else label  # "ӘАОЖ (КАТО) коды" → "ӘАОЖ"
            label = label.split()[0] if language == "kk" else label
        assert label.casefold() in help_text, (language, key, label)


def test_every_header_the_help_line_lists_is_read(area):
    listed = _help_headers()
    assert "үйме-үй аралау" not in listed["offline"]  # the help line lists file headers; the test below adds the UI's
    for key, words in listed.items():
        for word in words:
            labels = {"kato": "КАТО", "district": "Район", "date": "Дата", "online": "Онлайн", "offline": "Офлайн"}
            labels[key] = word
            result = read(area, _file(area, labels, ("district", "date", "online", "offline")))
            assert [str(r.offline) for r in result.rows] == ["340"], (key, word)


@pytest.mark.parametrize("header", ["ӘАОЖ", "ҚАТО", "КАТО", "KATO", "ӘАОЖ коды", "ҚАТО коды", "Код КАТО", "ӘАОЖ (КАТО) коды"])
def test_the_kato_column_is_read_under_each_of_its_spellings(area, header):
    # The glossary's rule (locale/kk/GLOSSARY.md): ӘАОЖ in Kazakh, and the spellings offices still write.
    labels = {"kato": header, "date": "Күні", "online": "Онлайн", "offline": "Үйме-үй аралау"}

    result = read(area, _file(area, labels, ("kato", "date", "online", "offline")))

    assert [r.district.kato for r in result.rows] == ["316000000"]


@pytest.mark.parametrize(
    ("language", "missing"),
    [("kk", "Үйме-үй аралау"), ("ru", "Сплошной обход"), ("en", "Door-to-door")],
)
def test_a_missing_column_is_named_in_the_readers_language_with_the_columns_found(area, language, missing):
    raw = "Аудан;Күні;Онлайн;Ескертпе\nТасқала ауданы;27.10.2021;0;x\n".encode()

    with translation.override(language), pytest.raises(FileRejected) as rejected:
        read(area, raw)

    message = rejected.value.message
    named, found = re.split(r"\. [^.]*: ", message.split(": ", 1)[1], maxsplit=1)
    assert named == missing
    assert found == "Аудан, Күні, Онлайн, Ескертпе."


def test_a_file_without_district_or_date_names_both(area):
    with translation.override("kk"), pytest.raises(FileRejected) as rejected:
        read(area, "Онлайн;Үйме-үй аралау;Себеп\n0;340;x\n".encode())

    assert "Аудан / ӘАОЖ (КАТО) коды, Күні." in rejected.value.message
    assert "Онлайн, Үйме-үй аралау, Себеп" in rejected.value.message


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_exports_headers_are_the_pages_words_and_read_back(area, language):
    with translation.override(language):
        row = headers()
    labels = _ui_labels(language)
    assert [cell.casefold() for cell in row] == [labels[k].casefold() for k in ("kato", "district", "date", "online", "offline")]

    result = read(area, (";".join(row) + "\n316000000;Тасқала ауданы;27.10.2021;0;340\n").encode())

    assert [(r.district.kato, str(r.offline)) for r in result.rows] == [("316000000", "340")]


@pytest.mark.parametrize(("language", "unit"), [("kk", "МБ"), ("ru", "МБ"), ("en", "MB")])
def test_file_sizes_print_in_the_readers_letters(area, language, unit):
    with translation.override(language), pytest.raises(FileRejected) as rejected:
        read_counts(b"x" * 2_000_000, filename="big.csv", scope_districts=[], limits=Limits(1_000_000, 10, 10, 10, 10))

    size = "2.0" if language == "en" else "2,0"
    assert f"{size} {unit}" in rejected.value.message
    assert ("MB" in rejected.value.message) == (language == "en")
