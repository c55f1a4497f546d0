"""Page geometry of the default memo and a pure estimate of how long its body runs.

The constants describe the bundled `templates/reference.docx`; `scripts/make_reference_docx.py`
builds the reference from them, so the estimate and the real document agree. `briefgen check`
uses `estimate_body_pages` to enforce the two-page discipline without Word or python-docx.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from briefgen import metrics

if TYPE_CHECKING:  # lxml is imported only when a reference is read
    from lxml import etree
from briefgen.model import (
    Block,
    Div,
    Document,
    FootnoteRef,
    Heading,
    Inline,
    Link,
    ListBlock,
    PageBreak,
    Paragraph,
    RiskMatrix,
    Table,
    TableOfContents,
    Timeline,
    plain_text,
)

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


# Where Word may break a line: at spaces (not no-break ones), and after hyphens and slashes.
_BREAKABLE = re.compile(rf"(?:(?![{metrics.NO_BREAK_SPACES}])\s)+|(?<=[-/])")


def _pt(twips: float) -> float:
    return twips / TWIPS_PER_PT


# ---------------------------------------------------------------------------------------------
# Column widths, shared with the Word writer so that the estimate sees the tables it writes.


@dataclass(frozen=True, slots=True)
class _ColumnNeed:
    least: float  # the longest word: narrower would break words
    most: float  # the longest cell on one line


def column_widths(
    rows: Sequence[Sequence[str]],
    available_tw: int,
    size_pt: float = TABLE_SIZE,
    family: str = FONT,
    padding_tw: int = 2 * CELL_MARGIN_TW,
) -> list[int]:
    """Widths in twips for the columns of `rows` (the cells' text, header first) summing to
    `available_tw`, by the browsers' auto-layout rule: short numeric columns stay narrow, long
    text columns take the rest in proportion to how much text they hold."""
    ncols = max((len(r) for r in rows), default=0)
    if ncols == 0:
        return []
    # Bold metrics: header cells and RAG labels are bold, and wider is the safe side.
    regular = metrics.font_metrics(family, bold=True)
    needs: list[_ColumnNeed] = []
    prose: list[bool] = []  # columns of running text take the spare room, not dates or numbers
    # Long registers repeat the same words in every row: measure each word once per table.
    word_widths: dict[str, float] = {}

    def word_width(word: str) -> float:
        width = word_widths.get(word)
        if width is None:
            width = word_widths[word] = regular.width(word, size_pt)
        return width

    for c in range(ncols):
        least = most = 0.0
        words = 0
        for row in rows:
            text = row[c] if c < len(row) else ""
            words = max(words, len(text.split()))
            for line in text.split("\n") or [""]:
                line_width = regular.width(line, size_pt)
                most = max(most, line_width)
                if line_width <= least:
                    continue  # no word of this line can be wider than the line itself
                # Word breaks lines after hyphens and slashes too, so those end a "word".
                for word in _BREAKABLE.split(line):
                    least = max(least, word_width(word))
        pad = _pt(padding_tw) + 2.0  # a little air so that the estimate never wraps a word
        # A long word (a URL) may break rather than take the table: cap what it demands (a
        # quarter of the width or more in a table of few columns, up to half of two: a name
        # kept whole in a narrow page still fits its column).
        least = min(least, max(0.25, min(0.5, 1.4 / ncols)) * _pt(available_tw))
        least = max(least + pad, _pt(MIN_COLUMN_TW))
        needs.append(_ColumnNeed(least, max(most + pad, least)))
        prose.append(words >= 4)
    avail = _pt(available_tw)
    widths = [0.0] * ncols
    # Short columns (numbers, dates, ratings) get their whole text on one line first, and so do
    # columns of a few unbreakable-looking words (file references, ids) up to 45% of the width.
    narrow = [
        k for k, n in enumerate(needs) if n.most <= 0.15 * avail or (not prose[k] and n.most <= 0.45 * avail)
    ]
    if (
        sum(needs[k].most for k in narrow) + sum(n.least for k, n in enumerate(needs) if k not in narrow)
        > avail
    ):
        narrow = []
    for k in narrow:
        widths[k] = needs[k].most
    rest = [k for k in range(ncols) if k not in narrow]
    room = avail - sum(widths)
    if rest:
        least_sum = sum(needs[k].least for k in rest)
        most_sum = sum(needs[k].most for k in rest)
        if most_sum <= room:
            weights = [needs[k].most if prose[k] else 0.0 for k in rest]
            if not any(weights):
                weights = [needs[k].most for k in rest]
            total = sum(weights)
            for k, w in zip(rest, weights, strict=True):
                widths[k] = needs[k].most + (room - most_sum) * w / total
        elif least_sum >= room:
            for k in rest:
                widths[k] = room * needs[k].least / least_sum
        else:
            # Too much text for one line each: share the room by how much text a column holds,
            # but never below its longest word (water-filling: fix those at their minimum first).
            free = list(rest)
            fixed = 0.0
            while free:
                total = sum(needs[k].most for k in free)
                share = room - fixed
                short = [k for k in free if share * needs[k].most / total < needs[k].least]
                if not short:
                    for k in free:
                        widths[k] = share * needs[k].most / total
                    break
                for k in short:
                    widths[k] = needs[k].least
                    fixed += needs[k].least
                    free.remove(k)
    else:
        # Every column is short: spread the spare room evenly.
        spare = (avail - sum(widths)) / ncols
        widths = [w + spare for w in widths]
    if len(rows) * ncols <= _BALANCE_CELLS:
        widths = _balance(rows, widths, [n.least for n in needs], regular, size_pt, _pt(padding_tw))
    twips = [int(w * TWIPS_PER_PT) for w in widths]
    widest = max(range(ncols), key=lambda k: twips[k])
    twips[widest] += available_tw - sum(twips)  # exact total despite rounding
    return twips


# Tables up to this many cells get their widths balanced by measuring every cell (`_balance`);
# longer registers keep the proportional rule (measuring them all would cost more than it buys).
_BALANCE_CELLS = 400


def _balance(
    rows: Sequence[Sequence[str]],
    widths: list[float],
    least: list[float],
    face: metrics.FontMetrics,
    size_pt: float,
    pad_pt: float,
) -> list[float]:
    """Widths (points) adjusted so that the table is as short as it can be: take a slice of
    width from one column and give it to another while that lowers the total of the rows'
    heights (each the line count of its tallest cell), or keeps it and wraps the cells more
    evenly. A short column of titles next to a long column of prose then gets the room that
    spares it wrapping over four or five lines. Never below a column's longest word."""
    ncols = len(widths)
    cells = [[(row[c] if c < len(row) else "") for c in range(ncols)] for row in rows]
    cache: dict[tuple[int, int], list[int]] = {}

    def column_lines(c: int, width: float) -> list[int]:
        key = (c, round(width * 4))
        found = cache.get(key)
        if found is None:
            inner = max(width - pad_pt, size_pt)
            found = cache[key] = [len(metrics.wrap(r[c], inner, face, size_pt)) for r in cells]
        return found

    def height(ws: list[float]) -> tuple[int, int]:
        """The table's height in lines, then (to choose between equal heights) the sum of the
        squared line counts of its cells: a cell wrapped over many lines reads worst."""
        per_column = [column_lines(c, w) for c, w in enumerate(ws)]
        rows_ = list(zip(*per_column, strict=True))
        return sum(max(lines) for lines in rows_), sum(n * n for lines in rows_ for n in lines)

    total = sum(widths)
    step = total * 0.03
    best = height(widths)
    for _ in range(60):
        improved = False
        for give in range(ncols):
            if widths[give] - step < least[give]:
                continue
            for take in range(ncols):
                if take == give:
                    continue
                trial = list(widths)
                trial[give] -= step
                trial[take] += step
                h = height(trial)
                if h < best:
                    best, widths, improved = h, trial, True
        if not improved:
            break
    return widths


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


# ---------------------------------------------------------------------------------------------
# Pagination: the memo laid out page by page


@dataclass
class _Item:
    """A paragraph, table or figure in the flow: pieces that may go to different pages (a
    paragraph's lines, a table's rows), each with the height of the notes it cites."""

    pieces: list[float]
    notes: list[float]
    before: float = 0.0
    after: float = 0.0
    keep_next: bool = False
    lines: bool = False  # a paragraph: breaks between lines, keeping two at either end
    repeat: float = 0.0  # a table's header rows, repeated on each page it continues on
    whole: bool = False  # never split (the heat map)
    page_break: bool = False  # starts a new page
    heading: bool = False  # a heading: its page goes to the contents


@dataclass
class Pages:
    """Where the memo's layout puts things: `headings[k]` is the page (1-based) of the k-th
    heading in document order (`Document` headings, as the Word writer bookmarks them);
    `body_pages` how many pages the body fills before the annexes (fractional: 1.6 is one page
    and six tenths of the next, footnotes included)."""

    headings: list[int]
    body_pages: float
    total: int


class _Flow:
    """Turns the document model into `_Item`s with heights in points."""

    def __init__(self, document: Document, layout: PageLayout) -> None:
        self.document = document
        self.layout = layout
        self.regular = metrics.font_metrics(layout.font)
        self.bold = metrics.font_metrics(layout.font, bold=True)
        self.width = _pt(layout.text_width_tw)
        self.items: list[_Item] = []
        self.pending_break = False
        self.note_cache: dict[str, float] = {}

    def line(self, size: float) -> float:
        return self.regular.line_height(size)

    def count(self, text: str, width: float, size: float, bold: bool = False) -> int:
        face = self.bold if bold else self.regular
        return len(metrics.wrap(text, max(width, size), face, size))

    def notes_of(self, inlines: Sequence[Inline]) -> float:
        total = 0.0
        for node in inlines:
            if isinstance(node, FootnoteRef):
                total += self.note(node.label)
            elif isinstance(node, Link):
                total += self.notes_of(node.children)
        return total

    def note(self, label: str) -> float:
        if label not in self.note_cache:
            blocks = self.document.footnotes.get(label, ())
            text = " ".join(plain_text(b.content) for b in blocks if isinstance(b, Paragraph))
            size = self.layout.footnote_size
            lines = self.count("00 " + text, self.width, size)
            self.note_cache[label] = lines * self.line(size) + FOOTNOTE_AFTER
        return self.note_cache[label]

    def add(self, item: _Item) -> None:
        if self.pending_break:
            item.page_break = True
            self.pending_break = False
        self.items.append(item)

    def text(
        self,
        content: Sequence[Inline],
        width: float,
        size: float,
        *,
        bold: bool = False,
        before: float = 0.0,
        after: float = 0.0,
        keep_next: bool = False,
        heading: bool = False,
    ) -> None:
        n = self.count(plain_text(tuple(content)), width, size, bold)
        pieces = [self.line(size)] * n
        notes = [0.0] * n
        notes[-1] = self.notes_of(content)
        self.add(_Item(pieces, notes, before, after, keep_next, lines=not heading, heading=heading))

    def blocks(self, blocks: Sequence[Block], depth: int = 0) -> None:
        for block in blocks:
            self.block(block, depth)

    def block(self, block: Block, depth: int) -> None:
        layout = self.layout
        if isinstance(block, PageBreak):
            self.pending_break = True
        elif isinstance(block, Heading):
            if "title" in block.classes:
                self.text(block.content, self.width, layout.title_size, bold=True, after=layout.title_after)
                self.items[-1].heading = True
                return
            level = min(max(block.level, 1), 4) - 1
            self.text(
                block.content, self.width, layout.heading_size[level], bold=True,
                before=layout.heading_before[level], after=layout.heading_after[level], keep_next=True,
                heading=True,
            )  # fmt: skip
        elif isinstance(block, Paragraph):
            indent = _pt(LIST_INDENT_TW) * depth
            after = layout.list_after if depth else layout.body_after
            caption = "caption" in block.classes
            self.text(block.content, self.width - indent, layout.body_size, after=after, keep_next=caption)
        elif isinstance(block, ListBlock):
            for item in block.items:
                for child in item.blocks:
                    self.block(child, depth + 1 if not isinstance(child, ListBlock) else depth)
        elif isinstance(block, Div):
            if "notes" in block.classes:
                return
            if "fields" in block.classes:
                self.fields(block)
                return
            start = len(self.items)
            self.blocks(block.blocks, depth)
            if "bluf" in block.classes and len(self.items) > start:
                self.items[start].before += BOX_PADDING
                self.items[-1].after += BOX_PADDING
        elif isinstance(block, Table):
            rows = [*block.header, *block.body]
            texts = [[plain_text(c.content) for c in r] for r in rows]
            notes = [sum(self.notes_of(c.content) for c in r) for r in rows]
            self.table(texts, len(block.header), notes)
        elif isinstance(block, Timeline):
            self.table([["Date", "Event"], *([e.date, e.label] for e in block.events)], 1, None)
        elif isinstance(block, RiskMatrix):
            line = self.line(TABLE_SIZE)
            height = 5 * max(2 * line + _pt(2 * CELL_PADDING_TW), 26.0) + 2 * line + _pt(2 * CELL_PADDING_TW)
            self.add(_Item([height], [0.0], 0.0, TABLE_AFTER, whole=True))
        elif isinstance(block, TableOfContents):
            if block.title:
                self.add(_Item([self.line(layout.body_size)], [0.0], 0.0, layout.body_after, keep_next=True))
            entries = sum(
                1 for h in _headings(self.document.blocks) if h.level in (block.levels or (1, 2))
            )
            # Only the headings after the contents are listed; an upper bound is close enough.
            count = max(entries, 1)
            self.add(_Item([self.line(layout.body_size)] * count, [0.0] * count, lines=True))

    def table(self, rows: list[list[str]], header_rows: int, notes: list[float] | None) -> None:
        widths = column_widths(rows, self.layout.text_width_tw)
        heights = []
        for r, row in enumerate(rows):
            tallest = 1
            for c, text in enumerate(row):
                inner = _pt(widths[c] - 2 * CELL_MARGIN_TW) if c < len(widths) else self.width
                tallest = max(tallest, self.count(text, inner, TABLE_SIZE, bold=r < header_rows))
            heights.append(tallest * self.line(TABLE_SIZE) + _pt(2 * CELL_PADDING_TW))
        head = sum(heights[:header_rows])
        body = heights[header_rows:] or [0.0]
        body_notes = (notes or [0.0] * len(rows))[header_rows:] or [0.0]
        pieces = [head + body[0], *body[1:]]
        self.add(_Item(pieces, body_notes, 0.0, TABLE_AFTER, repeat=head))

    def fields(self, div: Div) -> None:
        inner = self.width - _pt(FIELD_LABEL_TW) - _pt(CELL_MARGIN_TW)
        pieces, notes = [], []
        for block in div.blocks:
            if isinstance(block, Paragraph):
                n = self.count(plain_text(block.content), inner, FIELD_SIZE)
                pieces.append(n * self.line(FIELD_SIZE) + 2.0)
                notes.append(self.notes_of(block.content))
        if pieces:
            self.add(_Item(pieces, notes, 0.0, self.layout.body_after))


def _headings(blocks: Sequence[Block]) -> list[Heading]:
    """Headings in document order, as the Word writer meets (and bookmarks) them."""
    found: list[Heading] = []
    for block in blocks:
        if isinstance(block, Heading):
            found.append(block)
        elif isinstance(block, Div) and "notes" not in block.classes:
            found.extend(_headings(block.blocks))
        elif isinstance(block, ListBlock):
            for item in block.items:
                found.extend(_headings(item.blocks))
    return found


def paginate(document: Document, layout: PageLayout = DEFAULT_LAYOUT) -> Pages:
    """Lay the memo out page by page as Word and LibreOffice do: paragraphs break between lines
    (at least two lines at either end), table rows never break and header rows repeat, a
    heading or caption goes to the next page with what follows it, the space between two
    paragraphs is the larger of the one's space after and the other's space before (none at the
    top of a page), and each page's footnotes (with their separator) take room at its foot."""
    flow = _Flow(document, layout)
    flow.blocks(document.blocks)
    items = flow.items
    height = _pt(layout.text_height_tw)
    page, y, notes, last_after = 1, 0.0, 0.0, 0.0
    body_end: float | None = None
    headings: list[int] = []

    def room(extra_notes: float) -> float:
        total = notes + extra_notes
        return height - y - (FOOTNOTE_SEPARATOR + total if total else 0.0)

    def new_page() -> None:
        nonlocal page, y, notes, last_after
        page, y, notes, last_after = page + 1, 0.0, 0.0, 0.0

    for k, item in enumerate(items):
        if item.page_break:
            if body_end is None:
                body_end = _fill(page, y, notes, height)
            if y > 0:
                new_page()
        gap = 0.0 if y == 0 else max(item.before - last_after, 0.0)
        # What must stay on this page with the item's first piece: the rest of a keep-with-next
        # chain and the first piece (two lines of a paragraph) of what follows it.
        need = gap + (sum(item.pieces) if item.keep_next or item.whole else item.pieces[0])
        j = k
        while items[j].keep_next and j + 1 < len(items) and not items[j + 1].page_break:
            j += 1
            nxt = items[j]
            lead = sum(nxt.pieces[:2]) if nxt.lines else nxt.pieces[0]
            body = sum(nxt.pieces) if nxt.keep_next or nxt.whole else lead
            need += max(nxt.before - items[j - 1].after, 0.0) + body
        if y > 0 and need > room(item.notes[0]) and need <= height:
            new_page()
            gap = 0.0
        if item.heading:
            headings.append(page)
        y += gap
        pieces = list(zip(item.pieces, item.notes, strict=True))
        placed = 0  # pieces of this item on the current page
        for n, (piece, note) in enumerate(pieces):
            if y > 0 and piece > room(note):
                carried = 0.0
                if item.lines and placed < 2:
                    carried = sum(item.pieces[n - placed : n])  # no single line left behind
                elif item.lines and len(pieces) - n < 2 and placed > 2:
                    carried = item.pieces[n - 1]  # nor a single line carried over
                y -= carried
                new_page()
                y += carried + (item.repeat if item.repeat and n else 0.0)
                placed = 1 if carried else 0
            y += piece
            notes += note
            placed += 1
        y += item.after
        last_after = item.after
    total = page
    if body_end is None:
        body_end = _fill(page, y, notes, height)
    return Pages(headings, body_end, total)


def _fill(page: int, y: float, notes: float, height: float) -> float:
    """Pages filled when the last one is filled to `y` with `notes` of footnotes at its foot."""
    used = y + (notes + FOOTNOTE_SEPARATOR if notes else 0.0)
    return page - 1 + min(used / height, 1.0)


def estimate_body_pages(document: Document, layout: PageLayout = DEFAULT_LAYOUT) -> float:
    """Pages the memo's body fills before its first page break (where the annexes start), laid
    out with `paginate` in the reference's page size, margins and styles, footnotes included:
    1.6 is one page and six tenths of a second."""
    return paginate(document, layout).body_pages
