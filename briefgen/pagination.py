"""Page geometry of the default memo and a pure estimate of how long its body runs.

The constants describe the bundled `templates/reference.docx`; `scripts/make_reference_docx.py`
builds the reference from them, so the estimate and the real document agree. `briefgen check`
uses `estimate_body_pages` to enforce the two-page discipline without Word or python-docx.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefgen import metrics
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
        # A long word (a URL) may break rather than take the table: cap what it demands.
        least = min(least, 0.25 * _pt(available_tw))
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
# Body length estimate


def estimate_body_pages(document: Document) -> float:
    """Pages the memo's body fills before its first page break (where the annexes start),
    set in the default reference's fonts, sizes and page geometry; footnotes count too."""
    body: list[Block] = []
    for block in document.blocks:
        if isinstance(block, PageBreak):
            break
        body.append(block)
    estimator = _Estimator(document)
    height = sum(estimator.block(b, 0) for b in body)
    height += estimator.footnotes_height()
    return height / _pt(TEXT_HEIGHT_TW)


class _Estimator:
    """Heights in points of the model's blocks, laid out at the text width."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.regular = metrics.font_metrics(FONT)
        self.bold = metrics.font_metrics(FONT, bold=True)
        self.citations: list[str] = []
        self.width = _pt(TEXT_WIDTH_TW)
        self.last_after = 0.0  # space after the previous paragraph

    def space(self, before: float, after: float) -> float:
        """Vertical space between the previous paragraph and one with `before` / `after`: the
        larger of the previous paragraph's space after and this one's space before (measured on
        LibreOffice's rendering: it does not add the two), plus this one's space after."""
        gap = max(before - self.last_after, 0.0) + after
        self.last_after = after
        return gap

    def lines(self, text: str, width: float, size: float, bold: bool = False) -> int:
        face = self.bold if bold else self.regular
        return len(metrics.wrap(text, max(width, size), face, size))

    def text_height(self, text: str, width: float, size: float, bold: bool = False) -> float:
        return self.lines(text, width, size, bold) * self.regular.line_height(size)

    def cite(self, inlines: Sequence[Inline]) -> None:
        for node in inlines:
            if isinstance(node, FootnoteRef):
                self.citations.append(node.label)
            elif isinstance(node, Link):
                self.cite(node.children)

    def block(self, block: Block, depth: int) -> float:
        if isinstance(block, Heading):
            self.cite(block.content)
            if "title" in block.classes:
                text = self.text_height(plain_text(block.content), self.width, TITLE_SIZE, True)
                return text + self.space(0.0, TITLE_AFTER)
            level = min(block.level, 4)
            size = HEADING_SIZE[level]
            text = self.text_height(plain_text(block.content), self.width, size, True)
            return text + self.space(HEADING_BEFORE[level], HEADING_AFTER[level])
        if isinstance(block, Paragraph):
            self.cite(block.content)
            indent = _pt(LIST_INDENT_TW) * depth
            after = LIST_AFTER if depth else BODY_AFTER
            text = self.text_height(plain_text(block.content), self.width - indent, BODY_SIZE)
            return text + self.space(0.0, after)
        if isinstance(block, ListBlock):
            total = 0.0
            for item in block.items:
                for child in item.blocks:
                    inner = depth + 1 if not isinstance(child, ListBlock) else depth
                    total += self.block(child, inner)
            return total
        if isinstance(block, Div):
            if "notes" in block.classes:
                return 0.0
            if "fields" in block.classes:
                return self.fields(block)
            total = sum(self.block(b, depth) for b in block.blocks)
            if "bluf" in block.classes:
                total += 2 * BOX_PADDING
            return total
        if isinstance(block, Table):
            rows = [[plain_text(c.content) for c in r] for r in (*block.header, *block.body)]
            for r in (*block.header, *block.body):
                for cell in r:
                    self.cite(cell.content)
            return self.table(rows, len(block.header))
        if isinstance(block, Timeline):
            rows = [["Date", "Event"], *([e.date, e.label] for e in block.events)]
            return self.table(rows, 1)
        if isinstance(block, RiskMatrix):
            # Five likelihood rows, the impact-label row and an axis caption.
            line = self.regular.line_height(TABLE_SIZE)
            return 5 * (2 * line + _pt(2 * CELL_PADDING_TW)) + 3 * line + self.space(BODY_AFTER, TABLE_AFTER)
        if isinstance(block, TableOfContents):
            return 0.0  # estimated with the headings it lists, after the page break
        return 0.0

    def table(self, rows: list[list[str]], header_rows: int) -> float:
        widths = column_widths(rows, TEXT_WIDTH_TW)
        total = 0.0
        for r, row in enumerate(rows):
            tallest = 1
            for c, text in enumerate(row):
                inner = _pt(widths[c] - 2 * CELL_MARGIN_TW) if c < len(widths) else self.width
                tallest = max(tallest, self.lines(text, inner, TABLE_SIZE, bold=r < header_rows))
            total += tallest * self.regular.line_height(TABLE_SIZE) + _pt(2 * CELL_PADDING_TW)
        return total + self.space(0.0, TABLE_AFTER)

    def fields(self, div: Div) -> float:
        total = 0.0
        # The heading block's table has no left cell margin (the labels align with the text).
        inner = self.width - _pt(FIELD_LABEL_TW) - _pt(CELL_MARGIN_TW)
        for block in div.blocks:
            if isinstance(block, Paragraph):
                self.cite(block.content)
                total += self.text_height(plain_text(block.content), inner, FIELD_SIZE) + 2.0
        return total + self.space(0.0, BODY_AFTER)

    def footnotes_height(self) -> float:
        """Space the body's footnotes take at the page foot (each reference is one footnote)."""
        if not self.citations:
            return 0.0
        total = FOOTNOTE_SEPARATOR
        for label in self.citations:
            blocks = self.document.footnotes.get(label, ())
            text = " ".join(plain_text(b.content) for b in blocks if isinstance(b, Paragraph))
            total += self.text_height("0 " + text, self.width, FOOTNOTE_SIZE) + FOOTNOTE_AFTER
        return total
