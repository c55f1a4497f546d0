"""The column widths of the memo's tables, measured from their content.

Shared by the Word writer (`briefgen.writers.docx_tables`), which writes these widths, and the
layout estimate (`briefgen.pagination`), which so sees the tables the writer produces: the
browsers' auto-layout rule with real font metrics (`briefgen.metrics`), then balanced so that a
short table is as short as it can be. The risk heat map's columns and label sizes too
(`heat_map_layout`): its axis labels never break inside a word.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from briefgen import metrics
from briefgen.page_layout import CELL_MARGIN_TW, FONT, MIN_COLUMN_TW, TABLE_SIZE, TWIPS_PER_PT, points

# Where Word may break a line: at spaces (not no-break ones), and after hyphens and slashes.
_BREAKABLE = re.compile(rf"(?:(?![{metrics.NO_BREAK_SPACES}])\s)+|(?<=[-/])")


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
        pad = points(padding_tw) + 2.0  # a little air so that the estimate never wraps a word
        # A long word (a URL) may break rather than take the table: cap what it demands (a
        # quarter of the width or more in a table of few columns, up to half of two: a name
        # kept whole in a narrow page still fits its column).
        least = min(least, max(0.25, min(0.5, 1.4 / ncols)) * points(available_tw))
        least = max(least + pad, points(MIN_COLUMN_TW))
        needs.append(_ColumnNeed(least, max(most + pad, least)))
        prose.append(words >= 4)
    avail = points(available_tw)
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
        widths = _balance(rows, widths, [n.least for n in needs], regular, size_pt, points(padding_tw))
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


# -- the risk heat map ----------------------------------------------------------------------------

HEAT_MAP_LABEL_TW = 2200  # the likelihood labels' column as first set (ample for English)
HEAT_MAP_MIN_LABEL_PT = 8.0  # the smallest the impact labels are set: still legible in print
_LABEL_STEP = 0.5  # points (Word sizes are in half points)


@dataclass(frozen=True, slots=True)
class HeatMapLayout:
    """How the memo's 5×5 heat map sets its axis labels so that none breaks inside a word.

    `widths` are twips (the likelihood labels' column, then the five impact columns);
    `corner` heads the likelihood column; `likelihood` are its five labels, 5 first; `impact`
    the header's five labels at `impact_size` points ("1 Insignificant", or "1\nInsignificant"
    for all five when one would wrap), or only their numbers when `scale` (a header row above
    them, across the impact columns) keys the numbers to the labels."""

    widths: tuple[int, ...]
    corner: str
    likelihood: tuple[str, ...]
    impact: tuple[str, ...]
    impact_size: float
    scale: str = ""


def heat_map_layout(
    likelihood_labels: Sequence[str],
    impact_labels: Sequence[str],
    corner: str,
    impact_title: str,
    available_tw: int,
    size_pt: float = TABLE_SIZE,
    family: str = FONT,
) -> HeatMapLayout:
    """The heat map's columns and label sizes, chosen as a typesetter would: the first layout
    (a 2200-twip likelihood column, five equal impact columns, every label at `size_pt`) when
    every word fits; else the likelihood column narrowed to what its labels need, then the
    impact labels set smaller, down to `HEAT_MAP_MIN_LABEL_PT`; else the impact columns carry
    their numbers and a row above them the labels ("Impact: 1 Insignificant · 2 Minor · …").
    Words are measured bold (header and likelihood labels are bold) with `briefgen.metrics`."""
    face = metrics.font_metrics(family, bold=True)
    # The cell's margins and half a point: the metrics know no kerning, so they err wide.
    pad = points(2 * CELL_MARGIN_TW) + 0.5
    likelihood = tuple(f"{n} {likelihood_labels[n - 1]}" for n in range(5, 0, -1))
    impact = tuple(f"{n} {impact_labels[n - 1]}" for n in range(1, 6))

    def widest_word(texts: Sequence[str], size: float) -> float:
        return max((face.width(w, size) for t in texts for w in _BREAKABLE.split(t) if w), default=0.0)

    def fits(texts: Sequence[str], width_tw: int, size: float) -> bool:
        return widest_word(texts, size) + pad <= points(width_tw)

    def layout(label_tw: int, size: float, scale: str = "") -> HeatMapLayout:
        cell = (available_tw - label_tw) // 5
        shown = tuple(str(n) for n in range(1, 6)) if scale else impact
        if not scale and any(len(metrics.wrap(t, points(cell) - pad, face, size)) > 1 for t in impact):
            # One label wraps: every number stands on its own line above its label, so that the
            # header never shows "1" / "Insignificant" beside "2 Minor".
            shown = tuple(t.replace(" ", "\n", 1) for t in impact)
        return HeatMapLayout((label_tw, *([cell] * 5)), corner, likelihood, shown, size, scale)

    first = layout(HEAT_MAP_LABEL_TW, size_pt)
    if fits((*likelihood, corner), HEAT_MAP_LABEL_TW, size_pt) and fits(impact, first.widths[1], size_pt):
        return first
    # The likelihood column as wide as its longest label on one line (at most as first set),
    # never narrower than its longest word.
    line = max(face.width(t, size_pt) for t in likelihood) + pad
    word = widest_word((*likelihood, corner), size_pt) + pad
    label_tw = math.ceil(max(word, min(line, points(HEAT_MAP_LABEL_TW))) * TWIPS_PER_PT)
    label_tw = min(label_tw, available_tw // 2)
    size = size_pt
    while size >= HEAT_MAP_MIN_LABEL_PT:
        trial = layout(label_tw, size)
        if fits(impact, trial.widths[1], size):
            return trial
        size -= _LABEL_STEP
    scale = " · ".join(t.replace(" ", "\u00a0", 1) for t in impact)
    return layout(label_tw, size_pt, f"{impact_title}: {scale}")


def heat_map_header_lines(
    layout: HeatMapLayout, size_pt: float = TABLE_SIZE, family: str = FONT
) -> tuple[int, int]:
    """Lines of the heat map's header rows as `heat_map_layout` sets them: the labels' row (its
    tallest cell), and the scale row above it (0 when there is none)."""
    face = metrics.font_metrics(family, bold=True)
    pad = points(2 * CELL_MARGIN_TW)
    cells = [(layout.corner, layout.widths[0], size_pt)]
    cells += [(t, w, layout.impact_size) for t, w in zip(layout.impact, layout.widths[1:], strict=True)]
    lines = max(len(metrics.wrap(t, points(w) - pad, face, s)) for t, w, s in cells)
    if not layout.scale:
        return lines, 0
    return lines, len(metrics.wrap(layout.scale, points(sum(layout.widths[1:])) - pad, face, size_pt))
