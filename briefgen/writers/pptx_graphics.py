"""The slide's graphics as DrawingML: tables, the risk heat map, the timeline.

Owns how a planned table (`TablePlan`: header fill in the accent colour, banded rows, RAG cells
in their bands' colours), the risk heat map (`RiskMapPlan`: a likelihood x impact grid with its
axis titles, legend swatches and key) and the timeline (`TimelinePlan`: an arrow with dated
markers, grouped as one shape) are drawn. Every box and size is the plan's
(`briefgen.slides.graphics`); colours are `briefgen.styles`'. XML strings, no python-pptx.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from briefgen import styles
from briefgen.languages import tr
from briefgen.slides import CellPlan, LayoutBox, Para, RiskMapPlan, Run, TablePlan, TimelinePlan
from briefgen.writers.pptx_shapes import Shapes, SlideText, emu, pitch, solid_fill, xfrm

TABLE_STYLE = "{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}"  # Medium Style 2 - Accent 1 (built in)


def _cell_xml(
    text: SlideText,
    cell: CellPlan,
    size: float,
    *,
    fill: str = "",
    color: str = "",
    align: str = "",
    anchor: str = "",
    border: str = styles.PPTX_TABLE_RULE,
    border_w: float = 0.75,
    bold: bool | None = None,
) -> str:
    body = (
        f'<a:p><a:pPr marL="0" indent="0"{f" algn={quoteattr(align)}" if align else ""}>'
        f'{pitch(text.geometry.text_font, size)}<a:spcBef><a:spcPts val="0"/></a:spcBef><a:buNone/></a:pPr>'
        f"{text.run(cell.text, size, bold=cell.bold if bold is None else bold, color=color)}"
        f'<a:endParaRPr lang="{text.lang}" sz="{round(size * 100)}"/></a:p>'
    )
    lines = "".join(
        f'<a:{side} w="{emu(border_w)}" cap="flat" cmpd="sng" algn="ctr">{solid_fill(border)}</a:{side}>'
        for side in ("lnL", "lnR", "lnT", "lnB")
    )
    fill_xml = solid_fill(fill) if fill else "<a:noFill/>"
    anchor_attr = f' anchor="{anchor}"' if anchor else ""
    return (
        f"<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>{body}</a:txBody>"
        f'<a:tcPr marL="{emu(7.2)}" marR="{emu(7.2)}" marT="{emu(3.6)}" marB="{emu(3.6)}"{anchor_attr}>'
        f"{lines}{fill_xml}</a:tcPr></a:tc>"
    )


def _graphic_frame(shapes: Shapes, name: str, box: LayoutBox, descr: str, tbl: str) -> str:
    return (
        f"<p:graphicFrame><p:nvGraphicFramePr>{shapes.nv(name, descr)}"
        '<p:cNvGraphicFramePr><a:graphicFrameLocks noGrp="1"/></p:cNvGraphicFramePr><p:nvPr/>'
        "</p:nvGraphicFramePr>"
        f"{xfrm(box, 'p:xfrm')}<a:graphic>"
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/table">'
        f"{tbl}</a:graphicData></a:graphic></p:graphicFrame>"
    )


def draw_table(shapes: Shapes, text: SlideText, plan: TablePlan, primary: str) -> str:
    """A planned table as a graphic frame: header rows filled with `primary` (RRGGBB), body rows
    banded, RAG cells in their bands' colours."""
    grid = "".join(f'<a:gridCol w="{emu(w)}"/>' for w in plan.widths)
    rows = []
    aligns = {"left": "l", "center": "ctr", "right": "r"}
    for r, row in enumerate((*plan.header, *plan.rows)):
        header = r < len(plan.header)
        band = (r - len(plan.header)) % 2 == 1
        cells = []
        for c, cell in enumerate(row):
            align = aligns.get(plan.aligns[c] or "", "") if c < len(plan.aligns) else ""
            if header:
                cells.append(
                    _cell_xml(
                        text,
                        cell,
                        plan.size,
                        fill=primary,
                        color=styles.text_colour_on(primary),
                        align=align,
                        bold=True,
                    )
                )
            elif cell.rag:
                cells.append(
                    _cell_xml(
                        text,
                        cell,
                        plan.size,
                        fill=styles.RAG_FILL[cell.rag],
                        color=styles.RAG_TEXT[cell.rag],
                        align=align,
                        bold=True,
                    )
                )
            else:
                cells.append(
                    _cell_xml(
                        text,
                        cell,
                        plan.size,
                        fill=styles.PPTX_TABLE_BAND if band else styles.PPTX_TABLE_FILL,
                        align=align,
                    )
                )
        rows.append(f'<a:tr h="{emu(plan.heights[r])}">{"".join(cells)}</a:tr>')
    tbl = (
        f'<a:tbl><a:tblPr firstRow="{1 if plan.header else 0}" bandRow="1">'
        f"<a:tableStyleId>{TABLE_STYLE}</a:tableStyleId></a:tblPr>"
        f"<a:tblGrid>{grid}</a:tblGrid>{''.join(rows)}</a:tbl>"
    )
    return _graphic_frame(shapes, "Table", plan.box, plan.alt, tbl)


def draw_risk_map(shapes: Shapes, text: SlideText, plan: RiskMapPlan) -> list[str]:
    """The heat map's shapes in reading order: the grid, its axis titles, the legend, the key."""
    grid = "".join(f'<a:gridCol w="{emu(w)}"/>' for w in plan.widths)
    rows = []
    muted = styles.PPTX_LABEL_TEXT
    for r, row in enumerate(plan.cells):
        cells = []
        for c, cell in enumerate(row):
            if r == 5 or c == 0:
                cells.append(
                    _cell_xml(
                        text,
                        cell,
                        plan.label_size,
                        color=muted,
                        align="r" if c == 0 else "ctr",
                        anchor="ctr" if c == 0 else "t",
                        border=styles.PPTX_HEAT_GAP,
                        border_w=0,
                    )
                )
            else:
                cells.append(
                    _cell_xml(
                        text,
                        cell,
                        plan.id_size,
                        fill=styles.RAG_FILL[cell.rag],
                        color=styles.RAG_TEXT[cell.rag],
                        align="ctr",
                        anchor="ctr",
                        border=styles.PPTX_HEAT_GAP,
                        border_w=2,
                        bold=True,
                    )
                )
        rows.append(f'<a:tr h="{emu(plan.heights[r])}">{"".join(cells)}</a:tr>')
    tbl = f"<a:tbl><a:tblPr/><a:tblGrid>{grid}</a:tblGrid>{''.join(rows)}</a:tbl>"
    out = [_graphic_frame(shapes, "Risk heat map", plan.box, plan.alt, tbl)]
    out.append(
        shapes.textbox(
            "Axis: likelihood",
            plan.likelihood_title,
            _simple(text, tr("Likelihood"), plan.label_size, bold=True, color=muted),
            anchor="b",
        )
    )
    impact = _simple(text, tr("Impact"), plan.label_size, bold=True, color=muted, align="ctr")
    if plan.scale:
        impact += _simple(text, " · ".join(plan.scale), plan.label_size, color=muted, align="ctr")
    out.append(shapes.textbox("Axis: impact", plan.impact_title, impact))
    lh = plan.legend_box.height / max(len(plan.legend), 1)
    for i, item in enumerate(plan.legend):
        top = plan.legend_box.top + i * lh
        swatch = LayoutBox(plan.legend_box.left + 4, top + (lh - 11) / 2, 11, 11)
        out.append(
            shapes.shape(
                f"Legend swatch: {item.rag}", "rect", swatch, styles.RAG_FILL[item.rag], styles.DARK_TEXT, 0.5
            )
        )
        box = LayoutBox(
            plan.legend_box.left + 20, top, plan.legend_box.width - 20, lh, insets=(3.6, 0, 3.6, 0)
        )
        out.append(
            shapes.textbox(
                f"Legend: {item.rag}",
                box,
                _simple(text, item.text, plan.label_size, color=muted),
                anchor="ctr",
            )
        )
    out.append(shapes.textbox("Risk key", plan.key.box, text.paras(plan.key)))
    return out


def _simple(
    text: SlideText, value: str, size: float, *, bold: bool = False, color: str = "", align: str = ""
) -> str:
    algn = f' algn="{align}"' if align else ""
    return (
        f'<a:p><a:pPr marL="0" indent="0"{algn}>{pitch(text.geometry.text_font, size)}'
        f'<a:spcBef><a:spcPts val="0"/></a:spcBef><a:buNone/></a:pPr>'
        f"{text.run(value, size, bold=bold, color=color)}"
        f'<a:endParaRPr lang="{text.lang}" sz="{round(size * 100)}"/></a:p>'
    )


def draw_timeline(shapes: Shapes, text: SlideText, plan: TimelinePlan) -> str:
    """The timeline as one group: the axis arrow, and a marker, date and label per event."""
    inner: list[str] = []
    group_nv = shapes.nv("Timeline", plan.alt)
    inner.append(shapes.line("Timeline axis", plan.left, plan.y, plan.right, styles.PPTX_TIMELINE, 2.25))
    boxes = [LayoutBox(plan.left, plan.y - 1, plan.right - plan.left, 2)]
    for event in plan.events:
        color = styles.PPTX_HIGHLIGHT if event.highlight else styles.PPTX_TIMELINE
        r = event.radius
        marker = LayoutBox(event.x - r, plan.y - r, 2 * r, 2 * r)
        outline = styles.PPTX_ON_PRIMARY
        inner.append(shapes.shape(f"Marker: {event.date}", "ellipse", marker, color, outline, 1.5))
        inner.append(
            shapes.textbox(
                f"Date: {event.date}",
                event.date_box,
                _simple(
                    text,
                    event.date,
                    plan.date_size,
                    bold=True,
                    color=styles.PPTX_HIGHLIGHT_TEXT if event.highlight else styles.PPTX_LABEL_TEXT,
                    align="ctr",
                ),
                anchor="b" if event.above else "t",
            )
        )
        label = Para((Run(event.label, bold=event.highlight),))
        inner.append(
            shapes.textbox(
                f"Event: {event.date}",
                event.label_box,
                text.para(label, plan.size, True, event.label_box.font, align="ctr"),
                anchor="b" if event.above else "t",
            )
        )
        boxes += [marker, event.date_box, event.label_box]
    left = min(b.left for b in boxes)
    top = min(b.top for b in boxes)
    right = max(b.right for b in boxes)
    bottom = max(b.bottom for b in boxes)
    size = f'cx="{emu(right - left)}" cy="{emu(bottom - top)}"'
    off = f'<a:off x="{emu(left)}" y="{emu(top)}"/><a:ext {size}/>'
    ch = f'<a:chOff x="{emu(left)}" y="{emu(top)}"/><a:chExt {size}/>'
    return (
        f"<p:grpSp><p:nvGrpSpPr>{group_nv}<p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>"
        f"<p:grpSpPr><a:xfrm>{off}{ch}</a:xfrm></p:grpSpPr>{''.join(inner)}</p:grpSp>"
    )
