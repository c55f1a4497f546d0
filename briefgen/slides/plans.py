"""The plan of a deck: pure data the pptx writer draws without measuring anything itself."""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.model import Meta
from briefgen.slides.geometry import DeckGeometry, LayoutBox


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    url: str = ""
    rag: str = ""  # "red" | "amber" | "green": a RAG word, set in that rating's text colour


@dataclass(frozen=True)
class Para:
    """One paragraph of slide text: a bullet point, a numbered point, or plain text."""

    runs: tuple[Run, ...]
    level: int = 0
    bullet: str = ""  # "" (none) | "bullet" | "number"
    number: int = 0  # the item number of a numbered point
    lead: bool = False  # a lead-in line (sub-heading): kept with what follows
    rag: str = ""  # "red" | "amber" | "green": a RAG span in the text
    optional: bool = False  # shown only where room allows (from a `::: if-room` div)

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
    numbers: tuple[int, ...]  # the numbers of the risks on this heat map (1 = highest score)
    alt: str = ""
    # The impact labels ("1 Insignificant", ...) keyed under the axis title when the columns are
    # too narrow for their words and the label row carries only the numbers; () otherwise.
    scale: tuple[str, ...] = ()


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
    tables: tuple[TablePlan, ...] = ()  # one table, or a group (the appendix keys) side by side
    risk_map: RiskMapPlan | None = None
    timeline: TimelinePlan | None = None
    notes: tuple[Para, ...] = ()  # speaker notes, with bold, italic and links; Para(()) is a blank line
    source: TextPlan | None = None
    marking: TextPlan | None = None  # top and bottom marking (same text; box of the top one)
    marking_bottom: TextPlan | None = None
    part: int = 1
    parts: int = 1
    lead: TextPlan | None = None  # full-width text above the two columns (first part only)
    fill: float = 1.0  # share of the body area the content covers (measured, 0–1)

    @property
    def notes_text(self) -> str:
        """The speaker notes as plain text, one line per paragraph."""
        return "\n".join(p.text for p in self.notes)

    @property
    def table(self) -> TablePlan | None:
        """The first (usually the only) table."""
        return self.tables[0] if self.tables else None

    def text_plans(self) -> list[tuple[str, TextPlan]]:
        """Every text box of the slide's own content, named (not the graphics' labels)."""
        named = [("lead", self.lead), ("body", self.body), ("right", self.right), ("source", self.source)]
        named += [("marking", self.marking), ("marking (bottom)", self.marking_bottom)]
        if self.risk_map is not None:
            named.append(("risk key", self.risk_map.key))
        return [(name, plan) for name, plan in named if plan is not None]


@dataclass(frozen=True)
class DeckPlan:
    """A whole deck, planned against one reference's geometry: what the pptx writer draws."""

    slides: tuple[SlidePlan, ...]
    geometry: DeckGeometry
    meta: Meta
