"""Planning the graphics of a deck: tables (split with the header repeated), the 5x5 risk heat
map with its key, and the timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from briefgen.errors import Problem, quoted
from briefgen.formats import spoken_separators
from briefgen.languages import ntr, ptr, tr
from briefgen.metrics import font_metrics, split_words, squeeze_spaces
from briefgen.model import Cell, RiskMatrix, RiskPoint, Table, Text, Timeline, TimelineEvent, plain_text
from briefgen.rag import rag_bands, rag_of, score_expression
from briefgen.slides.fitting import capacity, line_pitch, sizes, text_height, wrap_lines
from briefgen.slides.geometry import (
    CELL_MARGINS,
    HEIGHT_SLACK,
    MAX_TIMELINE_EVENTS,
    SHRINK_STEP,
    WIDTH_SAFETY,
    DeckGeometry,
    LayoutBox,
)
from briefgen.slides.plans import (
    CellPlan,
    EventPlan,
    LegendItem,
    Para,
    RiskMapPlan,
    Run,
    TablePlan,
    TextPlan,
    TimelinePlan,
)
from briefgen.slides.reading import rag_class_of


def _cell(cell: Cell, bold: bool = False) -> CellPlan:
    return CellPlan(squeeze_spaces(plain_text(cell.content)), bold, rag_class_of(cell.content))


def _cell_height(cell: CellPlan, width: float, font: str, size: float) -> float:
    inner = width - CELL_MARGINS[0] - CELL_MARGINS[2]
    n = len(wrap_lines(cell.text, font, cell.bold, size, inner))
    return n * line_pitch(font, size) + CELL_MARGINS[1] + CELL_MARGINS[3] + HEIGHT_SLACK


def _row_height(row: Sequence[CellPlan], widths: Sequence[float], font: str, size: float) -> float:
    return max((_cell_height(c, w, font, size) for c, w in zip(row, widths, strict=False)), default=0.0)


def _column_widths(
    rows: Sequence[Sequence[CellPlan]], ncols: int, total: float, font: str, size: float
) -> list[float]:
    """Widths proportional to content, every column at least as wide as its longest word."""
    pad = CELL_MARGINS[0] + CELL_MARGINS[2]
    natural = [pad + 8.0] * ncols
    least = [pad + 8.0] * ncols
    words: dict[tuple[str, bool], float] = {}  # registers repeat their words in every row
    for row in rows:
        for i, cell in enumerate(row[:ncols]):
            m = font_metrics(font, cell.bold)
            width = m.width(cell.text, size)
            natural[i] = max(natural[i], width / WIDTH_SAFETY + pad)
            if width / WIDTH_SAFETY + pad <= least[i]:
                continue  # no word of the cell is wider than the whole cell
            longest = 0.0
            for w in split_words(cell.text):
                key = (w, cell.bold)
                ww = words.get(key)
                if ww is None:
                    ww = words[key] = m.width(w, size)
                longest = max(longest, ww)
            least[i] = max(least[i], min(longest / WIDTH_SAFETY + pad, total / ncols))
    if sum(natural) <= total:
        return [total * n / sum(natural) for n in natural]
    if sum(least) >= total:
        return [total * n / sum(least) for n in least]
    spare = total - sum(least)
    extra = [n - m for n, m in zip(natural, least, strict=True)]
    return [m + spare * e / sum(extra) for m, e in zip(least, extra, strict=True)]


def natural_width(table: Table, font: str, size: float) -> float:
    """The width in points a table would take with no cell wrapping (at `size`)."""
    rows = [tuple(_cell(c, True) for c in row) for row in table.header]
    rows += [tuple(_cell(c) for c in row) for row in table.body]
    ncols = max((len(r) for r in rows), default=1)
    pad = CELL_MARGINS[0] + CELL_MARGINS[2]
    widest = [pad + 8.0] * ncols
    for row in rows:
        for i, cell in enumerate(row[:ncols]):
            width = font_metrics(font, cell.bold).width(cell.text, size) / WIDTH_SAFETY + pad
            widest[i] = max(widest[i], width)
    return sum(widest)


def breaks_words(plan: TablePlan) -> bool:
    """True when some word of a cell is wider than its column (it would be cut mid-word)."""
    font = plan.box.font
    for row in (*plan.header, *plan.rows):
        for cell, width in zip(row, plan.widths, strict=False):
            inner = (width - CELL_MARGINS[0] - CELL_MARGINS[2]) * WIDTH_SAFETY
            metrics = font_metrics(font, cell.bold)
            if any(metrics.width(word, plan.size) > inner + 0.5 for word in split_words(cell.text)):
                return True
    return False


def plan_table(
    table: Table, area: LayoutBox, geometry: DeckGeometry, warnings: list[Problem], where: str
) -> list[TablePlan]:
    # An all-empty header row (GFM tables must have one) would print as a blank bar.
    header = [tuple(_cell(c, True) for c in row) for row in table.header]
    header = [row for row in header if any(c.text for c in row)]
    body = [tuple(_cell(c) for c in row) for row in table.body]
    ncols = max((len(r) for r in (*header, *body)), default=1)
    header = [r + (CellPlan(""),) * (ncols - len(r)) for r in header]
    body = [r + (CellPlan(""),) * (ncols - len(r)) for r in body]
    font = geometry.text_font
    base = min(geometry.table_pt, area.size)
    minimum = min(geometry.min_font_pt, base)
    widths = _column_widths([*header, *body], ncols, area.width, font, base)
    cap = area.height - HEIGHT_SLACK
    separators = spoken_separators()
    if header:
        alt = tr("Table with columns %(columns)s", columns=separators.comma.join(c.text for c in header[0]))
    else:
        rows = separators.semicolon.join(r[0].text for r in body if r)[:200]
        alt = ntr("Table of %(num)s row: %(rows)s", "Table of %(num)s rows: %(rows)s", len(body), rows=rows)

    def make(rows: list[tuple[CellPlan, ...]], size: float) -> TablePlan:
        heights = [_row_height(r, widths, font, size) for r in (*header, *rows)]
        box = area.moved(height=sum(heights), size=size, font=font)
        return TablePlan(
            box, tuple(header), tuple(rows), tuple(widths), tuple(heights), size, table.aligns, alt
        )

    def header_height(size: float) -> float:
        return sum(_row_height(r, widths, font, size) for r in header)

    out: list[TablePlan] = []
    current: list[tuple[CellPlan, ...]] = []
    used = header_height(base)
    for row in body:
        h = _row_height(row, widths, font, base)
        if used + h <= cap:
            current.append(row)
            used += h
            continue
        if current:
            out.append(make(current, base))
            current, used = [], header_height(base)
        if used + h <= cap:
            current, used = [row], used + h
            continue
        for size in sizes(base - SHRINK_STEP, minimum):
            if header_height(size) + _row_height(row, widths, font, size) <= cap:
                out.append(make([row], size))
                break
        else:
            pieces = _split_row(row, widths, font, minimum, cap - header_height(minimum))
            warnings.append(
                Problem(
                    f"{where}: a table row is too tall for one slide even at {minimum:g} pt; "
                    f"split across {len(pieces)} slides",
                    severity="warning",
                )
            )
            out.extend(make([piece], minimum) for piece in pieces)
    if current or not out:
        out.append(make(current, base))
    return out


def _split_row(
    row: Sequence[CellPlan], widths: Sequence[float], font: str, size: float, cap: float
) -> list[tuple[CellPlan, ...]]:
    """Cut a row into rows of whole lines that each fit `cap` points."""
    lh = line_pitch(font, size)
    per = max(int((cap - CELL_MARGINS[1] - CELL_MARGINS[3] - HEIGHT_SLACK) // lh), 1)
    wrapped = [
        wrap_lines(c.text, font, c.bold, size, w - CELL_MARGINS[0] - CELL_MARGINS[2])
        for c, w in zip(row, widths, strict=False)
    ]
    count = max(len(w) for w in wrapped)
    pieces = []
    for start in range(0, count, per):
        pieces.append(
            tuple(
                CellPlan(" ".join(lines[start : start + per]), c.bold, c.rag)
                for c, lines in zip(row, wrapped, strict=True)
            )
        )
    return pieces


GRID_SHARE_MAX = 0.62  # of the body's width: the heat map may widen to this, the key keeps the rest


def _word_need(labels: Sequence[str], font: str, size: float) -> float:
    """The width in points of a cell whose labels (`size` points) keep every word on a line."""
    m = font_metrics(font)
    widest = max((m.width(w, size) for t in labels for w in split_words(t)), default=0.0)
    return widest / WIDTH_SAFETY + CELL_MARGINS[0] + CELL_MARGINS[2] + 0.5


def _rag(score: int, matrix: RiskMatrix) -> str:
    return rag_of(score, matrix.red_from, matrix.amber_from)


def _legend(matrix: RiskMatrix) -> tuple[LegendItem, ...]:
    """'Red: score ≥ 12', 'Amber: score 5–10', 'Green: score ≤ 4': the bands of
    `briefgen.rag.rag_bands`, the same function every key and note uses."""
    return tuple(
        LegendItem(
            band.rag,
            tr("%(rag)s: score %(scores)s", rag=ptr("rag", band.rag).capitalize(), scores=band.scores),
        )
        for band in rag_bands(matrix.red_from, matrix.amber_from)
    )


def _key_para(number: int, risk: RiskPoint) -> Para:
    """'1  Regime assault on Idlib (red, 4×5 = 20)': the number on the map keyed to the title;
    the score as the memo prints it, never broken across lines (`rag.score_expression`)."""
    return Para(
        (
            Run(str(number), bold=True),
            Run(f"  {risk.title} ("),
            Run(ptr("rag", risk.rag) if risk.rag else tr("unrated"), bold=True, rag=risk.rag),
            Run(f", {score_expression(risk.likelihood, risk.impact, risk.score)})"),
        )
    )


def plan_risk_map(
    matrix: RiskMatrix, area: LayoutBox, geometry: DeckGeometry, warnings: list[Problem], where: str
) -> list[RiskMapPlan]:
    """The 5x5 heat map: each risk a number in its cell (1 = the first risk of the matrix, which
    the templates order by score), keyed to its title beside the grid; a legend of the RAG bands.
    More risks than the key or a cell can hold continue on further heat maps."""
    font = geometry.text_font
    label = geometry.label_pt
    lh_label = line_pitch(font, label)
    title_h = lh_label + 8
    l_labels = [f"{n} {matrix.likelihood_labels[n - 1]}" for n in range(5, 0, -1)]
    i_labels = [f"{n} {matrix.impact_labels[n - 1]}" for n in range(1, 6)]
    m = font_metrics(font)
    # The likelihood-label column: as wide as the longest label, within limits, and never
    # narrower than its longest word (a label breaks between words, never inside one).
    label_w = min(max(m.width(t, label) for t in l_labels) / WIDTH_SAFETY + 16, area.width * 0.22)
    label_w = max(label_w, min(_word_need(l_labels, font, label), area.width * 0.35))
    grid_w = area.width * 0.55
    cell_w = (grid_w - label_w) / 5
    impact_need = _word_need(i_labels, font, label)
    scale: tuple[str, ...] = ()
    if impact_need > cell_w:
        # Narrow cells (a 4:3 slide, long words in German or Russian): widen the grid into the
        # key's panel while that leaves the key a fair share, else number the impact columns
        # and key the numbers to their labels under the axis, where the line is wide.
        if label_w + 5 * impact_need <= area.width * GRID_SHARE_MAX:
            cell_w = impact_need
        else:
            scale = tuple(t.replace(" ", "\u00a0", 1) for t in i_labels)
            i_labels = [str(n) for n in range(1, 6)]

    def impact_height(width: float) -> float:
        """The impact axis title, with the scale's lines under it when the labels moved there."""
        if not scale:
            return title_h
        inner = LayoutBox(0, 0, width * 5, title_h).inner_width
        return title_h + len(wrap_lines(" · ".join(scale), font, False, label, inner)) * lh_label

    label_row_h = max(_cell_height(CellPlan(t), cell_w, font, label) for t in i_labels)
    # (2 * title_h, then what the scale adds: the ordinary heat map measures as it always did)
    cell_h = (area.height - 2 * title_h - label_row_h - (impact_height(cell_w) - title_h)) / 5
    cell_w = min(cell_w, max(cell_h * 1.9, 0.0 if scale else impact_need))
    impact_h = impact_height(cell_w)
    one_line = _cell_height(CellPlan("1"), cell_w, font, label)
    if not scale and any(_cell_height(CellPlan(t), cell_w, font, label) > one_line for t in i_labels):
        # One label wraps: every number stands above its label, so that the axis never shows
        # "1" / "Insignificant" beside "2 Minor" (as the memo's heat map does).
        i_labels = [t.replace(" ", "\n", 1) for t in i_labels]
        label_row_h = max(_cell_height(CellPlan(t), cell_w, font, label) for t in i_labels)
    cell_h = (area.height - 2 * title_h - label_row_h - (impact_h - title_h)) / 5
    number_size = max(geometry.min_font_pt, label)
    widths = (label_w, *([cell_w] * 5))
    heights = (*([cell_h] * 5), label_row_h)
    table_w = sum(widths)
    top = area.top + title_h
    table_box = LayoutBox(area.left, top, table_w, sum(heights), font=font, size=number_size)
    likelihood_title = LayoutBox(
        area.left, area.top, label_w + cell_w * 2, title_h, font=font, size=label, bold=True
    )
    impact_title = LayoutBox(
        area.left + label_w, table_box.bottom, cell_w * 5, impact_h, font=font, size=label, bold=True
    )
    panel_left = area.left + table_w + 24
    panel_w = max(area.right - panel_left, 120.0)
    legend = _legend(matrix)
    legend_box = LayoutBox(
        panel_left, area.top, panel_w, len(legend) * (lh_label + 6) + 8, font=font, size=label
    )
    key_size = max(min(area.size, 16.0), geometry.min_font_pt)
    key_box = LayoutBox(
        panel_left,
        legend_box.bottom + 8,
        panel_w,
        area.bottom - legend_box.bottom - 8,
        font=font,
        size=key_size,
    )
    numbers = {id(r): n for n, r in enumerate(matrix.risks, 1)}
    comma, semicolon = spoken_separators().comma, spoken_separators().semicolon

    def cell_fits(marks: list[str]) -> bool:
        return _cell_height(CellPlan(comma.join(marks), True), cell_w, font, number_size) <= cell_h

    for risk in matrix.risks:
        if not (1 <= risk.likelihood <= 5 and 1 <= risk.impact <= 5):
            warnings.append(
                Problem(
                    f"{where}: risk {quoted(risk.title)} has likelihood/impact outside 1–5; "
                    "listed in the key only",
                    severity="warning",
                )
            )

    def paginate(size: float) -> list[list[RiskPoint]]:
        """The risks of each heat map, with the key set at `size` points."""
        pages: list[list[RiskPoint]] = []
        current: list[RiskPoint] = []
        for risk in matrix.risks:
            trial = [*current, risk]
            place = (risk.likelihood, risk.impact)
            same = [str(numbers[id(r)]) for r in trial if (r.likelihood, r.impact) == place]
            key_h = text_height([_key_para(numbers[id(r)], r) for r in trial], key_box, size, geometry)
            if current and (key_h > capacity(key_box) or not cell_fits(same)):
                pages.append(current)
                current = [risk]
            else:
                current = trial
        pages.append(current)
        return pages

    pages = paginate(key_size)
    # A key one or two risks too long for its panel (a 4:3 slide): set it smaller, never under
    # the deck's minimum, before continuing on a second heat map.
    smaller = key_size - 1.0
    while len(pages) > 1 and smaller >= geometry.min_font_pt:
        if len(fewer := paginate(smaller)) == 1:
            pages, key_size = fewer, smaller
            key_box = replace(key_box, size=key_size)
        smaller -= 1.0

    out = []
    for risks in pages:
        cells: list[tuple[CellPlan, ...]] = []
        for likelihood in range(5, 0, -1):
            row = [CellPlan(l_labels[5 - likelihood])]
            for impact in range(1, 6):
                marks = [
                    str(numbers[id(r)]) for r in risks if (r.likelihood, r.impact) == (likelihood, impact)
                ]
                row.append(CellPlan(comma.join(marks), True, _rag(likelihood * impact, matrix)))
            cells.append(tuple(row))
        cells.append((CellPlan(""), *(CellPlan(t) for t in i_labels)))
        key_paras = tuple(_key_para(numbers[id(r)], r) for r in risks)
        key = TextPlan(key_box, key_paras, key_size, text_height(key_paras, key_box, key_size, geometry))
        placed = semicolon.join(
            tr(
                "%(number)s, %(title)s: likelihood %(likelihood)s, impact %(impact)s, "
                "score %(score)s, %(rag)s",
                number=numbers[id(r)],
                title=r.title,
                likelihood=r.likelihood,
                impact=r.impact,
                score=r.score,
                rag=ptr("rag", r.rag),
            )
            for r in risks
        )
        bands = comma.join(item.text.lower() for item in legend)
        alt = tr(
            "Risk heat map: a 5 by 5 grid of likelihood (rows, 5 at the top) by impact (columns, 5 at "
            "the right), each cell coloured by its score (%(bands)s); each risk is a number in its "
            "cell. %(risks)s.",
            bands=bands,
            risks=placed,
        )
        out.append(
            RiskMapPlan(
                table_box,
                tuple(cells),
                widths,
                heights,
                number_size,
                label,
                likelihood_title,
                impact_title,
                legend,
                legend_box,
                key,
                tuple(numbers[id(r)] for r in risks),
                alt,
                scale,
            )
        )
    return out


TIMELINE_INSETS = (3.0, 2.0, 3.0, 2.0)
TIMELINE_GAP = 12.0  # points between the label boxes of neighbouring events on one side


def plan_timelines(timeline: Timeline, area: LayoutBox, geometry: DeckGeometry) -> list[TimelinePlan]:
    """The chronology as one timeline, or continued over several when its labels do not fit
    one (each part a slide); [] when even one event per part does not fit, or there are more
    than twice `MAX_TIMELINE_EVENTS` events (a table reads better then)."""
    events = list(timeline.events)
    if not 0 < len(events) <= 2 * MAX_TIMELINE_EVENTS:
        return []
    parts = 1 if len(events) <= MAX_TIMELINE_EVENTS else 2
    while parts <= len(events):
        per = -(-len(events) // parts)
        chunks = [events[i : i + per] for i in range(0, len(events), per)]
        planned = [_plan_timeline(chunk, area, geometry) for chunk in chunks]
        plans = [p for p in planned if p is not None]
        if len(plans) == len(planned):
            return plans
        parts += 1
    return []


def _plan_timeline(
    events: list[TimelineEvent], area: LayoutBox, geometry: DeckGeometry
) -> TimelinePlan | None:
    """Markers evenly along a horizontal axis, date and label alternately above and below it.

    The label width is chosen so that two labels on the same side never meet (their centres are
    two steps apart and no box is pushed in from the slide edge); the height of every label is
    measured at the size tried, from 16 pt down to the minimum body size. None when a label
    does not fit between the axis and the edge of the area even at the minimum size."""
    n = len(events)
    font = geometry.text_font
    insets = TIMELINE_INSETS
    if n == 1:
        width = min(area.width, 320.0)
        xs = [area.left + area.width / 2]
    else:
        width = min((2 * area.width - TIMELINE_GAP * (n - 1)) / (n + 1), 240.0)
        pitch = (area.width - width) / (n - 1)
        xs = [area.left + width / 2 + i * pitch for i in range(n)]
    y = area.top + area.height / 2
    date_size = geometry.label_pt
    date_lh = line_pitch(font, date_size)
    radius, big = 6.0, 9.0
    half = area.height / 2 - big - 4
    base = max(min(area.size, 16.0), geometry.min_font_pt)
    inner = width - insets[0] - insets[2]
    for size in sizes(base, geometry.min_font_pt):
        lh = line_pitch(font, size)
        planned: list[EventPlan] = []
        for i, event in enumerate(events):
            x = xs[i]
            left = x - width / 2
            d_lines = wrap_lines(event.date, font, True, date_size, inner)
            l_lines = wrap_lines(event.label, font, event.highlight, size, inner)
            date_h = len(d_lines) * date_lh + insets[1] + insets[3] + HEIGHT_SLACK
            label_h = len(l_lines) * lh + insets[1] + insets[3] + HEIGHT_SLACK
            if date_h + label_h + 2 > half:
                break
            above = i % 2 == 0
            if above:
                date_top = y - big - 4 - date_h
                label_top = date_top - 2 - label_h
            else:
                date_top = y + big + 4
                label_top = date_top + date_h + 2
            date_box = LayoutBox(
                left, date_top, width, date_h, font=font, size=date_size, bold=True, insets=insets
            )
            label_box = LayoutBox(
                left, label_top, width, label_h, font=font, size=size, bold=event.highlight, insets=insets
            )
            r = big if event.highlight else radius
            planned.append(
                EventPlan(x, event.date, event.label, event.highlight, above, date_box, label_box, r)
            )
        else:
            listed = spoken_separators().semicolon.join(
                f"{e.date}: {e.label}" + (" " + tr("(this meeting)") if e.highlight else "") for e in events
            )
            alt = tr("Timeline, oldest first: %(events)s", events=listed)
            return TimelinePlan(area.left, area.right, y, tuple(planned), size, date_size, alt)
    return None


def timeline_table(timeline: Timeline) -> Table:
    body = tuple(
        (
            Cell((Text(e.date, bold=e.highlight),)),
            Cell((Text(e.label + (" " + tr("(this meeting)") if e.highlight else ""), bold=e.highlight),)),
        )
        for e in timeline.events
    )
    header = ((Cell((Text(tr("Date")),)), Cell((Text(tr("Event")),))),)
    return Table(header, body, ("left", "left"), ("chronology",))
