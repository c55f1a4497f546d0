"""Deck planning: which content goes on which slide, measured so that nothing overflows.

Every text is measured with the real metrics of the layout's font (`briefgen.metrics`) against
its box; then, in this order: the text is kept; it is split onto continuation slides titled
"… (2/3)"; tables split with their header rows repeated; only when a single point or row
cannot fit on a slide of its own is the font reduced (never below `DeckGeometry.min_font_pt`);
a point that cannot fit even then is split at sentence (then word) boundaries, with a warning.
Nothing is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.errors import Problem
from briefgen.model import Document, RiskMatrix, Table, Timeline
from briefgen.slides.fitting import capacity, fit_title, pack, para_height, sizes, text_height
from briefgen.slides.geometry import CAPTION_SHARE, HEIGHT_SLACK, DeckGeometry
from briefgen.slides.graphics import plan_risk_map, plan_table, plan_timeline, timeline_table
from briefgen.slides.plans import (
    Para,
    RiskMapPlan,
    Run,
    SlidePlan,
    TablePlan,
    TextPlan,
    TimelinePlan,
)
from briefgen.slides.reading import Spec, read_specs


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
        h = text_height(caption, area, area.size, geometry) + area.insets[1] + area.insets[3] + HEIGHT_SLACK
        if h <= area.height * CAPTION_SHARE:
            caption_plan = TextPlan(area.moved(height=h), tuple(caption), area.size, h)
            area = area.moved(top=area.top + h + 6, height=area.height - h - 6)
        else:  # too long for a caption: give it slides of its own before the graphic
            content = geometry.frame("content").body
            pages.extend(_Page("content", body=b) for b in pack(caption, content, geometry, warnings, where))
    if isinstance(graphic, RiskMatrix):
        for plan in plan_risk_map(graphic, area, geometry, warnings, where):
            pages.append(_Page(kind, body=caption_plan, risk_map=plan))
        return pages
    if isinstance(graphic, Timeline):
        plan = plan_timeline(graphic, area, geometry)
        if plan is not None:
            pages.append(_Page(kind, body=caption_plan, timeline=plan))
            return pages
        graphic = timeline_table(graphic)
    for table in plan_table(graphic, area, geometry, warnings, where):
        pages.append(_Page(kind, body=caption_plan, table=table))
    return pages


def _pages(spec: Spec, spill: str, geometry: DeckGeometry, warnings: list[Problem]) -> list[_Page]:
    where = f"slide {spec.title!r}"
    lead = [Para((Run(spill, bold=True),), lead=True)] if spill else []
    pages: list[_Page] = []
    graphics = list(spec.graphics)
    if spec.kind in ("title", "section", "content"):
        frame = geometry.frame(spec.kind)
        paras = lead + spec.paras
        pages.extend(_Page(spec.kind, body=b) for b in pack(paras, frame.body, geometry, warnings, where))
        if not pages and not graphics:
            pages.append(_Page(spec.kind))
    elif spec.kind == "two-column":
        frame = geometry.frame("two-column")
        right_box = frame.right or frame.body
        left = pack(lead + spec.paras + spec.left, frame.body, geometry, warnings, where)
        right = pack(spec.right, right_box, geometry, warnings, where)
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
    for size in sizes(box.size, 8.0):
        if para_height(para, box, size, geometry, True) <= capacity(box):
            return TextPlan(box, (para,), size, para_height(para, box, size, geometry, True))
    warnings.append(
        Problem(
            f"{where}: the source line is too long for the slide foot; it is in the speaker notes",
            severity="warning",
        )
    )
    short = Para((Run("Sources: see the speaker notes"),))
    return TextPlan(box, (short,), box.size, para_height(short, box, box.size, geometry, True))


def _marking_plans(
    marking: str, geometry: DeckGeometry, warnings: list[Problem]
) -> tuple[TextPlan | None, TextPlan | None]:
    if not marking:
        return None, None
    para = Para((Run(marking, bold=True),))
    top, bottom = geometry.marking_top, geometry.marking_bottom
    for size in sizes(top.size, 7.0):
        if para_height(para, top, size, geometry, True) <= capacity(top):
            h = para_height(para, top, size, geometry, True)
            return TextPlan(top, (para,), size, h), TextPlan(bottom, (para,), size, h)
    warnings.append(Problem(f"the marking {marking!r} is too long for the marking band", severity="warning"))
    h = para_height(para, top, 7.0, geometry, True)
    return TextPlan(top, (para,), 7.0, h), TextPlan(bottom, (para,), 7.0, h)


def plan_slides(document: Document, geometry: DeckGeometry, warnings: list[Problem]) -> list[SlidePlan]:
    """Plan the deck: one or more slides per slide heading, every text measured to fit."""
    marking_top, marking_bottom = _marking_plans(document.meta.marking, geometry, warnings)
    plans: list[SlidePlan] = []
    for spec in read_specs(document, warnings):
        where = f"slide {spec.title!r}"
        box = geometry.frame(spec.kind).title
        title, size, spill = fit_title(spec.title, box, geometry)
        pages = _pages(spec, spill, geometry, [])
        # The numbered suffix makes the title longer: refit until the page count is stable.
        for _ in range(4):
            if len(pages) <= 1:
                break
            n = len(pages)
            title, size, spill = fit_title(spec.title, box, geometry, f" ({n}/{n})")
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
