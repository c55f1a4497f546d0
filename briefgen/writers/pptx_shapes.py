"""Slide XML: the DrawingML the PowerPoint writer builds each slide from, as strings.

Owns the namespaces and the point-to-EMU conversion (12700 EMU to the point), a box's
position and text insets (`xfrm`, `body_pr`), exact line spacing, solid fills, the text of a
slide (`SlideText`: runs and paragraphs, hyperlinks through the slide's relationships) and its
shape tree (`Shapes`: placeholders, text boxes, preset shapes and connectors, numbered in
reading order), and `serialized`, which turns a finished part's XML into its bytes. Boxes and
sizes come from the plan (`briefgen.slides`); nothing here measures.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.sax.saxutils import escape, quoteattr

from lxml import etree
from pptx.oxml import parse_xml

from briefgen import styles
from briefgen.languages import Language
from briefgen.slides import DeckGeometry, LayoutBox, Para, TextPlan, line_pitch
from briefgen.writers.pptx_scripts import apply_slide_scripts

EMU_PER_PT = 12700
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NSDECL = f'xmlns:a="{A}" xmlns:p="{P}" xmlns:r="{R}"'


def emu(pt: float) -> int:
    """Points as EMU (English Metric Units), rounded to the unit."""
    return round(pt * EMU_PER_PT)


def xfrm(box: LayoutBox, tag: str = "a:xfrm") -> str:
    """The position and size of `box` (points) as `a:xfrm` (or `tag`), in EMU."""
    return (
        f'<{tag}><a:off x="{emu(box.left)}" y="{emu(box.top)}"/>'
        f'<a:ext cx="{emu(box.width)}" cy="{emu(box.height)}"/></{tag}>'
    )


def body_pr(box: LayoutBox, anchor: str = "") -> str:
    """A text body's properties: `box`'s insets (points, as EMU), no autofit, `anchor` (t, ctr, b)."""
    ins = box.insets
    anchor_attr = f' anchor="{anchor}"' if anchor else ""
    return (
        f'<a:bodyPr vert="horz" wrap="square" lIns="{emu(ins[0])}" tIns="{emu(ins[1])}" '
        f'rIns="{emu(ins[2])}" bIns="{emu(ins[3])}" rtlCol="0"{anchor_attr}><a:noAutofit/></a:bodyPr>'
    )


def pitch(font: str, size: float) -> str:
    """Exact line spacing: what the plan measured, whatever the renderer's idea of "single"."""
    return f'<a:lnSpc><a:spcPts val="{round(line_pitch(font, size) * 100)}"/></a:lnSpc>'


def solid_fill(color: str) -> str:
    """A solid fill of `color` (RRGGBB)."""
    return f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'


class SlideText:
    """Paragraph XML for one slide; hyperlinks get relationship ids through `link`."""

    def __init__(self, lang: str, geometry: DeckGeometry, link: Callable[[str], str]) -> None:
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
        inner = solid_fill(color) if color else ""
        if rag and not color:
            inner = solid_fill(styles.RAG_ON_WHITE[rag])
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
        ppr = f' marL="{emu(mar)}" lvl="{min(para.level, 8)}" indent="{-emu(hang)}"'
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
            f"<a:p><a:pPr{ppr}>{pitch(font, size)}"
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


class Shapes:
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
            f"<p:nvPr>{ph_xml}</p:nvPr></p:nvSpPr><p:spPr>{xfrm(box)}</p:spPr>"
            f"<p:txBody>{body_pr(box)}<a:lstStyle/>{body}</p:txBody></p:sp>"
        )

    def textbox(self, name: str, box: LayoutBox, body: str, anchor: str = "t", descr: str = "") -> str:
        xml = (
            f'<p:sp><p:nvSpPr>{self.nv(name, descr)}<p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr>'
            f'<p:spPr>{xfrm(box)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/></p:spPr>'
            f"<p:txBody>{body_pr(box, anchor)}<a:lstStyle/>{body}</p:txBody></p:sp>"
        )
        return xml

    def shape(
        self, name: str, prst: str, box: LayoutBox, fill: str, line: str = "", line_w: float = 0
    ) -> str:
        ln = f'<a:ln w="{emu(line_w)}">{solid_fill(line)}</a:ln>' if line else "<a:ln><a:noFill/></a:ln>"
        return (
            f"<p:sp><p:nvSpPr>{self.nv(name)}<p:cNvSpPr/><p:nvPr/></p:nvSpPr>"
            f'<p:spPr>{xfrm(box)}<a:prstGeom prst="{prst}"><a:avLst/></a:prstGeom>'
            f"{solid_fill(fill)}{ln}</p:spPr>"
            "</p:sp>"
        )

    def line(self, name: str, x1: float, y: float, x2: float, color: str, width: float) -> str:
        box = LayoutBox(x1, y, x2 - x1, 0)
        return (
            f"<p:cxnSp><p:nvCxnSpPr>{self.nv(name)}<p:cNvCxnSpPr/><p:nvPr/></p:nvCxnSpPr>"
            f'<p:spPr>{xfrm(box)}<a:prstGeom prst="line"><a:avLst/></a:prstGeom>'
            f'<a:ln w="{emu(width)}" cap="rnd">{solid_fill(color)}'
            '<a:tailEnd type="triangle" w="med" len="med"/></a:ln>'
            "</p:spPr></p:cxnSp>"
        )


def serialized(xml: str, language: Language | None = None, width: int = 0) -> bytes:
    """The part's bytes as python-pptx would write them, parsed once (which checks the XML is
    well formed) and serialised at once, so no element tree per slide is kept until save.
    With a `language`, its direction, script fonts and language tags are applied first
    (`pptx_scripts`; `width`, the slide width in EMU, mirrors a right-to-left slide)."""
    tree = parse_xml(xml)
    if language is not None:
        apply_slide_scripts(tree, language, width)
    return etree.tostring(tree, encoding="UTF-8", standalone=True)
