"""The context of each page (region, district, national, public, widget) as of a day, built from coverage snapshots.

What a page shows is built here from CoverageSnapshot rows, never from raw
counts; reports.dashboards.store renders and stores it.
"""

import datetime
import logging

from django.db.models import Max, Min
from django.urls import reverse
from django.utils.translation import gettext as _

from census.calendar import CampaignCalendar
from census.formatting import format_date, format_number, format_whole_percent
from census.models import DistrictStatus
from regions.boundaries import tile_positions
from regions.models import COUNTRY_KATO, District, PopulationBaseline, Region
from reports import charts, maps
from reports.briefing import briefing_text
from reports.dashboards.areas import Area, PublicArea, leaders_and_laggards, page_url, ranked
from reports.dashboards.timeline import Timeline, coverage_chart, daily_chart, phase_states
from reports.models import CoverageSnapshot, RenderedDashboard
from reports.publication import is_published

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


def _tiles(region: Region, districts: list[District], areas: dict[int, Area]) -> tuple[str, str]:
    """The tile map SVG and, when boundaries were imported, the Leaflet GeoJSON and the boundary SVG."""
    positions = tile_positions(region, districts)
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
            coverage=float(area.snapshot.coverage_pct) if area.snapshot and area.snapshot.coverage_pct is not None else None,
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
        "flagged": [a for a in rows if a.flags],
        "at_risk": [a for a in rows if a.outlook in ("at_risk", "off_track")],
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
            area=Area(series_rows[-1] if series_rows else None, place=region, as_of=as_of),
            rows=ranked(list(areas.values())),
            series_rows=series_rows,
            phases=phase_states(campaign, region, as_of),
            date_nav=_date_nav("dashboard_region", region.kato, as_of, first, last),
        ),
        "region": region,
        "deadline": calendar.deadline(region, known_on=as_of),
        "map": _tiles(region, districts, areas),
        "pdf_url": page_url("dashboard_region_pdf", region.kato, as_of),
    }


def _split(area: Area):
    """The online / door-to-door split of everyone counted, as a bar with its figures."""
    if area.snapshot is None or not area.snapshot.total:
        return None
    online_share = float(area.snapshot.online_share_pct or 0)
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
    snapshots = _snapshots(campaign)
    series_rows = list(snapshots.filter(kato=COUNTRY_KATO, date__lte=as_of).order_by("date"))
    regions = list(Region.objects.filter(districts__isnull=False).distinct().order_by("kato"))
    region_rows = _latest_rows(snapshots.filter(level=Level.REGION), "region_id", as_of)
    sparks = _series_by_area(snapshots.filter(level=Level.REGION, date__lte=as_of), "region_id")
    first, last = _date_range(campaign, COUNTRY_KATO)
    return _overview(
        campaign,
        CampaignCalendar.load(campaign),
        kind=Kind.NATIONAL,
        area=Area(series_rows[-1] if series_rows else None, as_of=as_of),
        rows=ranked(
            [Area(region_rows.get(r.pk), place=r, link="dashboard_region", as_of=as_of, series=sparks.get(r.pk)) for r in regions]
        ),
        series_rows=series_rows,
        phases=phase_states(campaign, None, as_of, regions=regions),
        date_nav=_date_nav("dashboard_national", None, as_of, first, last),
    )


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


def page_context(campaign, kind: str, kato: str, as_of: datetime.date) -> dict:
    if kind == Kind.REGION:
        return region_context(campaign, Region.objects.get(kato=kato), as_of)
    if kind == Kind.DISTRICT:
        return district_context(campaign, District.objects.select_related("region").get(kato=kato), as_of)
    if kind == Kind.NATIONAL:
        return national_context(campaign, as_of)
    return public_context(campaign, kato, as_of, kind=kind)
