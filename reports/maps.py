"""Maps of a region's districts: the schematic tile map, and real boundaries imported from GeoJSON.

The tile map needs no outside data: each district is a square at a (column,
row) kept on the District (map_col/map_row), defaulting to the positions in
regions/tile_maps/<region KATO>.json, then to a plain grid. Boundaries are
optional: `manage.py import_boundaries FILE.geojson` stores each district's
geometry (simplified), the page draws them with Leaflet without any tile
server, and the PDF draws them as SVG.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from census.errors import ImportRejected
from regions.models import District, Region

TILE_MAPS_DIR = Path(settings.BASE_DIR) / "regions" / "tile_maps"
FONT = "DejaVu Sans, Arial, sans-serif"

# Coverage buckets, low to high: (lower bound in %, fill, text colour). One blue hue, darker is
# further: the percentage is written on every tile, so colour is never the only cue.
NO_DATA = ("#e6eaf0", "#1b2430")
COVERAGE_SCALE = [
    (0, "#eff3ff", "#1b2430"),
    (50, "#c6dbef", "#1b2430"),
    (70, "#9ecae1", "#1b2430"),
    (85, "#6baed6", "#1b2430"),
    (95, "#3182bd", "#ffffff"),
    (100, "#08519c", "#ffffff"),
]

# Words that say what kind of unit a name is; the tile shows the name without them.
KIND_WORDS = {"ауданы", "район", "district", "city", "қ.ә.", "г.а.", "қаласы", "город", "г.", "р-н"}


def coverage_colours(value) -> tuple[str, str]:
    """(fill, text colour) of a coverage percentage (None: no figures)."""
    if value is None:
        return NO_DATA
    fill, text = COVERAGE_SCALE[0][1:]
    for lower, bucket_fill, bucket_text in COVERAGE_SCALE:
        if value >= lower:
            fill, text = bucket_fill, bucket_text
    return fill, text


def legend_buckets(format_percent) -> list[tuple[str, str]]:
    """(label, fill) per bucket for a legend, e.g. ("85–95 %", "#6baed6")."""
    items = []
    for i, (lower, fill, _text) in enumerate(COVERAGE_SCALE):
        upper = COVERAGE_SCALE[i + 1][0] if i + 1 < len(COVERAGE_SCALE) else None
        if upper is None:
            label = f"≥ {format_percent(lower)}"
        elif lower == 0:
            label = f"< {format_percent(upper)}"
        else:
            label = f"{format_percent(lower)} – {format_percent(upper)}"
        items.append((label, fill))
    return items


def short_name(name: str) -> str:
    """A district's name without the words for its kind or a bracketed alias ("Oral (Uralsk) city" -> "Oral")."""
    if "(" in name:
        name = name.split("(")[0] + name.split(")")[-1] if ")" in name else name.split("(")[0]
    words = [w for w in name.split() if w.lower() not in KIND_WORDS]
    return " ".join(words) or name


# --- Tile positions ------------------------------------------------------------------------------


def default_positions(region: Region) -> dict[str, tuple[int, int]]:
    """KATO -> (column, row) from regions/tile_maps/<region KATO>.json; empty when there is no such file."""
    path = TILE_MAPS_DIR / f"{region.kato}.json"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    return {kato: (int(col), int(row)) for kato, (col, row) in data.get("positions", {}).items()}


def tile_positions(region: Region, districts: list[District]) -> dict[int, tuple[int, int]]:
    """District id -> (column, row): its own position, else the region's default, else the next free cell.

    Districts without any position (added after the map was drawn) go after the
    last row, in KATO order, so they still appear rather than vanish.
    """
    defaults = None
    positions: dict[int, tuple[int, int]] = {}
    missing = []
    for district in sorted(districts, key=lambda d: d.kato):
        if district.map_col is not None and district.map_row is not None:
            positions[district.pk] = (district.map_col, district.map_row)
            continue
        if defaults is None:
            defaults = default_positions(region)
        if district.kato in defaults:
            positions[district.pk] = defaults[district.kato]
        else:
            missing.append(district)
    if missing:
        columns = max([c for c, _r in positions.values()] + [3]) + 1
        taken = set(positions.values())
        row = max([r for _c, r in positions.values()], default=-1) + 1
        cells = ((c, r) for r in range(row, row + len(missing) + 1) for c in range(columns))
        for district in missing:
            cell = next(cell for cell in cells if cell not in taken)
            positions[district.pk] = cell
    return positions


def assign_tile_positions(*, region: Region) -> int:
    """Store the region's default tile positions on districts that have none; returns how many were set."""
    defaults = default_positions(region)
    done = 0
    with transaction.atomic():
        for district in District.objects.filter(region=region, map_col__isnull=True):
            if district.kato in defaults:
                district.map_col, district.map_row = defaults[district.kato]
                district.save(update_fields=["map_col", "map_row"])
                done += 1
    return done


@dataclass
class Tile:
    """One district on the map: where, what it shows and where it links to."""

    kato: str
    name: str
    label: str
    url: str
    coverage: float | None
    coverage_text: str
    col: int = 0
    row: int = 0


def tile_map_svg(tiles: list[Tile], *, title: str, size: int = 76, gap: int = 4, links: bool = True) -> SafeString:
    """The schematic map: one square per district, coloured by coverage, with its short name and percentage."""
    if not tiles:
        return mark_safe("")
    columns = max(t.col for t in tiles) + 1
    rows = max(t.row for t in tiles) + 1
    width, height = columns * (size + gap), rows * (size + gap)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tile-map" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img"><title>{escape(title)}</title>'
    ]
    for tile in tiles:
        fill, ink = coverage_colours(tile.coverage)
        x, y = tile.col * (size + gap), tile.row * (size + gap)
        label = tile.label
        # Squeeze a long name into the tile rather than cut it (about 0.6 em per letter).
        squeeze = ""
        if len(label) * 10 * 0.6 > size - 8:
            squeeze = f' textLength="{size - 8}" lengthAdjust="spacingAndGlyphs"'
        cell = (
            f"<title>{escape(tile.name)}: {escape(tile.coverage_text)}</title>"
            f'<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="5" fill="{fill}"/>'
            f'<text x="{x + 4}" y="{y + 18}" font-family="{FONT}" font-size="10" fill="{ink}"{squeeze}>{escape(label)}</text>'
            f'<text x="{x + size / 2}" y="{y + size - 16}" font-family="{FONT}" font-size="15" font-weight="bold" '
            f'fill="{ink}" text-anchor="middle">{escape(tile.coverage_text)}</text>'
        )
        if links and tile.url:
            parts.append(f'<a href="{escape(tile.url)}" class="tile">{cell}</a>')
        else:
            parts.append(f'<g class="tile">{cell}</g>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above went through escape()


# --- Boundaries ----------------------------------------------------------------------------------

KATO_PROPERTIES = ("kato", "KATO", "kato_code", "KATO_CODE", "katocode", "code", "te", "TE")
COORDINATE_DECIMALS = 5  # about a metre: more only makes the page heavier
DEFAULT_TOLERANCE = 0.002  # degrees (~200 m): invisible at the scale of a region


@dataclass
class BoundaryImport:
    """What an import did: districts given a boundary, and the features it could not use (with why)."""

    matched: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _feature_kato(feature: dict, prop: str | None) -> str | None:
    properties = feature.get("properties") or {}
    names = (prop,) if prop else KATO_PROPERTIES
    for name in names:
        value = properties.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def _simplify(points: list, tolerance: float) -> list:
    """Douglas–Peucker on one ring (iterative): keeps the shape, drops points closer than `tolerance` to it."""
    if len(points) < 5 or tolerance <= 0:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first][:2], points[last][:2]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        farthest, index = -1.0, None
        for i in range(first + 1, last):
            px, py = points[i][:2]
            distance = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm if norm else math.hypot(px - x1, py - y1)
            if distance > farthest:
                farthest, index = distance, i
        if index is not None and farthest > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    kept = [p for p, k in zip(points, keep, strict=True) if k]
    # A ring needs at least four positions (three corners and the closing one).
    return kept if len(kept) >= 4 else points


def _clean_ring(ring, tolerance: float) -> list:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValueError("ring")
    points = []
    for position in ring:
        if not isinstance(position, list | tuple) or len(position) < 2:
            raise ValueError("position")
        lon, lat = float(position[0]), float(position[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90) or math.isnan(lon) or math.isnan(lat):
            raise ValueError("range")
        points.append([round(lon, COORDINATE_DECIMALS), round(lat, COORDINATE_DECIMALS)])
    return _simplify(points, tolerance)


def clean_geometry(geometry, tolerance: float = DEFAULT_TOLERANCE) -> dict:
    """A Polygon or MultiPolygon with valid longitude/latitude, rounded and simplified; ValueError otherwise."""
    if not isinstance(geometry, dict):
        raise ValueError("geometry")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon" and isinstance(coordinates, list) and coordinates:
        return {"type": "Polygon", "coordinates": [_clean_ring(r, tolerance) for r in coordinates]}
    if kind == "MultiPolygon" and isinstance(coordinates, list) and coordinates:
        return {
            "type": "MultiPolygon",
            "coordinates": [[_clean_ring(r, tolerance) for r in polygon] for polygon in coordinates],
        }
    raise ValueError("type")


def import_boundaries(*, data, kato_property: str | None = None, tolerance: float = DEFAULT_TOLERANCE) -> BoundaryImport:
    """Store the boundary of every district a GeoJSON FeatureCollection names by KATO code.

    All or nothing: a file that is not a FeatureCollection raises ImportRejected
    and changes nothing; features for unknown codes, regions, or with unusable
    geometry are skipped and reported. Dashboards of the regions touched are
    dropped so they are rendered again with the new map.
    """
    from reports.models import RenderedDashboard

    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ImportRejected([(1, "type", _("The file is not a GeoJSON FeatureCollection."))])
    result = BoundaryImport()
    cleaned: dict[str, dict] = {}
    for number, feature in enumerate(data["features"], start=1):
        if not isinstance(feature, dict):
            result.skipped.append((f"#{number}", _("not a GeoJSON feature")))
            continue
        kato = _feature_kato(feature, kato_property)
        if kato is None:
            result.skipped.append((f"#{number}", _("no KATO code among its properties")))
            continue
        try:
            cleaned[kato] = clean_geometry(feature.get("geometry"), tolerance)
        except (TypeError, ValueError):
            result.skipped.append((kato, _("its geometry is not a valid Polygon or MultiPolygon in longitude/latitude")))
    districts = {d.kato: d for d in District.objects.filter(kato__in=cleaned).select_related("region")}
    region_katos = set(Region.objects.filter(kato__in=cleaned).values_list("kato", flat=True))
    touched_regions = set()
    with transaction.atomic():
        for kato, geometry in cleaned.items():
            district = districts.get(kato)
            if district is None:
                reason = _("a region, not a district") if kato in region_katos else _("no district has this KATO code")
                result.skipped.append((kato, reason))
                continue
            district.boundary = geometry
            district.save(update_fields=["boundary"])
            result.matched.append(kato)
            touched_regions.add(district.region)
        if touched_regions:
            region_katos_touched = [r.kato for r in touched_regions]
            district_katos = District.objects.filter(region__in=touched_regions).values_list("kato", flat=True)
            RenderedDashboard.objects.filter(kato__in=[*region_katos_touched, *district_katos]).delete()
    return result


def _polygons(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


@dataclass
class Shape:
    """A district's boundary with what to show on it."""

    tile: Tile
    geometry: dict


def boundary_svg(shapes: list[Shape], *, title: str, width: int = 600, links: bool = True) -> SafeString:
    """The boundaries drawn as SVG paths (longitude scaled by the cosine of the mean latitude), coloured by coverage."""
    if not shapes:
        return mark_safe("")
    xs, ys = [], []
    for shape in shapes:
        for polygon in _polygons(shape.geometry):
            for lon, lat in polygon[0]:
                xs.append(lon)
                ys.append(lat)
    squash = math.cos(math.radians((min(ys) + max(ys)) / 2))
    span_x = (max(xs) - min(xs)) * squash or 1
    span_y = (max(ys) - min(ys)) or 1
    scale = (width - 8) / span_x
    height = round(span_y * scale + 8)

    def point(lon, lat):
        return f"{(lon - min(xs)) * squash * scale + 4:.1f},{(max(ys) - lat) * scale + 4:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="boundary-map" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img"><title>{escape(title)}</title>'
    ]
    for shape in shapes:
        fill, ink = coverage_colours(shape.tile.coverage)
        path = " ".join(
            "M" + " L".join(point(lon, lat) for lon, lat in ring) + " Z"
            for polygon in _polygons(shape.geometry)
            for ring in polygon
        )
        # The label goes in the middle of the largest outer ring's bounding box.
        outer = max((p[0] for p in _polygons(shape.geometry)), key=len)
        mid_lon = (min(p[0] for p in outer) + max(p[0] for p in outer)) / 2
        mid_lat = (min(p[1] for p in outer) + max(p[1] for p in outer)) / 2
        label_x, label_y = point(mid_lon, mid_lat).split(",")
        cell = (
            f"<title>{escape(shape.tile.name)}: {escape(shape.tile.coverage_text)}</title>"
            f'<path d="{path}" fill="{fill}" fill-rule="evenodd" stroke="#ffffff" stroke-width="1"/>'
            f'<text x="{label_x}" y="{label_y}" font-family="{FONT}" font-size="11" fill="{ink}" text-anchor="middle">'
            f"{escape(shape.tile.coverage_text)}</text>"
        )
        if links and shape.tile.url:
            parts.append(f'<a href="{escape(shape.tile.url)}">{cell}</a>')
        else:
            parts.append(f"<g>{cell}</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above went through escape()


def leaflet_geojson(shapes: list[Shape]) -> str:
    """The FeatureCollection the page's Leaflet map draws: geometry plus name, coverage text, colours and link."""
    features = []
    for shape in shapes:
        fill, _ink = coverage_colours(shape.tile.coverage)
        features.append(
            {
                "type": "Feature",
                "geometry": shape.geometry,
                "properties": {
                    "kato": shape.tile.kato,
                    "name": shape.tile.name,
                    "coverage": shape.tile.coverage_text,
                    "fill": fill,
                    "url": shape.tile.url,
                },
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
