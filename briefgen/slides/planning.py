"""Deck planning: which content goes on which slide, measured so that nothing overflows.

Every text is measured with the real metrics of the layout's font (`briefgen.metrics`) against
its box; then, in this order: the text is kept; it is split onto continuation slides titled
"… (2/3)"; tables split with their header rows repeated; only when a single point or row
cannot fit on a slide of its own is the font reduced (never below `DeckGeometry.min_font_pt`);
a point that cannot fit even then is split at sentence (then word) boundaries, with a warning.
Nothing is dropped: what a template marks "where room allows" (`::: if-room`) is in the notes.

The title slide never splits: its title and subtitle shrink to a floor, the subtitle lines
merge, and the subtitle box grows into the free space below it. A slide whose text covers less
than half of its body area sets its text larger (up to `GROW_LIMIT` times the layout's size)
so that it carries its message at a size a room can read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TypedDict

from briefgen import marking
from briefgen.errors import Problem, quoted
from briefgen.languages import messages_for, ntr, speaking, tr
from briefgen.marking_schemes import SCHEME_NAMES, SchemeName
from briefgen.model import Document, Meta, RiskMatrix, Table, Timeline
from briefgen.slides.chrome import marking_plans, source_plan, title_slide
from briefgen.slides.fitting import fit_title, pack, sizes, text_height
from briefgen.slides.geometry import CAPTION_SHARE, HEIGHT_SLACK, DeckGeometry, LayoutBox
from briefgen.slides.graphics import (
    breaks_words,
    natural_width,
    plan_risk_map,
    plan_table,
    plan_timelines,
    timeline_table,
)
from briefgen.slides.plans import (
    DeckPlan,
    Para,
    RiskMapPlan,
    Run,
    SlidePlan,
    TablePlan,
    TextPlan,
    TimelinePlan,
)
from briefgen.slides.reading import Spec, read_specs

INTRO_SHARE = 0.4  # text above two columns may take at most this share of their height
COLUMN_GAP = 18.0  # points between tables set side by side
GROW_LIMIT = 1.3  # a sparse slide's text grows to at most this many times the layout's size
GROW_MAX_PT = 28.0
SPARE_SHRINK = 0.7  # a slide sets its text this much smaller at most to avoid a continuation
MIN_FILL = 0.5  # a content slide (but the last part of a split) covers at least half its body


@dataclass
class _Page:
    kind: str
    body: TextPlan | None = None
    right: TextPlan | None = None
    tables: list[TablePlan] = field(default_factory=list)
    risk_map: RiskMapPlan | None = None
    timeline: TimelinePlan | None = None
    lead: TextPlan | None = None


def _graphic_kind(graphic: Table | RiskMatrix | Timeline) -> str:
    if isinstance(graphic, RiskMatrix):
        return "risk-map"
    if isinstance(graphic, Timeline):
        return "timeline"
    return "table"


def _caption(
    caption: list[Para], area: LayoutBox, geometry: DeckGeometry, warnings: list[Problem], where: str
) -> tuple[TextPlan | None, LayoutBox, list[_Page]]:
    """A caption above a graphic: (its plan, the area left for the graphic, pages of its own
    when it is too long to be a caption)."""
    if not caption:
        return None, area, []
    text_h = text_height(caption, area, area.size, geometry)
    h = text_h + area.insets[1] + area.insets[3] + HEIGHT_SLACK
    if h <= area.height * CAPTION_SHARE:
        plan = TextPlan(area.moved(height=h), tuple(caption), area.size, text_h)
        return plan, area.moved(top=area.top + h + 6, height=area.height - h - 6), []
    content = geometry.frame("content").body
    return None, area, [_Page("content", body=b) for b in pack(caption, content, geometry, warnings, where)]


def _graphic_pages(
    graphic: Table | RiskMatrix | Timeline,
    kind: str,
    caption: list[Para],
    geometry: DeckGeometry,
    warnings: list[Problem],
    where: str,
) -> list[_Page]:
    caption_plan, area, pages = _caption(caption, geometry.frame(kind).body, geometry, warnings, where)
    if isinstance(graphic, RiskMatrix):
        for plan in plan_risk_map(graphic, area, geometry, warnings, where):
            pages.append(_Page(kind, body=caption_plan, risk_map=plan))
        return pages
    if isinstance(graphic, Timeline):
        timelines = plan_timelines(graphic, area, geometry)
        if timelines:
            pages.extend(_Page(kind, body=caption_plan, timeline=t) for t in timelines)
            return pages
        graphic = timeline_table(graphic)
    for table in plan_table(graphic, area, geometry, warnings, where):
        pages.append(_Page(kind, body=caption_plan, tables=[table]))
    return pages


def _table_group(
    tables: Sequence[Table],
    caption: list[Para],
    geometry: DeckGeometry,
    warnings: list[Problem],
    where: str,
    *,
    across: bool = True,
) -> list[_Page] | None:
    """Several tables on one slide: the first across the whole width (unless `across` is
    false), the others side by side below it, all at one size (from the table size down to the
    minimum); None when they do not fit on one slide that way."""
    caption_plan, area, pages = _caption(caption, geometry.frame("table").body, geometry, warnings, where)
    if pages:
        return None
    rest = list(tables[1:]) if across else list(tables)
    for size in sizes(min(geometry.table_pt, area.size), min(geometry.min_font_pt, area.size)):
        sized = area.moved(size=size)
        first = plan_table(tables[0], sized, geometry, [], where) if across else []
        if across and (len(first) != 1 or first[0].size != size):
            continue
        top_h = first[0].box.height + COLUMN_GAP if first else 0.0
        below = area.moved(top=area.top + top_h, height=area.height - top_h, size=size)
        if below.height <= 24:
            continue
        # Side by side, each as wide as its content asks (in proportion), no word cut.
        room = below.width - COLUMN_GAP * (len(rest) - 1)
        natural = [natural_width(t, geometry.text_font, size) for t in rest]
        widths = [room * n / sum(natural) for n in natural]
        planned = list(first)
        ok = True  # the table across the slide breaks only what no width would hold (addresses)
        left = below.left
        for table, width in zip(rest, widths, strict=True):
            if not ok:
                break
            box = below.moved(left=left, width=min(width, natural_width(table, geometry.text_font, size)))
            left += width + COLUMN_GAP
            parts = plan_table(table, box, geometry, [], where)
            if len(parts) != 1 or parts[0].size != size or breaks_words(parts[0]):
                ok = False
                break
            planned.append(parts[0])
        if ok:
            return [_Page("table", body=caption_plan, tables=planned)]
    return None


def _two_column(
    spec: Spec, lead: list[Para], geometry: DeckGeometry, warnings: list[Problem], where: str, scale: float
) -> list[_Page]:
    frame = geometry.frame("two-column")
    left_box = frame.body.moved(size=round(frame.body.size * scale, 1))
    right_box = (frame.right or frame.body).moved(size=left_box.size)
    intro = lead + spec.paras
    intro_plan: TextPlan | None = None
    if intro and spec.left + spec.right:
        whole = left_box.moved(width=right_box.right - left_box.left)
        text_h = text_height(intro, whole, whole.size, geometry)
        h = text_h + whole.insets[1] + whole.insets[3] + HEIGHT_SLACK
        if h <= left_box.height * INTRO_SHARE:
            intro_plan = TextPlan(whole.moved(height=h), tuple(intro), whole.size, text_h)
            shift = h + 6
            left_box = left_box.moved(top=left_box.top + shift, height=left_box.height - shift)
            right_box = right_box.moved(top=right_box.top + shift, height=right_box.height - shift)
            intro = []
    left = pack(intro + spec.left, left_box, geometry, warnings, where)
    right = pack(spec.right, right_box, geometry, warnings, where)
    pages = []
    for i in range(max(len(left), len(right), 1)):
        pages.append(
            _Page(
                "two-column",
                body=left[i] if i < len(left) else None,
                right=right[i] if i < len(right) else None,
                lead=intro_plan if i == 0 else None,
            )
        )
    return pages


def _pages(
    spec: Spec, spill: str, geometry: DeckGeometry, warnings: list[Problem], scale: float = 1.0
) -> list[_Page]:
    where = f"slide {quoted(spec.title)}"
    lead = [Para((Run(spill, bold=True),), lead=True)] if spill else []
    pages: list[_Page] = []
    graphics = list(spec.graphics)
    if spec.kind in ("section", "content"):
        box = geometry.frame(spec.kind).body
        box = box.moved(size=round(box.size * scale, 1))
        pages.extend(
            _Page(spec.kind, body=b) for b in pack(lead + spec.paras, box, geometry, warnings, where)
        )
        if not pages and not graphics:
            pages.append(_Page(spec.kind))
    elif spec.kind == "two-column":
        pages.extend(_two_column(spec, lead, geometry, warnings, where, scale))
    else:
        caption = lead + spec.paras
        tables = [g for g in graphics if isinstance(g, Table)]
        if spec.kind == "table" and len(graphics) > 1 and len(tables) == len(graphics):
            group = _table_group(tables, caption, geometry, warnings, where)
            if group is not None:
                return group
            if len(tables) > 2:  # the first table on a slide of its own, the others side by side
                rest = _table_group(tables[1:], [], geometry, warnings, where, across=False)
                if rest is not None:
                    return _graphic_pages(tables[0], spec.kind, caption, geometry, warnings, where) + rest
        for i, graphic in enumerate(graphics):
            pages.extend(
                _graphic_pages(graphic, spec.kind, caption if i == 0 else [], geometry, warnings, where)
            )
        return pages
    for graphic in graphics:
        pages.extend(_graphic_pages(graphic, _graphic_kind(graphic), [], geometry, warnings, where))
    return pages


# ---------------------------------------------------------------------------------------------
# How full a slide is


def _body_area(page: _Page, geometry: DeckGeometry) -> float:
    frame = geometry.frame(page.kind)
    if page.kind == "two-column" and frame.right is not None:
        return (frame.right.right - frame.body.left) * max(frame.body.height, frame.right.height)
    return frame.body.width * frame.body.height


def _covered(page: _Page) -> float:
    area = 0.0
    for plan in (page.lead, page.body, page.right):
        if plan is not None:
            area += plan.box.width * (plan.height + plan.box.insets[1] + plan.box.insets[3])
    for table in page.tables:
        area += table.box.width * table.box.height
    if page.risk_map is not None or page.timeline is not None:
        return float("inf")  # a graphic fills its area by design
    return area


def _fill(page: _Page, geometry: DeckGeometry) -> float:
    return min(_covered(page) / max(_body_area(page, geometry), 1.0), 1.0)


def _shown(pages: Sequence[_Page]) -> int:
    return sum(len(p.paras) for page in pages for p in (page.lead, page.body, page.right) if p is not None)


def _scale_to_fit(spec: Spec, geometry: DeckGeometry, count: int) -> float:
    """The largest text scale, in whole points down to SPARE_SHRINK of the layout's size, at
    which a text slide that would split fits on one slide; 1.0 when none does (or none is needed)."""
    if count <= 1 or spec.kind not in ("content", "two-column") or spec.graphics:
        return 1.0
    box = geometry.frame(spec.kind).title
    _title, _size, spill = fit_title(spec.title, box, geometry)
    base = geometry.frame(spec.kind).body.size
    least = max(geometry.min_font_pt, base * SPARE_SHRINK)
    size = base - 1.0
    while size >= least - 1e-9:
        if len(_pages(spec, spill, geometry, [], size / base)) == 1:
            return size / base
        size -= 1.0
    return 1.0


def _grown(spec: Spec, spill: str, geometry: DeckGeometry, pages: list[_Page]) -> list[_Page]:
    """A sparse one-slide text slide set larger until it covers half its body area, as long as
    it stays on one slide and shows as much as before."""
    if spec.kind not in ("content", "two-column") or spec.graphics or len(pages) != 1:
        return pages
    if _fill(pages[0], geometry) >= MIN_FILL:
        return pages
    base = geometry.frame(spec.kind).body.size
    best = pages
    shown = _shown(pages)
    step = 1.0 / base
    scale = 1.0 + step
    while scale <= GROW_LIMIT + 1e-9 and base * scale <= GROW_MAX_PT + 1e-9:
        trial = _pages(spec, spill, geometry, [], scale)
        if len(trial) != 1 or _shown(trial) < shown:
            break
        best = trial
        if _fill(trial[0], geometry) >= MIN_FILL:
            break
        scale += step
    return best


# ---------------------------------------------------------------------------------------------
# The deck


def _notes(spec: Spec) -> list[Para]:
    """The slide's notes, then the texts of the footnotes marked on it, then its source line."""
    notes = list(spec.notes)
    # The title slide's foot holds the classification authority block, not sources.
    sources = [Para((Run(line),)) for line in spec.sources] if spec.kind != "title" else []
    for extra in (spec.footnotes, sources):
        if extra:
            if notes:
                notes.append(Para(()))
            notes.extend(extra)  # sources: already "Source: …" / "Sources: …"
    return notes


_FOOTNOTE_NOTE = re.compile(r"^\[\d+\] ")  # a footnote's text in the notes: "[1] Reuters, …"


def plan_slides(document: Document, geometry: DeckGeometry, warnings: list[Problem]) -> list[SlidePlan]:
    """Plan the deck: one or more slides per slide heading, every text measured to fit."""
    marking_top, marking_bottom = marking_plans(document.meta.marking, geometry, warnings)
    plans: list[SlidePlan] = []
    for spec in read_specs(document, warnings):
        where = f"slide {quoted(spec.title)}"
        notes = _notes(spec)
        source = source_plan(spec.sources, geometry, warnings, where)
        common: _Common = {"notes": tuple(notes), "source": source, "marking": marking_top}
        if spec.kind == "title":
            title, size, subtitle = title_slide(spec, geometry, warnings)
            plans.append(
                SlidePlan(
                    kind="title",
                    title=title,
                    title_size=size,
                    body=subtitle,
                    marking_bottom=marking_bottom,
                    **common,
                )
            )
            for graphic in spec.graphics:  # a graphic under the title heading gets its own slide
                for page in _graphic_pages(graphic, _graphic_kind(graphic), [], geometry, warnings, where):
                    plans.append(_slide(page, title, size, 1, 1, notes, geometry, common, marking_bottom))
            continue
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
        # Set a little smaller rather than leave a near-empty continuation slide: down to
        # SPARE_SHRINK of the layout's size (never below the minimum) when that keeps the slide
        # whole; past that, continuation slides are the better read.
        scale = _scale_to_fit(spec, geometry, len(pages))
        if scale < 1.0:
            title, size, spill = fit_title(spec.title, box, geometry)
        # Collect warnings once, from the final planning pass.
        final_warnings: list[Problem] = []
        pages = _pages(spec, spill, geometry, final_warnings, scale)
        warnings.extend(final_warnings)
        pages = _grown(spec, spill, geometry, pages)
        if spill:
            warnings.append(
                Problem(
                    f"{where}: the title is too long for the title box even at {size:g} pt; "
                    f"its end ({quoted(spill[:40])}…) opens the slide body",
                    severity="warning",
                )
            )
        n = len(pages)
        head = title[: len(title) - len(f" ({n}/{n})")] if n > 1 and title.endswith(f" ({n}/{n})") else title
        for i, page in enumerate(pages, 1):
            plans.append(_slide(page, head, size, i, n, notes, geometry, common, marking_bottom))
    scheme = _per_slide_scheme(document.meta)
    if scheme is not None:
        plans = _per_slide_markings(plans, scheme, geometry, warnings)
    return plans


def _per_slide_scheme(meta: Meta) -> SchemeName | None:
    """The marking scheme each slide's banner is derived in, when the front matter asks for a
    banner per slide (`slide_banner: per-slide` and a known `marking_scheme`, as
    `briefgen.template_functions.meta_json` writes them); None: the pack's banner on every slide."""
    extra = dict(meta.extra)
    if extra.get("slide_banner") != "per-slide":
        return None
    return next((name for name in SCHEME_NAMES if name == extra.get("marking_scheme")), None)


def _per_slide_markings(
    plans: list[SlidePlan], scheme: SchemeName, geometry: DeckGeometry, warnings: list[Problem]
) -> list[SlidePlan]:
    """Each slide (and its notes page) carries the marking derived from the portion marks on
    it; the title slide keeps the pack's. A slide without marks gets the scheme's lowest level."""
    lowest = marking.lowest(scheme)
    made: dict[str, tuple[TextPlan | None, TextPlan | None]] = {}
    out: list[SlidePlan] = []
    for plan in plans:
        if plan.kind == "title":
            out.append(plan)
            continue
        found = [m for text in _slide_texts(plan) for m in _marks_in(scheme, text)]
        derived = marking.derive(found) or lowest
        if derived is None:
            out.append(plan)
            continue
        banner = derived.banner
        if banner not in made:
            made[banner] = marking_plans(banner, geometry, warnings)
        top, bottom = made[banner]
        out.append(replace(plan, marking=top, marking_bottom=bottom))
    return out


def _slide_texts(plan: SlidePlan) -> list[str]:
    texts = [plan.title, *(para.text for para in plan.notes)]
    for name, box in plan.text_plans():
        if not name.startswith("marking"):
            texts += [para.text for para in box.paras]
    for table in plan.tables:
        texts += [cell.text for row in (*table.header, *table.rows) for cell in row]
    return texts


_MARK_ANYWHERE = re.compile(r"(?:^|(?<=\s))(\([A-Z][A-Z0-9 ,/-]*\))(?=\s)")


def _marks_in(scheme: SchemeName, text: str) -> list[marking.Classification]:
    """The portion marks in a text (at its start or after a space: 'Q: … (C) A: …'); a bracket
    that is not a mark of the scheme ('(ICD 203)') is not one."""
    found = []
    for candidate in _MARK_ANYWHERE.findall(text.lstrip("• ")):
        try:
            found.append(marking.parse(scheme, candidate))
        except marking.MarkingError:
            continue
    return found


class _Common(TypedDict):
    """What every slide of one section carries."""

    notes: tuple[Para, ...]
    source: TextPlan | None
    marking: TextPlan | None


def _slide(
    page: _Page,
    head: str,
    size: float,
    part: int,
    parts: int,
    notes: list[Para],
    geometry: DeckGeometry,
    common: _Common,
    marking_bottom: TextPlan | None,
) -> SlidePlan:
    title = f"{head} ({part}/{parts})" if parts > 1 else head
    text: tuple[Para, ...]
    # Notes the planner writes keep the portion mark of what they repeat in front.
    mark, bare_head = marking.split_portion(head)
    mark = f"{mark} " if mark else ""
    if part == 1:
        text = tuple(notes)
    else:
        # Repeated in every part: the source lines the template wrote ("Source: …", "Sources: …"
        # in the deck's language) and the texts of the footnotes marked on the slide ("[1] …").
        prefixes = tuple({ntr("Source:", "Sources:", n) + " " for n in (1, 2, 3, 5, 11, 100)})
        shared = [
            p
            for p in notes
            if marking.split_portion(p.text)[1].startswith(prefixes) or _FOOTNOTE_NOTE.match(p.text)
        ]
        lead = mark + tr(
            "Part %(part)s of %(parts)s of “%(title)s”: the talking points are in the notes of part 1.",
            part=part,
            parts=parts,
            title=bare_head,
        )
        text = (Para((Run(lead),)), *([Para(()), *shared] if shared else []))
    if not any(p.text.strip() for p in text) and page.kind not in ("title", "section"):
        empty = mark + tr("%(title)s: no talking points were provided for this slide.", title=bare_head)
        text = (Para((Run(empty),)),)
    return SlidePlan(
        kind=page.kind,
        title=title,
        title_size=size,
        body=page.body,
        right=page.right,
        tables=tuple(page.tables),
        risk_map=page.risk_map,
        timeline=page.timeline,
        notes=text,
        source=common["source"],
        marking=common["marking"],
        marking_bottom=marking_bottom,
        part=part,
        parts=parts,
        lead=page.lead,
        fill=_fill(page, geometry) if page.kind not in ("title", "section") else 1.0,
    )


def plan_deck(
    document: Document,
    geometry: DeckGeometry,
    warnings: list[Problem],
    *,
    budget: int | None = None,
    where: str = "",
    budget_at: tuple[int, int] = (0, 0),
) -> DeckPlan:
    """The whole deck planned (the second of the deck's steps); with a `budget`, a warning
    naming the planned count when the deck runs over it (`output.slide_budget`), of the file
    `where` at `budget_at` (1-based line and column; 0 unknown)."""
    # Fixed words of the plan (legends, alt texts, continuation notes) in the deck's language.
    messages = messages_for(document.meta.language or "en-GB")
    with speaking(messages):
        slides = plan_slides(document, geometry, warnings)
    warnings.extend(messages.problems(catalog_missing=False))
    if budget is not None and len(slides) > budget:
        parts = sum(1 for s in slides if s.part > 1)
        detail = f", {parts} of them continuation slides" if parts else ""
        warnings.append(
            Problem(
                f"the deck is planned at {len(slides)} slides{detail}, over its budget of {budget} "
                "(output.slide_budget); shorten points, or move detail to the notes or the memo",
                file=where,
                line=budget_at[0],
                col=budget_at[1],
                severity="warning",
            )
        )
    return DeckPlan(tuple(slides), geometry, document.meta)
