"""The PowerPoint writer: draws a planned deck (`briefgen.slides.DeckPlan`) as .pptx bytes.

The third of the deck's three steps, after reading the reference presentation's geometry
(`briefgen.slides.reference`) and planning the slides (`briefgen.slides.plan_deck`), as
pandoc's `Output.hs` follows `Presentation.hs`: every box, size and split is in the plan; this
module only turns it into slide XML on the reference's layouts. It measures nothing itself.

Slides are written as XML strings and attached to the package directly: python-pptx's
`slides.add_slide` and `notes_slide` scan every existing relationship and part name on each
call, which makes a 1000-slide deck quadratic; here every slide costs the same.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from lxml import etree
from pptx import Presentation
from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TARGET_MODE as RTM
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import Part, _Relationship
from pptx.opc.packuri import PackURI
from pptx.oxml import parse_xml

from briefgen import styles
from briefgen.errors import BriefgenError, Problem, ReferenceFileProblem
from briefgen.languages import Language, language_of, messages_for, speaking, tr
from briefgen.links import package_target
from briefgen.model import Meta
from briefgen.ooxml import repack
from briefgen.slides import (
    CellPlan,
    DeckGeometry,
    DeckPlan,
    LayoutBox,
    Para,
    RiskMapPlan,
    Run,
    SlideFrame,
    SlidePlan,
    TablePlan,
    TextPlan,
    TimelinePlan,
    line_pitch,
)
from briefgen.slides.reference import check_reference
from briefgen.writers.pptx_scripts import apply_slide_scripts

EMU_PER_PT = 12700
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"a": A, "p": P, "r": R}
NSDECL = f'xmlns:a="{A}" xmlns:p="{P}" xmlns:r="{R}"'
TABLE_STYLE = "{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}"  # Medium Style 2 - Accent 1 (built in)
SLIDENUM_FIELD = "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}"  # fixed: output must be reproducible


@dataclass(frozen=True)
class PptxOptions:
    """How to write a deck; `warnings` collects what the writer had to work around."""

    stamp: datetime
    reference_name: str = "bundled reference.pptx"  # how messages name the reference


# ---------------------------------------------------------------------------------------------
# Reading the reference


def _open(data: bytes, name: str):  # type: ignore[no-untyped-def]
    """The reference presentation (bytes as vetted by `briefgen.config`) with its slides removed."""
    try:
        prs = Presentation(io.BytesIO(data))
    except Exception as exc:  # python-pptx raises many kinds on a damaged package
        raise ReferenceFileProblem(f"{name}: cannot open as a presentation: {exc}") from None
    if not list(prs.slide_layouts):
        raise ReferenceFileProblem(f"{name}: the presentation has no slide layouts")
    _repair_bullet_sizes(prs)
    part = prs.part
    sld_list = part._element.find(f"{{{P}}}sldIdLst")
    if sld_list is not None:
        for sld in list(sld_list):
            rid = sld.get(f"{{{R}}}id")
            if rid:
                part.rels.pop(rid)
            sld_list.remove(sld)
    return prs


def _repair_bullet_sizes(prs) -> None:  # type: ignore[no-untyped-def]
    """Write bullet sizes the schema accepts: LibreOffice Impress saves `a:buSzPct val="45000"`
    (thousandths of a percent, as in ECMA-376's first edition) where the Transitional schema
    wants "45%"; left alone, every deck built on such a reference fails validation."""
    parts = [*prs.slide_masters, *(layout for m in prs.slide_masters for layout in m.slide_layouts)]
    for part in parts:
        for size in part._element.iter(f"{{{A}}}buSzPct"):
            value = size.get("val", "")
            if value.isdigit():
                size.set("val", f"{min(max(round(int(value) / 1000), 25), 400)}%")


# ---------------------------------------------------------------------------------------------
# XML for text


def _emu(pt: float) -> int:
    return round(pt * EMU_PER_PT)


def _xfrm(box: LayoutBox, tag: str = "a:xfrm") -> str:
    return (
        f'<{tag}><a:off x="{_emu(box.left)}" y="{_emu(box.top)}"/>'
        f'<a:ext cx="{_emu(box.width)}" cy="{_emu(box.height)}"/></{tag}>'
    )


def _body_pr(box: LayoutBox, anchor: str = "") -> str:
    ins = box.insets
    anchor_attr = f' anchor="{anchor}"' if anchor else ""
    return (
        f'<a:bodyPr vert="horz" wrap="square" lIns="{_emu(ins[0])}" tIns="{_emu(ins[1])}" '
        f'rIns="{_emu(ins[2])}" bIns="{_emu(ins[3])}" rtlCol="0"{anchor_attr}><a:noAutofit/></a:bodyPr>'
    )


def _pitch(font: str, size: float) -> str:
    """Exact line spacing: what the plan measured, whatever the renderer's idea of "single"."""
    return f'<a:lnSpc><a:spcPts val="{round(line_pitch(font, size) * 100)}"/></a:lnSpc>'


def _fill(color: str) -> str:
    return f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'


class _Text:
    """Paragraph XML for one slide; hyperlinks get relationship ids through `link`."""

    def __init__(self, lang: str, geometry: DeckGeometry, link) -> None:  # type: ignore[no-untyped-def]
        self.lang = escape(lang or "en-GB")
        self.geometry = geometry
        self.link = link

    def run(
        self,
        text: str,
        size: float,
        *,
        bold: bool = False,
        italic: bool = False,
        color: str = "",
        url: str = "",
        rag: str = "",
    ) -> str:
        attrs = f' lang="{self.lang}" sz="{round(size * 100)}"'
        if bold:
            attrs += ' b="1"'
        if italic:
            attrs += ' i="1"'
        inner = _fill(color) if color else ""
        if rag and not color:
            inner = _fill(styles.RAG_ON_WHITE[rag])
        if url and not url.startswith("#"):
            inner += f'<a:hlinkClick r:id="{self.link(url)}"/>'
        parts = []
        for i, piece in enumerate(text.split("\n")):
            if i:
                parts.append(f'<a:br><a:rPr lang="{self.lang}" sz="{round(size * 100)}"/></a:br>')
            if piece:
                parts.append(f'<a:r><a:rPr{attrs} dirty="0">{inner}</a:rPr><a:t>{escape(piece)}</a:t></a:r>')
        return "".join(parts)

    def para(
        self, para: Para, size: float, first: bool, font: str, *, align: str = "", color: str = ""
    ) -> str:
        g = self.geometry
        hang = g.indent if para.bullet else 0.0
        mar = (para.level * g.indent) + hang
        # The level travels as `lvl` too: numbering restarts per level (a nested "1." does not
        # continue the outer list), and the master's level styles apply.
        ppr = f' marL="{_emu(mar)}" lvl="{min(para.level, 8)}" indent="{-_emu(hang)}"'
        if align:
            ppr += f' algn="{align}"'
        space = 0 if first else round(g.paragraph_space * size * 100)
        if para.bullet == "number":
            bullet = (
                f'<a:buFont typeface="+mj-lt"/><a:buAutoNum type="arabicPeriod" startAt="{para.number}"/>'
            )
        elif para.bullet:
            char = "•" if para.level % 2 == 0 else "–"
            bullet = f'<a:buFont typeface="Arial"/><a:buChar char="{char}"/>'
        else:
            bullet = "<a:buNone/>"
        runs = "".join(
            self.run(
                r.text, size, bold=r.bold or para.lead, italic=r.italic, color=color, url=r.url, rag=r.rag
            )
            for r in para.runs
        )
        return (
            f"<a:p><a:pPr{ppr}>{_pitch(font, size)}"
            f'<a:spcBef><a:spcPts val="{space}"/></a:spcBef><a:spcAft><a:spcPts val="0"/>'
            f"</a:spcAft>{bullet}</a:pPr>"
            f'{runs}<a:endParaRPr lang="{self.lang}" sz="{round(size * 100)}" dirty="0"/></a:p>'
        )

    def paras(self, plan: TextPlan, *, align: str = "", color: str = "") -> str:
        out = "".join(
            self.para(p, plan.size, i == 0, plan.box.font, align=align, color=color)
            for i, p in enumerate(plan.paras)
        )
        return out or f'<a:p><a:endParaRPr lang="{self.lang}" sz="{round(plan.size * 100)}"/></a:p>'


class _Shapes:
    """Builds the shapes of one slide, numbering them."""

    def __init__(self) -> None:
        self.next_id = 2
        self.parts: list[str] = []

    def nv(self, name: str, descr: str = "") -> str:
        sid = self.next_id
        self.next_id += 1
        d = f" descr={quoteattr(descr)}" if descr else ""
        return f'<p:cNvPr id="{sid}" name={quoteattr(name)}{d}/>'

    def placeholder(self, name: str, ph: tuple[tuple[str, str], ...], box: LayoutBox, body: str) -> None:
        ph_xml = "<p:ph" + "".join(f' {k}="{escape(v)}"' for k, v in ph) + "/>"
        self.parts.append(
            f'<p:sp><p:nvSpPr>{self.nv(name)}<p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr>'
            f"<p:nvPr>{ph_xml}</p:nvPr></p:nvSpPr><p:spPr>{_xfrm(box)}</p:spPr>"
            f"<p:txBody>{_body_pr(box)}<a:lstStyle/>{body}</p:txBody></p:sp>"
        )

    def textbox(self, name: str, box: LayoutBox, body: str, anchor: str = "t", descr: str = "") -> str:
        xml = (
            f'<p:sp><p:nvSpPr>{self.nv(name, descr)}<p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr>'
            f'<p:spPr>{_xfrm(box)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/></p:spPr>'
            f"<p:txBody>{_body_pr(box, anchor)}<a:lstStyle/>{body}</p:txBody></p:sp>"
        )
        return xml

    def shape(
        self, name: str, prst: str, box: LayoutBox, fill: str, line: str = "", line_w: float = 0
    ) -> str:
        ln = f'<a:ln w="{_emu(line_w)}">{_fill(line)}</a:ln>' if line else "<a:ln><a:noFill/></a:ln>"
        return (
            f"<p:sp><p:nvSpPr>{self.nv(name)}<p:cNvSpPr/><p:nvPr/></p:nvSpPr>"
            f'<p:spPr>{_xfrm(box)}<a:prstGeom prst="{prst}"><a:avLst/></a:prstGeom>{_fill(fill)}{ln}</p:spPr>'
            "</p:sp>"
        )

    def line(self, name: str, x1: float, y: float, x2: float, color: str, width: float) -> str:
        box = LayoutBox(x1, y, x2 - x1, 0)
        return (
            f"<p:cxnSp><p:nvCxnSpPr>{self.nv(name)}<p:cNvCxnSpPr/><p:nvPr/></p:nvCxnSpPr>"
            f'<p:spPr>{_xfrm(box)}<a:prstGeom prst="line"><a:avLst/></a:prstGeom>'
            f'<a:ln w="{_emu(width)}" cap="rnd">{_fill(color)}'
            '<a:tailEnd type="triangle" w="med" len="med"/></a:ln>'
            "</p:spPr></p:cxnSp>"
        )


# ---------------------------------------------------------------------------------------------
# Slides


def _cell_xml(
    text: _Text,
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
        f'{_pitch(text.geometry.text_font, size)}<a:spcBef><a:spcPts val="0"/></a:spcBef><a:buNone/></a:pPr>'
        f"{text.run(cell.text, size, bold=cell.bold if bold is None else bold, color=color)}"
        f'<a:endParaRPr lang="{text.lang}" sz="{round(size * 100)}"/></a:p>'
    )
    lines = "".join(
        f'<a:{side} w="{_emu(border_w)}" cap="flat" cmpd="sng" algn="ctr">{_fill(border)}</a:{side}>'
        for side in ("lnL", "lnR", "lnT", "lnB")
    )
    fill_xml = _fill(fill) if fill else "<a:noFill/>"
    anchor_attr = f' anchor="{anchor}"' if anchor else ""
    return (
        f"<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>{body}</a:txBody>"
        f'<a:tcPr marL="{_emu(7.2)}" marR="{_emu(7.2)}" marT="{_emu(3.6)}" marB="{_emu(3.6)}"{anchor_attr}>'
        f"{lines}{fill_xml}</a:tcPr></a:tc>"
    )


def _graphic_frame(shapes: _Shapes, name: str, box: LayoutBox, descr: str, tbl: str) -> str:
    return (
        f"<p:graphicFrame><p:nvGraphicFramePr>{shapes.nv(name, descr)}"
        '<p:cNvGraphicFramePr><a:graphicFrameLocks noGrp="1"/></p:cNvGraphicFramePr><p:nvPr/>'
        "</p:nvGraphicFramePr>"
        f"{_xfrm(box, 'p:xfrm')}<a:graphic>"
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/table">'
        f"{tbl}</a:graphicData></a:graphic></p:graphicFrame>"
    )


def _table(shapes: _Shapes, text: _Text, plan: TablePlan, primary: str) -> str:
    grid = "".join(f'<a:gridCol w="{_emu(w)}"/>' for w in plan.widths)
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
        rows.append(f'<a:tr h="{_emu(plan.heights[r])}">{"".join(cells)}</a:tr>')
    tbl = (
        f'<a:tbl><a:tblPr firstRow="{1 if plan.header else 0}" bandRow="1">'
        f"<a:tableStyleId>{TABLE_STYLE}</a:tableStyleId></a:tblPr>"
        f"<a:tblGrid>{grid}</a:tblGrid>{''.join(rows)}</a:tbl>"
    )
    return _graphic_frame(shapes, "Table", plan.box, plan.alt, tbl)


def _risk_map(shapes: _Shapes, text: _Text, plan: RiskMapPlan) -> list[str]:
    grid = "".join(f'<a:gridCol w="{_emu(w)}"/>' for w in plan.widths)
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
        rows.append(f'<a:tr h="{_emu(plan.heights[r])}">{"".join(cells)}</a:tr>')
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
    out.append(
        shapes.textbox(
            "Axis: impact",
            plan.impact_title,
            _simple(text, tr("Impact"), plan.label_size, bold=True, color=muted, align="ctr"),
        )
    )
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
    text: _Text, value: str, size: float, *, bold: bool = False, color: str = "", align: str = ""
) -> str:
    algn = f' algn="{align}"' if align else ""
    return (
        f'<a:p><a:pPr marL="0" indent="0"{algn}>{_pitch(text.geometry.text_font, size)}'
        f'<a:spcBef><a:spcPts val="0"/></a:spcBef><a:buNone/></a:pPr>'
        f"{text.run(value, size, bold=bold, color=color)}"
        f'<a:endParaRPr lang="{text.lang}" sz="{round(size * 100)}"/></a:p>'
    )


def _timeline(shapes: _Shapes, text: _Text, plan: TimelinePlan) -> str:
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
    size = f'cx="{_emu(right - left)}" cy="{_emu(bottom - top)}"'
    off = f'<a:off x="{_emu(left)}" y="{_emu(top)}"/><a:ext {size}/>'
    ch = f'<a:chOff x="{_emu(left)}" y="{_emu(top)}"/><a:chExt {size}/>'
    return (
        f"<p:grpSp><p:nvGrpSpPr>{group_nv}<p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>"
        f"<p:grpSpPr><a:xfrm>{off}{ch}</a:xfrm></p:grpSpPr>{''.join(inner)}</p:grpSp>"
    )


def _run(value: str, bold: bool) -> Run:
    return Run(value, bold=bold)


@dataclass
class _Deck:
    prs: object
    geometry: DeckGeometry
    lang: str

    def __post_init__(self) -> None:
        prs = self.prs
        part = prs.part  # type: ignore[attr-defined]
        self.package = part.package
        self.part = part
        # First: a reference without a notes master gets one here, related under the next free
        # rId, which the slides' ids must then not reuse (it would lose the notes master).
        self.notes_master = part.notes_master_part
        _list_notes_master(part)
        rids = [int(r[3:]) for r in part.rels if r.startswith("rId") and r[3:].isdigit()]
        self.next_rid = max(rids, default=0) + 1
        self.sld_list = part._element.get_or_add_sldIdLst()
        size = part._element.find(f"{{{P}}}notesSz")
        self.notes_size = (
            (int(size.get("cx")), int(size.get("cy"))) if size is not None else (6858000, 9144000)
        )
        self.count = 0
        self.language = language_of(self.lang or "en-GB")
        self.slide_width = int(prs.slide_width)  # type: ignore[attr-defined]
        self.primary = self.geometry.accent
        self.layout_parts = {
            str(layout.part.partname): layout.part
            for master in prs.slide_masters  # type: ignore[attr-defined]
            for layout in master.slide_layouts
        }

    def mark_notes_master(self, banner: str) -> None:
        """The banner in the notes master's header and footer, centred across the page, so that
        printed notes pages (and notes pages PowerPoint makes later) carry it."""
        if not banner:
            return
        master = self.notes_master._element
        width = self.notes_size[0]
        for kind in ("hdr", "ftr"):
            for sp in master.iter(f"{{{P}}}sp"):
                ph = sp.find(f"{{{P}}}nvSpPr/{{{P}}}nvPr/{{{P}}}ph")
                if ph is None or ph.get("type") != kind:
                    continue
                xfrm = sp.find(f"{{{P}}}spPr/{{{A}}}xfrm")
                if xfrm is not None:
                    xfrm.find(f"{{{A}}}off").set("x", "0")
                    xfrm.find(f"{{{A}}}ext").set("cx", str(width))
                body = sp.find(f"{{{P}}}txBody")
                if body is None:
                    continue
                for para in body.findall(f"{{{A}}}p"):
                    body.remove(para)
                body.append(parse_xml(_banner_para(banner, escape(self.lang or "en-GB"))))
    def add(self, plan: SlidePlan) -> None:
        self.count += 1
        n = self.count
        frame = self.geometry.frame(plan.kind)
        layout_part = self.layout_parts[frame.layout_part]
        slide_part = Part(PackURI(f"/ppt/slides/slide{n}.xml"), CT.PML_SLIDE, self.package)
        slide_part.relate_to(layout_part, RT.SLIDE_LAYOUT)

        def link(url: str) -> str:
            # The target is an xs:anyURI: normalised and percent-encoded (briefgen.links).
            return slide_part.relate_to(package_target(url), RT.HYPERLINK, is_external=True)

        text = _Text(self.lang, self.geometry, link)
        shapes = _Shapes()
        self._content(shapes, text, plan, frame, n)
        slide_part._blob = _serialized(
            f'<p:sld {NSDECL}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/>'
            "<p:nvPr/>"
            '</p:nvGrpSpPr><p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
            '<a:chOff x="0" y="0"/>'
            f'<a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>{"".join(shapes.parts)}</p:spTree></p:cSld>'
            "<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>",
            self.language,
            self.slide_width,
        )
        if plan.notes:
            self._notes(slide_part, plan.notes, n, plan.marking.text if plan.marking else "")
        rid = f"rId{self.next_rid}"
        self.next_rid += 1
        rels = self.part.rels
        rels._rels[rid] = _Relationship(rels._base_uri, rid, RT.SLIDE, RTM.INTERNAL, slide_part)
        self.sld_list._add_sldId(id=255 + n, rId=rid)

    def _content(self, shapes: _Shapes, text: _Text, plan: SlidePlan, frame: SlideFrame, n: int) -> None:
        """The slide's shapes in reading order: title, text, graphics, source line, banners,
        slide number (screen readers follow the order of the shape tree)."""
        title_para = Para((_run(plan.title, False),))
        title_xml = text.para(title_para, plan.title_size, True, frame.title.font)
        if frame.title_ph is not None:
            shapes.placeholder("Title", frame.title_ph, frame.title, title_xml)
        else:
            shapes.parts.append(
                shapes.textbox(
                    "Title",
                    frame.title,
                    text.para(Para((_run(plan.title, True),)), plan.title_size, True, frame.title.font),
                )
            )
        graphic = plan.tables or plan.risk_map or plan.timeline
        if plan.lead is not None:
            shapes.parts.append(shapes.textbox("Text (across)", plan.lead.box, text.paras(plan.lead)))
        for i, body in enumerate((plan.body, plan.right)):
            if body is None:
                continue
            name = "Text" if i == 0 else "Text (right)"
            ph = None
            if not graphic and plan.kind in ("title", "section", "content", "two-column"):
                ph = frame.body_ph if i == 0 else frame.right_ph
            if ph is not None:
                shapes.placeholder(name, ph, body.box, text.paras(body))
            else:
                shapes.parts.append(shapes.textbox(name, body.box, text.paras(body)))
        for table in plan.tables:
            shapes.parts.append(_table(shapes, text, table, self.primary))
        if plan.risk_map is not None:
            shapes.parts.extend(_risk_map(shapes, text, plan.risk_map))
        if plan.timeline is not None:
            shapes.parts.append(_timeline(shapes, text, plan.timeline))
        if plan.source is not None:
            shapes.parts.append(
                shapes.textbox(
                    "Source",
                    plan.source.box,
                    text.paras(plan.source, color=styles.PPTX_MUTED_TEXT),
                    anchor="b",
                )
            )
        if plan.marking is not None:
            shapes.parts.append(
                shapes.textbox(
                    "Marking (top)", plan.marking.box, text.paras(plan.marking, align="ctr"), anchor="ctr"
                )
            )
        if plan.marking_bottom is not None:
            shapes.parts.append(
                shapes.textbox(
                    "Marking (bottom)",
                    plan.marking_bottom.box,
                    text.paras(plan.marking_bottom, align="ctr"),
                    anchor="ctr",
                )
            )
        number = self.geometry.number
        field_xml = (
            f'<a:p><a:pPr algn="r"/><a:fld id="{SLIDENUM_FIELD}" type="slidenum"><a:rPr lang="{text.lang}" '
            f'sz="{round(number.size * 100)}"/><a:t>{n}</a:t></a:fld></a:p>'
        )
        if frame.number_ph is not None:
            shapes.placeholder("Slide Number", frame.number_ph, number, field_xml)
        else:
            shapes.parts.append(shapes.textbox("Slide Number", number, field_xml, anchor="ctr"))

    def _notes(self, slide_part: Part, notes: tuple[Para, ...], n: int, banner: str = "") -> None:
        """The notes page: each paragraph's runs with their bold, italic and links (the links'
        relationships belong to the notes part, so it is made first and filled last)."""
        lang = escape(self.lang or "en-GB")
        notes_part = Part(
            PackURI(f"/ppt/notesSlides/notesSlide{n}.xml"), CT.PML_NOTES_SLIDE, self.package, b""
        )
        out: list[str] = []
        for para in notes:
            runs: list[str] = []
            for r in para.runs:
                attrs = f' lang="{lang}"' + (' b="1"' if r.bold else "") + (' i="1"' if r.italic else "")
                inner = ""
                if r.url and not r.url.startswith("#"):
                    rid = notes_part.relate_to(package_target(r.url), RT.HYPERLINK, is_external=True)
                    inner = f'<a:hlinkClick r:id="{rid}"/>'
                for i, piece in enumerate(r.text.split("\n")):
                    if i:
                        runs.append(f'<a:br><a:rPr lang="{lang}"/></a:br>')
                    if piece:
                        runs.append(
                            f'<a:r><a:rPr{attrs} dirty="0">{inner}</a:rPr><a:t>{escape(piece)}</a:t></a:r>'
                        )
            out.append(f"<a:p>{''.join(runs)}</a:p>" if runs else "<a:p/>")
        paras = "".join(out)
        xml = (
            f'<p:notes {NSDECL}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/>'
            "<p:nvPr/>"
            "</p:nvGrpSpPr><p:grpSpPr/>"
            '<p:sp><p:nvSpPr><p:cNvPr id="2" name="Slide Image Placeholder 1"/><p:cNvSpPr>'
            '<a:spLocks noGrp="1" '
            'noRot="1" noChangeAspect="1"/></p:cNvSpPr><p:nvPr><p:ph type="sldImg"/></p:nvPr></p:nvSpPr>'
            "<p:spPr/></p:sp>"
            '<p:sp><p:nvSpPr><p:cNvPr id="3" name="Notes Placeholder 2"/><p:cNvSpPr><a:spLocks noGrp="1"/>'
            '</p:cNvSpPr><p:nvPr><p:ph type="body" idx="1"/></p:nvPr></p:nvSpPr><p:spPr/>'
            f"<p:txBody><a:bodyPr/><a:lstStyle/>{paras}</p:txBody></p:sp>"
            f"{_notes_banners(banner, lang, self.notes_size)}"
            "</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:notes>"
        )
        notes_part._blob = _serialized(xml, self.language)
        notes_part.relate_to(self.notes_master, RT.NOTES_MASTER)
        notes_part.relate_to(slide_part, RT.SLIDE)
        slide_part.relate_to(notes_part, RT.NOTES_SLIDE)


def _list_notes_master(part: object) -> None:
    """presentation.xml names its notes master (`p:notesMasterIdLst`, after the slide masters),
    which python-pptx does not add when it creates one."""
    root = part._element  # type: ignore[attr-defined]
    if root.find(f"{{{P}}}notesMasterIdLst") is not None:
        return
    rid = next(
        (rid for rid, rel in part.rels.items() if rel.reltype == RT.NOTES_MASTER),  # type: ignore[attr-defined]
        None,
    )
    if rid is None:
        return
    listing = etree.SubElement(root, f"{{{P}}}notesMasterIdLst")
    etree.SubElement(listing, f"{{{P}}}notesMasterId").set(f"{{{R}}}id", rid)
    masters = root.find(f"{{{P}}}sldMasterIdLst")
    if masters is not None:
        masters.addnext(listing)


def _banner_para(banner: str, lang: str) -> str:
    return (
        f'<a:p {NSDECL}><a:pPr algn="ctr"/><a:r><a:rPr lang="{lang}" b="1" dirty="0"/>'
        f"<a:t>{escape(banner)}</a:t></a:r></a:p>"
    )


def _notes_banners(banner: str, lang: str, size: tuple[int, int]) -> str:
    """Header and footer placeholders holding the slide's banner, centred across the notes page."""
    if not banner:
        return ""
    width, height = size
    band = 457200  # 0.5 in, the notes master's own header and footer height
    shapes = []
    for sid, kind, top in ((4, "hdr", 0), (5, "ftr", height - band)):
        name = "Header Placeholder" if kind == "hdr" else "Footer Placeholder"
        shapes.append(
            f'<p:sp><p:nvSpPr><p:cNvPr id="{sid}" name="{name} {sid}"/><p:cNvSpPr><a:spLocks noGrp="1"/>'
            f'</p:cNvSpPr><p:nvPr><p:ph type="{kind}" sz="quarter"/></p:nvPr></p:nvSpPr>'
            f'<p:spPr><a:xfrm><a:off x="0" y="{top}"/><a:ext cx="{width}" cy="{band}"/></a:xfrm></p:spPr>'
            f'<p:txBody><a:bodyPr/><a:lstStyle/>{_banner_para(banner, lang).replace(" " + NSDECL, "")}'
            "</p:txBody></p:sp>"
        )
    return "".join(shapes)


def _serialized(xml: str, language: Language | None = None, width: int = 0) -> bytes:
    """The part's bytes as python-pptx would write them, parsed once (which checks the XML is
    well formed) and serialised at once, so no element tree per slide is kept until save.
    With a `language`, its direction, script fonts and language tags are applied first
    (`pptx_scripts`; `width`, the slide width in EMU, mirrors a right-to-left slide)."""
    tree = parse_xml(xml)
    if language is not None:
        apply_slide_scripts(tree, language, width)
    return etree.tostring(tree, encoding="UTF-8", standalone=True)


def _prop(value: str) -> str:
    """python-pptx refuses core properties over 255 characters; shorten at a word boundary."""
    value = " ".join(value.split())
    if len(value) <= 255:
        return value
    return value[:254].rsplit(" ", 1)[0] + "…"


def _core_properties(prs, meta: Meta, stamp: datetime) -> None:  # type: ignore[no-untyped-def]
    props = prs.core_properties
    props.title = _prop(meta.title)
    props.subject = _prop(meta.subject)
    props.author = _prop(meta.author)
    props.last_modified_by = _prop(meta.author)
    props.keywords = _prop(", ".join(meta.keywords))
    props.comments = _prop(meta.description)
    props.category = "Briefing deck"
    props.language = meta.language or "en-GB"
    props.content_status = _prop(meta.marking)
    props.revision = 1
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp


def write_pptx(deck: DeckPlan, options: PptxOptions, reference: bytes) -> tuple[bytes, list[Problem]]:
    """Draw a planned deck (`briefgen.slides.plan_deck`) on the reference presentation it was
    planned against (its bytes as vetted by `briefgen.config`): the third of the deck's steps.
    Returns the .pptx bytes, identical for identical input, and the warnings of drawing (a
    word missing from the language's catalog; the planner's are the plan step's); measures
    nothing. Raises `ReferenceFileProblem` when the
    reference cannot carry the slides."""
    warnings: list[Problem] = []
    prs = _open(reference, options.reference_name)
    try:
        # Fixed words of the slides (axis titles, legends) in the deck's language.
        messages = messages_for(deck.meta.language or "en-GB")
        with speaking(messages):
            drawer = _Deck(prs, deck.geometry, deck.meta.language)
            drawer.mark_notes_master(deck.meta.marking.strip())
            for plan in deck.slides:
                drawer.add(plan)
        warnings.extend(messages.problems(catalog_missing=False))
        _core_properties(prs, deck.meta, options.stamp)
        stored = _stored_package(prs)
    except BriefgenError:
        raise
    except (KeyError, ValueError, AttributeError, etree.LxmlError) as exc:
        where = options.reference_name
        raise ReferenceFileProblem(f"{where}: cannot build the deck from this reference: {exc}") from None
    return repack(stored, options.stamp), warnings


def _stored_package(prs: object) -> bytes:
    """What `Presentation.save` writes, but uncompressed: `repack` compresses every part anyway,
    so deflating here too (and inflating again there) would only double the packaging cost."""
    import zipfile

    from pptx.opc.serialized import PackageWriter

    package = prs.part.package  # type: ignore[attr-defined]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:

        class _Stored:  # the physical writer python-pptx's PackageWriter expects
            @staticmethod
            def write(pack_uri: PackURI, blob: bytes) -> None:
                zf.writestr(pack_uri.membername, blob)

        # python-pptx's PackageWriter (private) with our stored-zip writer in place of its own.
        writer = PackageWriter(buffer, package._rels, tuple(package.iter_parts()))
        writer._write_content_types_stream(_Stored)  # type: ignore[arg-type]
        writer._write_pkg_rels(_Stored)  # type: ignore[arg-type]
        writer._write_parts(_Stored)  # type: ignore[arg-type]
    return buffer.getvalue()


def check_reference_pptx(
    reference: bytes, name: str, layouts: Mapping[str, str] | None = None
) -> list[Problem]:
    """What a reference presentation (bytes as vetted by `briefgen.config`, `name` for
    messages) lacks or needs adapted (`briefgen.slides.reference.check_reference`)."""
    return check_reference(reference, name, layouts)
