"""Real font metrics for measuring text, read from the metric-compatible fonts bundled in
`briefgen/fonts` (Carlito for Calibri, Liberation Sans for Arial), so that text fitting and page
estimates do not depend on what the machine has installed.

Characters the Latin font lacks (Arabic, Hebrew, Chinese, Japanese, Korean) are measured in the
font the writers set for them (`briefgen.languages.SCRIPT_FONTS`: Noto Sans Arabic, Noto Sans
Hebrew, Noto Sans CJK), from their advance widths bundled in `fonts/noto-scripts.metrics.json`.
Arabic is measured by the joined forms that are drawn (`briefgen.joining`: initial, medial, final
or isolated, lam-alef as one ligature), each as wide as its presentation form in the font.

Those fonts are also taller than the Latin ones (Noto Sans Arabic reaches 1.374 em above the
baseline and 0.738 below, where Carlito's line is 1.22 em in all), and Word and LibreOffice make
a line as tall as the tallest font on it: `FontMetrics.line_height` measures a line of text so,
from the faces' vertical metrics bundled beside their advances.
"""

from __future__ import annotations

import bisect
import functools
import importlib.resources
import re
from dataclasses import dataclass, field
from typing import Any

from briefgen.joining import shape
from briefgen.resources import font_resource

# Office font families → the bundled metric-compatible file stem (same advance widths).
_FAMILIES = {
    "calibri": "Carlito",
    "carlito": "Carlito",
    "calibri light": "Carlito",
    "arial": "LiberationSans",
    "liberation sans": "LiberationSans",
    "helvetica": "LiberationSans",
}
_DEFAULT = "Carlito"
_WORD_CACHE_SIZE = 200_000  # texts per face: a bound on memory for very large briefs (~30 MB)


@dataclass(frozen=True, slots=True)
class FontMetrics:
    """Advance widths of one font face, in font units, with its vertical metrics."""

    family: str
    units_per_em: int
    advances: dict[int, int]  # code point -> advance width
    default_advance: int  # for characters the font lacks (a fallback font draws them)
    ascender: int
    descender: int  # negative
    line_gap: int
    bold: bool = False
    # Advances of characters this font lacks, as measured in their script's font (memoised).
    fallbacks: dict[int, int] = field(default_factory=dict, compare=False, repr=False)
    # Advance of whole words, in font units (memoised): pagination and the deck's fitting
    # measure the same words at many sizes and widths.
    words: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    # Lines of `wrap` by (text, width, size): a table's cells and a slide's boxes are measured
    # again at each width tried.
    wraps: dict[tuple[str, float, float], tuple[str, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def width(self, text: str, size_pt: float) -> float:
        """Width of `text` set at `size_pt`, in points (no kerning: errs on the wide side).
        A character this font lacks is measured in its script's Noto font, else as an em."""
        total = self.words.get(text)
        if total is None:
            total = self._advance(text)
            if len(self.words) < _WORD_CACHE_SIZE:
                self.words[text] = total
        return total * size_pt / self.units_per_em

    def _advance(self, text: str) -> int:
        get = self.advances.get
        total = 0
        text = shape(text)  # Arabic letters as the forms drawn
        for ch in text:
            advance = get(ord(ch))
            if advance is None:
                advance = self._fallback(ord(ch))
            total += advance
        return total

    def _fallback(self, code_point: int) -> int:
        advance = self.fallbacks.get(code_point)
        if advance is None:
            em = script_advance(code_point, self.bold)
            advance = self.default_advance if em is None else round(em * self.units_per_em)
            self.fallbacks[code_point] = advance
        return advance

    def line_height(self, size_pt: float, text: str = "", also: Extent | None = None) -> float:
        """Distance between baselines for single line spacing, in points, of a line of `text`
        set in this font at `size_pt`.

        Characters this font lacks are drawn in their script's Noto font, and a line holding
        them is as tall as its tallest font: the highest ascent above the baseline plus the
        deepest descent below it, as Word and LibreOffice lay a line out (this font's line gap
        counted above its ascent). `also` is a font known to be on the line whatever its
        characters (the complex-script font that draws a right-to-left document's digits and
        punctuation). Without either, the font's own line: ascender, descender and line gap.
        """
        extents = [] if also is None else [also]
        if not text.isascii():
            for code_point in {ord(ch) for ch in text if ch >= _FIRST_SCRIPT_CHAR}:
                found = script_extent(code_point)
                if found is not None:
                    extents.append(found)
        own = (self.ascender - self.descender + self.line_gap) * size_pt / self.units_per_em
        if not extents:
            return own
        ascent = max((self.ascender + self.line_gap) / self.units_per_em, *(e.ascent for e in extents))
        descent = max(-self.descender / self.units_per_em, *(e.descent for e in extents))
        return max(own, (ascent + descent) * size_pt)


@dataclass(frozen=True, slots=True)
class Extent:
    """How far a font's lines reach above the baseline (its ascender and line gap) and below it
    (its descender, positive), in ems."""

    ascent: float
    descent: float


_FIRST_SCRIPT_CHAR = "\u0590"  # the first code point of the bundled Noto data (Hebrew)


def resolve_family(family: str) -> str:
    """The bundled font file stem that stands in for `family` (Carlito when unknown)."""
    return _FAMILIES.get(family.strip().lower(), _DEFAULT)


@functools.cache
def font_metrics(family: str, bold: bool = False) -> FontMetrics:
    """Metrics for an Office font family; cached, so each face is read once per process."""
    stem = resolve_family(family)
    return _load(stem + ("-Bold" if bold else "-Regular"))


@functools.cache
def _load(name: str) -> FontMetrics:
    """The face's metrics from `fonts/<name>.metrics.json` (written from the font by
    scripts/make_font_metrics.py, about 1 ms to read), else from the font file (about 25 ms,
    plus 20 ms to import fontTools)."""
    import json

    cached = font_resource(f"{name}.metrics.json")
    try:
        data = json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _read_font(name)
    return FontMetrics(
        family=name,
        units_per_em=data["units_per_em"],
        advances=_with_space_aliases(dict(zip(data["code_points"], data["advances"], strict=True))),
        default_advance=data["units_per_em"],
        ascender=data["ascender"],
        descender=data["descender"],
        line_gap=data["line_gap"],
        bold=name.endswith("-Bold"),
    )


@functools.cache
def _script_data() -> dict[str, Any]:
    """The bundled Noto metrics (`fonts/noto-scripts.metrics.json`); empty when unreadable."""
    import json

    try:
        text = font_resource("noto-scripts.metrics.json").read_text(encoding="utf-8")
        data: dict[str, Any] = json.loads(text)
    except (OSError, ValueError):
        return {}
    return data


@functools.cache
def _script_runs(bold: bool) -> tuple[list[int], list[list[int]]]:
    """The bundled Noto advance runs [first, last, advance per 1000 em, face] and their starts."""
    runs: list[list[int]] = _script_data().get("bold" if bold else "regular", [])
    return [run[0] for run in runs], runs


def _script_run(code_point: int, bold: bool) -> list[int] | None:
    starts, runs = _script_runs(bold)
    i = bisect.bisect_right(starts, code_point) - 1
    if i >= 0 and runs[i][0] <= code_point <= runs[i][1]:
        return runs[i]
    return None


def script_advance(code_point: int, bold: bool = False) -> float | None:
    """The advance of `code_point` in the Noto font that draws its script, in ems; None when
    the character is in none of them."""
    run = _script_run(code_point, bold)
    return None if run is None else run[2] / 1000


@functools.cache
def _extents() -> dict[str, Extent]:
    """Each bundled Noto face's `Extent`, by family name."""
    data = _script_data()
    return {
        family: Extent((ascender + line_gap) / 1000, -descender / 1000)
        for family, (ascender, descender, line_gap) in zip(
            data.get("families", []), data.get("vertical", []), strict=True
        )
    }


@functools.cache
def script_extent(code_point: int) -> Extent | None:
    """The `Extent` of the Noto font that draws `code_point`'s script (Arabic, Hebrew, CJK);
    None for a character in none of them."""
    run = _script_run(code_point, False)
    if run is None:
        return None
    families: list[str] = _script_data().get("families", [])
    return _extents().get(families[run[3]]) if run[3] < len(families) else None


def family_extent(family: str) -> Extent | None:
    """The `Extent` of a script font the writers set (`briefgen.languages.SCRIPT_FONTS`), by
    family name; the CJK faces of one collection (SC, TC, JP, KR) share their vertical metrics.
    None for a family without bundled metrics."""
    extents = _extents()
    if family.startswith("Noto Sans CJK"):
        family = next((name for name in extents if name.startswith("Noto Sans CJK")), family)
    return extents.get(family)


def _with_space_aliases(advances: dict[int, int]) -> dict[int, int]:
    """Carlito has no glyph for the no-break space; Word and PowerPoint set it as wide as a
    space, where measuring it as a missing character would count a whole em."""
    if 0x20 in advances:
        advances.setdefault(0xA0, advances[0x20])
    if 0x2D in advances:  # the non-breaking hyphen is drawn as the font's hyphen (w:noBreakHyphen)
        advances.setdefault(0x2011, advances[0x2D])
    return advances


def _read_font(name: str) -> FontMetrics:
    import logging

    from fontTools.ttLib import TTFont  # imported only when text is measured

    # Carlito's head table carries a 1904-epoch date fontTools complains about; it is harmless.
    logging.getLogger("fontTools").setLevel(logging.ERROR)

    resource = font_resource(f"{name}.ttf")
    with importlib.resources.as_file(resource) as path:
        font = TTFont(path, lazy=True)
        cmap = font.getBestCmap()
        hmtx = font["hmtx"].metrics
        hhea = font["hhea"]
        upem = font["head"].unitsPerEm
        advances = _with_space_aliases({cp: hmtx[glyph][0] for cp, glyph in cmap.items() if glyph in hmtx})
        font.close()
    # Characters the font lacks are drawn by a fallback font; assume a wide glyph (the em
    # square) so that estimates stay on the safe side for CJK and other scripts.
    return FontMetrics(
        family=name,
        units_per_em=upem,
        advances=advances,
        default_advance=upem,
        ascender=hhea.ascent,
        descender=hhea.descent,
        line_gap=hhea.lineGap,
        bold=name.endswith("-Bold"),
    )


# A line may break after a run of spaces, but not at a no-break space (U+00A0, the figure space
# U+2007, the narrow no-break space U+202F): those join their neighbours, as in Word and
# PowerPoint ("10 000", "Mr Lavrov"). Each match is a word and the breakable spaces after it.
NO_BREAK_SPACES = "\u00a0\u2007\u202f"
_BREAKS = re.compile(rf"((?:\S|[{NO_BREAK_SPACES}])+)((?:(?![{NO_BREAK_SPACES}])\s)*)")
_SPACES = re.compile(rf"(?:(?![{NO_BREAK_SPACES}])\s)+")


def squeeze_spaces(text: str) -> str:
    """`text` on one line: each run of breakable whitespace (newlines too) one space, the ends
    trimmed; no-break spaces stay, so the line still cannot break there."""
    return _SPACES.sub(" ", text).strip(" ")


def split_words(text: str) -> list[str]:
    """The parts of `text` a line may break between (no-break spaces join their neighbours)."""
    return [word for word in _SPACES.split(text) if word]


def wrap(text: str, width_pt: float, metrics: FontMetrics, size_pt: float) -> list[str]:
    """Greedy word wrap of `text` into lines no wider than `width_pt`, as word processors do.

    Explicit newlines start a new line; a word wider than the box is broken between characters.
    Always returns at least one line.
    """
    key = (text, width_pt, size_pt)
    found = metrics.wraps.get(key)
    if found is None:
        found = _wrap(text, width_pt, metrics, size_pt)
        if len(metrics.wraps) < _WORD_CACHE_SIZE:
            metrics.wraps[key] = found
    return list(found)


def _wrap(text: str, width_pt: float, metrics: FontMetrics, size_pt: float) -> tuple[str, ...]:
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        line_w = 0.0
        for match in _BREAKS.finditer(para):
            word, space = match.groups()
            word_w = metrics.width(word, size_pt)
            if line and line_w + word_w > width_pt:
                lines.append(line.rstrip())
                line, line_w = "", 0.0
            if not line and word_w > width_pt:
                # Break an overlong word (URLs, long ids) between characters.
                chunk = ""
                for ch in word:
                    if chunk and metrics.width(chunk + ch, size_pt) > width_pt:
                        lines.append(chunk)
                        chunk = ""
                    chunk += ch
                line = chunk + space
                line_w = metrics.width(line, size_pt)
                continue
            line += word + space
            line_w += word_w + metrics.width(space, size_pt)
        lines.append(line.rstrip())
    return tuple(lines)
