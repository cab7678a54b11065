"""The geography a census is counted in: regions, districts and their baselines."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

kato_validator = RegexValidator(r"^\d{9}$", _("A KATO code is exactly nine digits."))

# Marks, embeddings, overrides and isolates that reorder the text around them. A name is shown inside
# SVG titles, the briefing text, CSV and PDF, where nothing closes what a name opens; Kazakh, Russian
# and English names never need them, so they are refused rather than isolated everywhere.
DIRECTION_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Control characters (Unicode category Cc: NUL, tab, CR, LF, DEL, C1) and the line and paragraph separators.
LINE_BREAKERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def validate_area_name(value: str) -> None:
    """A name is one line of visible text: no control characters (NUL, CR, LF, tab), line separators or direction controls.

    The one rule for every way a name gets in: the admin's forms run it as a field validator,
    `census.units.import_units` runs the same field validators on each name of a file.
    """
    for pattern, code, message in (
        (
            DIRECTION_CONTROLS,
            "direction_control",
            _("A name cannot hold a character that changes the direction of text (%(character)s at position %(position)s)."),
        ),
        (
            LINE_BREAKERS,
            "control_character",
            _("A name is one line without control characters (%(character)s at position %(position)s)."),
        ),
    ):
        found = pattern.search(value)
        if found:
            params = {"character": f"U+{ord(found.group()):04X}", "position": found.start() + 1}
            raise ValidationError(message, code=code, params=params)


# The country is the root of the hierarchy; scopes and roll-ups name it by this code.
COUNTRY_KATO = "000000000"


def country_name() -> str:
    """The country's name in the active language (it has no row of its own to carry kk/ru/en names)."""
    return gettext("Kazakhstan")


# The Kazakh Cyrillic alphabet in its order; Russian's letters keep theirs inside it, so one order serves both.
# Code-point order (and casefold()) put Ә Ғ Қ Ң Ө Ұ Ү Һ І after Я, so Қазталов came after Шыңғырлау.
KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
# Each letter becomes a character in a block no name uses (CJK Extension A, all in the BMP so that JavaScript's
# UTF-16 string comparison agrees with Python's), in alphabet order: a key compares right as a plain string.
_COLLATION = {ord(letter): chr(0x3400 + position) for position, letter in enumerate(KAZAKH_ALPHABET)}


def name_sort_key(text: str) -> str:
    """A key that orders names alphabetically in Kazakh, Russian or English, as a plain string.

    The one key for every list sorted by name (the public page, the widget, the dashboards' tables, whose script
    compares the same string): case is ignored, Cyrillic follows the Kazakh alphabet, Latin its usual order.
    """
    return text.casefold().translate(_COLLATION)


class TranslatedName:
    """The `name` of a model with name_kk, name_ru and name_en fields: in the active language, else Russian."""

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Russian."""
        language = (get_language() or "ru")[:2]
        return getattr(self, f"name_{language}", "") or self.name_ru

    @property
    def sort_name(self) -> str:
        """`name_sort_key` of the name in the active language."""
        return name_sort_key(self.name)

    @property
    def name_lang(self) -> str:
        """The language `name` is in: the active one, or Russian where the name falls back to it (for lang="…")."""
        language = (get_language() or "ru")[:2]
        return language if getattr(self, f"name_{language}", "") else "ru"


class NamedArea(TranslatedName, models.Model):
    """Common fields of an area known by a KATO code and named in three languages."""

    kato = models.CharField(_("KATO code"), max_length=9, unique=True, validators=[kato_validator])
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200, validators=[validate_area_name])
    name_ru = models.CharField(_("name (Russian)"), max_length=200, validators=[validate_area_name])
    name_en = models.CharField(_("name (English)"), max_length=200, validators=[validate_area_name])

    class Meta:
        abstract = True
        ordering = ["kato"]

    def __str__(self):
        return self.name


class Region(NamedArea):
    """One first-level unit of the country: an oblast or a city of republican significance."""

    class Kind(models.TextChoices):
        # The kind is an oblast ("облыс", "область"); the model's own name, "region", covers the three cities
        # too ("өңір", "регион"): one English word, two translations.
        REGION = "region", pgettext_lazy("region kind", "region")
        CITY = "city", _("city of republican significance")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REGION)

    class Meta(NamedArea.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class District(NamedArea):
    """One second-level unit: a district (audan) or a city of regional significance."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("district")
        CITY = "city", _("city")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="districts", verbose_name=_("region"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DISTRICT)
    # Where the district sits on its region's schematic tile map (column, row from the top left);
    # empty until set, when regions.boundaries places it from regions/tile_maps/<region KATO>.json or a grid.
    map_col = models.PositiveSmallIntegerField(_("tile map column"), null=True, blank=True)
    map_row = models.PositiveSmallIntegerField(_("tile map row"), null=True, blank=True)
    # A GeoJSON geometry (Polygon or MultiPolygon, longitude/latitude), set by `manage.py import_boundaries`.
    boundary = models.JSONField(_("boundary"), null=True, blank=True)

    class Meta(NamedArea.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class PopulationBaselineQuerySet(models.QuerySet):
    def current(self):
        """Only the version in force for each district and campaign (latest as_of, then latest entered)."""
        newest = PopulationBaseline.objects.filter(
            district=models.OuterRef("district"), campaign=models.OuterRef("campaign")
        ).order_by("-as_of", "-id")
        return self.filter(id=models.Subquery(newest.values("id")[:1]))

    def latest_for(self, *, district, campaign):
        return self.filter(district=district, campaign=campaign).order_by("-as_of", "-id").first()


class PopulationBaseline(models.Model):
    """One version of a district's registered population for a campaign, as of a date.

    Baselines are never edited in place: a change adds a row, and the one in force
    is the latest by `as_of` (then by entry). Earlier rows stay as the history.
    """

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="baselines", verbose_name=_("district"))
    campaign = models.ForeignKey(
        "census.Campaign", on_delete=models.PROTECT, related_name="baselines", verbose_name=_("campaign")
    )
    population = models.PositiveIntegerField(_("population"))
    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )

    objects = PopulationBaselineQuerySet.as_manager()

    class Meta:
        verbose_name = _("population baseline")
        verbose_name_plural = _("population baselines")
        ordering = ["district__kato", "-as_of", "-id"]
        indexes = [models.Index(fields=["district", "campaign", "-as_of", "-id"])]
        constraints = [models.CheckConstraint(condition=models.Q(population__gt=0), name="baseline_population_positive")]

    def __str__(self):
        return f"{self.district} {self.population} ({self.as_of})"

    @property
    def source_text(self) -> str:
        """The source note in the reader's language.

        Notes the application writes itself (an import's, the demo's) are stored as their English text, which is
        a message of the catalogs, and translated here; a note someone typed is shown as they typed it.
        """
        return gettext(self.source) if self.source else ""
