"""The geometry a deck is planned against: boxes in points, per slide kind, plus the chrome.

`briefgen.slides.reference.read_geometry` reads these from the reference presentation's
layouts; the rest of `briefgen.slides`, and the PowerPoint writer, only read them. Units are
points (1/72 inch) throughout.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from briefgen import styles

KINDS = ("title", "section", "content", "two-column", "risk-map", "timeline", "table")
TEXT_KINDS = ("title", "section", "content", "two-column")
GRAPHIC_KINDS = ("risk-map", "timeline", "table")
MAX_TIMELINE_EVENTS = 10

# Lines are wrapped against a slightly narrower box than the renderer has: kerning, hinting and
# rounding differ a little between PowerPoint, LibreOffice and our advance-width sums, and a
# line that is a hair too long would wrap once more in the renderer than in the plan.
WIDTH_SAFETY = 0.96
# Vertical slack (points) kept free in every text box for the same reason.
HEIGHT_SLACK = 2.0
BANNER_INSETS = (3.6, 1.0, 3.6, 1.0)  # the marking banners' text insets: one line fills the band
CELL_MARGINS = (7.2, 3.6, 7.2, 3.6)  # left, top, right, bottom: what the writer sets on cells
SHRINK_STEP = 1.0
CAPTION_SHARE = 0.3  # a caption above a graphic may take at most this share of the area

_CLAUSE_WORDS = {"while", "and", "but", "so", "because", "as", "to", "with", "without", "–", "—", "-"}
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+")


# ---------------------------------------------------------------------------------------------
# Geometry (what the writer reads from the reference presentation)


@dataclass(frozen=True)
class LayoutBox:
    """A box on the slide in points, with the font its text is set in and the text insets."""

    left: float
    top: float
    width: float
    height: float
    font: str = "Calibri"
    size: float = 18.0
    bold: bool = False
    insets: tuple[float, float, float, float] = (7.2, 3.6, 7.2, 3.6)  # left, top, right, bottom

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def inner_width(self) -> float:
        return max(self.width - self.insets[0] - self.insets[2], 1.0)

    @property
    def inner_height(self) -> float:
        return max(self.height - self.insets[1] - self.insets[3], 1.0)

    def moved(self, **changes: Any) -> LayoutBox:
        """A copy with some fields changed (positions and sizes in points, or the font)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class SlideFrame:
    """The boxes of one slide kind: title, body (text, or the area a graphic fills), and the
    right column of two-column slides (`body` is then the left one)."""

    layout: str
    title: LayoutBox
    body: LayoutBox
    right: LayoutBox | None = None
    # Which layout and placeholders the writer fills (`p:ph` attributes); None: a text box.
    layout_part: str = ""
    title_ph: tuple[tuple[str, str], ...] | None = None
    body_ph: tuple[tuple[str, str], ...] | None = None
    right_ph: tuple[tuple[str, str], ...] | None = None
    number_ph: tuple[tuple[str, str], ...] | None = None


@dataclass(frozen=True)
class DeckGeometry:
    """Boxes per slide kind plus the slide chrome (marking bands, source line, slide number).

    `frames` maps each kind in `KINDS` to its `SlideFrame` (a missing kind uses "content").
    `text_font` is the theme's body font, used by text boxes, tables and labels.
    """

    frames: Mapping[str, SlideFrame]
    width: float = 960.0
    height: float = 540.0
    min_font_pt: float = styles.PPTX_MIN_FONT_PT
    table_pt: float = styles.PPTX_TABLE_PT
    label_pt: float = styles.PPTX_LABEL_PT
    text_font: str = "Calibri"
    marking_top: LayoutBox = LayoutBox(
        120.0, 2.0, 720.0, 20.0, size=styles.PPTX_MARKING_PT, bold=True, insets=BANNER_INSETS
    )
    marking_bottom: LayoutBox = LayoutBox(
        120.0, 518.0, 720.0, 20.0, size=styles.PPTX_MARKING_PT, bold=True, insets=BANNER_INSETS
    )
    source: LayoutBox = LayoutBox(36.0, 474.0, 800.0, 30.0, size=styles.PPTX_SOURCE_PT)
    number: LayoutBox = LayoutBox(864.0, 516.0, 60.0, 20.0, size=styles.PPTX_SOURCE_PT)
    banner_min_pt: float = styles.PPTX_BANNER_MIN_PT  # marking banners never shrink below this
    accent: str = styles.PPTX_PRIMARY  # the theme's accent 1: table header fill
    paragraph_space: float = 0.5  # space before each paragraph but the first, x font size
    indent: float = 20.0  # points per list level (bullets hang in it)

    def frame(self, kind: str) -> SlideFrame:
        return self.frames.get(kind) or self.frames["content"]

    @property
    def min_title_pt(self) -> float:
        return self.min_font_pt + 4
