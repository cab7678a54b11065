"""The context of each page (region, district, national, public, widget) as of a day, built from coverage snapshots.

What a page shows is built here from CoverageSnapshot rows, never from raw
counts; reports.dashboards.store renders and stores it.
"""

import datetime
import logging

from django.conf import settings
from django.db.models import Max, Min
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from census.calendar import CampaignCalendar
from census.formatting import format_date, format_number, format_percent, format_whole_percent
from census.models import DistrictStatus
from regions.boundaries import country_tile_positions, tile_positions
from regions.models import COUNTRY_KATO, District, PopulationBaseline, Region, name_sort_key
from reports import charts, coverage, maps
from reports.briefing import briefing_text
from reports.dashboards.areas import (
    Area,
    PublicArea,
    flag_groups,
    leaders_and_laggards,
    lowest_coverage,
    page_url,
    ranked,
)
from reports.dashboards.points import points_card, public_service_points
from reports.dashboards.staffing import staffing_card
from reports.dashboards.timeline import Timeline, coverage_chart, daily_chart, phase_states
from reports.dashboards.visits import visits_card
from reports.models import CoverageSnapshot, RenderedDashboard
from reports.publication import is_published
from reports.services import reporting_regions

log = logging.getLogger(__name__)

Kind = RenderedDashboard.Kind
Level = CoverageSnapshot.Level


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
        "previous": page_url(page, kato, previous_day) if first and previous_day >= first else "",
        "next": page_url(page, kato, next_day) if last and next_day <= last else "",
        "latest": reverse(page, args=[kato] if kato else []) if last and as_of != last else "",
    }


def _date_range(campaign, kato) -> tuple[datetime.date | None, datetime.date | None]:
    bounds = _snapshots(campaign).filter(kato=kato).aggregate(first=Min("date"), last=Max("date"))
    return bounds["first"], bounds["last"]


def _tile(area: Area, col: int, row: int, *, not_reporting: bool = False) -> maps.Tile:
    """An area's square on a tile map: amber with a check mark when over its baseline under review."""
    text = area.coverage_text
    if not_reporting and not area.under_review:
        text = _("not reporting")
    return maps.Tile(
        kato=area.kato,
        name=area.name,
        label=maps.short_name(area.name),
        url=area.url,
        coverage=float(area.snapshot.coverage_pct) if area.snapshot and area.snapshot.coverage_pct is not None else None,
        coverage_text=text,
        col=col,
        row=row,
        review=area.under_review,
        note=_("check") if area.under_review else "",
    )


def _legend() -> list[tuple[str, str]]:
    return [*maps.legend_buckets(format_whole_percent), (_("over 100%, under review"), maps.REVIEW[0])]


def _tiles(region: Region, districts: list[District], areas: dict[int, Area]) -> dict:
    """The tile map SVG and, when boundaries were imported, the Leaflet GeoJSON and the boundary SVG."""
    positions = tile_positions(region, districts)
    tiles = []
    shapes = []
    for district in districts:
        tile = _tile(areas[district.pk], *positions[district.pk])
        tiles.append(tile)
        if district.boundary:
            shapes.append(maps.Shape(tile=tile, geometry=district.boundary))
    title = _("Coverage by district, %(region)s") % {"region": region.name}
    return {
        "tiles": maps.tile_map_svg(tiles, title=title, described_by="map-summary"),
        "boundaries": maps.boundary_svg(shapes, title=title, described_by="map-summary") if shapes else "",
        "summary": _map_summary(tiles),
        "geojson": maps.leaflet_geojson(shapes) if shapes else "",
        "legend": _legend(),
        "title": title,
        "note": _("The same figures are in the table of districts below."),
        "list_label": _("Districts by coverage, highest first"),
    }


def _region_tiles(regions: list[Region], areas: dict[int, Area], reporting: set[int]) -> dict:
    """The country's tile map: one square per region, those not reporting grey and marked so."""
    positions = country_tile_positions(regions)
    tiles = [_tile(areas[r.pk], *positions[r.pk], not_reporting=r.pk not in reporting) for r in regions]
    title = _("Coverage by region")
    return {
        "tiles": maps.tile_map_svg(tiles, title=title),
        "boundaries": "",
        "geojson": "",
        "legend": [*_legend(), (_("not reporting"), maps.NO_DATA[0])],
        "title": title,
        "note": _("Grey regions do not report yet. The figures of the others are in the table of regions below."),
        "list_label": _("Regions by coverage, highest first"),
    }


def national_reporting(reporting: int, of: int) -> dict:
    """How many regions the national figure covers, and whether it is shown (see CENSUS_WITHHOLD_PARTIAL_NATIONAL_FIGURE)."""
    complete = reporting == of
    return {
        "reporting": reporting,
        "of": of,
        "complete": complete,
        "withheld": not complete and settings.CENSUS_WITHHOLD_PARTIAL_NATIONAL_FIGURE,
        "text": ngettext("%(reporting)s of %(of)s region reporting", "%(reporting)s of %(of)s regions reporting", of)
        % {"reporting": format_number(reporting), "of": format_number(of)},
    }


def _map_summary(tiles: list[maps.Tile]) -> str:
    """What the map shows, in words: the districts with the lowest and the highest coverage, and any without figures."""
    counted = sorted((t for t in tiles if t.coverage is not None), key=lambda t: t.coverage)
    sentences = []
    if len(counted) > 1:
        sentences.append(
            _("Lowest coverage: %(low_name)s, %(low)s; highest: %(high_name)s, %(high)s.")
            % {
                "low": counted[0].coverage_text,
                "low_name": counted[0].label,
                "high": counted[-1].coverage_text,
                "high_name": counted[-1].label,
            }
        )
    elif counted:
        sentences.append(
            _("Coverage in %(name)s: %(percent)s.") % {"name": counted[0].label, "percent": counted[0].coverage_text}
        )
    missing = len(tiles) - len(counted)
    if missing:
        sentences.append(
            _("Districts without figures: %(missing)s of %(count)s.")
            % {"missing": format_number(missing), "count": format_number(len(tiles))}
        )
    return " ".join(sentences)


def _overview(campaign, calendar, *, kind, area: Area, rows: list[Area], series_rows: list, phases, date_nav: dict) -> dict:
    """What the region and the national pages share: the area's figures and chart, the areas below it ranked, the phases."""
    leaders, laggards = leaders_and_laggards(rows)
    timeline = Timeline.build(calendar, area.as_of, phases)
    return {
        "kind": kind,
        "campaign": campaign,
        "area": area,
        "as_of": area.as_of,
        "rows": rows,
        "leaders": leaders,
        "laggards": laggards,
        "lowest": lowest_coverage(rows),
        "flagged": [a for a in rows if a.flags],
        "flag_groups": flag_groups(rows),
        "at_risk": [a for a in rows if a.needs_action],
        "phases": phases,
        "chart": coverage_chart(
            series_rows, timeline, title=_("Cumulative coverage, %(area)s") % {"area": area.name}, label_id="chart-coverage"
        ),
        "table_rows": [Area(r) for r in series_rows],
        "split": _split(area),
        "date_nav": date_nav,
    }


def region_context(campaign, region: Region, as_of: datetime.date) -> dict:
    calendar = CampaignCalendar.load(campaign)
    snapshots = _snapshots(campaign)
    series_rows = list(snapshots.filter(kato=region.kato, date__lte=as_of).order_by("date"))
    districts = list(region.districts.all())
    day_rows = {s.district_id: s for s in snapshots.filter(region=region, level=Level.DISTRICT, date=as_of)}
    sparks = _series_by_area(snapshots.filter(region=region, level=Level.DISTRICT, date__lte=as_of), "district_id")
    areas = {
        d.pk: Area(day_rows.get(d.pk), place=d, link="dashboard_district", as_of=as_of, series=sparks.get(d.pk))
        for d in districts
    }
    first, last = _date_range(campaign, region.kato)
    return {
        **_overview(
            campaign,
            calendar,
            kind=Kind.REGION,
            area=Area(
                series_rows[-1] if series_rows else None, place=region, as_of=as_of, previous=_day_before(series_rows, as_of)
            ),
            rows=ranked(list(areas.values())),
            series_rows=series_rows,
            phases=phase_states(campaign, region, as_of),
            date_nav=_date_nav("dashboard_region", region.kato, as_of, first, last),
        ),
        "region": region,
        "deadline": calendar.deadline(region, known_on=as_of),
        "map": _tiles(region, districts, areas),
        "pdf_url": page_url("dashboard_region_pdf", region.kato, as_of),
        "staffing": staffing_card(campaign, calendar, area_kato=region.kato, region=region, districts=districts, as_of=as_of),
        "points": points_card(campaign, districts, areas, as_of),
        "visits": visits_card(campaign, districts=districts, areas=areas, as_of=as_of),
    }


def _day_before(series_rows: list, as_of) -> CoverageSnapshot | None:
    """The row of the day before `as_of` in an area's rows (date order), for the change since then."""
    if len(series_rows) >= 2 and series_rows[-1].date == as_of and series_rows[-2].date == as_of - datetime.timedelta(days=1):
        return series_rows[-2]
    return None


def _split(area: Area):
    """Online, door-to-door and not yet counted, each as a share of the baseline: the one denominator of the page.

    (The tiles and the table give online and door-to-door as percentages of the baseline too, so
    no figure on the page is a share of those counted beside one of the population.)
    """
    snapshot = area.snapshot
    if snapshot is None or not snapshot.baseline or not snapshot.total:
        return None
    online = float(snapshot.online_pct or 0)
    offline = float(snapshot.offline_pct or 0)
    not_counted = max(snapshot.baseline - snapshot.total, 0)
    rest_pct = coverage.percent(not_counted, snapshot.baseline)
    rest = float(rest_pct or 0)
    # Over the baseline the bar shows the two channels' proportions over its full width.
    scale = max(online + offline + rest, 100.0) / 100
    return {
        "bar": charts.split_bar(
            [
                (_("online"), online / scale, charts.ONLINE, area.online_pct_text),
                (_("door-to-door"), offline / scale, charts.OFFLINE, area.offline_pct_text),
                (_("not yet counted"), rest / scale, charts.REST, ""),
            ],
            title=_("Online, door-to-door and not yet counted, as shares of the baseline"),
        ),
        "online": area.online_text,
        "offline": area.offline_text,
        "online_share": area.online_pct_text,
        "offline_share": area.offline_pct_text,
        "not_counted": format_number(not_counted),
        "not_counted_share": format_percent(rest_pct),
    }


def briefing_of(campaign, kind, kato, as_of, language) -> str:
    """The generated press briefing on the region (or the country) as of the day, in the language; "" if unavailable."""
    if kind not in (Kind.REGION, Kind.NATIONAL):
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
    phases = phase_states(campaign, region, as_of)
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
        "deadline": calendar.deadline(region, known_on=as_of),
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
                "source": b.source_text,
                "in_force": i == 0,
            }
            for i, b in enumerate(baselines)
        ],
        "statuses": [
            {"status": s.get_status_display(), "date": format_date(s.date), "note": s.note, "in_force": i == 0}
            for i, s in enumerate(statuses)
        ],
        "date_nav": _date_nav("dashboard_district", district.kato, as_of, first, last),
        "staffing": staffing_card(campaign, calendar, area_kato=district.kato, region=region, districts=[district], as_of=as_of),
        "visits": visits_card(campaign, districts=[district], areas=None, as_of=as_of),
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
    """The country: its figure says how many regions it covers; regions without figures are listed as not reporting."""
    snapshots = _snapshots(campaign)
    series_rows = list(snapshots.filter(kato=COUNTRY_KATO, date__lte=as_of).order_by("date"))
    all_regions = list(Region.objects.order_by("kato"))
    regions = reporting_regions()
    region_rows = _latest_rows(snapshots.filter(level=Level.REGION), "region_id", as_of)
    sparks = _series_by_area(snapshots.filter(level=Level.REGION, date__lte=as_of), "region_id")
    first, last = _date_range(campaign, COUNTRY_KATO)
    calendar = CampaignCalendar.load(campaign)
    # A region reports once its figures are in the country's roll-up (it has districts and a snapshot by that day).
    reporting = {r.pk for r in regions if r.pk in region_rows}
    areas = {
        r.pk: Area(region_rows.get(r.pk), place=r, link="dashboard_region" if r.pk in reporting else None, as_of=as_of,
                   series=sparks.get(r.pk))
        for r in all_regions
    }  # fmt: skip
    national = national_reporting(len(reporting), len(all_regions))
    return {
        **_overview(
            campaign,
            calendar,
            kind=Kind.NATIONAL,
            area=Area(series_rows[-1] if series_rows else None, as_of=as_of, previous=_day_before(series_rows, as_of)),
            rows=ranked([areas[r.pk] for r in all_regions if r.pk in reporting]),
            series_rows=series_rows,
            phases=phase_states(campaign, None, as_of, regions=regions),
            date_nav=_date_nav("dashboard_national", None, as_of, first, last),
        ),
        # The deadline the phases card shows and every verdict of the day used: the latest of the regions'.
        "deadline": calendar.deadline(None, known_on=as_of, regions=regions),
        "national": national,
        "not_reporting": [areas[r.pk] for r in all_regions if r.pk not in reporting],
        "map": _region_tiles(all_regions, areas, reporting),
        # The country's door-to-door day: every reporting district's visits summed (no table: the regions' pages rank).
        "visits": visits_card(campaign, districts=District.objects.filter(region__in=regions), areas=None, as_of=as_of),
    }


def _public_district(district: District, as_of, rows: dict) -> PublicArea:
    """A district's public figures: shown once published (see is_published), else withheld."""
    area = PublicArea(place=district, link=None, as_of=as_of, of=1)
    row = rows.get(district.pk)
    if row is not None and is_published(row.status, row.flags):
        area.published, area.total, area.baseline = 1, row.total, row.baseline
    return area


def _public_region(campaign, region: Region, as_of, rows: dict, *, link) -> PublicArea:
    """A region's public figures: its published districts, each shown or withheld."""
    area = PublicArea(place=region, link=link, as_of=as_of)
    for district in sorted(region.districts.all(), key=lambda d: d.sort_name):
        child = _public_district(district, as_of, rows)
        area.add(child)
        area.children.append(child)
    area.scale_bars()
    return area


def public_context(campaign, kato: str, as_of: datetime.date, *, kind=Kind.PUBLIC) -> dict:
    """The public page or the widget: a region with its districts, or the country with its regions."""
    snapshots = _snapshots(campaign)
    district_rows = _latest_rows(snapshots.filter(level=Level.DISTRICT), "district_id", as_of)
    link = "public_region" if kind == Kind.PUBLIC else "widget"
    national = None
    points = None
    if kato == COUNTRY_KATO:
        area = PublicArea(place=None, link=None, as_of=as_of)
        all_regions = list(Region.objects.prefetch_related("districts"))
        reporting = 0
        for region in all_regions:
            child = _public_region(campaign, region, as_of, district_rows, link=link)
            # A region with nothing published is counted as not reporting; one without districts has no page to link to.
            if child.published:
                reporting += 1
            if not child.of:
                child.link = None
            area.add(child)
            area.children.append(child)
        # Reporting regions first, each group in the Kazakh alphabet's order.
        area.children.sort(key=lambda a: (not a.published, name_sort_key(a.name)))
        national = national_reporting(reporting, len(all_regions))
        area.scale_bars()
        public_url = reverse("public")
    elif (district := District.objects.select_related("region").filter(kato=kato).first()) is not None:
        # A district's own widget (the public page itself is per region).
        area = _public_district(district, as_of, district_rows)
        public_url = reverse("public_region", args=[district.region.kato])
    else:
        region = Region.objects.prefetch_related("districts").get(kato=kato)
        area = _public_region(campaign, region, as_of, district_rows, link=None)
        public_url = reverse("public_region", args=[kato])
        # A region's public page says where to take part (the widget has no room; the country page links the regions').
        if kind == Kind.PUBLIC:
            points = public_service_points(campaign, region, as_of)
    first, last = _date_range(campaign, kato)
    page = "public" if kind == Kind.PUBLIC else "widget"
    return {
        "kind": kind,
        "campaign": campaign,
        "area": area,
        "as_of": as_of,
        "is_country": kato == COUNTRY_KATO,
        "national": national,
        "date_nav": _date_nav(
            "public_region" if kato != COUNTRY_KATO and kind == Kind.PUBLIC else page,
            None if (kato == COUNTRY_KATO and kind == Kind.PUBLIC) else kato,
            as_of,
            first,
            last,
        ),
        "public_url": public_url,
        "points": points,
    }


def page_context(campaign, kind: str, kato: str, as_of: datetime.date) -> dict:
    if kind == Kind.REGION:
        return region_context(campaign, Region.objects.get(kato=kato), as_of)
    if kind == Kind.DISTRICT:
        return district_context(campaign, District.objects.select_related("region").get(kato=kato), as_of)
    if kind == Kind.NATIONAL:
        return national_context(campaign, as_of)
    return public_context(campaign, kato, as_of, kind=kind)
