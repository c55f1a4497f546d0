"""A pure estimate of how the memo's body runs onto pages: the memo laid out page by page.

`paginate` lays the document model out in a reference's `PageLayout` (`briefgen.page_layout`)
with the same line breaking, paragraph spacing and table widths (`briefgen.table_layout`) as
the Word writer; the writer takes the contents' page numbers from it, and `briefgen check` uses
`estimate_body_pages` to enforce the two-page discipline without Word or python-docx.

Each line is as tall as the fonts on it (`briefgen.metrics.FontMetrics.line_height`): a line of
Arabic, Hebrew or CJK text is set in its Noto font, taller than the Latin one; in a right-to-left
document every run the Word writer marks right to left (`w:rtl`, `w:cs`), digits and punctuation
included, is drawn in the complex-script font, so a line holding any of it takes that font's height.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from briefgen import metrics
from briefgen.languages import SCRIPT_FONTS, direction_classes, language_of, messages_for
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
from briefgen.page_layout import (
    BOX_PADDING,
    CELL_MARGIN_TW,
    CELL_PADDING_TW,
    DEFAULT_LAYOUT,
    FIELD_LABEL_TW,
    FIELD_SIZE,
    FOOTNOTE_AFTER,
    FOOTNOTE_SEPARATOR,
    LIST_INDENT_TW,
    TABLE_AFTER,
    TABLE_SIZE,
    PageLayout,
    points,
)
from briefgen.table_layout import column_widths, heat_map_header_lines, heat_map_layout

# ---------------------------------------------------------------------------------------------
# Pagination: the memo laid out page by page

TOC_ENTRY_AFTER = 2.0  # the bundled reference's "toc 1"-"toc 3" styles: 40 twips after each entry


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
        self.width = points(layout.text_width_tw)
        self.items: list[_Item] = []
        self.pending_break = False
        self.note_cache: dict[str, float] = {}
        self.headings_seen = 0  # headings laid out so far: the contents list only those after
        language = language_of(document.meta.language or "en-GB")
        self.messages = messages_for(document.meta.language or "en-GB")
        script_font = SCRIPT_FONTS.get(language.script)
        # The font of the document's own script where it is not the Latin one: its labels and
        # headings are set in it; in a right-to-left document, every right-to-left run too.
        self.own = metrics.family_extent(script_font) if script_font else None
        self.rtl = language.rtl and self.own is not None

    def line(self, size: float) -> float:
        """The height of a line in the document's own language (its fixed labels)."""
        return self.regular.line_height(size, also=self.own)

    def heights(self, text: str, width: float, size: float, bold: bool = False) -> list[float]:
        """The height of each line `text` wraps into (`width` and `size` in points)."""
        face = self.bold if bold else self.regular
        lines = metrics.wrap(text, max(width, size), face, size)
        if not self.rtl:
            return [self.regular.line_height(size, line) for line in lines]
        # Right to left: a line holding a character the Word writer puts in a right-to-left
        # run is drawn (in part) in the complex-script font.
        classes = direction_classes(text, "R")
        out, start = [], 0
        for line in lines:
            found = text.find(line, start)
            at = found if found >= 0 else start
            start = at + len(line)
            rtl = "R" in classes[at:start] or not line
            out.append(self.regular.line_height(size, line, self.own if rtl else None))
        return out

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
            lines = self.heights("00 " + text, self.width, size)
            self.note_cache[label] = sum(lines) + FOOTNOTE_AFTER
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
        pieces = self.heights(plain_text(tuple(content)), width, size, bold)
        n = len(pieces)
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
            self.headings_seen += 1
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
            indent = points(LIST_INDENT_TW) * depth
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
            columns = [self.messages.gettext("Date"), self.messages.gettext("Event")]  # as the writer
            self.table([columns, *([e.date, e.label] for e in block.events)], 1, None)
        elif isinstance(block, RiskMatrix):
            line = self.line(TABLE_SIZE)
            padding = points(2 * CELL_PADDING_TW)
            messages = messages_for(self.document.meta.language or "en-GB")
            heat = heat_map_layout(
                block.likelihood_labels,
                block.impact_labels,
                messages.gettext("Likelihood / impact"),
                messages.gettext("Impact"),
                self.layout.text_width_tw,
            )
            header, scale = heat_map_header_lines(heat)
            height = 5 * max(2 * line + padding, 26.0) + max(2, header) * line + padding
            if scale:
                height += scale * line + padding
            self.add(_Item([height], [0.0], 0.0, TABLE_AFTER, whole=True))
        elif isinstance(block, TableOfContents):
            # As the Word writer: an entry for each heading after the contents at the listed
            # levels (the title has none); with no entries the contents are left out.
            levels = set(block.levels) or {1, 2}
            later = memo_headings(self.document.blocks)[self.headings_seen :]
            count = sum(1 for h in later if h.level in levels and "title" not in h.classes)
            if not count:
                return
            if block.title:
                self.add(_Item([self.line(layout.body_size)], [0.0], 0.0, layout.body_after, keep_next=True))
            entry = self.line(layout.body_size) + TOC_ENTRY_AFTER
            self.add(_Item([entry] * count, [0.0] * count, lines=True))

    def table(self, rows: list[list[str]], header_rows: int, notes: list[float] | None) -> None:
        widths = column_widths(rows, self.layout.text_width_tw)
        heights = []
        for r, row in enumerate(rows):
            tallest = self.regular.line_height(TABLE_SIZE)
            for c, text in enumerate(row):
                inner = points(widths[c] - 2 * CELL_MARGIN_TW) if c < len(widths) else self.width
                tallest = max(tallest, sum(self.heights(text, inner, TABLE_SIZE, bold=r < header_rows)))
            heights.append(tallest + points(2 * CELL_PADDING_TW))
        head = sum(heights[:header_rows])
        body = heights[header_rows:] or [0.0]
        body_notes = (notes or [0.0] * len(rows))[header_rows:] or [0.0]
        pieces = [head + body[0], *body[1:]]
        self.add(_Item(pieces, body_notes, 0.0, TABLE_AFTER, repeat=head))

    def fields(self, div: Div) -> None:
        inner = self.width - points(FIELD_LABEL_TW) - points(CELL_MARGIN_TW)
        pieces, notes = [], []
        for block in div.blocks:
            if isinstance(block, Paragraph):
                pieces.append(sum(self.heights(plain_text(block.content), inner, FIELD_SIZE)) + 2.0)
                notes.append(self.notes_of(block.content))
        if pieces:
            self.add(_Item(pieces, notes, 0.0, self.layout.body_after))


def memo_headings(blocks: Sequence[Block]) -> list[Heading]:
    """Headings in document order, as the Word writer meets (and bookmarks) them: the one list
    both the contents' estimate and the writer's bookmarks come from, so they cannot disagree."""
    found: list[Heading] = []
    for block in blocks:
        if isinstance(block, Heading):
            found.append(block)
        elif isinstance(block, Div) and "notes" not in block.classes:
            found.extend(memo_headings(block.blocks))
        elif isinstance(block, ListBlock):
            for item in block.items:
                found.extend(memo_headings(item.blocks))
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
    height = points(layout.text_height_tw)
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


def shown_pages(pages: float) -> float:
    """An estimate of `pages` as every message prints it, to the tenth: rounded up, so that a
    body a line over its budget never reads "about 2.0 pages, over its budget of 2", and the
    over-budget warning, `check`'s line and its JSON agree (2.23 → 2.3; 2.2 stays 2.2)."""
    return math.ceil(round(pages * 10, 9)) / 10
