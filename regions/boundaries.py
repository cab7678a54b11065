"""Geography writes: each district's place on its region's tile map, and boundaries imported from GeoJSON.

The tile map needs no outside data: each district is a square at a (column,
row) kept on the District (map_col/map_row), defaulting to the positions in
regions/tile_maps/<region KATO>.json, then to a plain grid. Boundaries are
optional: `manage.py import_boundaries FILE.geojson` stores each district's
geometry (simplified). Drawing them is reports.maps' business.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from regions.models import COUNTRY_KATO, District, Region

TILE_MAPS_DIR = Path(settings.BASE_DIR) / "regions" / "tile_maps"


class BoundaryFileRejected(Exception):
    """A boundary file that cannot be imported at all (not a FeatureCollection); `message` says why, nothing was written."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


# --- Tile positions ------------------------------------------------------------------------------


def default_positions(region: Region | None) -> dict[str, tuple[int, int]]:
    """KATO -> (column, row) from regions/tile_maps/<region KATO>.json; empty when there is no such file.

    For the country (None), its regions' positions (regions/tile_maps/000000000.json).
    """
    path = TILE_MAPS_DIR / f"{region.kato if region else COUNTRY_KATO}.json"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    return {kato: (int(col), int(row)) for kato, (col, row) in data.get("positions", {}).items()}


def country_tile_positions(regions: list[Region]) -> dict[int, tuple[int, int]]:
    """Region id -> (column, row) on the country's tile map; a region without a position goes after the last row."""
    defaults = default_positions(None)
    positions = {r.pk: defaults[r.kato] for r in regions if r.kato in defaults}
    row = max([r for _c, r in positions.values()], default=-1) + 1
    for index, region in enumerate(r for r in sorted(regions, key=lambda r: r.kato) if r.pk not in positions):
        positions[region.pk] = (index % 6, row + index // 6)
    return positions


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


# --- Boundaries ----------------------------------------------------------------------------------

KATO_PROPERTIES = ("kato", "KATO", "kato_code", "KATO_CODE", "katocode", "code", "te", "TE")
COORDINATE_DECIMALS = 5  # about a metre: more only makes the page heavier
DEFAULT_TOLERANCE = 0.002  # degrees (~200 m): invisible at the scale of a region


@dataclass
class BoundaryImport:
    """What an import did: districts given a boundary, the features it could not use (with why), the regions touched."""

    matched: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)


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

    All or nothing: a file that is not a FeatureCollection raises BoundaryFileRejected
    and changes nothing; features for unknown codes, regions, or with unusable
    geometry are skipped and reported. `regions` of the result lists the regions
    whose maps changed, for the caller to have their dashboards drawn again.
    """
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise BoundaryFileRejected(_("The file is not a GeoJSON FeatureCollection."))
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
    result.regions = sorted(touched_regions, key=lambda region: region.kato)
    return result
