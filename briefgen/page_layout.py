"""The page layout of the memo: the geometry and type of the bundled reference, and of any other.

The constants describe the bundled `templates/reference.docx` (twips and points);
`scripts/make_reference_docx.py` builds the reference from them, so the estimate and the real
document agree. `PageLayout` is what the layout estimate (`briefgen.pagination`) and the table
widths (`briefgen.table_layout`) need of a reference: page size, margins, and the sizes and
spacing of the styles the memo uses; `layout_of_reference` reads it from a reference's bytes
with zipfile and lxml, without Word or python-docx.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # lxml is imported only when a reference is read
    from lxml import etree

# ---------------------------------------------------------------------------------------------
# Geometry of the default reference (twips: 1/20 pt; 567 twips = 1 cm).

TWIPS_PER_PT = 20
PAGE_WIDTH_TW = 11906  # A4
PAGE_HEIGHT_TW = 16838
MARGIN_TW = 1418  # 2.5 cm on every side
HEADER_DISTANCE_TW = 709  # 1.25 cm from the page edge
FOOTER_DISTANCE_TW = 709
TEXT_WIDTH_TW = PAGE_WIDTH_TW - 2 * MARGIN_TW
TEXT_HEIGHT_TW = PAGE_HEIGHT_TW - 2 * MARGIN_TW

# Type sizes (points) and paragraph spacing (points) of the default reference.
FONT = "Calibri"
BODY_SIZE = 11.0
BODY_AFTER = 6.0
LIST_AFTER = 3.0
LIST_INDENT_TW = 360  # per nesting level
TITLE_SIZE = 16.0
TITLE_AFTER = 4.0
HEADING_SIZE = {1: 13.0, 2: 11.5, 3: 11.0, 4: 11.0}
HEADING_BEFORE = {1: 14.0, 2: 9.0, 3: 6.0, 4: 6.0}
HEADING_AFTER = {1: 4.0, 2: 3.0, 3: 2.0, 4: 2.0}
TABLE_SIZE = 10.0
CELL_MARGIN_TW = 85  # left/right cell padding (0.15 cm)
CELL_PADDING_TW = 28  # top/bottom cell padding
TABLE_AFTER = 8.0  # space after a table (carried by the next paragraph's spacing before)
MIN_COLUMN_TW = 2 * CELL_MARGIN_TW + 200
FIELD_SIZE = 11.0
FIELD_LABEL_TW = 1560  # label column of the heading block (2.75 cm)
BOX_PADDING = 6.0  # the bottom-line box: border spacing above and below
FOOTNOTE_SIZE = 9.0
FOOTNOTE_SEPARATOR = 12.0
FOOTNOTE_AFTER = 1.0  # measured: LibreOffice sets 9 pt notes 12 pt apart
HEADER_FOOTER_SIZE = 9.0


def points(twips: float) -> float:
    """Twips (1/20 pt) as points."""
    return twips / TWIPS_PER_PT


# ---------------------------------------------------------------------------------------------
# The page layout of a reference document


@dataclass(frozen=True, slots=True)
class PageLayout:
    """What the estimate needs of a reference document: page size and margins (twips), and the
    type sizes and paragraph spacing (points) of the styles the memo uses."""

    page_width_tw: int = PAGE_WIDTH_TW
    page_height_tw: int = PAGE_HEIGHT_TW
    margin_top_tw: int = MARGIN_TW
    margin_bottom_tw: int = MARGIN_TW
    margin_left_tw: int = MARGIN_TW
    margin_right_tw: int = MARGIN_TW
    font: str = FONT
    body_size: float = BODY_SIZE
    body_after: float = BODY_AFTER
    list_after: float = LIST_AFTER
    title_size: float = TITLE_SIZE
    title_after: float = TITLE_AFTER
    heading_size: tuple[float, float, float, float] = (13.0, 11.5, 11.0, 11.0)
    heading_before: tuple[float, float, float, float] = (14.0, 9.0, 6.0, 6.0)
    heading_after: tuple[float, float, float, float] = (4.0, 3.0, 2.0, 2.0)
    footnote_size: float = FOOTNOTE_SIZE

    @property
    def text_width_tw(self) -> int:
        return self.page_width_tw - self.margin_left_tw - self.margin_right_tw

    @property
    def text_height_tw(self) -> int:
        return self.page_height_tw - self.margin_top_tw - self.margin_bottom_tw


DEFAULT_LAYOUT = PageLayout()

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def layout_of_reference(data: bytes | None) -> PageLayout:
    """The `PageLayout` of a reference .docx (its bytes; None: the bundled reference's, which
    are the module's constants): the last section's page size and margins, the document
    defaults and the Normal, Title, Heading 1–4, List Bullet and Footnote Text styles. Anything
    missing or unreadable keeps the default. Reads the package with zipfile and lxml only."""
    if data is None:
        return DEFAULT_LAYOUT
    import io
    import zipfile

    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            document = etree.fromstring(zf.read("word/document.xml"), parser)
            names = zf.namelist()
            styles_xml = zf.read("word/styles.xml") if "word/styles.xml" in names else None
        styles = etree.fromstring(styles_xml, parser) if styles_xml is not None else None
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, OSError):
        return DEFAULT_LAYOUT
    values: dict[str, Any] = {}
    sections = document.findall(f".//{_W}sectPr")
    if sections:
        section = sections[-1]
        size = section.find(f"{_W}pgSz")
        margins = section.find(f"{_W}pgMar")
        for node, attr, key in (
            (size, "w", "page_width_tw"),
            (size, "h", "page_height_tw"),
            (margins, "top", "margin_top_tw"),
            (margins, "bottom", "margin_bottom_tw"),
            (margins, "left", "margin_left_tw"),
            (margins, "right", "margin_right_tw"),
        ):
            number = _twips(node, attr)
            if number is not None:
                values[key] = abs(number)
    if styles is not None:
        values.update(_style_values(styles))
    try:
        return PageLayout(**values)
    except (TypeError, ValueError):
        return DEFAULT_LAYOUT


def _twips(node: etree._Element | None, attr: str) -> int | None:
    if node is None:
        return None
    raw = node.get(f"{_W}{attr}")
    try:
        return int(float(raw)) if raw is not None else None
    except ValueError:
        return None


def _style_values(styles: etree._Element) -> dict[str, object]:
    """Sizes and spacing of the styles the estimate needs, following `w:basedOn`."""
    by_name: dict[str, etree._Element] = {}
    by_id: dict[str, etree._Element] = {}
    for style in styles.iter(f"{_W}style"):
        name_el = style.find(f"{_W}name")
        if name_el is not None:
            by_name[name_el.get(f"{_W}val", "").lower()] = style
        by_id[style.get(f"{_W}styleId", "")] = style
    defaults = styles.find(f"{_W}docDefaults")

    def lookup(style: etree._Element | None, path: str, attr: str) -> int | None:
        seen = 0
        while style is not None and seen < 10:
            found = _twips(style.find(path), attr)
            if found is not None:
                return found
            based = style.find(f"{_W}basedOn")
            style = by_id.get(based.get(f"{_W}val", "")) if based is not None else None
            seen += 1
        if defaults is not None:
            default_path = path.replace(f"{_W}rPr", f"{_W}rPrDefault/{_W}rPr")
            default_path = default_path.replace(f"{_W}pPr", f"{_W}pPrDefault/{_W}pPr")
            return _twips(defaults.find(default_path), attr)
        return None

    def size(name: str) -> float | None:
        half = lookup(by_name.get(name), f"{_W}rPr/{_W}sz", "val")
        return None if half is None else half / 2

    def spacing(name: str, attr: str) -> float | None:
        twips = lookup(by_name.get(name), f"{_W}pPr/{_W}spacing", attr)
        return None if twips is None else twips / TWIPS_PER_PT

    out: dict[str, object] = {}
    for key, value in (
        ("body_size", size("normal")),
        ("body_after", spacing("normal", "after")),
        ("list_after", spacing("list bullet", "after")),
        ("title_size", size("title")),
        ("title_after", spacing("title", "after")),
        ("footnote_size", size("footnote text")),
    ):
        if value is not None:
            out[key] = value
    sizes = list(DEFAULT_LAYOUT.heading_size)
    befores = list(DEFAULT_LAYOUT.heading_before)
    afters = list(DEFAULT_LAYOUT.heading_after)
    for level in range(1, 5):
        name = f"heading {level}"
        if name not in by_name:
            continue
        for target, value in (
            (sizes, size(name)),
            (befores, spacing(name, "before")),
            (afters, spacing(name, "after")),
        ):
            if value is not None:
                target[level - 1] = value
    out["heading_size"] = tuple(sizes)
    out["heading_before"] = tuple(befores)
    out["heading_after"] = tuple(afters)
    return out

