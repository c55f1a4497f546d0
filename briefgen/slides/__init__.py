"""Slide planning: which content goes on which slide, measured so that nothing overflows.

Pure: no python-pptx here, so the plan is testable without PowerPoint. The package is split by
concern: `geometry` (boxes per slide kind, in points), `plans` (the data the writer draws),
`fitting` (measuring and fitting text), `reading` (the deck document into slide specs),
`graphics` (tables, heat map, timeline), `chrome` (source line, banners, the title slide),
`planning` (`plan_deck`, the whole deck), `collisions` (where each text stands) and
`reference` (the geometry of a reference presentation, read without python-pptx).
"""

from briefgen.slides.fitting import line_pitch
from briefgen.slides.geometry import (
    GRAPHIC_KINDS,
    KINDS,
    TEXT_KINDS,
    WIDTH_SAFETY,
    DeckGeometry,
    LayoutBox,
    SlideFrame,
)
from briefgen.slides.planning import plan_deck, plan_slides
from briefgen.slides.plans import (
    CellPlan,
    DeckPlan,
    EventPlan,
    LegendItem,
    Para,
    RiskMapPlan,
    Run,
    SlidePlan,
    TablePlan,
    TextPlan,
    TimelinePlan,
)

__all__ = [
    "GRAPHIC_KINDS",
    "KINDS",
    "TEXT_KINDS",
    "WIDTH_SAFETY",
    "CellPlan",
    "DeckGeometry",
    "DeckPlan",
    "EventPlan",
    "LayoutBox",
    "LegendItem",
    "Para",
    "RiskMapPlan",
    "Run",
    "SlideFrame",
    "SlidePlan",
    "TablePlan",
    "TextPlan",
    "TimelinePlan",
    "line_pitch",
    "plan_deck",
    "plan_slides",
]
