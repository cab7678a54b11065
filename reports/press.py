"""Area names as a press officer writes them, and "in these districts" phrases, in Kazakh, Russian and English.

The classifier names a city by its administration ("Орал қ.ә.", "г.а. Уральск"); the press writes "Орал қаласы"
and "город Уральск". A list of districts is not three times "… район": the press writes "в Жангалинском,
Таскалинском и Чингирлауском районах" and "Жаңақала, Тасқала және Шыңғырлау аудандарында". The case endings
below are grammar (like plural rules), not vocabulary, so they live here rather than in the catalogs; a name
whose shape this does not know gives None, and the briefing then falls back to listing the names as they are.
"""

import re

from django.utils.translation import get_language
from django.utils.translation import gettext as _

# The classifier's abbreviations of a city's administration, and what the press writes instead.
CITY_NAMES = {
    "kk": (re.compile(r"^(?P<name>.+?)\s+қ\.\s*(?:ә\.)?$"), "{name} қаласы"),
    "ru": (re.compile(r"^г\.\s*(?:а\.\s*)?(?P<name>.+)$"), "город {name}"),
}
# "Тасқала ауданы", "Орал қаласы": the stem, and its locative in the singular and in the plural.
KAZAKH_KINDS = {
    "ауданы": ("ауданында", "аудандарында"),
    "қаласы": ("қаласында", "қалаларында"),
}
# A Russian district named by an adjective: "Таскалинский район" → "в Таскалинском районе".
RUSSIAN_ADJECTIVE_DISTRICT = re.compile(r"^(?P<stem>\S+?)(?:ий|ый|ой) район$")
RUSSIAN_NOUN_FIRST = re.compile(r"^(?P<kind>район|город) (?P<name>.+)$")
RUSSIAN_LOCATIVE = {"район": ("в районе", "в районах"), "город": ("в городе", "в городах")}
ENGLISH_DISTRICT = re.compile(r"^(?P<stem>.+) District$")


def _language() -> str:
    return (get_language() or "ru")[:2]


def press_name(name: str) -> str:
    """ "Орал қ.ә." → "Орал қаласы", "г.а. Уральск" → "город Уральск"; any other name as it is."""
    rule = CITY_NAMES.get(_language())
    if rule is None:
        return name
    pattern, template = rule
    match = pattern.match(name.strip())
    return template.format(name=match.group("name")) if match else name


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _kazakh(names: list[str]) -> str | None:
    groups: dict[str, list[str]] = {}
    for name in names:
        stem, _space, kind = name.rpartition(" ")
        if kind not in KAZAKH_KINDS or not stem:
            return None
        groups.setdefault(kind, []).append(stem)
    phrases = [f"{_and(stems)} {KAZAKH_KINDS[kind][len(stems) > 1]}" for kind, stems in groups.items()]
    return _and(phrases)


def _russian(names: list[str]) -> str | None:
    adjectives: list[str] = []
    by_kind: dict[str, list[str]] = {}
    for name in names:
        if match := RUSSIAN_ADJECTIVE_DISTRICT.match(name):
            adjectives.append(match.group("stem") + "ом")
        elif match := RUSSIAN_NOUN_FIRST.match(name):
            by_kind.setdefault(match.group("kind"), []).append(match.group("name"))
        else:
            return None
    phrases = []
    if adjectives:
        phrases.append(f"в {_and(adjectives)} {'районах' if len(adjectives) > 1 else 'районе'}")
    for kind, kind_names in by_kind.items():
        phrases.append(f"{RUSSIAN_LOCATIVE[kind][len(kind_names) > 1]} {_and(kind_names)}")
    return _and(phrases)


def _english(names: list[str]) -> str:
    districts = [m.group("stem") for name in names if (m := ENGLISH_DISTRICT.match(name))]
    others = [name for name in names if not ENGLISH_DISTRICT.match(name)]
    phrases = []
    if len(districts) > 1:
        phrases.append(f"{_and(districts)} districts")
    elif districts:
        phrases.append(f"{districts[0]} District")
    phrases.extend(others)
    return "in " + _and(phrases)


def in_places(names: list[str]) -> str | None:
    """ "in A, B and C districts" in the active language, from press names; None if a name's shape is unknown."""
    if not names:
        return None
    language = _language()
    if language == "kk":
        return _kazakh(names)
    if language == "ru":
        return _russian(names)
    return _english(names)
