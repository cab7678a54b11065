"""Charts as SVG markup, drawn on the server: sparklines, line, bar and split charts.

The same markup goes into the web page (where a script may replace it with an
interactive chart) and into the PDF, where WeasyPrint draws it. Only SVG
presentation attributes are used, never `style`, so the strict CSP of the pages
allows it inline. Callers pass labels already formatted for the reader.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "DejaVu Sans, Arial, sans-serif"
INK = "#1b2430"
MUTED = "#5b6675"
GRID = "#d9dee5"
# Colours of the channels and of the total, the same on the page and in the PDF.
ONLINE = "#0b6bcb"
OFFLINE = "#b86e00"
TOTAL = "#1b2430"
TARGET = "#b42318"
# What is left of a whole (not yet counted, vacant places): the light grey of its swatch.
REST = "#c9d1dc"
# Event labels (a phase opens or closes, "as of"): font size and the height of a row of them above the plot.
MARKER_SIZE = 9
MARKER_ROW = 12


@dataclass
class Series:
    """One line or bar series: its name for the legend, its values (None where there is none) and its colour."""

    name: str
    values: Sequence[float | None]
    color: str
    width: float = 2.0
    dashed: bool = False
    hatched: bool = False  # bars and shares filled with white diagonal stripes over the colour


@dataclass
class Marker:
    """A vertical line at the index of a day (a phase opening or closing), with a short label."""

    index: int
    label: str
    color: str = MUTED


@dataclass
class Axis:
    """Value axis: ticks (value, label) and the range drawn."""

    low: float
    high: float
    ticks: list[tuple[float, str]] = field(default_factory=list)


def _num(value: float) -> str:
    """A coordinate with at most two decimals (keeps the markup short)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(x, y, content, *, size=11, anchor="start", color=MUTED, rotate=None, weight=None) -> str:
    transform = f' transform="rotate({rotate} {_num(x)} {_num(y)})"' if rotate is not None else ""
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-family="{FONT}" font-size="{size}" fill="{color}" '
        f'text-anchor="{anchor}"{bold}{transform}>{escape(content)}</text>'
    )


def _open(width, height, title, *, css_class="chart", label_id=None, described_by=None) -> str:
    labelled = f' aria-labelledby="{label_id}"' if label_id else ""
    title_id = f' id="{label_id}"' if label_id else ""
    # The finding in words (a paragraph beside the chart) is read after the title.
    described = f' aria-describedby="{escape(described_by)}"' if described_by else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="{_num(width)}" height="{_num(height)}" role="img"{labelled}{described} preserveAspectRatio="xMinYMin meet">'
        f"<title{title_id}>{escape(title)}</title>"
    )


def _hatch(pattern_id: str, color: str) -> str:
    """A fill of white diagonal stripes over the colour: a second cue, besides colour, for one of two channels."""
    return (
        f'<defs><pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="6" height="6">'
        f'<rect width="6" height="6" fill="{color}"/>'
        f'<path d="M0,6 L6,0 M-1,1 L1,-1 M5,7 L7,5" stroke="#ffffff" stroke-width="1.5"/></pattern></defs>'
    )


def _fill(one: "Series", pattern_id: str) -> str:
    return f"url(#{pattern_id})" if one.hatched else one.color


def nice_ceiling(value: float, step: float) -> float:
    return max(step, math.ceil(value / step) * step)


def percent_axis(values: Sequence[float | None], format_tick, *, floor_high=100.0, step=25.0) -> Axis:
    """0 up to at least 100% (the target), higher when an area counted more than its baseline."""
    highest = max((v for v in values if v is not None), default=0.0)
    high = nice_ceiling(max(floor_high, highest * 1.05), step)
    ticks = [(v, format_tick(v)) for v in _frange(0.0, high, step)]
    return Axis(0.0, high, ticks)


def count_axis(values: Sequence[float | None], format_tick, *, tick_count=4) -> Axis:
    highest = max((v for v in values if v is not None), default=0.0) or 1.0
    raw_step = highest / tick_count
    magnitude = 10 ** math.floor(math.log10(raw_step)) if raw_step > 0 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    high = nice_ceiling(highest, step)
    return Axis(0.0, high, [(v, format_tick(v)) for v in _frange(0.0, high, step)])


def _frange(start: float, stop: float, step: float) -> list[float]:
    count = round((stop - start) / step)
    return [start + i * step for i in range(count + 1)]


def _label_indexes(count: int, wanted: int) -> list[int]:
    """About `wanted` evenly spaced indexes from 0 to count-1, always including both ends."""
    if count <= 1:
        return [0] if count else []
    step = max(1, round((count - 1) / max(1, wanted - 1)))
    indexes = list(range(0, count, step))
    if count - 1 - indexes[-1] < step / 2 and len(indexes) > 1:
        indexes[-1] = count - 1
    elif indexes[-1] != count - 1:
        indexes.append(count - 1)
    return indexes


class _Plot:
    """The geometry shared by line and bar charts: the plot area inside margins, and value → pixel."""

    def __init__(self, *, width, height, count, axis: Axis, left=52, right=12, top=14, bottom=44):
        self.width, self.height, self.count, self.axis = width, height, count, axis
        self.left, self.right, self.top, self.bottom = left, right, top, bottom
        self.inner_w = width - left - right
        self.inner_h = height - top - bottom

    def x(self, index: float) -> float:
        if self.count <= 1:
            return self.left + self.inner_w / 2
        return self.left + self.inner_w * index / (self.count - 1)

    def y(self, value: float) -> float:
        span = (self.axis.high - self.axis.low) or 1
        clamped = min(max(value, self.axis.low), self.axis.high)
        return self.top + self.inner_h * (1 - (clamped - self.axis.low) / span)

    def grid(self) -> list[str]:
        parts = []
        for value, label in self.axis.ticks:
            y = self.y(value)
            parts.append(
                f'<line x1="{_num(self.left)}" y1="{_num(y)}" x2="{_num(self.width - self.right)}" y2="{_num(y)}" '
                f'stroke="{GRID}" stroke-width="1"/>'
            )
            parts.append(_text(self.left - 6, y + 4, label, anchor="end"))
        return parts

    def x_labels(self, labels: Sequence[str], wanted: int) -> list[str]:
        baseline = self.height - self.bottom + 16
        return [_text(self.x(i), baseline, labels[i], anchor="middle") for i in _label_indexes(len(labels), wanted)]

    def make_room_for(self, markers: Sequence[Marker], position=None) -> list[tuple[Marker, float, float, str, int]]:
        """Where each marker's label goes, written across (never turned on its side), and room for them above the plot.

        A label starts right of its line, or ends left of it where it would run off the chart. Labels that would touch
        go on the next row down; the plot moves down by as many rows as are needed. Returns (marker, line x, text x,
        anchor, row) for each marker on the chart.
        """
        position = position or self.x
        placed, rows_end = [], []
        for marker in sorted((m for m in markers if 0 <= m.index < self.count), key=lambda m: m.index):
            x = position(marker.index)
            text_width = MARKER_SIZE * 0.62 * len(marker.label)
            if x + 3 + text_width <= self.width - self.right:
                text_x, anchor, start, end = x + 3, "start", x + 3, x + 3 + text_width
            else:
                text_x, anchor, start, end = x - 3, "end", x - 3 - text_width, x - 3
            row = next((i for i, right in enumerate(rows_end) if right + 6 <= start), len(rows_end))
            if row == len(rows_end):
                rows_end.append(end)
            rows_end[row] = end
            placed.append((marker, x, text_x, anchor, row))
        self.top += MARKER_ROW * len(rows_end)
        self.inner_h = self.height - self.top - self.bottom
        return placed

    def markers(self, placed: Sequence[tuple[Marker, float, float, str, int]]) -> list[str]:
        rows = max((row for *_rest, row in placed), default=-1) + 1
        parts = []
        for marker, x, text_x, anchor, row in placed:
            label_y = self.top - MARKER_ROW * (rows - row) + MARKER_SIZE
            parts.append(
                f'<line x1="{_num(x)}" y1="{_num(label_y + 2)}" x2="{_num(x)}" y2="{_num(self.height - self.bottom)}" '
                f'stroke="{marker.color}" stroke-width="1" stroke-dasharray="2 3"/>'
            )
            parts.append(_text(text_x, label_y, marker.label, size=MARKER_SIZE, anchor=anchor, color=marker.color))
        return parts


def _legend(series: Sequence[Series], *, x: float, y: float, boxes: str = "") -> list[str]:
    """The series' names, each after a sample: of its line (dashed or not), or of its bar's fill (boxes: the pattern id)."""
    parts = []
    for one in series:
        if boxes:
            parts.append(f'<rect x="{_num(x + 2)}" y="{_num(y - 10)}" width="12" height="12" fill="{_fill(one, boxes)}"/>')
        else:
            dash = ' stroke-dasharray="5 3"' if one.dashed else ""
            parts.append(
                f'<line x1="{_num(x)}" y1="{_num(y - 4)}" x2="{_num(x + 16)}" y2="{_num(y - 4)}" stroke="{one.color}" '
                f'stroke-width="{_num(max(one.width, 2))}"{dash}/>'
            )
        parts.append(_text(x + 20, y, one.name, color=INK))
        x += 28 + 7 * len(one.name)
    return parts


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    axis: Axis,
    markers: Sequence[Marker] = (),
    target: tuple[float, str] | None = None,
    width: int = 640,
    height: int = 280,
    label_id: str | None = None,
    described_by: str | None = None,
) -> SafeString:
    """Lines over days (labels), with an optional horizontal target line (e.g. 100%) and vertical markers."""
    plot = _Plot(width=width, height=height, count=len(labels), axis=axis)
    placed = plot.make_room_for(markers)
    parts = [_open(width, height, title, label_id=label_id, described_by=described_by), *plot.grid()]
    if target is not None:
        value, name = target
        y = plot.y(value)
        parts.append(
            f'<line x1="{_num(plot.left)}" y1="{_num(y)}" x2="{_num(width - plot.right)}" y2="{_num(y)}" '
            f'stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        # Above its line, unless the line runs along the plot's top: there the markers' labels are, so below it.
        label_y = y - 4 if y - 14 >= plot.top else y + 12
        parts.append(_text(width - plot.right - 2, label_y, name, anchor="end", color=TARGET, size=10))
    parts.extend(plot.markers(placed))
    for one in series:
        # A gap (None) ends a segment: days after the "as of" date have no figure yet.
        segments, current = [], []
        for index, value in enumerate(one.values):
            if value is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append(f"{_num(plot.x(index))},{_num(plot.y(value))}")
        if current:
            segments.append(current)
        dash = ' stroke-dasharray="5 3"' if one.dashed else ""
        for points in segments:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{one.color}" '
                f'stroke-width="{_num(one.width)}" stroke-linejoin="round"{dash}/>'
            )
    parts.extend(plot.x_labels(labels, 6))
    parts.extend(_legend(series, x=plot.left, y=height - 6))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above went through escape()


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    axis: Axis,
    markers: Sequence[Marker] = (),
    width: int = 640,
    height: int = 240,
    label_id: str | None = None,
    described_by: str | None = None,
) -> SafeString:
    """Stacked bars per day (e.g. the day's online and door-to-door counts)."""
    plot = _Plot(width=width, height=height, count=len(labels), axis=axis)
    # Bars sit between day positions: widen the scale by one slot so the first and last are whole.
    slot = plot.inner_w / max(len(labels), 1)
    bar = max(1.0, slot * 0.8)
    placed = plot.make_room_for(markers, position=lambda index: plot.left + slot * index)
    pattern = f"{label_id or 'bars'}-hatch"
    parts = [_open(width, height, title, label_id=label_id, described_by=described_by)]
    parts.extend(_hatch(pattern, one.color) for one in series if one.hatched)
    parts.extend(plot.grid())
    for index in range(len(labels)):
        bottom = 0.0
        centre = plot.left + slot * (index + 0.5)
        for one in series:
            value = one.values[index] or 0
            if value <= 0:
                continue
            y_top, y_bottom = plot.y(bottom + value), plot.y(bottom)
            parts.append(
                f'<rect x="{_num(centre - bar / 2)}" y="{_num(y_top)}" width="{_num(bar)}" '
                f'height="{_num(max(0.5, y_bottom - y_top))}" fill="{_fill(one, pattern)}"/>'
            )
            bottom += value
    parts.extend(plot.markers(placed))
    baseline = height - plot.bottom + 16
    for i in _label_indexes(len(labels), 6):
        parts.append(_text(plot.left + slot * (i + 0.5), baseline, labels[i], anchor="middle"))
    parts.extend(_legend(series, x=plot.left, y=height - 6, boxes=pattern))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above went through escape()


def sparkline(
    values: Sequence[float | None], *, title: str, width: int = 96, height: int = 24, target: float = 100.0
) -> SafeString:
    """A small line of a district's coverage over time, scaled 0..max(target, highest), with the target as a dotted line."""
    present = [v for v in values if v is not None]
    high = max([target, *present]) or 1
    count = len(values)

    def x(i):
        return 1 + (width - 2) * (i / (count - 1) if count > 1 else 0.5)

    def y(v):
        return 1 + (height - 2) * (1 - v / high)

    points = " ".join(f"{_num(x(i))},{_num(y(v))}" for i, v in enumerate(values) if v is not None)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img"><title>{escape(title)}</title>',
        f'<line x1="0" y1="{_num(y(target))}" x2="{width}" y2="{_num(y(target))}" stroke="{TARGET}" '
        f'stroke-width="0.75" stroke-dasharray="2 2"/>',
    ]
    if points:
        parts.append(f'<polyline points="{points}" fill="none" stroke="{TOTAL}" stroke-width="1.5" stroke-linejoin="round"/>')
        last_x, last_y = x(max(i for i, v in enumerate(values) if v is not None)), y(present[-1])
        parts.append(f'<circle cx="{_num(last_x)}" cy="{_num(last_y)}" r="2" fill="{TOTAL}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- the title went through escape()


def split_bar(
    parts_: Sequence[tuple[str, float, str, str]],
    *,
    title: str,
    width: int = 320,
    height: int = 28,
    hatch_id: str = "split-hatch",
) -> SafeString:
    """One horizontal bar split into shares: (name, share 0..100, colour, label shown inside).

    The last of several shares is hatched as well as coloured, so the shares are told apart without seeing colour;
    the figures are in the table beside the bar.
    """
    x = 0.0
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="split-bar" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" preserveAspectRatio="none"><title>{escape(title)}</title>'
    ]
    for index, (_name, share, color, label) in enumerate(parts_):
        w = width * max(share, 0) / 100
        if w <= 0:
            continue
        fill = color
        if index == len(parts_) - 1 and len(parts_) > 1:
            # Its own id per bar: a page with two bars must not draw one's stripes in the other's colour.
            out.append(_hatch(hatch_id, color))
            fill = f"url(#{hatch_id})"
        out.append(f'<rect x="{_num(x)}" y="0" width="{_num(w)}" height="{height}" fill="{fill}"/>')
        if w > 8 * len(label) + 6:
            # On a plate of the plain colour: white text stays legible over the stripes.
            out.append(f'<rect x="{_num(x + 3)}" y="{_num(height / 2 - 9)}" width="{_num(7.5 * len(label) + 6)}" '
                       f'height="18" rx="3" fill="{color}"/>')  # fmt: skip
            out.append(_text(x + 6, height / 2 + 4, label, color="#ffffff", size=12))
        x += w
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 -- every text above went through escape()


def progress_bar(
    value: float | None,
    *,
    title: str,
    width: int = 120,
    height: int = 10,
    color: str = ONLINE,
    low: float = 0.0,
    high: float = 110.0,
) -> SafeString:
    """A coverage bar for lists: filled from `low` up to the value (capped at `high`), with a tick at 100%.

    A list whose figures are all 98-100% passes a `low` near them: on a 0-110 scale those bars look the same.
    """
    filled = width * (min(max(value or 0, low), high) - low) / (high - low)
    tick = width * (100 - low) / (high - low)
    tick_line = (
        f'<line x1="{_num(tick)}" y1="0" x2="{_num(tick)}" y2="{height}" stroke="{INK}" stroke-width="1.5"/>'
        if low < 100 <= high
        else ""
    )
    return mark_safe(  # noqa: S308 -- the title went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" preserveAspectRatio="none"><title>{escape(title)}</title>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#e6eaf0"/>'
        f'<rect x="0" y="0" width="{_num(filled)}" height="{height}" fill="{color}"/>'
        f"{tick_line}</svg>"
    )
