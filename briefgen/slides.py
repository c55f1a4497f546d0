"""Slide planning: which content goes on which slide, measured so that nothing overflows.

Pure: no python-pptx here, so the plan is testable without PowerPoint. `writers.pptx` reads the
boxes of the reference presentation's layouts into a `DeckGeometry`, calls `plan_slides`, and
draws the `SlidePlan`s it gets back without measuring anything itself.

Every text is measured with the real metrics of the layout's font (`briefgen.metrics`) against
its box; then, in this order: the text is kept; it is split onto continuation slides titled
"… (2/3)"; tables split with their header rows repeated; only when a single point or row
cannot fit on a slide of its own is the font reduced (never below `DeckGeometry.min_font_pt`);
a point that cannot fit even then is split at sentence (then word) boundaries, with a warning.
Nothing is dropped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from briefgen import styles
from briefgen.errors import Problem
from briefgen.metrics import font_metrics, split_words, squeeze_spaces, wrap
from briefgen.model import (
    Block,
    Cell,
    Div,
    Document,
    FootnoteRef,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    PageBreak,
    Paragraph,
    RiskMatrix,
    Table,
    TableOfContents,
    Text,
    Timeline,
    plain_text,
)

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

    def moved(self, **changes: object) -> LayoutBox:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SlideFrame:
    """The boxes of one slide kind: title, body (text, or the area a graphic fills), and the
    right column of two-column slides (`body` is then the left one)."""

    layout: str
    title: LayoutBox
    body: LayoutBox
    right: LayoutBox | None = None


def _default_box(top: float, height: float, size: float, bold: bool = False) -> LayoutBox:
    return LayoutBox(36.0, top, 888.0, height, size=size, bold=bold)


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
    marking_top: LayoutBox = LayoutBox(120.0, 3.0, 720.0, 20.0, size=styles.PPTX_MARKING_PT, bold=True)
    marking_bottom: LayoutBox = LayoutBox(120.0, 516.0, 720.0, 20.0, size=styles.PPTX_MARKING_PT, bold=True)
    source: LayoutBox = LayoutBox(36.0, 474.0, 800.0, 30.0, size=styles.PPTX_SOURCE_PT)
    number: LayoutBox = LayoutBox(864.0, 516.0, 60.0, 20.0, size=styles.PPTX_SOURCE_PT)
    paragraph_space: float = 0.5  # space before each paragraph but the first, x font size
    indent: float = 20.0  # points per list level (bullets hang in it)

    def frame(self, kind: str) -> SlideFrame:
        return self.frames.get(kind) or self.frames["content"]

    @property
    def min_title_pt(self) -> float:
        return self.min_font_pt + 4


# ---------------------------------------------------------------------------------------------
# The plan (what the writer draws)


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    url: str = ""


@dataclass(frozen=True)
class Para:
    """One paragraph of slide text: a bullet point, a numbered point, or plain text."""

    runs: tuple[Run, ...]
    level: int = 0
    bullet: str = ""  # "" (none) | "bullet" | "number"
    number: int = 0  # the item number of a numbered point
    lead: bool = False  # a lead-in line (sub-heading): kept with what follows
    rag: str = ""  # "red" | "amber" | "green": a RAG span in the text

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    @property
    def bold(self) -> bool:
        return any(r.bold for r in self.runs if r.text.strip()) or self.lead


@dataclass(frozen=True)
class TextPlan:
    """Paragraphs for one box, all at `size` points; `height` is the measured text height."""

    box: LayoutBox
    paras: tuple[Para, ...]
    size: float
    height: float = 0.0

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paras)


@dataclass(frozen=True)
class CellPlan:
    text: str
    bold: bool = False
    rag: str = ""  # fill the cell with this RAG colour


@dataclass(frozen=True)
class TablePlan:
    """A table (or one continuation part of it): header rows repeat on every part."""

    box: LayoutBox
    header: tuple[tuple[CellPlan, ...], ...]
    rows: tuple[tuple[CellPlan, ...], ...]
    widths: tuple[float, ...]
    heights: tuple[float, ...]  # header rows first
    size: float
    aligns: tuple[str | None, ...] = ()
    alt: str = ""


@dataclass(frozen=True)
class LegendItem:
    rag: str
    text: str


@dataclass(frozen=True)
class RiskMapPlan:
    """A 6x6 table: rows likelihood 5..1 then the impact-label row; column 0 the likelihood
    labels, columns 1..5 impact 1..5. `cells[r][c]` carries ids and the RAG fill."""

    box: LayoutBox
    cells: tuple[tuple[CellPlan, ...], ...]
    widths: tuple[float, ...]
    heights: tuple[float, ...]
    id_size: float
    label_size: float
    likelihood_title: LayoutBox
    impact_title: LayoutBox
    legend: tuple[LegendItem, ...]
    legend_box: LayoutBox
    key: TextPlan
    risk_ids: tuple[str, ...]
    alt: str = ""


@dataclass(frozen=True)
class EventPlan:
    x: float
    date: str
    label: str
    highlight: bool
    above: bool
    date_box: LayoutBox
    label_box: LayoutBox
    radius: float


@dataclass(frozen=True)
class TimelinePlan:
    """A horizontal axis with one marker per event, date and label alternately above/below."""

    left: float
    right: float
    y: float
    events: tuple[EventPlan, ...]
    size: float
    date_size: float
    alt: str = ""


@dataclass(frozen=True)
class SlidePlan:
    """Everything one slide shows, placed and sized."""

    kind: str
    title: str
    title_size: float
    body: TextPlan | None = None  # body text; the left column; a graphic's caption; the subtitle
    right: TextPlan | None = None
    table: TablePlan | None = None
    risk_map: RiskMapPlan | None = None
    timeline: TimelinePlan | None = None
    notes: str = ""
    source: TextPlan | None = None
    marking: TextPlan | None = None  # top and bottom marking (same text; box of the top one)
    marking_bottom: TextPlan | None = None
    part: int = 1
    parts: int = 1


# ---------------------------------------------------------------------------------------------
# Measuring


def line_pitch(font: str, size: float) -> float:
    """Baseline-to-baseline distance the plan assumes; the writer sets exactly this line spacing
    (renderers disagree on "single" spacing: LibreOffice uses about 1.25 em for every font)."""
    return round(font_metrics(font).line_height(size), 2)


_line_height = line_pitch


def _indent(para: Para, geometry: DeckGeometry) -> float:
    """Left margin of the paragraph's text (bullets hang in the last indent step)."""
    return (para.level + (1 if para.bullet else 0)) * geometry.indent


@functools.lru_cache(maxsize=65536)
def _wrapped(text: str, font: str, bold: bool, size: float, width: float) -> tuple[str, ...]:
    return tuple(wrap(text, max(width * WIDTH_SAFETY, size), font_metrics(font, bold), size))


def _lines(text: str, font: str, bold: bool, size: float, width: float) -> list[str]:
    """`text` wrapped into lines for a box `width` points wide (cached: planning re-measures)."""
    return list(_wrapped(text, font, bold, size, width))


def _para_height(para: Para, box: LayoutBox, size: float, geometry: DeckGeometry, first: bool) -> float:
    width = box.inner_width - _indent(para, geometry)
    n = len(_lines(para.text, box.font, box.bold or para.bold, size, width))
    return n * _line_height(box.font, size) + (0.0 if first else geometry.paragraph_space * size)


def _text_height(paras: Sequence[Para], box: LayoutBox, size: float, geometry: DeckGeometry) -> float:
    return sum(_para_height(p, box, size, geometry, i == 0) for i, p in enumerate(paras))


def _capacity(box: LayoutBox) -> float:
    return box.inner_height - HEIGHT_SLACK


def _sizes(start: float, stop: float) -> list[float]:
    """Font sizes from `start` down to `stop` in whole steps (both included)."""
    out = [start]
    size = start
    while size - SHRINK_STEP >= stop - 1e-9:
        size = round(size - SHRINK_STEP, 2)
        out.append(size)
    if out[-1] > stop:
        out.append(stop)
    return out


# ---------------------------------------------------------------------------------------------
# Packing text into boxes


def _pack(
    paras: Sequence[Para], box: LayoutBox, geometry: DeckGeometry, warnings: list[Problem], where: str
) -> list[TextPlan]:
    """Split paragraphs into as many boxes-full as needed; see the module docstring for the order."""
    base = box.size
    minimum = min(geometry.min_font_pt, base)
    cap = _capacity(box)
    out: list[TextPlan] = []
    current: list[Para] = []
    height = 0.0

    def flush() -> None:
        nonlocal current, height
        if current:
            out.append(TextPlan(box, tuple(current), base, height))
        current, height = [], 0.0

    for para in paras:
        h = _para_height(para, box, base, geometry, first=not current)
        if height + h <= cap:
            current.append(para)
            height += h
            continue
        # Keep a lead-in line with what it introduces.
        carried: list[Para] = []
        while len(current) > 1 and current[-1].lead:
            carried.insert(0, current.pop())
        if carried:
            height = _text_height(current, box, base, geometry)
        flush()
        trial = [*carried, para]
        h = _text_height(trial, box, base, geometry)
        if h <= cap:
            current, height = trial, h
            continue
        for lead in carried:  # lead-ins alone on a slide would help nobody; keep them anyway
            current.append(lead)
        if carried:
            height = _text_height(current, box, base, geometry)
            if height + _para_height(para, box, base, geometry, False) <= cap:
                current.append(para)
                height += _para_height(para, box, base, geometry, False)
                continue
            flush()
        # The paragraph does not fit on a slide of its own: shrink, as the last resort.
        for size in _sizes(base - SHRINK_STEP, minimum):
            h = _para_height(para, box, size, geometry, True)
            if h <= cap:
                out.append(TextPlan(box, (para,), size, h))
                break
        else:
            pieces = _split_para(para, box, minimum, geometry)
            warnings.append(
                Problem(
                    f"{where}: a point is too long for one slide even at {minimum:g} pt; "
                    f"split across {len(pieces)} slides: {para.text[:60]!r}…",
                    severity="warning",
                )
            )
            for piece in pieces:
                out.append(
                    TextPlan(box, (piece,), minimum, _para_height(piece, box, minimum, geometry, True))
                )
    flush()
    return out


def _split_para(para: Para, box: LayoutBox, size: float, geometry: DeckGeometry) -> list[Para]:
    """Split a paragraph at sentence, then word, then character boundaries into pieces that
    each fit the box at `size`; pieces after the first carry no bullet (they continue it)."""
    cap = _capacity(box)

    def fits(text: str, first_piece: bool) -> bool:
        trial = replace(para, runs=(Run(text, bold=para.bold),), bullet=para.bullet if first_piece else "")
        if not first_piece:
            trial = replace(trial, level=para.level + (1 if para.bullet else 0))
        return _para_height(trial, box, size, geometry, True) <= cap

    tokens: list[str] = []
    for sentence in _SENTENCE.split(para.text):
        tokens.append(sentence)
    pieces: list[str] = []
    current = ""
    queue = list(tokens)
    while queue:
        token = queue.pop(0)
        candidate = f"{current} {token}".strip()
        if fits(candidate, not pieces):
            current = candidate
            continue
        if current:
            pieces.append(current)
            current = ""
            queue.insert(0, token)
            continue
        # A single token too big for an empty box: break it finer.
        finer = token.split(" ") if " " in token else [token[: len(token) // 2], token[len(token) // 2 :]]
        if len(finer) == 1:
            pieces.append(token)  # cannot happen for text longer than one character
            continue
        queue[0:0] = _rejoin_halves(finer)
    if current:
        pieces.append(current)
    out = []
    for i, text in enumerate(pieces):
        if i == 0:
            out.append(replace(para, runs=(Run(text, bold=para.bold),)))
        else:
            out.append(
                replace(
                    para,
                    runs=(Run(text, bold=para.bold),),
                    bullet="",
                    level=para.level + (1 if para.bullet else 0),
                    lead=False,
                )
            )
    return out


def _rejoin_halves(words: list[str]) -> list[str]:
    """Group words into two halves (keeps the split loop logarithmic, not word by word)."""
    if len(words) <= 2:
        return words
    mid = len(words) // 2
    return [" ".join(words[:mid]), " ".join(words[mid:])]


# ---------------------------------------------------------------------------------------------
# Titles


def _fit_title(text: str, box: LayoutBox, geometry: DeckGeometry, suffix: str = "") -> tuple[str, float, str]:
    """(title, size, spill): the title wrapped to the box at the largest size that fits, or at the
    smallest allowed size with the words that do not fit returned as `spill` for the body."""
    full = text + suffix
    cap = _capacity(box)
    smallest = min(box.size, max(geometry.min_title_pt, round(box.size * 0.75)))
    for size in _sizes(box.size, smallest):
        lines = _lines(full, box.font, box.bold, size, box.inner_width)
        if len(lines) * _line_height(box.font, size) <= cap:
            return full, size, ""
    words = text.split(" ")
    keep = len(words)
    while keep > 1:
        keep -= 1
        head = " ".join(words[:keep]) + suffix
        lines = _lines(head, box.font, box.bold, smallest, box.inner_width)
        if len(lines) * _line_height(box.font, smallest) <= cap:
            break
    # Cut at the last clause boundary that fits, so both halves read as phrases.
    for cut in range(keep, max(keep // 2, 1) - 1, -1):
        if words[cut - 1].endswith((",", ";", ":")) or words[cut].lower() in _CLAUSE_WORDS:
            keep = cut
            break
    return " ".join(words[:keep]).rstrip(",;:") + suffix, smallest, " ".join(words[keep:])


# ---------------------------------------------------------------------------------------------
# Reading the deck document into slide specs


@dataclass
class _Spec:
    kind: str
    title: str
    paras: list[Para] = field(default_factory=list)
    left: list[Para] = field(default_factory=list)
    right: list[Para] = field(default_factory=list)
    graphics: list[Table | RiskMatrix | Timeline] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _runs(inlines: Sequence[Inline], url: str = "") -> list[Run]:
    out: list[Run] = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(Run(node.text, node.bold, node.italic, url))
        elif isinstance(node, Link):
            out.extend(_runs(node.children, node.url))
        elif isinstance(node, LineBreak):
            out.append(Run("\n"))
        elif isinstance(node, FootnoteRef):
            continue  # citations travel in the source line and the notes, not in the text
    return out


def _rag_of(inlines: Sequence[Inline]) -> str:
    for node in inlines:
        if isinstance(node, Text):
            for cls in node.classes:
                if cls in styles.CLASS_RAG:
                    return styles.CLASS_RAG[cls]
    return ""


def _is_source(block: Paragraph) -> bool:
    if styles.CLASS_SOURCE in block.classes:
        return True
    texts = [n for n in block.content if isinstance(n, Text) and n.text.strip()]
    return bool(texts) and all(styles.CLASS_SOURCE in n.classes for n in texts)


def _paras(blocks: Sequence[Block], spec: _Spec, warnings: list[Problem], level: int = 0) -> list[Para]:
    """Flatten blocks into paragraphs; tables and graphics go to `spec.graphics`, source lines to
    `spec.sources`."""
    out: list[Para] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            if _is_source(block):
                spec.sources.append(plain_text(block.content).strip())
                continue
            runs = _runs(block.content)
            if runs:
                out.append(Para(tuple(runs), level=level, rag=_rag_of(block.content)))
        elif isinstance(block, Heading):
            out.append(Para((Run(plain_text(block.content), bold=True),), level=level, lead=True))
        elif isinstance(block, ListBlock):
            for number, item in enumerate(block.items, block.start):
                first = True
                for sub in item.blocks:
                    if first and isinstance(sub, Paragraph):
                        out.append(
                            Para(
                                tuple(_runs(sub.content)),
                                level=level,
                                bullet="number" if block.ordered else "bullet",
                                number=number,
                                rag=_rag_of(sub.content),
                            )
                        )
                        first = False
                    else:
                        out.extend(_paras((sub,), spec, warnings, level + 1))
                        first = False
        elif isinstance(block, Div):
            out.extend(_paras(block.blocks, spec, warnings, level))
        elif isinstance(block, Table | RiskMatrix | Timeline):
            spec.graphics.append(block)
        elif isinstance(block, PageBreak):
            continue
        elif isinstance(block, TableOfContents):
            warnings.append(
                Problem(
                    f"slide {spec.title!r}: a table of contents is not drawn on slides", severity="warning"
                )
            )
    return out


def _note_lines(blocks: Sequence[Block], depth: int = 0) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph | Heading):
            lines.append(("  " * depth) + plain_text(block.content).strip())
        elif isinstance(block, ListBlock):
            for number, item in enumerate(block.items, block.start):
                mark = f"{number}." if block.ordered else ("•" if depth == 0 else "–")
                sub = _note_lines(item.blocks, depth + 1)
                if sub:
                    sub[0] = ("  " * depth) + f"{mark} " + sub[0].strip()
                lines.extend(sub)
        elif isinstance(block, Div):
            lines.extend(_note_lines(block.blocks, depth))
        elif isinstance(block, Table):
            for row in (*block.header, *block.body):
                lines.append(("  " * depth) + " | ".join(plain_text(c.content) for c in row))
    return [line for line in lines if line.strip()]


def _specs(document: Document, warnings: list[Problem]) -> list[_Spec]:
    specs: list[_Spec] = []
    spec: _Spec | None = None
    orphans = False
    for block in document.blocks:
        if isinstance(block, Heading) and block.level <= 2:
            title = squeeze_spaces(plain_text(block.content))
            classes = set(block.classes)
            if block.level == 1:
                kind = "title" if "title" in classes else "section"
            else:
                kind = next((k for k in KINDS[2:] if k in classes), "content")
            spec = _Spec(kind, title)
            specs.append(spec)
            continue
        if spec is None:
            orphans = True
            spec = _Spec("content", document.meta.title or "Introduction")
            specs.append(spec)
        if isinstance(block, Div) and "notes" in block.classes:
            spec.notes.extend(_note_lines(block.blocks))
        elif isinstance(block, Div) and "left" in block.classes:
            spec.left.extend(_paras(block.blocks, spec, warnings))
        elif isinstance(block, Div) and "right" in block.classes:
            spec.right.extend(_paras(block.blocks, spec, warnings))
        else:
            spec.paras.extend(_paras((block,), spec, warnings))
    if orphans:
        warnings.append(
            Problem(
                "deck: content before the first slide heading was put on a slide of its own",
                severity="warning",
            )
        )
    # Infer kinds the template left implicit, and fall back when the content is missing.
    for spec in specs:
        if spec.kind == "content":
            if spec.left or spec.right:
                spec.kind = "two-column"
        elif spec.kind in GRAPHIC_KINDS and not spec.graphics:
            warnings.append(
                Problem(
                    f"slide {spec.title!r}: marked .{spec.kind} but holds no "
                    f"{'risk-matrix block' if spec.kind == 'risk-map' else spec.kind + ' block'}; "
                    "drawn as a content slide",
                    severity="warning",
                )
            )
            spec.kind = "content"
        if spec.kind != "two-column" and (spec.left or spec.right):
            spec.paras.extend(spec.left + spec.right)
            spec.left, spec.right = [], []
        if spec.kind == "title":
            as_of = document.meta.as_of
            if as_of and not any(as_of in p.text for p in spec.paras):
                spec.paras.append(Para((Run(f"Information as of {as_of}"),)))
    # Every slide gets a unique title (continuations are numbered later).
    seen: dict[str, int] = {}
    for spec in specs:
        if not spec.title:
            spec.title = document.meta.title or "Untitled"
            warnings.append(Problem(f"a slide without a title was titled {spec.title!r}", severity="warning"))
        key = spec.title.casefold()
        if key in seen:
            seen[key] += 1
            new = f"{spec.title} – {seen[key]}"
            warnings.append(
                Problem(
                    f"two slides are titled {spec.title!r}; the second is titled {new!r}", severity="warning"
                )
            )
            spec.title = new
        else:
            seen[key] = 1
    return specs


# ---------------------------------------------------------------------------------------------
# Graphics


def _cell(cell: Cell, bold: bool = False) -> CellPlan:
    return CellPlan(squeeze_spaces(plain_text(cell.content)), bold, _rag_of(cell.content))


def _cell_height(cell: CellPlan, width: float, font: str, size: float) -> float:
    inner = width - CELL_MARGINS[0] - CELL_MARGINS[2]
    n = len(_lines(cell.text, font, cell.bold, size, inner))
    return n * _line_height(font, size) + CELL_MARGINS[1] + CELL_MARGINS[3] + HEIGHT_SLACK


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


def _plan_table(
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
    if header:
        alt = f"Table with columns {', '.join(c.text for c in header[0])}"
    else:
        alt = f"Table of {len(body)} rows: " + "; ".join(r[0].text for r in body if r)[:200]

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
        for size in _sizes(base - SHRINK_STEP, minimum):
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
    lh = _line_height(font, size)
    per = max(int((cap - CELL_MARGINS[1] - CELL_MARGINS[3] - HEIGHT_SLACK) // lh), 1)
    wrapped = [
        _lines(c.text, font, c.bold, size, w - CELL_MARGINS[0] - CELL_MARGINS[2])
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


def _rag(score: int, matrix: RiskMatrix) -> str:
    if score >= matrix.red_from:
        return "red"
    if score >= matrix.amber_from:
        return "amber"
    return "green"


def _legend(matrix: RiskMatrix) -> tuple[LegendItem, ...]:
    """'Red ≥ 12', 'Amber 5–10', 'Green ≤ 4' from the thresholds and the scores L×I can take."""
    scores = sorted({lk * im for lk in range(1, 6) for im in range(1, 6)})
    amber = [s for s in scores if matrix.amber_from <= s < matrix.red_from]
    green = [s for s in scores if s < matrix.amber_from]
    items = [LegendItem("red", f"Red: score ≥ {matrix.red_from}")]
    if amber:
        items.append(
            LegendItem("amber", f"Amber: {amber[0]}–{amber[-1]}" if len(amber) > 1 else f"Amber: {amber[0]}")
        )
    if green:
        items.append(LegendItem("green", f"Green: ≤ {green[-1]}"))
    return tuple(items)


def _plan_risk_map(
    matrix: RiskMatrix, area: LayoutBox, geometry: DeckGeometry, warnings: list[Problem], where: str
) -> list[RiskMapPlan]:
    font = geometry.text_font
    label = geometry.label_pt
    lh_label = _line_height(font, label)
    title_h = lh_label + 8
    # The likelihood-label column: as wide as the longest label, within limits.
    l_labels = [f"{n} {matrix.likelihood_labels[n - 1]}" for n in range(5, 0, -1)]
    i_labels = [f"{n} {matrix.impact_labels[n - 1]}" for n in range(1, 6)]
    m = font_metrics(font)
    label_w = min(max(m.width(t, label) for t in l_labels) / WIDTH_SAFETY + 16, area.width * 0.2)
    grid_w = area.width * 0.58
    cell_w = (grid_w - label_w) / 5
    label_row_h = max(_cell_height(CellPlan(t), cell_w, font, label) for t in i_labels)
    cell_h = (area.height - 2 * title_h - label_row_h) / 5
    cell_w = min(cell_w, cell_h * 1.9)
    id_size = geometry.min_font_pt
    widths = (label_w, *([cell_w] * 5))
    heights = (*([cell_h] * 5), label_row_h)
    table_w = sum(widths)
    top = area.top + title_h
    table_box = LayoutBox(area.left, top, table_w, sum(heights), font=font, size=id_size)
    likelihood_title = LayoutBox(
        area.left, area.top, label_w + cell_w * 2, title_h, font=font, size=label, bold=True
    )
    impact_title = LayoutBox(
        area.left + label_w, table_box.bottom, cell_w * 5, title_h, font=font, size=label, bold=True
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

    # Ids go in the cells when each fits on one line there; otherwise numbers do, keyed to the ids.
    mid = font_metrics(font, True)
    use_ids = all(
        mid.width(r.id, id_size) <= (cell_w - CELL_MARGINS[0] - CELL_MARGINS[2]) * WIDTH_SAFETY
        for r in matrix.risks
    )
    marks = {r.id: (r.id if use_ids else str(n)) for n, r in enumerate(matrix.risks, 1)}

    def key_para(risk) -> Para:  # type: ignore[no-untyped-def]
        named = "" if use_ids else f"{risk.id}: "
        detail = f" (L{risk.likelihood} × I{risk.impact} = {risk.score})"
        return Para((Run(marks[risk.id], bold=True), Run(f"  {named}{risk.title}{detail}")))

    def cell_fits(ids: list[str]) -> bool:
        text = ", ".join(ids)
        return _cell_height(CellPlan(text, True), cell_w, font, id_size) <= cell_h

    pages: list[list] = []
    current: list = []
    for risk in matrix.risks:
        if not (1 <= risk.likelihood <= 5 and 1 <= risk.impact <= 5):
            warnings.append(
                Problem(
                    f"{where}: risk {risk.id} has likelihood/impact outside 1–5; listed in the key only",
                    severity="warning",
                )
            )
        trial = [*current, risk]
        same = [marks[r.id] for r in trial if (r.likelihood, r.impact) == (risk.likelihood, risk.impact)]
        key_h = _text_height([key_para(r) for r in trial], key_box, key_size, geometry)
        if current and (key_h > _capacity(key_box) or not cell_fits(same)):
            pages.append(current)
            current = [risk]
        else:
            current = trial
    pages.append(current)

    out = []
    for risks in pages:
        cells: list[tuple[CellPlan, ...]] = []
        for likelihood in range(5, 0, -1):
            row = [CellPlan(l_labels[5 - likelihood])]
            for impact in range(1, 6):
                ids = [marks[r.id] for r in risks if (r.likelihood, r.impact) == (likelihood, impact)]
                row.append(CellPlan(", ".join(ids), True, _rag(likelihood * impact, matrix)))
            cells.append(tuple(row))
        cells.append((CellPlan(""), *(CellPlan(t) for t in i_labels)))
        key_paras = tuple(key_para(r) for r in risks)
        key = TextPlan(key_box, key_paras, key_size, _text_height(key_paras, key_box, key_size, geometry))
        placed = "; ".join(
            f"{r.id} {r.title}: likelihood {r.likelihood}, impact {r.impact}, score {r.score} ({r.rag})"
            for r in risks
        )
        alt = (
            "Risk heat map: 5 by 5 grid of likelihood (rows, 5 at the top) by impact (columns), "
            f"cells coloured red (score {matrix.red_from} or more), amber, green. {placed}."
        )
        out.append(
            RiskMapPlan(
                table_box,
                tuple(cells),
                widths,
                heights,
                id_size,
                label,
                likelihood_title,
                impact_title,
                legend,
                legend_box,
                key,
                tuple(r.id for r in risks),
                alt,
            )
        )
    return out


def _plan_timeline(timeline: Timeline, area: LayoutBox, geometry: DeckGeometry) -> TimelinePlan | None:
    """Markers on a horizontal axis, labels alternately above and below; None when the events
    do not fit (too many, or a label too long even at the minimum size)."""
    events = timeline.events
    n = len(events)
    if not 0 < n <= MAX_TIMELINE_EVENTS:
        return None
    font = geometry.text_font
    step = area.width / n
    width = min(2 * step - 10, 240.0) if n > 1 else min(area.width, 320.0)
    y = area.top + area.height / 2
    date_size = geometry.label_pt + 1
    date_lh = _line_height(font, date_size)
    insets = (3.0, 2.0, 3.0, 2.0)
    radius, big = 6.0, 9.0
    half = area.height / 2 - big - 4
    base = max(min(area.size, 16.0), geometry.min_font_pt)
    for size in _sizes(base, geometry.min_font_pt):
        lh = _line_height(font, size)
        planned: list[EventPlan] = []
        ok = True
        for i, event in enumerate(events):
            x = area.left + step * (i + 0.5)
            left = min(max(x - width / 2, area.left), area.right - width)
            inner = width - insets[0] - insets[2]
            d_lines = _lines(event.date, font, True, date_size, inner)
            l_lines = _lines(event.label, font, event.highlight, size, inner)
            date_h = len(d_lines) * date_lh + insets[1] + insets[3] + HEIGHT_SLACK
            label_h = len(l_lines) * lh + insets[1] + insets[3] + HEIGHT_SLACK
            if date_h + label_h + 2 > half:
                ok = False
                break
            r = big if event.highlight else radius
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
            planned.append(
                EventPlan(x, event.date, event.label, event.highlight, above, date_box, label_box, r)
            )
        if ok:
            alt = "Timeline: " + "; ".join(
                f"{e.date}: {e.label}" + (" (this meeting)" if e.highlight else "") for e in events
            )
            return TimelinePlan(area.left, area.right, y, tuple(planned), size, date_size, alt)
    return None


def _timeline_table(timeline: Timeline) -> Table:
    body = tuple(
        (
            Cell((Text(e.date, bold=e.highlight),)),
            Cell((Text(e.label + (" (this meeting)" if e.highlight else ""), bold=e.highlight),)),
        )
        for e in timeline.events
    )
    return Table(((Cell((Text("Date"),)), Cell((Text("Event"),))),), body, ("left", "left"), ("chronology",))


# ---------------------------------------------------------------------------------------------
# Pages of one slide spec


@dataclass
class _Page:
    kind: str
    body: TextPlan | None = None
    right: TextPlan | None = None
    table: TablePlan | None = None
    risk_map: RiskMapPlan | None = None
    timeline: TimelinePlan | None = None


def _graphic_kind(graphic: Table | RiskMatrix | Timeline) -> str:
    if isinstance(graphic, RiskMatrix):
        return "risk-map"
    if isinstance(graphic, Timeline):
        return "timeline"
    return "table"


def _graphic_pages(
    graphic: Table | RiskMatrix | Timeline,
    kind: str,
    caption: list[Para],
    geometry: DeckGeometry,
    warnings: list[Problem],
    where: str,
) -> list[_Page]:
    frame = geometry.frame(kind)
    area = frame.body
    pages: list[_Page] = []
    caption_plan: TextPlan | None = None
    if caption:
        h = _text_height(caption, area, area.size, geometry) + area.insets[1] + area.insets[3] + HEIGHT_SLACK
        if h <= area.height * CAPTION_SHARE:
            caption_plan = TextPlan(area.moved(height=h), tuple(caption), area.size, h)
            area = area.moved(top=area.top + h + 6, height=area.height - h - 6)
        else:  # too long for a caption: give it slides of its own before the graphic
            content = geometry.frame("content").body
            pages.extend(_Page("content", body=b) for b in _pack(caption, content, geometry, warnings, where))
    if isinstance(graphic, RiskMatrix):
        for plan in _plan_risk_map(graphic, area, geometry, warnings, where):
            pages.append(_Page(kind, body=caption_plan, risk_map=plan))
        return pages
    if isinstance(graphic, Timeline):
        plan = _plan_timeline(graphic, area, geometry)
        if plan is not None:
            pages.append(_Page(kind, body=caption_plan, timeline=plan))
            return pages
        graphic = _timeline_table(graphic)
    for table in _plan_table(graphic, area, geometry, warnings, where):
        pages.append(_Page(kind, body=caption_plan, table=table))
    return pages


def _pages(spec: _Spec, spill: str, geometry: DeckGeometry, warnings: list[Problem]) -> list[_Page]:
    where = f"slide {spec.title!r}"
    lead = [Para((Run(spill, bold=True),), lead=True)] if spill else []
    pages: list[_Page] = []
    graphics = list(spec.graphics)
    if spec.kind in ("title", "section", "content"):
        frame = geometry.frame(spec.kind)
        paras = lead + spec.paras
        pages.extend(_Page(spec.kind, body=b) for b in _pack(paras, frame.body, geometry, warnings, where))
        if not pages and not graphics:
            pages.append(_Page(spec.kind))
    elif spec.kind == "two-column":
        frame = geometry.frame("two-column")
        right_box = frame.right or frame.body
        left = _pack(lead + spec.paras + spec.left, frame.body, geometry, warnings, where)
        right = _pack(spec.right, right_box, geometry, warnings, where)
        for i in range(max(len(left), len(right), 1)):
            pages.append(
                _Page(
                    "two-column",
                    body=left[i] if i < len(left) else None,
                    right=right[i] if i < len(right) else None,
                )
            )
    else:
        caption = lead + spec.paras
        for i, graphic in enumerate(graphics):
            pages.extend(
                _graphic_pages(graphic, spec.kind, caption if i == 0 else [], geometry, warnings, where)
            )
        return pages
    for graphic in graphics:
        pages.extend(_graphic_pages(graphic, _graphic_kind(graphic), [], geometry, warnings, where))
    return pages


def _source_plan(
    sources: list[str], geometry: DeckGeometry, warnings: list[Problem], where: str
) -> TextPlan | None:
    if not sources:
        return None
    text = " ".join(sources)
    box = geometry.source
    para = Para((Run(text),))
    for size in _sizes(box.size, 8.0):
        if _para_height(para, box, size, geometry, True) <= _capacity(box):
            return TextPlan(box, (para,), size, _para_height(para, box, size, geometry, True))
    warnings.append(
        Problem(
            f"{where}: the source line is too long for the slide foot; it is in the speaker notes",
            severity="warning",
        )
    )
    short = Para((Run("Sources: see the speaker notes"),))
    return TextPlan(box, (short,), box.size, _para_height(short, box, box.size, geometry, True))


def _marking_plans(
    marking: str, geometry: DeckGeometry, warnings: list[Problem]
) -> tuple[TextPlan | None, TextPlan | None]:
    if not marking:
        return None, None
    para = Para((Run(marking, bold=True),))
    top, bottom = geometry.marking_top, geometry.marking_bottom
    for size in _sizes(top.size, 7.0):
        if _para_height(para, top, size, geometry, True) <= _capacity(top):
            h = _para_height(para, top, size, geometry, True)
            return TextPlan(top, (para,), size, h), TextPlan(bottom, (para,), size, h)
    warnings.append(Problem(f"the marking {marking!r} is too long for the marking band", severity="warning"))
    h = _para_height(para, top, 7.0, geometry, True)
    return TextPlan(top, (para,), 7.0, h), TextPlan(bottom, (para,), 7.0, h)


def plan_slides(document: Document, geometry: DeckGeometry, warnings: list[Problem]) -> list[SlidePlan]:
    """Plan the deck: one or more slides per slide heading, every text measured to fit."""
    marking_top, marking_bottom = _marking_plans(document.meta.marking, geometry, warnings)
    plans: list[SlidePlan] = []
    for spec in _specs(document, warnings):
        where = f"slide {spec.title!r}"
        box = geometry.frame(spec.kind).title
        title, size, spill = _fit_title(spec.title, box, geometry)
        pages = _pages(spec, spill, geometry, [])
        # The numbered suffix makes the title longer: refit until the page count is stable.
        for _ in range(4):
            if len(pages) <= 1:
                break
            n = len(pages)
            title, size, spill = _fit_title(spec.title, box, geometry, f" ({n}/{n})")
            pages = _pages(spec, spill, geometry, [])  # warnings come from the final pass below
            if len(pages) == n:
                break
        # Collect warnings once, from the final planning pass.
        final_warnings: list[Problem] = []
        pages = _pages(spec, spill, geometry, final_warnings)
        warnings.extend(final_warnings)
        if spill:
            warnings.append(
                Problem(
                    f"{where}: the title is too long for the title box even at {size:g} pt; "
                    f"its end ({spill[:40]!r}…) opens the slide body",
                    severity="warning",
                )
            )
        n = len(pages)
        head = title[: len(title) - len(f" ({n}/{n})")] if n > 1 and title.endswith(f" ({n}/{n})") else title
        source = _source_plan(spec.sources, geometry, warnings, where)
        notes = list(spec.notes)
        if spec.sources:
            notes.append("Sources: " + " ".join(spec.sources))
        for i, page in enumerate(pages, 1):
            page_title = f"{head} ({i}/{n})" if n > 1 else head
            if i == 1:
                text = "\n".join(notes)
            else:
                text = "\n".join(
                    [f"Continuation {i}/{n} of “{head}”; the talking points are in the notes of part 1."]
                    + ([notes[-1]] if spec.sources else [])
                )
            if not text and spec.kind not in ("title", "section"):
                text = f"{head}: no talking points were provided for this slide."
            plans.append(
                SlidePlan(
                    kind=page.kind,
                    title=page_title,
                    title_size=size,
                    body=page.body,
                    right=page.right,
                    table=page.table,
                    risk_map=page.risk_map,
                    timeline=page.timeline,
                    notes=text,
                    source=source,
                    marking=marking_top,
                    marking_bottom=marking_bottom,
                    part=i,
                    parts=n,
                )
            )
    return plans
