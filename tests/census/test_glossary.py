"""Every Kazakh message a user can see follows locale/kk/GLOSSARY.md: no form it forbids, and its term for each concept.

"Every message a user can see" is the project's catalog, the corrections in locale/django-kk, and Django's own
Kazakh for the messages Django still uses and neither catalog replaces (LOCALE_PATHS take precedence).
"""

import re
from dataclasses import dataclass
from pathlib import Path

import django
import polib
import pytest
from django.conf import settings

GLOSSARY = settings.BASE_DIR / "locale" / "kk" / "GLOSSARY.md"
OUR_CATALOGS = [
    settings.BASE_DIR / "locale" / "kk" / "LC_MESSAGES" / "django.po",
    settings.BASE_DIR / "locale" / "django-kk" / "kk" / "LC_MESSAGES" / "django.po",
    settings.BASE_DIR / "locale" / "django-kk" / "kk" / "LC_MESSAGES" / "djangojs.po",
]
DJANGO_DIR = Path(django.__file__).parent
DJANGO_APPS = ["conf", "contrib/admin", "contrib/auth", "contrib/contenttypes", "contrib/sessions", "contrib/humanize"]


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    text: str  # as written in the glossary
    instead: str


def _block(name: str) -> list[tuple[str, str]]:
    """The lines of the glossary's fenced block ```name, each split at " | "."""
    match = re.search(rf"^```{name}\n(.*?)^```", GLOSSARY.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    assert match, f"no ```{name} block in {GLOSSARY}"
    return [tuple(part.strip() for part in line.split(" | ", 1)) for line in match.group(1).splitlines() if line.strip()]


def forbidden_rules() -> list[Rule]:
    rules = []
    for text, instead in _block("forbidden"):
        if text.startswith("re:"):
            pattern = re.compile(text[3:], re.IGNORECASE)
        else:
            # At the start of a word, any ending after it: "тақта" catches "тақтасы" and "Менің тақтам".
            pattern = re.compile(r"(?<!\w)" + re.escape(text), re.IGNORECASE)
        rules.append(Rule(pattern, text, instead))
    return rules


def required_rules() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(source), term) for source, term in _block("required")]


def _texts(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def seen_messages() -> list[tuple[str, polib.POEntry]]:
    """(where, entry) for every Kazakh message Django would show: ours first, then Django's it does not replace."""
    seen, ours = [], set()
    for path in OUR_CATALOGS:
        for entry in polib.pofile(str(path)).translated_entries():
            seen.append((str(path.relative_to(settings.BASE_DIR)), entry))
            ours.add((entry.msgctxt, entry.msgid))
    for app in DJANGO_APPS:
        for domain in ("django", "djangojs"):
            kazakh = DJANGO_DIR / app / "locale" / "kk" / "LC_MESSAGES" / f"{domain}.po"
            if not kazakh.exists():
                continue
            english = DJANGO_DIR / app / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
            used = {(e.msgctxt, e.msgid) for e in polib.pofile(str(english)) if not e.obsolete}
            for entry in polib.pofile(str(kazakh)).translated_entries():
                key = (entry.msgctxt, entry.msgid)
                if key in used and key not in ours:
                    seen.append((f"django/{app} ({domain})", entry))
    return seen


def violations(messages, rules=None) -> list[str]:
    rules = forbidden_rules() if rules is None else rules
    found = []
    for where, entry in messages:
        for text in _texts(entry):
            for rule in rules:
                if rule.pattern.search(text):
                    found.append(f"{where}: {entry.msgid!r} → {text!r} uses “{rule.text}”; use {rule.instead}")
    return found


def missing_terms(messages) -> list[str]:
    found = []
    for where, entry in messages:
        for source, term in required_rules():
            if source.search(entry.msgid) or (entry.msgid_plural and source.search(entry.msgid_plural)):
                for text in _texts(entry):
                    if term.casefold() not in text.casefold():
                        found.append(f"{where}: {entry.msgid!r} → {text!r} lacks “{term}”")
    return found


def test_the_glossary_lists_what_it_forbids_and_requires():
    texts = {rule.text for rule in forbidden_rules()}
    assert {"ҚАТО", "тақта", "импорт", "түсіру", "қолданушы", "сессия", "офлайн формат"} <= texts
    assert all(rule.instead for rule in forbidden_rules())
    assert ("\\bKATO\\b", "ӘАОЖ") in [(p.pattern, t) for p, t in required_rules()]


def test_no_kazakh_message_a_user_sees_uses_a_forbidden_form():
    messages = seen_messages()
    assert len(messages) > 900  # ours (~500 + ~450) and Django's own that still show

    assert violations(messages) == []


def test_every_kazakh_message_about_a_concept_uses_its_term():
    assert missing_terms(seen_messages()) == []


# Entries as the catalog had them before the glossary (kk review of commit 78ab720): each breaks a rule.
OLD_ENTRIES = [
    ("No district has the KATO code %(kato)s.", "КАТО коды %(kato)s болатын аудан жоқ.", "КАТО коды"),
    ("A KATO code is exactly nine digits.", "ҚАТО коды дәл тоғыз цифрдан тұрады.", "ҚАТО"),
    ("My dashboard", "Менің тақтам", "тақта"),
    ("Export counts (CSV)", "Деректерді түсіру (CSV)", "түсіру"),
    ("population baseline", "халық саны (база)", "халық саны (база)"),
    ("revoked at", "кері қайтарылған уақыты", "кері қайтар"),
    ("management command", "қызметтік команда", "команда"),
    ("Password", "Құпиясөз", "құпиясөз"),
    ("Online that day", "Күндегі онлайн", "күндегі"),
    ("on track", "кестеге сай", "кестеге сай"),
    ("A count cannot be negative.", "Есепке алынғандар саны теріс бола алмайды.", "есепке алы"),
    ("reached 100%", "100% қамтуға жетті", "re:\\d%"),
    ("Cumulative coverage, %(area)s", "Өсу қорытындысымен қамту: %(area)s", "өсу қорытынды"),
    ("“%(value)s” is not a date.", "“%(value)s” — күн емес.", "re:[“”]"),
    ("username", "Қолданушы атауы", "қолданушы"),
    ("pending import", "күтудегі импорт", "импорт"),
    ("%(count)s selected", "one: %(count)s таңдалды\n\nother: Барлығы %(count)s таңдалды", "re:(?:^|\\n)(?:one|other):"),
]


@pytest.mark.parametrize(("msgid", "msgstr", "rule"), OLD_ENTRIES, ids=[e[2] for e in OLD_ENTRIES])
def test_the_check_catches_the_entries_the_review_found(msgid, msgstr, rule):
    found = violations([("old catalog", polib.POEntry(msgid=msgid, msgstr=msgstr))])

    assert len(found) >= 1
    assert any(f"“{rule}”" in line for line in found)


def test_the_check_catches_a_message_without_its_term():
    old = polib.POEntry(
        msgid="Another %(count)s person was counted offline, door to door.", msgstr="Тағы %(count)s адам офлайн өтті."
    )

    assert missing_terms([("old catalog", old)]) != []


def test_a_word_that_only_contains_a_forbidden_one_is_not_caught():
    # "тақта" is forbidden at the start of a word, not inside one.
    assert violations([("x", polib.POEntry(msgid="x", msgstr="Ақтақтай"))]) == []
