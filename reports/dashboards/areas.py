"""What one area shows on a page: its figures of one day as texts, sort keys, sparkline and colours."""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from census.formatting import format_date, format_number, format_percent, format_rate, format_whole_percent
from census.models import DistrictStatus
from regions.models import COUNTRY_KATO, country_name, name_sort_key
from reports import charts, coverage, maps
from reports.models import CoverageSnapshot

LEADERS = 3
FLAG_LABELS = {
    coverage.OVER_100: gettext_lazy("over the baseline"),
    coverage.JUMP: gettext_lazy("jump"),
    coverage.FELL: gettext_lazy("total fell"),
    coverage.SILENT: gettext_lazy("no report"),
}
FLAG_HELP = {
    coverage.OVER_100: gettext_lazy("More people counted than the baseline: check for double counting or an outdated baseline."),
    coverage.JUMP: gettext_lazy("A day's count is far above the previous week's: check for a typing error or a pasted total."),
    coverage.FELL: gettext_lazy("A correction lowered figures recorded earlier."),
    coverage.SILENT: gettext_lazy("No count was reported for this day while a phase was open."),
}
STATUS_ORDER = {"": 0, "in_progress": 1, "nearly_complete": 2, "completed_early": 3, "completed": 4}
OUTLOOK_ORDER = {"": 0, "off_track": 1, "at_risk": 2, "ended": 3, "on_track": 4, "done": 5, "completed": 6}
# Verdicts that ask someone to act (listed "at risk or off track"); "completed" and "ended" are neutral.
ACTION_OUTLOOKS = (coverage.AT_RISK, coverage.OFF_TRACK)


def page_url(name: str, kato: str | None, as_of: datetime.date | None) -> str:
    url = reverse(name, args=[kato] if kato else [])
    return f"{url}?as_of={as_of.isoformat()}" if as_of else url


class FigureText:
    """An Area attribute that reads one figure of its snapshot as text, formatted when read (so in the active language)."""

    def __init__(self, field: str, formatter):
        self.field = field
        self.formatter = formatter

    def __get__(self, area, owner=None):
        if area is None:
            return self
        return self.formatter(getattr(area.snapshot, self.field) if area.snapshot else None)


class Area:
    """One area's figures at the end of one day (a CoverageSnapshot row), with texts in the active language.

    Names, texts and links are computed when a template reads them, so one
    Area renders correctly in each language it is rendered in.
    """

    def __init__(self, snapshot: CoverageSnapshot | None, *, place=None, link=None, as_of=None, series=None, previous=None):
        self.snapshot = snapshot
        self.previous = previous  # the snapshot of the day before, for the change since then (None: not known)
        self.place = place  # the Region or District (None: the country)
        self.link = link  # URL name of its page, if it has one
        self.as_of = as_of
        self.series = series or []  # coverage % per day up to as_of, for the sparkline

    @property
    def kato(self) -> str:
        return self.place.kato if self.place is not None else COUNTRY_KATO

    @property
    def name(self) -> str:
        return self.place.name if self.place is not None else country_name()

    @property
    def name_lang(self) -> str:
        return self.place.name_lang if self.place is not None else (get_language() or "ru")[:2]

    @property
    def short_name(self) -> str:
        return maps.short_name(self.name)

    @property
    def url(self) -> str:
        return page_url(self.link, self.kato, self.as_of) if self.link else ""

    @property
    def has_figures(self) -> bool:
        return self.snapshot is not None

    # The snapshot's figures as text in the active language (a dash where there is no snapshot or no figure).
    date_text = FigureText("date", format_date)
    baseline_text = FigureText("baseline", format_number)
    total_text = FigureText("total", format_number)
    online_text = FigureText("online", format_number)
    offline_text = FigureText("offline", format_number)
    online_day_text = FigureText("online_day", format_number)
    offline_day_text = FigureText("offline_day", format_number)
    coverage_text = FigureText("coverage_pct", format_percent)
    online_pct_text = FigureText("online_pct", format_percent)
    offline_pct_text = FigureText("offline_pct", format_percent)
    daily_rate_text = FigureText("daily_rate", format_rate)
    needed_rate_text = FigureText("needed_daily_rate", format_rate)
    projected_text = FigureText("projected_on", format_date)

    @property
    def status_text(self) -> str:
        status = self.snapshot.status if self.snapshot else ""
        return DistrictStatus.Status(status).label if status in DistrictStatus.Status.values else "—"

    @property
    def outlook(self) -> str:
        return self.snapshot.outlook if self.snapshot else ""

    @property
    def outlook_text(self) -> str:
        if self.under_review:
            # More people than the baseline is a question, not a success: never "reached 100%" until checked.
            return _("over 100%: check")
        outlook = self.outlook
        return CoverageSnapshot.Outlook(outlook).label if outlook in CoverageSnapshot.Outlook.values else "—"

    @property
    def outlook_class(self) -> str:
        """The CSS name of the verdict: "review" (amber) for an area over its baseline under review."""
        return "review" if self.under_review else (self.outlook or "none")

    @property
    def flags(self) -> list[str]:
        return list(self.snapshot.flags) if self.snapshot else []

    @property
    def under_review(self) -> bool:
        """Over its own baseline and flagged for it: shown amber with a "check" mark, never as a success."""
        return coverage.OVER_100 in self.flags

    @property
    def needs_action(self) -> bool:
        return self.outlook in ACTION_OUTLOOKS

    @property
    def not_counted_text(self) -> str:
        """People of the baseline not counted (the outcome once the deadline has passed)."""
        if self.snapshot is None or not self.snapshot.baseline:
            return "—"
        return format_number(max(self.snapshot.baseline - self.snapshot.total, 0))

    # The change since the day before, beside each headline figure ("" when the day before is not known).
    def _change(self, value) -> str:
        if value is None:
            return ""
        sign = "+" if value > 0 else "−" if value < 0 else "±"
        return sign + format_number(abs(value))

    @property
    def _of_the_day(self) -> bool:
        # An area whose counting ended earlier shows its last row: its day's counts are not "since the day before".
        return self.snapshot is not None and (self.as_of is None or self.snapshot.date == self.as_of)

    @property
    def online_change_text(self) -> str:
        return self._change(self.snapshot.online_day) if self._of_the_day else ""

    @property
    def offline_change_text(self) -> str:
        return self._change(self.snapshot.offline_day) if self._of_the_day else ""

    @property
    def coverage_change_text(self) -> str:
        """Percentage points since the day before, e.g. "+0.4"; "" without the day before's coverage."""
        before = self.previous.coverage_pct if self.previous is not None else None
        now = self.snapshot.coverage_pct if self.snapshot is not None else None
        if before is None or now is None:
            return ""
        change = now - before
        sign = "+" if change > 0 else "−" if change < 0 else "±"
        return sign + number_format(abs(change), decimal_pos=1)

    @property
    def flag_items(self) -> list[tuple[str, str, str]]:
        """(code, label, explanation) of each flag."""
        return [(f, FLAG_LABELS.get(f, f), FLAG_HELP.get(f, "")) for f in self.flags]

    # Sort keys for the table (the page sorts by them without another request).
    @property
    def sort_name(self) -> str:
        return name_sort_key(self.name)

    @property
    def sort_coverage(self):
        return _sort_number(self.snapshot.coverage_pct if self.snapshot else None)

    @property
    def sort_online(self):
        return _sort_number(self.snapshot.online_pct if self.snapshot else None)

    @property
    def sort_offline(self):
        return _sort_number(self.snapshot.offline_pct if self.snapshot else None)

    @property
    def sort_status(self):
        return STATUS_ORDER.get(self.snapshot.status if self.snapshot else "", 0)

    @property
    def sort_flags(self):
        return len(self.flags)

    @property
    def sort_outlook(self):
        return OUTLOOK_ORDER.get(self.outlook, 0)

    @cached_property
    def sparkline(self):
        if not self.series:
            return ""
        return charts.sparkline(self.series, title=_("Coverage of %(area)s over time") % {"area": self.name})

    @property
    def progress(self):
        return charts.progress_bar(
            float(self.snapshot.coverage_pct) if self.snapshot and self.snapshot.coverage_pct is not None else None,
            title=f"{self.name}: {self.coverage_text}",
        )

    @property
    def colours(self) -> tuple[str, str]:
        if self.under_review:
            return maps.REVIEW
        return maps.coverage_colours(self.snapshot.coverage_pct if self.snapshot else None)


def _sort_number(value) -> str:
    return "-1" if value is None else str(value)


def ranked(areas: list[Area]) -> list[Area]:
    """Highest coverage first; areas without a baseline last."""
    return sorted(
        areas,
        key=lambda a: (
            a.snapshot is None or a.snapshot.coverage_pct is None,
            -(a.snapshot.coverage_pct or 0) if a.snapshot else 0,
            a.kato,
        ),
    )


def flag_groups(areas: list[Area]) -> list[dict]:
    """The flagged areas grouped by flag, in FLAG_ORDER: one line per kind of problem, naming every area that has it."""
    groups = []
    for code in coverage.FLAG_ORDER:
        having = [a for a in areas if code in a.flags]
        if having:
            groups.append({"code": code, "label": FLAG_LABELS[code], "help": FLAG_HELP[code], "areas": having})
    return groups


def leaders_and_laggards(areas: list[Area]) -> tuple[list[Area], list[Area]]:
    """The three highest and the three lowest by coverage (no area in both)."""
    with_figures = [a for a in ranked(areas) if a.snapshot is not None and a.snapshot.coverage_pct is not None]
    leaders = with_figures[:LEADERS]
    laggards = list(reversed(with_figures[LEADERS:]))[:LEADERS]
    return leaders, laggards


def lowest_coverage(areas: list[Area]) -> list[Area]:
    """The three lowest by coverage, lowest first, whatever the leaders are.

    What needs action lists them on their own: with three areas or fewer every one is a leader, so the
    laggards above are empty, yet the lowest (the only region reporting, at risk) is what an official must see.
    """
    with_figures = [a for a in ranked(areas) if a.snapshot is not None and a.snapshot.coverage_pct is not None]
    return list(reversed(with_figures))[:LEADERS]


@dataclass
class PublicArea:
    """An area on the public page: only figures validated by status (see is_published), summed, never averaged."""

    place: object
    link: str | None
    as_of: datetime.date
    published: int = 0
    of: int = 0
    total: int = 0
    baseline: int = 0
    children: list = field(default_factory=list)
    # The scale of this area's bar, set by the list it is in (scale_bars): all lists of 98-100% figures need a zoom.
    bar_low: int = 0
    bar_high: int = 110

    @property
    def name(self) -> str:
        return self.place.name if self.place is not None else country_name()

    def scale_bars(self) -> None:
        """Give every child's bar the scale of the list (coverage.bar_range of the published figures)."""
        low, high = coverage.bar_range(child.coverage for child in self.children)
        for child in self.children:
            child.bar_low, child.bar_high = low, high

    @property
    def bars_from_text(self) -> str:
        """A note under a list whose bars do not start at 0, else empty."""
        low = self.children[0].bar_low if self.children else 0
        return _("Bars start at %(low)s.") % {"low": format_whole_percent(low)} if low else ""

    @property
    def name_lang(self) -> str:
        return self.place.name_lang if self.place is not None else (get_language() or "ru")[:2]

    @property
    def kato(self):
        return self.place.kato if self.place is not None else COUNTRY_KATO

    @property
    def url(self) -> str:
        return page_url(self.link, self.kato, self.as_of) if self.link else ""

    @property
    def coverage(self):
        return coverage.percent(self.total, self.baseline) if self.published else None

    @property
    def coverage_text(self):
        return format_percent(self.coverage)

    @property
    def total_text(self):
        return format_number(self.total) if self.published else "—"

    @property
    def baseline_text(self):
        return format_number(self.baseline) if self.published else "—"

    @property
    def complete(self) -> bool:
        return self.published == self.of

    @property
    def published_text(self) -> str:
        # "Of N" decides the plural: "1 of 1 district", Russian "из 21 района" but "из 3 районов".
        return ngettext("%(published)s of %(of)s district", "%(published)s of %(of)s districts", self.of) % {
            "published": format_number(self.published),
            "of": format_number(self.of),
        }

    @property
    def progress(self):
        value = self.coverage
        return charts.progress_bar(
            float(value) if value is not None else None,
            title=f"{self.name}: {self.coverage_text}",
            low=self.bar_low,
            high=self.bar_high,
        )

    def add(self, other: "PublicArea") -> None:
        self.published += other.published
        self.of += other.of
        self.total += other.total
        self.baseline += other.baseline
