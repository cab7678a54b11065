"""Where each piece of text of a PDF lies on its page: a small reader of content streams, on top of pypdf.

pypdf's own text visitor gives where a run starts, but not where it ends, and inside a form XObject (WeasyPrint
draws each SVG chart as one) it forgets the transformation the page applied before drawing the form. This reader
follows the graphics state (q/Q/cm, form XObjects with their /Matrix) and the text state (BT, Tf, Tm, Td, TD, T*,
TL, Tc, Tz) itself, and measures each shown string with its font's glyph widths (/W of WeasyPrint's Type0 fonts,
/Widths of simple fonts), so a run's box is known from its first glyph to its last, in page coordinates.
"""

import re
from dataclasses import dataclass

from pypdf import PageObject
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n, as PDF composes matrices (a point is a row vector: p' = p · m · n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2, e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]


@dataclass
class TextRun:
    """One shown string: its text and the box its glyphs' baseline spans, in page coordinates (points)."""

    text: str
    left: float
    right: float
    bottom: float
    top: float


class _Font:
    """Glyph widths and the map to Unicode of one font resource."""

    def __init__(self, font: DictionaryObject):
        self.two_byte = font.get("/Subtype") == "/Type0"
        self.widths: dict[int, float] = {}
        self.default = 1000.0
        if self.two_byte:
            descendant = font["/DescendantFonts"][0].get_object()
            self.default = float(descendant.get("/DW", 1000))
            w = list(descendant.get("/W", []))
            i = 0
            while i < len(w):
                first = int(w[i])
                if isinstance(w[i + 1], list) or hasattr(w[i + 1], "__iter__"):
                    for offset, width in enumerate(w[i + 1]):
                        self.widths[first + offset] = float(width)
                    i += 2
                else:
                    for code in range(first, int(w[i + 1]) + 1):
                        self.widths[code] = float(w[i + 2])
                    i += 3
        else:
            first = int(font.get("/FirstChar", 0))
            for offset, width in enumerate(font.get("/Widths", [])):
                self.widths[first + offset] = float(width)
        self.unicode: dict[int, str] = {}
        if "/ToUnicode" in font:
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    self.unicode[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be", "replace")
            for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
                for low, high, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    start = int(text, 16)
                    for code in range(int(low, 16), int(high, 16) + 1):
                        self.unicode[code] = chr(start + code - int(low, 16))

    def codes(self, data: bytes) -> list[int]:
        if self.two_byte:
            return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
        return list(data)

    def width(self, code: int) -> float:
        return self.widths.get(code, self.default)

    def text(self, codes: list[int]) -> str:
        return "".join(self.unicode.get(code, "?") for code in codes)


def _resolve(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def text_runs(page: PageObject) -> list[TextRun]:
    """Every string the page shows, with its box in the page's coordinates."""
    runs: list[TextRun] = []
    _walk(page.get_contents(), _resolve(page.get("/Resources")) or DictionaryObject(), IDENTITY, page.pdf, runs)
    return runs


def _walk(content, resources, ctm: Matrix, pdf, runs: list[TextRun]) -> None:
    if content is None:
        return
    fonts = _resolve(resources.get("/Font")) or {}
    xobjects = _resolve(resources.get("/XObject")) or {}
    stack: list[Matrix] = []
    font: _Font | None = None
    size = spacing = leading = 0.0
    scale = 1.0
    tm = tlm = IDENTITY
    cache: dict[str, _Font] = {}
    for operands, op in ContentStream(content, pdf).operations:
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop() if stack else ctm
        elif op == b"cm":
            ctm = multiply(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
        elif op == b"Do":
            xobject = _resolve(xobjects.get(operands[0]))
            if xobject is not None and xobject.get("/Subtype") == "/Form":
                matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITY))
                inner = _resolve(xobject.get("/Resources")) or resources
                _walk(xobject, inner, multiply(matrix, ctm), pdf, runs)  # type: ignore[arg-type]
        elif op == b"BT":
            tm = tlm = IDENTITY
        elif op == b"Tf":
            name = str(operands[0])
            if name not in cache:
                cache[name] = _Font(_resolve(fonts[name]))
            font, size = cache[name], float(operands[1])
        elif op == b"Tc":
            spacing = float(operands[0])
        elif op == b"Tz":
            scale = float(operands[0]) / 100
        elif op == b"TL":
            leading = float(operands[0])
        elif op == b"Tm":
            tm = tlm = tuple(float(v) for v in operands)  # type: ignore[assignment]
        elif op in (b"Td", b"TD"):
            if op == b"TD":
                leading = -float(operands[1])
            tm = tlm = multiply((1, 0, 0, 1, float(operands[0]), float(operands[1])), tlm)
        elif op == b"T*":
            tm = tlm = multiply((1, 0, 0, 1, 0, -leading), tlm)
        elif op in (b"Tj", b"TJ", b"'", b'"') and font is not None:
            if op in (b"'", b'"'):
                tm = tlm = multiply((1, 0, 0, 1, 0, -leading), tlm)
            parts = operands[0] if op == b"TJ" else [operands[-1]]
            advance, codes = 0.0, []
            for part in parts:
                if isinstance(part, (bytes, str)) or hasattr(part, "original_bytes"):
                    data = part.original_bytes if hasattr(part, "original_bytes") else bytes(part, "latin-1")
                    for code in font.codes(data):
                        advance += (font.width(code) / 1000 * size + spacing) * scale
                        codes.append(code)
                else:
                    advance -= float(part) / 1000 * size * scale
            text = font.text(codes)
            if text.strip():
                to_page = multiply(tm, ctm)
                corners = [apply(to_page, x, y) for x in (0, advance) for y in (0, size * 0.8)]
                xs, ys = [x for x, _ in corners], [y for _, y in corners]
                runs.append(TextRun(text, min(xs), max(xs), min(ys), max(ys)))
            tm = multiply((1, 0, 0, 1, advance, 0), tm)


def words(runs: list[TextRun]) -> list[TextRun]:
    """Runs that touch on one baseline joined into one (a chart's SVG text comes one glyph at a time)."""
    joined: list[TextRun] = []
    for run in runs:
        last = joined[-1] if joined else None
        if last and abs(last.bottom - run.bottom) < 0.5 and abs(last.top - run.top) < 0.5 and -0.5 < run.left - last.right < 1:
            joined[-1] = TextRun(last.text + run.text, last.left, run.right, last.bottom, last.top)
        else:
            joined.append(run)
    return joined


def overlapping(runs: list[TextRun], *, tolerance: float = 0.5) -> list[tuple[TextRun, TextRun]]:
    """Pairs of runs whose boxes cover each other by more than `tolerance` points both ways."""
    pairs = []
    for i, one in enumerate(runs):
        for other in runs[i + 1 :]:
            across = min(one.right, other.right) - max(one.left, other.left)
            up = min(one.top, other.top) - max(one.bottom, other.bottom)
            if across > tolerance and up > tolerance:
                pairs.append((one, other))
    return pairs
