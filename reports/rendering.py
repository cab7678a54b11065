"""Dashboards rendered from coverage snapshots into stored pages (RenderedDashboard), in each language.

What a page shows is built here from CoverageSnapshot rows (never from raw
counts); render_dashboard() turns it into HTML (and, for a region, the PDF
report) and stores it. The job after every recompute renders the affected
pages as of their latest day; the web serves a stored page and renders it on
demand, once, when it is missing or older than the snapshot it was built from.

Stored pages are shared by everyone allowed to see them, so they hold nothing
that depends on the reader (their name, their role's extras, a CSP nonce):
no inline script or style, data for scripts in data-* attributes.
"""

import datetime
import hashlib
import json
import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max, Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from census.calendar import CampaignCalendar
from census.models import Campaign, DistrictStatus
from regions.models import COUNTRY_KATO, District, PopulationBaseline, Region
from reports import charts, coverage, maps
from reports.models import CoverageSnapshot, RenderedDashboard

log = logging.getLogger(__name__)

Kind = RenderedDashboard.Kind
Level = CoverageSnapshot.Level
LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Russian and Kazakh put a (non-breaking) space before the percent sign: "72,4 %"; English does not: "72.4%".
SPACE_BEFORE_PERCENT = {"ru", "kk"}
LEADERS = 3
RENDER_LOCK_SECONDS = 120
# What a stored page's look depends on besides the figures: its templates, this code and the translations.
DESIGN_SOURCES = ["templates/reports/**/*.html", "reports/rendering.py", "reports/charts.py", "reports/maps.py",
                  "locale/*/LC_MESSAGES/django.po"]  # fmt: skip


@lru_cache(maxsize=1)
def design() -> str:
    """A short fingerprint of DESIGN_SOURCES: pages rendered with another one are re-rendered."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for pattern in DESIGN_SOURCES:
        for path in sorted(base.glob(pattern)):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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
OUTLOOK_ORDER = {"": 0, "off_track": 1, "at_risk": 2, "on_track": 3, "done": 4}

# "Validated by status" (what the public page and the widget may show): see is_published().
REVIEW_FLAGS = {coverage.OVER_100, coverage.JUMP, coverage.FELL}
CLOSING_STATUSES = {DistrictStatus.Status.COMPLETED, DistrictStatus.Status.COMPLETED_EARLY}


# --- Numbers and dates in the reader's format ------------------------------------------------------


def format_number(value) -> str:
    if value is None:
        return "—"
    return formats.number_format(value, force_grouping=True)


def format_percent(value) -> str:
    """72.4 -> "72,4 %" (ru, kk) or "72.4%" (en); None -> a dash (no baseline)."""
    if value is None:
        return "—"
    text = formats.number_format(Decimal(value), decimal_pos=1, force_grouping=True)
    return f"{text}\xa0%" if (get_language() or "")[:2] in SPACE_BEFORE_PERCENT else f"{text}%"


def format_whole_percent(value) -> str:
    """An axis tick or a legend bound: a whole percentage ("100 %" / "100%")."""
    text = formats.number_format(int(value), force_grouping=True)
    return f"{text}\xa0%" if (get_language() or "")[:2] in SPACE_BEFORE_PERCENT else f"{text}%"


def format_rate(value) -> str:
    """People a day, as a whole number (the stored rate has one decimal)."""
    if value is None:
        return "—"
    return format_number(int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def format_date(value, style: str = "SHORT_DATE_FORMAT") -> str:
    if not value:
        return "—"
    text = formats.date_format(value, style)
    # Django's Kazakh month names are capitalised ("27 Қазан 2021 ж."); inside a date Kazakh writes them in lower case.
    return text.lower() if style == "DATE_FORMAT" and (get_language() or "")[:2] == "kk" else text


def format_datetime(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else "—"


def day_label(value: datetime.date) -> str:
    """A short day label for chart axes: the short date without the year ("27.10", "10/27")."""
    pattern = formats.get_format("SHORT_DATE_FORMAT")
    for year in ("/Y", ".Y", "-Y", "Y/", "Y.", "Y-", "Y"):
        pattern = pattern.replace(year, "")
    return formats.date_format(value, pattern)


# --- What one area shows ------------------------------------------------------------------------


def _page_url(name: str, kato: str | None, as_of: datetime.date | None) -> str:
    url = reverse(name, args=[kato] if kato else [])
    return f"{url}?as_of={as_of.isoformat()}" if as_of else url


class Area:
    """One area's figures at the end of one day (a CoverageSnapshot row), with texts in the active language.

    Names, texts and links are computed when a template reads them, so one
    Area renders correctly in each language it is rendered in.
    """

    def __init__(self, snapshot: CoverageSnapshot | None, *, place=None, link=None, as_of=None, series=None):
        self.s = snapshot
        self.place = place  # the Region or District (None: the country)
        self.link = link  # URL name of its page, if it has one
        self.as_of = as_of
        self.series = series or []  # coverage % per day up to as_of, for the sparkline

    @property
    def kato(self) -> str:
        return self.place.kato if self.place is not None else COUNTRY_KATO

    @property
    def name(self) -> str:
        return self.place.name if self.place is not None else _("Kazakhstan")

    @property
    def short_name(self) -> str:
        return maps.short_name(self.name)

    @property
    def url(self) -> str:
        return _page_url(self.link, self.kato, self.as_of) if self.link else ""

    @property
    def has_figures(self) -> bool:
        return self.s is not None

    @property
    def date_text(self):
        return format_date(self.s.date if self.s else None)

    @property
    def baseline_text(self):
        return format_number(self.s.baseline if self.s else None)

    @property
    def total_text(self):
        return format_number(self.s.total if self.s else None)

    @property
    def online_text(self):
        return format_number(self.s.online if self.s else None)

    @property
    def offline_text(self):
        return format_number(self.s.offline if self.s else None)

    @property
    def online_day_text(self):
        return format_number(self.s.online_day if self.s else None)

    @property
    def offline_day_text(self):
        return format_number(self.s.offline_day if self.s else None)

    @property
    def coverage_text(self):
        return format_percent(self.s.coverage_pct if self.s else None)

    @property
    def online_pct_text(self):
        return format_percent(self.s.online_pct if self.s else None)

    @property
    def offline_pct_text(self):
        return format_percent(self.s.offline_pct if self.s else None)

    @property
    def online_share_text(self):
        return format_percent(self.s.online_share_pct if self.s else None)

    @property
    def offline_share_text(self):
        share = self.s.online_share_pct if self.s else None
        return format_percent(None if share is None else Decimal(100) - share)

    @property
    def daily_rate_text(self):
        return format_rate(self.s.daily_rate if self.s else None)

    @property
    def needed_rate_text(self):
        return format_rate(self.s.needed_daily_rate if self.s else None)

    @property
    def projected_text(self):
        return format_date(self.s.projected_on if self.s else None)

    @property
    def status_text(self) -> str:
        status = self.s.status if self.s else ""
        return DistrictStatus.Status(status).label if status in DistrictStatus.Status.values else "—"

    @property
    def outlook(self) -> str:
        return self.s.outlook if self.s else ""

    @property
    def outlook_text(self) -> str:
        outlook = self.outlook
        return CoverageSnapshot.Outlook(outlook).label if outlook in CoverageSnapshot.Outlook.values else "—"

    @property
    def flags(self) -> list[str]:
        return list(self.s.flags) if self.s else []

    @property
    def flag_items(self) -> list[tuple[str, str, str]]:
        """(code, label, explanation) of each flag."""
        return [(f, FLAG_LABELS.get(f, f), FLAG_HELP.get(f, "")) for f in self.flags]

    # Sort keys for the table (the page sorts by them without another request).
    @property
    def sort_coverage(self):
        return _sort_number(self.s.coverage_pct if self.s else None)

    @property
    def sort_online(self):
        return _sort_number(self.s.online_pct if self.s else None)

    @property
    def sort_offline(self):
        return _sort_number(self.s.offline_pct if self.s else None)

    @property
    def sort_status(self):
        return STATUS_ORDER.get(self.s.status if self.s else "", 0)

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
            float(self.s.coverage_pct) if self.s and self.s.coverage_pct is not None else None,
            title=f"{self.name}: {self.coverage_text}",
        )

    @property
    def colours(self) -> tuple[str, str]:
        return maps.coverage_colours(self.s.coverage_pct if self.s else None)


def _sort_number(value) -> str:
    return "-1" if value is None else str(value)


def ranked(areas: list[Area]) -> list[Area]:
    """Highest coverage first; areas without a baseline last."""
    return sorted(areas, key=lambda a: (a.s is None or a.s.coverage_pct is None, -(a.s.coverage_pct or 0) if a.s else 0, a.kato))


def leaders_and_laggards(areas: list[Area]) -> tuple[list[Area], list[Area]]:
    """The three highest and the three lowest by coverage (no area in both)."""
    with_figures = [a for a in ranked(areas) if a.s is not None and a.s.coverage_pct is not None]
    leaders = with_figures[:LEADERS]
    laggards = list(reversed(with_figures[LEADERS:]))[:LEADERS]
    return leaders, laggards


def is_published(status: str, flags) -> bool:
    """Whether a district's figures of one day may be shown to the public: "validated by status".

    A district's figures are public once an official has given the district a
    status (any decision in force that day: in progress, nearly complete,
    completed early, completed). On a day they carry a review flag (over 100%,
    a jump, a falling total) they are withheld while the district is still
    open; an official closing the district (completed, completed early) accepts
    its figures as they stand, flags included. "No report" withholds nothing:
    the figures are then the last ones reported.
    """
    if not status:
        return False
    if status in CLOSING_STATUSES:
        return True
    return not (set(flags) & REVIEW_FLAGS)


# --- Phases and the timeline ----------------------------------------------------------------------


@dataclass
class PhaseState:
    """A phase as of a day: its dates (with extensions) and how many days it has left."""

    phase: object
    end: datetime.date
    as_of: datetime.date

    @property
    def name(self) -> str:
        return self.phase.get_kind_display()

    @property
    def extended(self) -> bool:
        return self.end != self.phase.ends_on

    @property
    def dates_text(self) -> str:
        return f"{format_date(self.phase.starts_on)} – {format_date(self.end)}"

    @property
    def planned_end_text(self) -> str:
        return format_date(self.phase.ends_on)

    @property
    def state(self) -> str:
        if self.as_of < self.phase.starts_on:
            return "upcoming"
        return "open" if self.as_of <= self.end else "closed"

    @property
    def days_left(self) -> int:
        return max((self.end - self.as_of).days, 0)

    @property
    def days_text(self) -> str:
        if self.state == "upcoming":
            days = (self.phase.starts_on - self.as_of).days
            return ngettext("starts in %(days)s day", "starts in %(days)s days", days) % {"days": format_number(days)}
        if self.state == "closed":
            return _("closed")
        if self.days_left == 0:
            return _("last day")
        return ngettext("%(days)s day left", "%(days)s days left", self.days_left) % {"days": format_number(self.days_left)}


def _phases(campaign, region, as_of, regions=None) -> list[PhaseState]:
    """Each phase's state as of the day; for the country (region None), the latest end in any region."""
    states = []
    for phase in campaign.phases.prefetch_related("extensions").order_by("starts_on"):
        end = max(phase.effective_end(r) for r in regions) if region is None and regions else phase.effective_end(region)
        states.append(PhaseState(phase=phase, end=end, as_of=as_of))
    return states


@dataclass
class Timeline:
    """The days a chart spans: from the campaign's first day to the later of "as of" and the last phase end."""

    days: list[datetime.date]
    as_of: datetime.date
    phases: list[PhaseState] = field(default_factory=list)

    @classmethod
    def build(cls, calendar: CampaignCalendar, as_of, phases):
        last = max([as_of, *(p.end for p in phases)])
        days = list(coverage.days_between(calendar.start, last))
        return cls(days=days, as_of=as_of, phases=phases)

    def index(self, day) -> int:
        return (day - self.days[0]).days

    def align(self, rows: list, attribute: str) -> list[float | None]:
        """Values of `attribute` placed on the timeline; None for days without a row (after "as of")."""
        by_day = {r.date: getattr(r, attribute) for r in rows}
        return [None if by_day.get(d) is None else float(by_day[d]) for d in self.days]

    def markers(self) -> list[charts.Marker]:
        marks = []
        for state in self.phases:
            channel = _("online") if state.phase.kind == "online" else _("door-to-door")
            marks.append(charts.Marker(self.index(state.phase.starts_on), _("%(channel)s opens") % {"channel": channel}))
            marks.append(charts.Marker(self.index(state.end), _("%(channel)s closes") % {"channel": channel}))
        marks.append(charts.Marker(self.index(self.as_of), _("as of"), color=charts.INK))
        return marks

    @property
    def labels(self) -> list[str]:
        return [day_label(d) for d in self.days]


def coverage_chart(series_rows: list, timeline: Timeline, *, title: str, label_id: str) -> dict:
    """The cumulative coverage chart (total, online, door-to-door) as SVG plus the data a script needs to redraw it."""
    lines = [
        charts.Series(_("coverage"), timeline.align(series_rows, "coverage_pct"), charts.TOTAL, width=2.5),
        charts.Series(_("online"), timeline.align(series_rows, "online_pct"), charts.ONLINE),
        charts.Series(_("door-to-door"), timeline.align(series_rows, "offline_pct"), charts.OFFLINE),
    ]
    axis = charts.percent_axis([v for line in lines for v in line.values], format_whole_percent)
    markers = timeline.markers()
    target_label = _("baseline (%(percent)s)") % {"percent": format_whole_percent(100)}
    svg = charts.line_chart(
        title=title,
        labels=timeline.labels,
        series=lines,
        axis=axis,
        markers=markers,
        target=(100.0, target_label),
        label_id=label_id,
    )
    data = {
        "type": "line",
        "labels": timeline.labels,
        "series": [
            {
                "name": line.name,
                "values": line.values,
                "texts": [format_percent(v) if v is not None else None for v in line.values],
                "color": line.color,
                "width": line.width,
            }
            for line in lines
        ],
        "target": {"value": 100, "label": target_label},
        "markers": [{"index": m.index, "label": m.label} for m in markers if 0 <= m.index < len(timeline.days)],
        "yMax": axis.high,
        "ticks": [[value, label] for value, label in axis.ticks],
        "title": title,
    }
    return {"svg": svg, "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")), "title": title, "id": label_id}


def daily_chart(rows: list, timeline: Timeline, *, title: str, label_id: str) -> dict:
    """The day's counts per channel as stacked bars (district page)."""
    bars = [
        charts.Series(_("online"), timeline.align(rows, "online_day"), charts.ONLINE),
        charts.Series(_("door-to-door"), timeline.align(rows, "offline_day"), charts.OFFLINE),
    ]
    totals = [(a or 0) + (b or 0) for a, b in zip(bars[0].values, bars[1].values, strict=True)]
    axis = charts.count_axis(totals, lambda v: format_number(int(v)))
    svg = charts.bar_chart(title=title, labels=timeline.labels, series=bars, axis=axis, label_id=label_id)
    data = {
        "type": "bar",
        "labels": timeline.labels,
        "series": [
            {
                "name": bar.name,
                "values": bar.values,
                "texts": [format_number(int(v)) if v is not None else None for v in bar.values],
                "color": bar.color,
            }
            for bar in bars
        ],
        "yMax": axis.high,
        "ticks": [[value, label] for value, label in axis.ticks],
        "title": title,
    }
    return {"svg": svg, "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")), "title": title, "id": label_id}


# --- Page contexts --------------------------------------------------------------------------------


def _snapshots(campaign):
    return CoverageSnapshot.objects.filter(campaign=campaign)


def _series_by_area(queryset, key: str) -> dict:
    """{area id: [coverage % per day]} from a queryset of snapshots, in date order."""
    series: dict = {}
    for area_id, pct in queryset.order_by("date").values_list(key, "coverage_pct"):
        series.setdefault(area_id, []).append(None if pct is None else float(pct))
    return series


def _date_nav(page: str, kato: str | None, as_of, first, last) -> dict:
    previous_day = as_of - datetime.timedelta(days=1)
    next_day = as_of + datetime.timedelta(days=1)
    return {
        "action": reverse(page, args=[kato] if kato else []),
        "value": as_of.isoformat(),
        "min": first.isoformat() if first else "",
        "max": last.isoformat() if last else "",
        "previous": _page_url(page, kato, previous_day) if first and previous_day >= first else "",
        "next": _page_url(page, kato, next_day) if last and next_day <= last else "",
        "latest": reverse(page, args=[kato] if kato else []) if last and as_of != last else "",
    }


def _date_range(campaign, kato) -> tuple[datetime.date | None, datetime.date | None]:
    bounds = _snapshots(campaign).filter(kato=kato).aggregate(first=Min("date"), last=Max("date"))
    return bounds["first"], bounds["last"]


def _tiles(region: Region, districts: list[District], areas: dict[int, Area]) -> tuple[str, str]:
    """The tile map SVG and, when boundaries were imported, the Leaflet GeoJSON and the boundary SVG."""
    positions = maps.tile_positions(region, districts)
    tiles = []
    shapes = []
    for district in districts:
        area = areas[district.pk]
        col, row = positions[district.pk]
        tile = maps.Tile(
            kato=district.kato,
            name=district.name,
            label=maps.short_name(district.name),
            url=area.url,
            coverage=float(area.s.coverage_pct) if area.s and area.s.coverage_pct is not None else None,
            coverage_text=area.coverage_text,
            col=col,
            row=row,
        )
        tiles.append(tile)
        if district.boundary:
            shapes.append(maps.Shape(tile=tile, geometry=district.boundary))
    title = _("Coverage by district, %(region)s") % {"region": region.name}
    return {
        "tiles": maps.tile_map_svg(tiles, title=title),
        "boundaries": maps.boundary_svg(shapes, title=title) if shapes else "",
        "geojson": maps.leaflet_geojson(shapes) if shapes else "",
        "legend": maps.legend_buckets(format_whole_percent),
        "title": title,
    }


def region_context(campaign, region: Region, as_of: datetime.date) -> dict:
    calendar = CampaignCalendar.load(campaign)
    snapshots = _snapshots(campaign)
    series_rows = list(snapshots.filter(kato=region.kato, date__lte=as_of).order_by("date"))
    current = series_rows[-1] if series_rows else None
    districts = list(region.districts.all())
    day_rows = {s.district_id: s for s in snapshots.filter(region=region, level=Level.DISTRICT, date=as_of)}
    sparks = _series_by_area(snapshots.filter(region=region, level=Level.DISTRICT, date__lte=as_of), "district_id")
    areas = {
        d.pk: Area(day_rows.get(d.pk), place=d, link="dashboard_district", as_of=as_of, series=sparks.get(d.pk))
        for d in districts
    }
    rows = ranked(list(areas.values()))
    leaders, laggards = leaders_and_laggards(rows)
    phases = _phases(campaign, region, as_of)
    timeline = Timeline.build(calendar, as_of, phases)
    first, last = _date_range(campaign, region.kato)
    area = Area(current, place=region, as_of=as_of)
    return {
        "kind": Kind.REGION,
        "campaign": campaign,
        "area": area,
        "region": region,
        "as_of": as_of,
        "rows": rows,
        "leaders": leaders,
        "laggards": laggards,
        "flagged": [a for a in rows if a.flags],
        "at_risk": [a for a in rows if a.outlook in ("at_risk", "off_track")],
        "phases": phases,
        "deadline": calendar.deadline(region),
        "chart": coverage_chart(
            series_rows, timeline, title=_("Cumulative coverage, %(area)s") % {"area": region.name}, label_id="chart-coverage"
        ),
        "table_rows": [Area(r) for r in series_rows],
        "split": _split(area),
        "map": _tiles(region, districts, areas),
        "date_nav": _date_nav("dashboard_region", region.kato, as_of, first, last),
        "pdf_url": _page_url("dashboard_region_pdf", region.kato, as_of),
    }


def _split(area: Area):
    """The online / door-to-door split of everyone counted, as a bar with its figures."""
    if area.s is None or not area.s.total:
        return None
    online_share = float(area.s.online_share_pct or 0)
    return {
        "bar": charts.split_bar(
            [
                (_("online"), online_share, charts.ONLINE, area.online_share_text),
                (_("door-to-door"), 100 - online_share, charts.OFFLINE, area.offline_share_text),
            ],
            title=_("Online and door-to-door shares of everyone counted"),
        ),
        "online": area.online_text,
        "offline": area.offline_text,
        "online_share": area.online_share_text,
        "offline_share": area.offline_share_text,
    }


def _briefing(campaign, kind, kato, as_of, language) -> str:
    """The generated press briefing on the region (or the country) as of the day, in the language; "" if unavailable."""
    if kind not in (Kind.REGION, Kind.NATIONAL):
        return ""
    try:
        from reports.briefing import briefing_text
    except ImportError:
        return ""
    region = Region.objects.filter(kato=kato).first() if kind == Kind.REGION else None
    try:
        return briefing_text(region=region, as_of=as_of, language=language, campaign=campaign)
    except Exception:
        # The briefing is an extra on the page: a failure there must not cost the dashboard itself.
        log.warning("briefing text failed for %s as of %s", kato, as_of, exc_info=True)
        return ""


def district_context(campaign, district: District, as_of: datetime.date) -> dict:
    region = district.region
    calendar = CampaignCalendar.load(campaign)
    rows = list(_snapshots(campaign).filter(kato=district.kato, date__lte=as_of).order_by("date"))
    current = rows[-1] if rows else None
    phases = _phases(campaign, region, as_of)
    timeline = Timeline.build(calendar, as_of, phases)
    first, last = _date_range(campaign, district.kato)
    baselines = list(
        PopulationBaseline.objects.filter(campaign=campaign, district=district, as_of__lte=as_of).order_by("-as_of", "-id")
    )
    statuses = list(DistrictStatus.objects.filter(campaign=campaign, district=district, date__lte=as_of).order_by("-date", "-id"))
    return {
        "kind": Kind.DISTRICT,
        "campaign": campaign,
        "area": Area(current, place=district, as_of=as_of),
        "district": district,
        "region_area": Area(None, place=region, link="dashboard_region", as_of=as_of),
        "as_of": as_of,
        "phases": phases,
        "deadline": calendar.deadline(region),
        "chart": coverage_chart(
            rows, timeline, title=_("Cumulative coverage, %(area)s") % {"area": district.name}, label_id="chart-coverage"
        ),
        "daily": daily_chart(
            rows, timeline, title=_("Counted each day, %(area)s") % {"area": district.name}, label_id="chart-daily"
        ),
        "table_rows": [Area(r) for r in rows],
        "table_rows_desc": [Area(r) for r in reversed(rows)],
        "baselines": [
            {
                "population": format_number(b.population),
                "as_of": format_date(b.as_of),
                "source": b.source,
                "in_force": i == 0,
            }
            for i, b in enumerate(baselines)
        ],
        "statuses": [
            {"status": s.get_status_display(), "date": format_date(s.date), "note": s.note, "in_force": i == 0}
            for i, s in enumerate(statuses)
        ],
        "date_nav": _date_nav("dashboard_district", district.kato, as_of, first, last),
    }


def _latest_rows(queryset, key: str, as_of) -> dict:
    """{area id: its row on as_of, or on its last day before it} (an area whose counting ended earlier keeps its final row)."""
    last_days = queryset.filter(date__lte=as_of).order_by().values(key).annotate(last=Max("date"))
    wanted = {(row[key], row["last"]) for row in last_days}
    dates = {last for _key, last in wanted}
    rows = {}
    for row in queryset.filter(date__in=dates):
        if (getattr(row, key), row.date) in wanted:
            rows[getattr(row, key)] = row
    return rows


def national_context(campaign, as_of: datetime.date) -> dict:
    calendar = CampaignCalendar.load(campaign)
    snapshots = _snapshots(campaign)
    series_rows = list(snapshots.filter(kato=COUNTRY_KATO, date__lte=as_of).order_by("date"))
    current = series_rows[-1] if series_rows else None
    regions = list(Region.objects.filter(districts__isnull=False).distinct().order_by("kato"))
    region_rows = _latest_rows(snapshots.filter(level=Level.REGION), "region_id", as_of)
    sparks = _series_by_area(snapshots.filter(level=Level.REGION, date__lte=as_of), "region_id")
    rows = ranked(
        [Area(region_rows.get(r.pk), place=r, link="dashboard_region", as_of=as_of, series=sparks.get(r.pk)) for r in regions]
    )
    leaders, laggards = leaders_and_laggards(rows)
    phases = _phases(campaign, None, as_of, regions=regions)
    timeline = Timeline.build(calendar, as_of, phases)
    first, last = _date_range(campaign, COUNTRY_KATO)
    area = Area(current, as_of=as_of)
    return {
        "kind": Kind.NATIONAL,
        "campaign": campaign,
        "area": area,
        "as_of": as_of,
        "rows": rows,
        "leaders": leaders,
        "laggards": laggards,
        "flagged": [a for a in rows if a.flags],
        "at_risk": [a for a in rows if a.outlook in ("at_risk", "off_track")],
        "phases": phases,
        "chart": coverage_chart(
            series_rows, timeline, title=_("Cumulative coverage, %(area)s") % {"area": area.name}, label_id="chart-coverage"
        ),
        "table_rows": [Area(r) for r in series_rows],
        "split": _split(area),
        "date_nav": _date_nav("dashboard_national", None, as_of, first, last),
    }


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

    @property
    def name(self) -> str:
        return self.place.name if self.place is not None else _("Kazakhstan")

    @property
    def kato(self):
        return self.place.kato if self.place is not None else COUNTRY_KATO

    @property
    def url(self) -> str:
        return _page_url(self.link, self.kato, self.as_of) if self.link else ""

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
        return _("%(published)s of %(of)s districts") % {"published": format_number(self.published), "of": format_number(self.of)}

    @property
    def progress(self):
        value = self.coverage
        return charts.progress_bar(float(value) if value is not None else None, title=f"{self.name}: {self.coverage_text}")

    def add(self, other: "PublicArea") -> None:
        self.published += other.published
        self.of += other.of
        self.total += other.total
        self.baseline += other.baseline


def _public_region(campaign, region: Region, as_of, rows: dict, *, link) -> PublicArea:
    """A region's public figures: its published districts, each shown or withheld."""
    area = PublicArea(place=region, link=link, as_of=as_of)
    for district in sorted(region.districts.all(), key=lambda d: d.name.casefold()):
        row = rows.get(district.pk)
        child = PublicArea(place=district, link=None, as_of=as_of, of=1)
        if row is not None and is_published(row.status, row.flags):
            child.published, child.total, child.baseline = 1, row.total, row.baseline
        area.add(child)
        area.children.append(child)
    return area


def public_context(campaign, kato: str, as_of: datetime.date, *, kind=Kind.PUBLIC) -> dict:
    """The public page or the widget: a region with its districts, or the country with its regions."""
    snapshots = _snapshots(campaign)
    district_rows = _latest_rows(snapshots.filter(level=Level.DISTRICT), "district_id", as_of)
    link = "public_region" if kind == Kind.PUBLIC else "widget"
    if kato == COUNTRY_KATO:
        area = PublicArea(place=None, link=None, as_of=as_of)
        for region in Region.objects.filter(districts__isnull=False).distinct().prefetch_related("districts"):
            child = _public_region(campaign, region, as_of, district_rows, link=link)
            area.add(child)
            area.children.append(child)
        area.children.sort(key=lambda a: a.name.casefold())
    else:
        region = Region.objects.prefetch_related("districts").get(kato=kato)
        area = _public_region(campaign, region, as_of, district_rows, link=None)
    first, last = _date_range(campaign, kato)
    page = "public" if kind == Kind.PUBLIC else "widget"
    return {
        "kind": kind,
        "campaign": campaign,
        "area": area,
        "as_of": as_of,
        "is_country": kato == COUNTRY_KATO,
        "date_nav": _date_nav(
            "public_region" if kato != COUNTRY_KATO and kind == Kind.PUBLIC else page,
            None if (kato == COUNTRY_KATO and kind == Kind.PUBLIC) else kato,
            as_of,
            first,
            last,
        ),
        "public_url": reverse("public") if kato == COUNTRY_KATO else reverse("public_region", args=[kato]),
    }


# --- Rendering and storing -----------------------------------------------------------------------

TEMPLATES = {
    Kind.REGION: "reports/fragments/region.html",
    Kind.DISTRICT: "reports/fragments/district.html",
    Kind.NATIONAL: "reports/fragments/national.html",
    Kind.PUBLIC: "reports/fragments/public.html",
    Kind.WIDGET: "reports/fragments/widget.html",
}


def page_context(campaign, kind: str, kato: str, as_of: datetime.date) -> dict:
    if kind == Kind.REGION:
        return region_context(campaign, Region.objects.get(kato=kato), as_of)
    if kind == Kind.DISTRICT:
        return district_context(campaign, District.objects.select_related("region").get(kato=kato), as_of)
    if kind == Kind.NATIONAL:
        return national_context(campaign, as_of)
    return public_context(campaign, kato, as_of, kind=kind)


def source_of(campaign, kato: str, as_of: datetime.date | None = None) -> tuple[datetime.date, datetime.datetime] | None:
    """(day, computed_at) of the snapshot a page of this area is built from: the area's row on as_of, else its last before.

    Every recompute from a day D rewrites the area's rows from D on (roll-ups
    included), so this one row's computed_at says whether anything a page as of
    that day shows has changed since it was rendered.
    """
    rows = _snapshots(campaign).filter(kato=kato)
    if as_of is not None:
        rows = rows.filter(date__lte=as_of)
    return rows.order_by("-date").values_list("date", "computed_at").first()


def render_dashboard(
    *, campaign, kind: str, kato: str, as_of: datetime.date, languages=None, pdf: bool | None = None
) -> list[RenderedDashboard]:
    """Render one page (kind, area, day) in each language and store it; the region dashboard also as PDF.

    Idempotent: the row is upserted on its natural key. A page rendered without
    its PDF keeps the stored PDF only if that was made from the same snapshot.
    """
    source = source_of(campaign, kato, as_of)
    if source is None or source[0] != as_of:
        raise ValueError(f"no coverage snapshot of {kato} on {as_of}")
    computed_at = source[1]
    with_pdf = (kind == Kind.REGION) if pdf is None else (pdf and kind == Kind.REGION)
    stored = []
    for language in languages or LANGUAGES:
        rendered_at = timezone.now()
        with translation.override(language):
            # Built in the language: titles, chart labels and links (with their /kk/, /ru/, /en/ prefix) depend on it.
            context = page_context(campaign, kind, kato, as_of)
            texts = {
                "as_of_long": format_date(as_of, "DATE_FORMAT"),
                "computed_text": format_datetime(computed_at),
                "rendered_text": format_datetime(rendered_at),
                "deadline_text": format_date(context["deadline"]) if context.get("deadline") else "",
                "briefing": _briefing(campaign, kind, kato, as_of, language),
            }
            html = render_to_string(TEMPLATES[kind], {**context, **texts})
            document = None
            if with_pdf:
                from reports.pdf import region_pdf

                document = region_pdf({**context, **texts})
        defaults = {"html": html, "rendered_at": rendered_at, "source_computed_at": computed_at, "design": design()}
        key = {"campaign": campaign, "kind": kind, "kato": kato, "as_of": as_of, "language": language}
        with transaction.atomic():
            previous = (
                # Only this row (of=self), and no ORDER BY over Meta.ordering: that joins census_campaign,
                # and FOR UPDATE would then lock the campaign row that every count write needs too.
                RenderedDashboard.objects.select_for_update(of=("self",))
                .filter(**key)
                .only("id", "source_computed_at", "design")
                .order_by("pk")
                .first()
            )
            if (
                document is not None
                or previous is None
                or (previous.source_computed_at, previous.design) != (computed_at, design())
            ):
                defaults["pdf"] = document
            row, _created = RenderedDashboard.objects.update_or_create(**key, defaults=defaults)
        stored.append(row)
    return stored


def _fresh(stored: RenderedDashboard | None, computed_at) -> bool:
    """Made from the area's current snapshot, with this release's design."""
    return stored is not None and stored.source_computed_at >= computed_at and stored.design == design()


def dashboard_for(*, campaign, kind: str, kato: str, as_of: datetime.date | None, language: str) -> RenderedDashboard | None:
    """The stored page for the web (as of a day, or the area's latest): rendered now, once, if missing or stale."""
    source = source_of(campaign, kato, as_of)
    if source is None:
        return None
    day, computed_at = source
    key = {"campaign": campaign, "kind": kind, "kato": kato, "as_of": day, "language": language}
    stored = RenderedDashboard.objects.defer("pdf").filter(**key).first()
    if _fresh(stored, computed_at):
        return stored
    lock = f"render-dashboard:{campaign.pk}:{kind}:{kato}:{day.isoformat()}:{language}"
    # With Redis stopped or hung the cache keeps nothing and `add` answers True (census/redis_outage.py):
    # the page is rendered without the lock, at worst twice at once, rather than refused or left stale.
    if not cache.add(lock, 1, RENDER_LOCK_SECONDS) and stored is not None:
        # Someone else is rendering it right now: the previous page (which says when it was made) will do meanwhile.
        return stored
    try:
        return render_dashboard(campaign=campaign, kind=kind, kato=kato, as_of=day, languages=[language], pdf=False)[0]
    finally:
        cache.delete(lock)


def report_pdf(*, campaign, kato: str, as_of: datetime.date | None, language: str) -> RenderedDashboard | None:
    """The region's stored page with a PDF made from its current snapshot, rendering it when there is none."""
    source = source_of(campaign, kato, as_of)
    if source is None:
        return None
    day, computed_at = source
    stored = RenderedDashboard.objects.filter(
        campaign=campaign, kind=Kind.REGION, kato=kato, as_of=day, language=language, pdf__isnull=False
    ).first()
    if _fresh(stored, computed_at):
        return stored
    return render_dashboard(campaign=campaign, kind=Kind.REGION, kato=kato, as_of=day, languages=[language], pdf=True)[0]


def _render_latest(campaign, kind, kato, *, pdf=False) -> int:
    source = source_of(campaign, kato)
    if source is None:
        return 0
    day, computed_at = source
    # Under a stream of saves, render jobs queue up behind each other: the pages a later job (or a page view)
    # already made from the current snapshot are not made again, so the queue empties instead of re-rendering
    # every page and PDF once per job.
    stored = RenderedDashboard.objects.filter(campaign=campaign, kind=kind, kato=kato, as_of=day)
    if pdf:
        stored = stored.filter(pdf__isnull=False)
    fresh = {row.language for row in stored.only("language", "source_computed_at", "design") if _fresh(row, computed_at)}
    stale = [language for language in LANGUAGES if language not in fresh]
    if not stale:
        return 0
    return len(render_dashboard(campaign=campaign, kind=kind, kato=kato, as_of=day, languages=stale, pdf=pdf))


def render_after_recompute(*, campaign, district_ids: list[int] | None) -> list[int]:
    """Render, as of their latest day, the pages a recompute of these districts (None: all) changed.

    Region dashboards first (what officials open), then the country's pages, the
    public pages and widgets, then the district pages. PDFs are left to
    render_reports(), which the job runs next. Returns the regions touched.
    """
    districts = District.objects.select_related("region").order_by("kato")
    if district_ids is not None:
        districts = districts.filter(pk__in=district_ids)
    districts = list(districts)
    regions = sorted({d.region for d in districts}, key=lambda r: r.kato)
    for region in regions:
        _render_latest(campaign, Kind.REGION, region.kato)
    _render_latest(campaign, Kind.NATIONAL, COUNTRY_KATO)
    for kind in (Kind.PUBLIC, Kind.WIDGET):
        _render_latest(campaign, kind, COUNTRY_KATO)
        for region in regions:
            _render_latest(campaign, kind, region.kato)
    for district in districts:
        _render_latest(campaign, Kind.DISTRICT, district.kato)
    return [r.pk for r in regions]


def render_reports(*, campaign, region_ids: list[int]) -> int:
    """Render the PDF reports (and their pages) of these regions as of their latest day, in each language."""
    done = 0
    for region in Region.objects.filter(pk__in=region_ids).order_by("kato"):
        done += _render_latest(campaign, Kind.REGION, region.kato, pdf=True)
    return done


def current_campaign() -> Campaign | None:
    return Campaign.objects.current()
