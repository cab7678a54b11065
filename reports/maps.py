"""Maps of a region's districts drawn: the schematic tile map, and real boundaries imported from GeoJSON.

Where each tile sits and what boundaries a district has are geography, kept by
regions.boundaries; this module only draws them. The page draws boundaries with
Leaflet without any tile server, and the PDF draws them as SVG.
"""

import json
import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "DejaVu Sans, Arial, sans-serif"

# Coverage buckets, low to high: (lower bound in %, fill, text colour). One blue hue, darker is
# further: the percentage is written on every tile, so colour is never the only cue.
NO_DATA = ("#e6eaf0", "#1b2430")
# Over the baseline and under review: amber, outside the blue scale, so it never reads as the "best" colour.
REVIEW = ("#f6c453", "#1b2430")
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
    review: bool = False  # over its baseline, under review: amber (REVIEW), not the scale's darkest blue
    note: str = ""  # a short word under the figure ("check"), on a line of its own so the tile stays readable


def tile_colours(tile: Tile) -> tuple[str, str]:
    return REVIEW if tile.review else coverage_colours(tile.coverage)


def _svg_role(title: str, *, linked: bool, described_by: str = "") -> str:
    """A map's role: one image, or, when it holds links, a named group so that the links inside stay reachable.

    An element with role="img" hides its content from assistive technology, so links inside it
    (nested-interactive) can be focused with the keyboard but not announced.
    """
    described = f' aria-describedby="{escape(described_by)}"' if described_by else ""
    if linked:
        return f'role="group" aria-label="{escape(title)}"{described}'
    return f'role="img"{described}'


def tile_map_svg(
    tiles: list[Tile], *, title: str, size: int = 76, gap: int = 4, links: bool = True, described_by: str = ""
) -> SafeString:
    """The schematic map: one square per district, coloured by coverage, with its short name and percentage."""
    if not tiles:
        return mark_safe("")
    columns = max(t.col for t in tiles) + 1
    rows = max(t.row for t in tiles) + 1
    width, height = columns * (size + gap), rows * (size + gap)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tile-map" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" {_svg_role(title, linked=links and any(t.url for t in tiles), described_by=described_by)}><title>{escape(title)}</title>'
    ]
    for tile in tiles:
        fill, ink = tile_colours(tile)
        x, y = tile.col * (size + gap), tile.row * (size + gap)
        label = tile.label
        # Squeeze a long name into the tile rather than cut it (about 0.6 em per letter).
        squeeze = ""
        if len(label) * 10 * 0.6 > size - 8:
            squeeze = f' textLength="{size - 8}" lengthAdjust="spacingAndGlyphs"'
        # A figure longer than the tile ("not reporting" in Kazakh) is squeezed like a name.
        figure_squeeze = ""
        if len(tile.coverage_text) * 15 * 0.6 > size - 8:
            figure_squeeze = f' textLength="{size - 8}" lengthAdjust="spacingAndGlyphs"'
        note_squeeze = ""
        if len(tile.note) * 10 * 0.6 > size - 8:
            note_squeeze = f' textLength="{size - 8}" lengthAdjust="spacingAndGlyphs"'
        spoken = f"{tile.coverage_text}, {tile.note}" if tile.note else tile.coverage_text
        cell = (
            f"<title>{escape(tile.name)}: {escape(spoken)}</title>"
            f'<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="5" fill="{fill}"/>'
            f'<text x="{x + 4}" y="{y + 18}" font-family="{FONT}" font-size="10" fill="{ink}"{squeeze}>{escape(label)}</text>'
            f'<text x="{x + size / 2}" y="{y + size - (24 if tile.note else 16)}" font-family="{FONT}" font-size="15" '
            f'font-weight="bold" fill="{ink}" text-anchor="middle"{figure_squeeze}>{escape(tile.coverage_text)}</text>'
        )
        if tile.note:
            cell += (
                f'<text x="{x + size / 2}" y="{y + size - 8}" font-family="{FONT}" font-size="10" fill="{ink}" '
                f'text-anchor="middle"{note_squeeze}>{escape(tile.note)}</text>'
            )
        if links and tile.url:
            parts.append(f'<a href="{escape(tile.url)}" class="tile">{cell}</a>')
        else:
            parts.append(f'<g class="tile">{cell}</g>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above went through escape()


def _polygons(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


@dataclass
class Shape:
    """A district's boundary with what to show on it."""

    tile: Tile
    geometry: dict


def boundary_svg(shapes: list[Shape], *, title: str, width: int = 600, links: bool = True, described_by: str = "") -> SafeString:
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
        f'height="{height}" {_svg_role(title, linked=links and any(s.tile.url for s in shapes), described_by=described_by)}><title>{escape(title)}</title>'
    ]
    for shape in shapes:
        fill, ink = tile_colours(shape.tile)
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
        fill, _ink = tile_colours(shape.tile)
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
