"""Where a slide's text will stand, measured with the same font metrics the planner fits with,
so that a test (or a user's own check) can prove that no two texts of a slide overlap.

A text's extent is the part of its box its measured lines fill: the box's inner width, and
from its top (text anchored at the top), its bottom (anchored at the bottom: source line,
timeline labels above the axis) or its middle (banners), as tall as its lines. Graphics
(tables, the heat map's grid) take their whole box.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.slides.fitting import line_pitch, wrap_lines
from briefgen.slides.geometry import LayoutBox
from briefgen.slides.plans import SlidePlan, TextPlan


@dataclass(frozen=True)
class Extent:
    """A named rectangle on the slide, in points."""

    name: str
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Extent, tolerance: float = 0.5) -> bool:
        """True when the two rectangles share more than `tolerance` points each way."""
        return (
            min(self.right, other.right) - max(self.left, other.left) > tolerance
            and min(self.bottom, other.bottom) - max(self.top, other.top) > tolerance
        )


def _text(name: str, box: LayoutBox, height: float, anchor: str = "t") -> Extent:
    left, right = box.left + box.insets[0], box.right - box.insets[2]
    if anchor == "b":
        bottom = box.bottom - box.insets[3]
        return Extent(name, left, bottom - height, right, bottom)
    if anchor == "ctr":
        middle = box.top + box.height / 2
        return Extent(name, left, middle - height / 2, right, middle + height / 2)
    top = box.top + box.insets[1]
    return Extent(name, left, top, right, top + height)


def _lines_height(text: str, box: LayoutBox, size: float, bold: bool) -> float:
    inner = box.width - box.insets[0] - box.insets[2]
    return len(wrap_lines(text, box.font, bold, size, inner)) * line_pitch(box.font, size)


def _whole(name: str, box: LayoutBox) -> Extent:
    return Extent(name, box.left, box.top, box.right, box.bottom)


def text_extents(plan: SlidePlan, title_box: LayoutBox | None = None) -> list[Extent]:
    """Every text and graphic of a slide as the rectangle it fills; the title as its whole box
    (`title_box`, the frame's; its anchoring is the layout's)."""
    out: list[Extent] = []
    if title_box is not None:
        out.append(_whole("title", title_box))
    anchors = {"source": "b", "marking": "ctr", "marking (bottom)": "ctr"}
    for name, text in plan.text_plans():
        if name == "risk key":
            continue
        out.append(_text(name, text.box, _measured(text), anchors.get(name, "t")))
    for i, table in enumerate(plan.tables):
        out.append(_whole(f"table {i + 1}", table.box))
    if plan.risk_map is not None:
        rm = plan.risk_map
        out.append(_whole("heat map", rm.box))
        out.append(_whole("legend", rm.legend_box))
        out.append(_text("risk key", rm.key.box, _measured(rm.key)))
        out.append(
            _text(
                "axis: likelihood",
                rm.likelihood_title,
                line_pitch(rm.likelihood_title.font, rm.label_size),
                "b",
            )
        )
        lines = (
            1
            + len(
                wrap_lines(
                    " · ".join(rm.scale),
                    rm.impact_title.font,
                    False,
                    rm.label_size,
                    rm.impact_title.inner_width,
                )
            )
            if rm.scale
            else 1
        )
        out.append(
            _text("axis: impact", rm.impact_title, lines * line_pitch(rm.impact_title.font, rm.label_size))
        )
    if plan.timeline is not None:
        t = plan.timeline
        for event in t.events:
            anchor = "b" if event.above else "t"
            date_h = _lines_height(event.date, event.date_box, t.date_size, True)
            label_h = _lines_height(event.label, event.label_box, t.size, event.highlight)
            out.append(_text(f"date {event.date}", event.date_box, date_h, anchor))
            out.append(_text(f"event {event.date}", event.label_box, label_h, anchor))
        out.append(Extent("axis", t.left, t.y - 1, t.right, t.y + 1))
    return out


def _measured(text: TextPlan) -> float:
    return text.height


def collisions(plan: SlidePlan, title_box: LayoutBox | None = None) -> list[tuple[str, str]]:
    """The names of every two texts (or graphics) of the slide whose extents overlap."""
    extents = text_extents(plan, title_box)
    found = []
    for i, a in enumerate(extents):
        for b in extents[i + 1 :]:
            if a.overlaps(b):
                found.append((a.name, b.name))
    return found
