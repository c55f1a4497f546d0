"""The styling contract: every style name, layout name and colour the writers rely on.

Templates decide wording and order; reference files decide the look. The writers look up the
names below in the reference document; a missing one falls back to the built-in default with a
warning naming it (error only when nothing can serve).
"""

from __future__ import annotations

# RAG (red / amber / green) colours, shared by the memo's risk table and the deck's heat map.
# Every text colour meets WCAG 2.1 AA (contrast ratio at least 4.5:1, `contrast_ratio`) on the
# fill it is set on: white on the red and green fills, near-black on amber (white on amber is
# 2.0:1); RAG words in running text take the darker RAG_ON_WHITE shades.
RAG_FILL = {"red": "C0392B", "amber": "F2A93B", "green": "2E7D4F"}
RAG_TEXT = {"red": "FFFFFF", "amber": "1A1A1A", "green": "FFFFFF"}
RAG_ON_WHITE = {"red": "B03A2E", "amber": "7A5200", "green": "2D6A45"}
RAG_LABEL = {"red": "Red", "amber": "Amber", "green": "Green"}
WCAG_AA = 4.5  # minimum contrast ratio of body text (WCAG 2.1, success criterion 1.4.3)
DARK_TEXT = "1A1A1A"
LIGHT_TEXT = "FFFFFF"


def _luminance(hex_rgb: str) -> float:
    """Relative luminance of an sRGB colour 'RRGGBB' (WCAG 2.1 definition)."""
    channels = [int(hex_rgb[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two 'RRGGBB' colours, 1.0 to 21.0."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(fill: str) -> str:
    """White or near-black, whichever reads better on `fill` (one of them always passes AA)."""
    light, dark = contrast_ratio(LIGHT_TEXT, fill), contrast_ratio(DARK_TEXT, fill)
    return LIGHT_TEXT if light >= max(dark, WCAG_AA) else DARK_TEXT

# Span classes in the Markdown (see docs/markup.md) that carry meaning for the writers.
CLASS_RAG = {"rag-red": "red", "rag-amber": "amber", "rag-green": "green"}
CLASS_PORTION = "portion"
CLASS_SOURCE = "source"
CLASS_IF_ROOM = "if-room"  # a deck div whose content a slide shows only where room allows

# ---------------------------------------------------------------------------------------------
# Word (docx): paragraph / table style names looked up in the reference document.

DOCX_HEADINGS = {1: "Heading 1", 2: "Heading 2", 3: "Heading 3", 4: "Heading 4"}
DOCX_BODY = "Normal"
DOCX_TITLE = "Title"
DOCX_BULLET = "List Bullet"
DOCX_NUMBER = "List Number"
DOCX_BULLETS = {1: "List Bullet", 2: "List Bullet 2", 3: "List Bullet 3"}  # by nesting level
DOCX_NUMBERS = {1: "List Number", 2: "List Number 2", 3: "List Number 3"}
DOCX_LIST_CONTINUE = {1: "List Continue", 2: "List Continue 2", 3: "List Continue 3"}
DOCX_TABLE = "Briefing Table"  # table style: rules, header row shading, repeat header
DOCX_LAYOUT_TABLE = "Normal Table"  # borderless table for the heading block
DOCX_TABLE_TEXT = "Table Text"  # cell paragraphs: no spacing
DOCX_FIELD = "Memo Field"  # TO / FROM / DATE lines of the heading block
DOCX_MARKING = "Marking"  # the classification line in header and footer
DOCX_BLUF = "Bottom Line"  # the summary box
DOCX_CAPTION = "Caption"
DOCX_HEADER = "Header"
DOCX_FOOTER = "Footer"
DOCX_FOOTNOTE_TEXT = "footnote text"
DOCX_FOOTNOTE_REFERENCE = "footnote reference"
DOCX_TOC = {1: "toc 1", 2: "toc 2", 3: "toc 3"}
DOCX_TOC_HEADING = "TOC Heading"
DOCX_HYPERLINK = "Hyperlink"
# Lighter tints of RAG_FILL for the empty cells of the memo's heat map.
DOCX_RAG_TINT = {"red": "F2C9C4", "amber": "FBE5C4", "green": "CFE3D5"}
DOCX_HEAT_GAP = "FFFFFF"  # the rules between the heat map's cells
# The DOCX_ names above that hold colours, not style names.
DOCX_COLOURS = frozenset({"DOCX_RAG_TINT", "DOCX_HEAT_GAP", "DOCX_COLOURS"})

# ---------------------------------------------------------------------------------------------
# PowerPoint (pptx): slide kinds -> layout names in the reference presentation (configurable).

PPTX_LAYOUTS = {
    "title": "Title Slide",
    "section": "Section Header",
    "content": "Title and Content",
    "two-column": "Two Content",
    "risk-map": "Title Only",
    "timeline": "Title Only",
    "table": "Title Only",
}

# A missing layout falls back to the first of these the reference has (then to its first layout),
# with a warning naming the missing one.
PPTX_LAYOUT_FALLBACKS = ("Title Only", "Title and Content")

# Deck colours the reference's theme does not carry (hex RGB, no '#').
PPTX_HIGHLIGHT = "C9A227"  # the highlighted timeline event's marker (the meeting itself)
PPTX_HIGHLIGHT_TEXT = "7A5A00"  # its date: the same gold, dark enough to read on white
PPTX_TIMELINE = "5B6B7F"  # timeline axis, ordinary markers and connectors
PPTX_MUTED_TEXT = "4A5868"  # source lines (7.3:1 on white)
PPTX_LABEL_TEXT = "1F2933"  # axis labels, legends, timeline dates: dark, not grey
PPTX_PRIMARY = "1F3A5F"  # table headers when the theme has no accent 1 (navy)
PPTX_ON_PRIMARY = "FFFFFF"  # text on the primary colour; marker outlines
PPTX_TABLE_RULE = "D0D7E1"  # cell borders of ordinary tables
PPTX_TABLE_BAND = "F2F4F7"  # every other body row of a table
PPTX_TABLE_FILL = "FFFFFF"  # the other body rows
PPTX_HEAT_GAP = "FFFFFF"  # the gaps between heat-map cells

# Text sizes in points: body text never shrinks below PPTX_MIN_FONT_PT (configurable per
# build). The banners are bold and at least PPTX_BANNER_MIN_PT, so that they can be read when
# projected (`output.banner_pt` sets them, default PPTX_MARKING_PT); chart labels (axes, legend,
# heat-map numbers, timeline dates) are at least PPTX_LABEL_PT; only the source line is smaller.
PPTX_MIN_FONT_PT = 14.0
PPTX_MAX_BODY_PT = 24.0  # a reference's larger body text (python-pptx's default: 32 pt) is planned at this
PPTX_TABLE_PT = 16.0
PPTX_MARKING_PT = 12.0
PPTX_BANNER_MIN_PT = 10.0
PPTX_SOURCE_PT = 10.0
PPTX_LABEL_PT = 12.0
