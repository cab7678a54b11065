"""The Kazakh and Russian catalogs: complete, placeholders intact, compiled without GNU gettext, and used by the services.

Besides the project's own catalogs (the first LOCALE_PATHS entry), locale/django-kk fills the gaps of
Django's and django-axes' Kazakh catalogs, so that Kazakh pages never fall back to Russian.
"""

import ast
import datetime
import gettext
import io
import json
import re
from pathlib import Path

import axes
import django
import polib
import pytest
from django import forms
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from census.errors import Rejected
from census.models import AuditEntry, DailyCount
from census.services import record_count

# In LOCALE_PATHS order, as Django and compile_translations read them: the project's own catalogs come first.
PO_FILES = [path for locale_dir in settings.LOCALE_PATHS for path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po"))]
PROJECT_LOCALE = Path(settings.LOCALE_PATHS[0])
DJANGO_GAPS_LOCALE = settings.BASE_DIR / "locale" / "django-kk"
PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "kk": "nplurals=2; plural=(n!=1);",
}
# A printf-style placeholder: %(name)s and friends, with optional flags, width and precision.
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
# A positional one (%s, %d) or a literal %%, once the named ones are taken out.
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
# A str.format field: {name}, {} (Django's admin and humanize use them).
BRACE_FIELD = re.compile(r"\{\w*\}")


def _language(po_path: Path) -> str:
    return po_path.parent.parent.name


def _catalog(language: str) -> polib.POFile:
    """The project's own catalog for `language`."""
    return polib.pofile(str(PROJECT_LOCALE / language / "LC_MESSAGES" / "django.po"))


def _placeholders(text: str, brace_format: bool = False) -> tuple:
    """Named placeholders (any order), positional ones (in order) and, for brace-format strings, {fields}."""
    named = sorted(match.group(0) for match in PLACEHOLDER.finditer(text))
    positional = [p for p in POSITIONAL.findall(PLACEHOLDER.sub("", text)) if p != "%%"]
    return named, positional, sorted(BRACE_FIELD.findall(text)) if brace_format else []


def _sample(placeholder: str):
    """A value the placeholder's conversion accepts: a number for %d/%f and friends, text for %s/%r."""
    return "x" if placeholder[-1] in "sra" else 1


def _po_id(po_path: Path) -> str:
    return str(po_path.relative_to(settings.BASE_DIR))


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
            brace_format = "python-brace-format" in entry.flags
            expected = _placeholders(source, brace_format)
            if _placeholders(translated, brace_format) != expected:
                wrong.append((entry.msgid, translated))
            elif "python-format" in entry.flags:
                # A stray % would make the interpolation in the code raise at run time.
                named = {m.group(1): _sample(m.group(0)) for m in PLACEHOLDER.finditer(source)}
                values = named or tuple(_sample(p) for p in expected[1])
                try:
                    translated % values
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

    with translation.override(language), pytest.raises(Rejected) as rejected:
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


# Django's catalogs whose Kazakh gaps locale/django-kk fills: (app directory, domain). Django's English
# catalog lists every msgid the installed Django uses; its Kazakh one lacks some, leaves others empty, and
# still holds msgids Django no longer uses. A gap is an English msgid with no Kazakh translation.
DJANGO_DIR = Path(django.__file__).parent
GAP_SOURCES = [
    *((DJANGO_DIR / app, "django") for app in ("conf", "contrib/admin", "contrib/auth", "contrib/contenttypes")),
    *((DJANGO_DIR / app, "django") for app in ("contrib/sessions", "contrib/humanize")),
    (DJANGO_DIR / "contrib/admin", "djangojs"),
]


def _gaps(app_dir: Path, domain: str) -> list[polib.POEntry]:
    kazakh = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(app_dir / "locale" / "kk" / "LC_MESSAGES" / f"{domain}.po"))}
    gaps = []
    for entry in polib.pofile(str(app_dir / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po")):
        translated = kazakh.get((entry.msgctxt, entry.msgid))
        if entry.msgid and not entry.obsolete and (translated is None or not translated.translated() or translated.fuzzy):
            gaps.append(entry)
    return gaps


def _axes_msgids() -> set[str]:
    """Every string django-axes marks for translation: it ships no Kazakh catalog, so each one is a gap."""
    msgids = set()
    for source in Path(axes.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) in {"_", "gettext", "gettext_lazy"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                msgids.add(node.args[0].value)
    return msgids


def _filled(domain: str) -> dict:
    catalog = polib.pofile(str(DJANGO_GAPS_LOCALE / "kk" / "LC_MESSAGES" / f"{domain}.po"))
    return {(e.msgctxt, e.msgid): e for e in catalog.translated_entries()}


@pytest.mark.parametrize("app_dir, domain", GAP_SOURCES, ids=lambda v: str(v).split("django/")[-1])
def test_every_gap_of_djangos_kazakh_catalogs_is_filled_with_the_same_msgid_context_and_plural(app_dir, domain):
    filled = _filled(domain)
    gaps = _gaps(app_dir, domain)
    missing = [(gap.msgctxt, gap.msgid) for gap in gaps if (gap.msgctxt, gap.msgid) not in filled]
    different = [
        gap.msgid
        for gap in gaps
        if (gap.msgctxt, gap.msgid) in filled and filled[(gap.msgctxt, gap.msgid)].msgid_plural != gap.msgid_plural
    ]
    assert missing == []
    assert different == []


def test_every_string_of_django_axes_has_kazakh():
    msgids = _axes_msgids()
    assert "Account locked: too many login attempts. Please try again later." in msgids
    assert sorted(msgids - {msgid for context, msgid in _filled("django") if context is None}) == []


def test_djangos_own_form_errors_come_out_in_kazakh_not_russian():
    def errors(value, **field_options):
        with pytest.raises(forms.ValidationError) as raised:
            forms.CharField(**field_options).clean(value)
        return raised.value.messages

    def integer_errors(value):
        with pytest.raises(forms.ValidationError) as raised:
            forms.IntegerField().clean(value)
        return raised.value.messages

    with translation.override("kk"):
        required = errors("")
        null_character = errors("a\x00b")
        too_long = errors("abcd", max_length=3)
        whole_number = integer_errors("1,5")
    # Translated before: by DRF's Kazakh catalog (an installed app's catalog wins over Django's own) and by ours.
    assert required == ["Бұл мән міндетті."]
    assert whole_number == [_catalog("kk").find("Enter a whole number.").msgstr]
    # Missing from Django's Kazakh catalog (Russian came out before): from locale/django-kk.
    assert null_character == ["Нөлдік таңбаларға рұқсат жоқ."]
    assert too_long == ["Бұл мәнде ең көбі 3 таңба болуы керек (қазір 4)."]
    with translation.override("ru"):
        assert errors("a\x00b") != null_character


def _russian_of_admin_gaps() -> set[str]:
    """Russian text of the admin's and Django's messages that were gaps in Kazakh, long enough to spot in a page."""
    russian, kazakh = {}, _filled("django")
    for app_dir in (DJANGO_DIR / "conf", DJANGO_DIR / "contrib" / "admin", DJANGO_DIR / "contrib" / "auth"):
        for entry in polib.pofile(str(app_dir / "locale" / "ru" / "LC_MESSAGES" / "django.po")).translated_entries():
            russian[(entry.msgctxt, entry.msgid)] = entry.msgstr
    gaps = [gap for app_dir, domain in GAP_SOURCES[:3] for gap in _gaps(app_dir, domain)]
    return {
        russian[(gap.msgctxt, gap.msgid)]
        for gap in gaps
        if (gap.msgctxt, gap.msgid) in russian and not gap.msgid_plural and "%" not in gap.msgid and "{" not in gap.msgid
        # Words that are the same in both languages (e.g. "алгоритм") are no sign of Russian.
        if len(russian[(gap.msgctxt, gap.msgid)]) >= 6
        and russian[(gap.msgctxt, gap.msgid)] != kazakh[(gap.msgctxt, gap.msgid)].msgstr
    }


def test_the_admin_in_kazakh_shows_none_of_the_russian_it_used_to_fall_back_to(client, superuser):
    russian = _russian_of_admin_gaps()
    assert {"Открыть сайт", "Последние действия"} <= russian  # "View site", "Recent actions" were gaps
    client.force_login(superuser)

    pages = {
        url: client.get(url) for url in ("/kk/admin/", "/kk/admin/auth/user/", f"/kk/admin/auth/user/{superuser.pk}/change/")
    }

    for url, response in pages.items():
        assert response.status_code == 200, url
        html = response.content.decode()
        assert [text for text in russian if text in html] == [], url
    index = pages["/kk/admin/"].content.decode()
    assert "Сайтты ашу" in index  # View site
    assert "Соңғы әрекеттер" in index  # Recent actions
    assert "Сайт әкімшілігі" in index  # Site administration, from Django's own catalog


def test_the_admins_javascript_strings_come_out_in_kazakh(client, superuser):
    client.force_login(superuser)

    response = client.get("/kk/admin/jsi18n/")

    assert response.status_code == 200
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\n  \});", response.content.decode(), re.DOTALL).group(1))
    assert catalog["Choose all %s"] == "Барлық %s таңдау"
    assert catalog["Choose a Date"] == "Күнді таңдаңыз"
    assert catalog["abbrev. month January\x04Jan"] == "Қаң"
