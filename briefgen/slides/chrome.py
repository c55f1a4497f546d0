"""The slide's chrome and its cover: the source line, the marking banners (bold, never below
the banner minimum), and the title slide, which never splits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from briefgen.errors import Problem, quoted
from briefgen.languages import tr
from briefgen.slides.fitting import capacity, fit_title, para_height, sizes, text_height
from briefgen.slides.geometry import DeckGeometry
from briefgen.slides.plans import Para, Run, TextPlan
from briefgen.slides.reading import Spec

TITLE_SLIDE_FLOOR_PT = 12.0  # the title slide's subtitle never shrinks below this


# ---------------------------------------------------------------------------------------------
# Chrome: source line, marking banners


def source_plan(
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
    short = Para((Run(tr("Sources: see the speaker notes")),))
    return TextPlan(box, (short,), box.size, para_height(short, box, box.size, geometry, True))


def marking_plans(
    marking: str, geometry: DeckGeometry, warnings: list[Problem]
) -> tuple[TextPlan | None, TextPlan | None]:
    """The banners: bold, at the geometry's banner size, never below `styles.PPTX_BANNER_MIN_PT`
    (a banner that cannot be read when projected is no banner); a marking too long for one line
    at that size wraps onto a second line of the band."""
    if not marking:
        return None, None
    para = Para((Run(marking, bold=True),))
    top, bottom = geometry.marking_top, geometry.marking_bottom
    floor = geometry.banner_min_pt
    for size in sizes(top.size, floor):
        h = para_height(para, top, size, geometry, True)
        if h <= capacity(top):
            return TextPlan(top, (para,), size, h), TextPlan(bottom, (para,), size, h)
    warnings.append(
        Problem(
            f"the marking {quoted(marking)} is too long for one line of the banner even at {floor:g} pt",
            severity="warning",
        )
    )
    h = para_height(para, top, floor, geometry, True)
    return TextPlan(top, (para,), floor, h), TextPlan(bottom, (para,), floor, h)


# ---------------------------------------------------------------------------------------------
# The title slide


def title_slide(spec: Spec, geometry: DeckGeometry, warnings: list[Problem]) -> tuple[str, float, TextPlan]:
    """(title, title size, subtitle plan): always one slide. The title shrinks to the smallest
    title size and may take the whole title box; the subtitle shrinks, then its lines merge,
    then its box grows down to the foot of the slide, then it shrinks to a floor."""
    frame = geometry.frame("title")
    title, size, spill = fit_title(spec.title, frame.title, geometry)
    paras = list(spec.paras)
    if spill:
        paras.insert(0, Para((Run(spill, bold=True),), lead=True))
    box = frame.body
    floor = min(TITLE_SLIDE_FLOOR_PT, box.size)
    foot = geometry.source.top - 4
    tall = box.moved(height=max(box.height, foot - box.top))
    merged = _merged(paras)
    comfortable = max(floor, min(geometry.min_font_pt, box.size))
    tries = ((box, paras, comfortable), (tall, paras, comfortable), (tall, merged, comfortable))
    for candidate_box, candidate, least in (*tries, (tall, merged, floor)):
        for s in sizes(box.size, least):
            h = text_height(candidate, candidate_box, s, geometry)
            if h <= capacity(candidate_box):
                return title, size, TextPlan(candidate_box, tuple(candidate), s, h)
    h = text_height(merged, tall, floor, geometry)
    warnings.append(
        Problem(
            f"slide {quoted(spec.title)}: the title slide's text is too long to fit even at {floor:g} pt; "
            "shorten the title, meeting title or venue",
            severity="warning",
        )
    )
    return title, size, TextPlan(tall, tuple(merged), floor, h)


def _merged(paras: Sequence[Para]) -> list[Para]:
    """Subtitle lines joined into one paragraph with ' · ' (bold lead-ins stay their own)."""
    plain = [p for p in paras if not p.lead]
    if len(plain) <= 1:
        return list(paras)
    runs: list[Run] = []
    for i, p in enumerate(plain):
        if i:
            runs.append(Run(" · "))
        runs.extend(p.runs)
    return [p for p in paras if p.lead] + [replace(plain[0], runs=tuple(runs))]
