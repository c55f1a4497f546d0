"""The PowerPoint writer: a `Document` (the deck dialect of docs/markup.md) to .pptx bytes.

The look comes from a reference presentation (bundled `templates/reference.pptx` or the user's):
its layouts are looked up by name per slide kind (`styles.PPTX_LAYOUTS`, configurable), their
placeholder boxes and fonts are read into a `slides.DeckGeometry`, `slides.plan_slides` decides
what goes where, and this module draws the plan as slide XML. It measures nothing itself.

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
from pptx.parts.slide import SlidePart

from briefgen import styles
from briefgen.errors import BriefgenError, Problem, ReferenceFileProblem
from briefgen.languages import Language, language_of, messages_for, speaking, tr
from briefgen.links import package_target
from briefgen.model import Document
from briefgen.ooxml import repack
from briefgen.slides import (
    KINDS,
    CellPlan,
    DeckGeometry,
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
    plan_slides,
)
from briefgen.writers.pptx_scripts import apply_slide_scripts

EMU_PER_PT = 12700
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"a": A, "p": P, "r": R}
NSDECL = f'xmlns:a="{A}" xmlns:p="{P}" xmlns:r="{R}"'
TABLE_STYLE = "{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}"  # Medium Style 2 - Accent 1 (built in)
SLIDENUM_FIELD = "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}"  # fixed: output must be reproducible
BODY_TYPES = {"body", "obj", "subTitle"}
DEFAULT_INSETS = (7.2, 3.6, 7.2, 3.6)
MARKING_BAND = 24.0  # points kept free at the top and bottom of every slide for the marking
SOURCE_BAND = 44.0  # points above the bottom band for the source line


@dataclass(frozen=True)
class PptxOptions:
    """How to write a deck: the reproducible stamp, layouts, the smallest body size, and how
    messages name the reference."""

    stamp: datetime
    layouts: Mapping[str, str] | None = None  # slide kind -> layout name (default styles.PPTX_LAYOUTS)
    min_font_pt: float = styles.PPTX_MIN_FONT_PT
    banner_pt: float = styles.PPTX_MARKING_PT  # marking banners (bold; at least 10 pt)
    reference_name: str = "bundled reference.pptx"


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
            part.rels.pop(sld.get(f"{{{R}}}id"))
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


def _layouts_by_name(prs) -> dict[str, object]:  # type: ignore[no-untyped-def]
    out: dict[str, object] = {}
    for master in prs.slide_masters:
        for layout in master.slide_layouts:
            out.setdefault(layout.name, layout)
    return out


# The type of each built-in layout the deck asks for by its English name.
_LAYOUT_TYPES = {
    "Title Slide": "title",
    "Title and Content": "obj",
    "Section Header": "secHead",
    "Two Content": "twoObj",
    "Title Only": "titleOnly",
}


def _resolve_layouts(prs, mapping: Mapping[str, str] | None, warnings: list[Problem]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Slide kind -> layout, falling back (with a warning naming it) when a name is missing."""
    wanted = {**styles.PPTX_LAYOUTS, **(mapping or {})}
    by_name = _layouts_by_name(prs)
    folded = {name.casefold(): layout for name, layout in by_name.items()}
    # A layout's built-in identity is its type (ECMA-376 §19.7.15, ST_SlideLayoutType), which
    # PowerPoint keeps whatever language names the layouts ("Titelfolie", "Titre seul").
    by_type: dict[str, object] = {}
    for layout in by_name.values():
        by_type.setdefault(layout._element.get("type", ""), layout)  # type: ignore[attr-defined]
    first = next(iter(by_name.values()))
    out: dict[str, object] = {}
    for kind in KINDS:
        name = wanted.get(kind, styles.PPTX_LAYOUTS.get(kind, "Title and Content"))
        layout = by_name.get(name) or folded.get(name.casefold())
        if layout is None and name == styles.PPTX_LAYOUTS.get(kind):
            layout = by_type.get(_LAYOUT_TYPES.get(name, ""))
        if layout is None:
            fallback = next((by_name[n] for n in styles.PPTX_LAYOUT_FALLBACKS if n in by_name), first)
            warnings.append(
                Problem(
                    f"reference presentation has no slide layout {name!r} for {kind} slides; "
                    f"using {fallback.name!r}",  # type: ignore[attr-defined]
                    severity="warning",
                )
            )
            layout = fallback
        out[kind] = layout
    return out


def _pt(emu: str | int | None) -> float:
    return int(emu or 0) / EMU_PER_PT


@dataclass
class _Ph:
    """A placeholder of a layout: its `p:ph` element, box and text style."""

    ph: etree._Element
    box: LayoutBox


@dataclass
class _LayoutInfo:
    layout: object
    title: _Ph | None
    bodies: list[_Ph]
    number: _Ph | None


class _Reader:
    """Resolves placeholder boxes and fonts through layout -> master -> theme."""

    def __init__(self, prs) -> None:  # type: ignore[no-untyped-def]
        self.prs = prs
        self.width = _pt(prs.slide_width)
        self.height = _pt(prs.slide_height)
        self.cache: dict[int, _LayoutInfo] = {}
        master = prs.slide_masters[0]
        self.major, self.minor = self._theme_fonts(master)

    def _theme_fonts(self, master) -> tuple[str, str]:  # type: ignore[no-untyped-def]
        try:
            theme = etree.fromstring(master.part.part_related_by(RT.THEME).blob)
            major = theme.find(".//a:fontScheme/a:majorFont/a:latin", NS).get("typeface")
            minor = theme.find(".//a:fontScheme/a:minorFont/a:latin", NS).get("typeface")
            return major or "Calibri", minor or "Calibri"
        except (KeyError, AttributeError, etree.XMLSyntaxError):
            return "Calibri", "Calibri"

    def font(self, typeface: str | None, title: bool) -> str:
        if not typeface or typeface.startswith("+mj"):
            return self.major if (title or typeface) else self.minor
        if typeface.startswith("+mn"):
            return self.minor
        return typeface

    @staticmethod
    def _phs(tree) -> list[etree._Element]:  # type: ignore[no-untyped-def]
        return tree.findall(".//p:sp/p:nvSpPr/p:nvPr/p:ph", NS)

    def _master_ph(self, master_el, ph_type: str):  # type: ignore[no-untyped-def]
        if ph_type in ("title", "ctrTitle"):
            base = "title"
        elif ph_type in ("dt", "ftr", "sldNum", "hdr"):
            base = ph_type
        else:
            base = "body"
        for ph in self._phs(master_el):
            found = ph.get("type", "obj")
            if found == base or (base == "body" and found == "obj"):
                return ph
        return None

    def info(self, layout) -> _LayoutInfo:  # type: ignore[no-untyped-def]
        key = id(layout)
        if key in self.cache:
            return self.cache[key]
        layout_el = layout.part._element
        master_el = layout.part.slide_master.part._element if hasattr(layout.part, "slide_master") else None
        title = None
        bodies: list[_Ph] = []
        number = None
        for ph in self._phs(layout_el):
            ph_type = ph.get("type", "obj")
            mph = self._master_ph(master_el, ph_type) if master_el is not None else None
            box = self._box(ph, mph, master_el, ph_type)
            if box is None:
                continue
            if ph_type in ("title", "ctrTitle") and title is None:
                title = _Ph(ph, box)
            elif ph_type in BODY_TYPES:
                bodies.append(_Ph(ph, box))
            elif ph_type == "sldNum" and number is None:
                number = _Ph(ph, box)
        bodies.sort(key=lambda b: (b.box.left, b.box.top))
        info = _LayoutInfo(layout, title, bodies, number)
        self.cache[key] = info
        return info

    def _box(self, ph, mph, master_el, ph_type: str) -> LayoutBox | None:  # type: ignore[no-untyped-def]
        sps = [el.getparent().getparent().getparent() for el in (ph, mph) if el is not None]
        xfrm = next((x for sp in sps if (x := sp.find("p:spPr/a:xfrm", NS)) is not None), None)
        if xfrm is None or xfrm.find("a:off", NS) is None or xfrm.find("a:ext", NS) is None:
            return None
        off, ext = xfrm.find("a:off", NS), xfrm.find("a:ext", NS)
        is_title = ph_type in ("title", "ctrTitle")
        rprs = [sp.find("p:txBody/a:lstStyle/a:lvl1pPr/a:defRPr", NS) for sp in sps]
        if master_el is not None:
            style = "p:txStyles/p:titleStyle" if is_title else "p:txStyles/p:bodyStyle"
            if ph_type != "sldNum":
                rprs.append(master_el.find(f"{style}/a:lvl1pPr/a:defRPr", NS))
        rprs = [r for r in rprs if r is not None]
        size = next((int(r.get("sz")) / 100 for r in rprs if r.get("sz")), 28.0 if is_title else 18.0)
        bold = next((r.get("b") in ("1", "true") for r in rprs if r.get("b")), False)
        typeface = next(
            (lat.get("typeface") for r in rprs if (lat := r.find("a:latin", NS)) is not None), None
        )
        bodies = [sp.find("p:txBody/a:bodyPr", NS) for sp in sps]
        insets = []
        for attr, default in zip(("lIns", "tIns", "rIns", "bIns"), DEFAULT_INSETS, strict=True):
            value = next((b.get(attr) for b in bodies if b is not None and b.get(attr)), None)
            insets.append(_pt(value) if value is not None else default)
        return LayoutBox(
            _pt(off.get("x")),
            _pt(off.get("y")),
            _pt(ext.get("cx")),
            _pt(ext.get("cy")),
            font=self.font(typeface, is_title),
            size=size,
            bold=bold,
            insets=tuple(insets),  # type: ignore[arg-type]
        )


def _clip(box: LayoutBox, top: float, bottom: float) -> LayoutBox:
    """Keep a box inside the band between the marking and the source line."""
    new_top = max(box.top, top)
    new_bottom = min(box.bottom, bottom)
    return box.moved(top=new_top, height=max(new_bottom - new_top, 24.0))


def _geometry(
    reader: _Reader, layouts: Mapping[str, object], min_font_pt: float, banner_pt: float
) -> tuple[DeckGeometry, dict[str, _LayoutInfo]]:
    width, height = reader.width, reader.height
    banner_pt = max(banner_pt, styles.PPTX_BANNER_MIN_PT)
    # The band holds one line of the banner at its size (bold, 1 pt insets) with some air.
    band = max(MARKING_BAND, round(line_pitch(reader.minor, banner_pt) + 2 + 2 + 6, 1))
    safe_top, safe_bottom = band + 2, height - band - SOURCE_BAND - 4
    infos = {kind: reader.info(layout) for kind, layout in layouts.items()}
    content = infos.get("content")
    body_font = content.bodies[0].box if content and content.bodies else None
    text_font = body_font.font if body_font else reader.minor
    body_size = body_font.size if body_font else 18.0
    frames: dict[str, SlideFrame] = {}
    for kind, info in infos.items():
        if info.title is not None:
            title = info.title.box.moved(top=max(info.title.box.top, band + 2))
            title = title.moved(height=min(title.height, safe_bottom - title.top))
        else:
            title = LayoutBox(36, band + 6, width - 72, 60, font=reader.major, size=28, bold=True)
        default_body = LayoutBox(
            title.left,
            title.bottom + 12,
            title.width,
            safe_bottom - title.bottom - 12,
            font=text_font,
            size=body_size,
        )
        bodies = [_clip(b.box, safe_top, safe_bottom) for b in info.bodies]
        right = None
        if kind == "two-column":
            if len(bodies) >= 2:
                body, right = bodies[0], bodies[1]
            else:
                whole = bodies[0] if bodies else default_body
                half = (whole.width - 24) / 2
                body, right = whole.moved(width=half), whole.moved(left=whole.left + half + 24, width=half)
        elif kind in ("title", "section", "content"):
            body = max(bodies, key=lambda b: b.width * b.height) if bodies else default_body
        else:  # graphics fill the area below the title
            body = default_body if not bodies else max(bodies, key=lambda b: b.width * b.height)
            body = body.moved(font=text_font, size=min(body.size, body_size))
        frames[kind] = SlideFrame(info.layout.name, title, body, right)  # type: ignore[attr-defined]
    number_ph = next((i.number for i in infos.values() if i.number is not None), None)
    number = (
        number_ph.box if number_ph else LayoutBox(width - 108, height - 25, 72, 20, font=text_font, size=10)
    )
    marking = LayoutBox(
        width * 0.15,
        2,
        width * 0.7,
        band - 4,
        font=text_font,
        size=banner_pt,
        bold=True,
        insets=(3.6, 1.0, 3.6, 1.0),
    )
    geometry = DeckGeometry(
        frames=frames,
        width=width,
        height=height,
        min_font_pt=min_font_pt,
        text_font=text_font,
        marking_top=marking,
        marking_bottom=marking.moved(top=height - band + 2),
        source=LayoutBox(
            36,
            height - band - SOURCE_BAND + 2,
            min(number.left, width - 36) - 36 - 8,
            SOURCE_BAND - 8,
            font=text_font,
            size=styles.PPTX_SOURCE_PT,
        ),
        number=number,
        indent=round(body_size * 1.3, 1),
    )
    return geometry, infos


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

    def placeholder(self, name: str, ph: etree._Element, box: LayoutBox, body: str) -> None:
        ph_xml = (
            "<p:ph"
            + "".join(
                f' {k}="{escape(v)}"' for k, v in ph.attrib.items() if k in ("type", "idx", "sz", "orient")
            )
            + "/>"
        )
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
    infos: dict[str, _LayoutInfo]
    lang: str
    primary: str

    def __post_init__(self) -> None:
        prs = self.prs
        part = prs.part  # type: ignore[attr-defined]
        self.package = part.package
        self.part = part
        rids = [int(r[3:]) for r in part.rels if r.startswith("rId") and r[3:].isdigit()]
        self.next_rid = max(rids, default=0) + 1
        self.sld_list = part._element.get_or_add_sldIdLst()
        self.notes_master = part.notes_master_part
        self.count = 0
        self.language = language_of(self.lang or "en-GB")
        self.slide_width = int(prs.slide_width)  # type: ignore[attr-defined]

    def add(self, plan: SlidePlan) -> None:
        self.count += 1
        n = self.count
        info = self.infos[plan.kind]
        layout_part = info.layout.part  # type: ignore[attr-defined]
        slide_part = Part(PackURI(f"/ppt/slides/slide{n}.xml"), CT.PML_SLIDE, self.package)
        slide_part.relate_to(layout_part, RT.SLIDE_LAYOUT)

        def link(url: str) -> str:
            # The target is an xs:anyURI: normalised and percent-encoded (briefgen.links).
            return slide_part.relate_to(package_target(url), RT.HYPERLINK, is_external=True)

        text = _Text(self.lang, self.geometry, link)
        shapes = _Shapes()
        self._content(shapes, text, plan, info, n)
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
            self._notes(slide_part, plan.notes, n)
        rid = f"rId{self.next_rid}"
        self.next_rid += 1
        rels = self.part.rels
        rels._rels[rid] = _Relationship(rels._base_uri, rid, RT.SLIDE, RTM.INTERNAL, slide_part)
        self.sld_list._add_sldId(id=255 + n, rId=rid)

    def _content(self, shapes: _Shapes, text: _Text, plan: SlidePlan, info: _LayoutInfo, n: int) -> None:
        frame = self.geometry.frame(plan.kind)
        title_para = Para((_run(plan.title, False),))
        title_xml = text.para(title_para, plan.title_size, True, frame.title.font)
        if info.title is not None:
            shapes.placeholder("Title", info.title.ph, frame.title, title_xml)
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
                ph = info.bodies[i] if len(info.bodies) > i else None
                if plan.kind == "two-column" and len(info.bodies) < 2:
                    ph = None
            if ph is not None:
                shapes.placeholder(name, ph.ph, body.box, text.paras(body))
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
        if info.number is not None:
            shapes.placeholder("Slide Number", info.number.ph, number, field_xml)
        else:
            shapes.parts.append(shapes.textbox("Slide Number", number, field_xml, anchor="ctr"))

    def _notes(self, slide_part: SlidePart, notes: tuple[Para, ...], n: int) -> None:
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
            "</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:notes>"
        )
        notes_part._blob = _serialized(xml, self.language)
        notes_part.relate_to(self.notes_master, RT.NOTES_MASTER)
        notes_part.relate_to(slide_part, RT.SLIDE)
        slide_part.relate_to(notes_part, RT.NOTES_SLIDE)


def _serialized(xml: str, language: Language | None = None, width: int = 0) -> bytes:
    """The part's bytes as python-pptx would write them, parsed once (which checks the XML is
    well formed) and serialised at once, so no element tree per slide is kept until save.
    With a `language`, its direction, script fonts and language tags are applied first
    (`pptx_scripts`; `width`, the slide width in EMU, mirrors a right-to-left slide)."""
    tree = parse_xml(xml)
    if language is not None:
        apply_slide_scripts(tree, language, width)
    return etree.tostring(tree, encoding="UTF-8", standalone=True)


def _primary_color(prs) -> str:  # type: ignore[no-untyped-def]
    """The theme's accent 1 (table headers); navy when the theme does not say."""
    try:
        theme = etree.fromstring(prs.slide_masters[0].part.part_related_by(RT.THEME).blob)
        el = theme.find(".//a:clrScheme/a:accent1/a:srgbClr", NS)
        if el is not None and el.get("val"):
            return el.get("val")
    except (KeyError, etree.XMLSyntaxError):
        pass
    return styles.PPTX_PRIMARY


def _prop(value: str) -> str:
    """python-pptx refuses core properties over 255 characters; shorten at a word boundary."""
    value = " ".join(value.split())
    if len(value) <= 255:
        return value
    return value[:254].rsplit(" ", 1)[0] + "…"


def _core_properties(prs, document: Document, stamp: datetime) -> None:  # type: ignore[no-untyped-def]
    meta = document.meta
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


def write_pptx(document: Document, options: PptxOptions, reference: bytes) -> tuple[bytes, list[Problem]]:
    """The deck as .pptx bytes, identical for identical input, and the warnings of what had to
    be worked around (missing layouts, split points).

    `reference` is the organisation's .pptx/.potx (or the bundled one) as read and vetted by
    `briefgen.config`; raises `ReferenceFileProblem` when the deck cannot be built from it."""
    warnings: list[Problem] = []
    prs = _open(reference, options.reference_name)
    try:
        layouts = _resolve_layouts(prs, options.layouts, warnings)
        reader = _Reader(prs)
        geometry, infos = _geometry(reader, layouts, options.min_font_pt, options.banner_pt)
        # Fixed words of the plan and the slides (legends, alt texts, notes) in the deck's language.
        messages = messages_for(document.meta.language or "en-GB")
        with speaking(messages):
            plans = plan_slides(document, geometry, warnings)
            deck = _Deck(prs, geometry, infos, document.meta.language, _primary_color(prs))
            for plan in plans:
                deck.add(plan)
        warnings.extend(messages.problems(catalog_missing=False))
        _core_properties(prs, document, options.stamp)
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

        writer = PackageWriter(buffer, package._rels, tuple(package.iter_parts()))
        writer._write_content_types_stream(_Stored)
        writer._write_pkg_rels(_Stored)
        writer._write_parts(_Stored)
    return buffer.getvalue()


def check_reference_pptx(
    reference: bytes, name: str, layouts: Mapping[str, str] | None = None
) -> list[Problem]:
    """What a reference presentation (bytes as vetted by `briefgen.config`, `name` for
    messages) lacks, before anything is rendered."""
    try:
        prs = _open(reference, name)
    except ReferenceFileProblem as exc:
        return exc.problems or [Problem(str(exc), file=name)]
    problems: list[Problem] = []
    resolved = _resolve_layouts(prs, layouts, problems)
    problems = [Problem(p.message, file=name, severity=p.severity) for p in problems]
    reader = _Reader(prs)
    ratio = reader.width / reader.height if reader.height else 0
    if abs(ratio - 16 / 9) > 0.01:
        problems.append(
            Problem(
                f"slides are {reader.width:g}x{reader.height:g} pt, not 16:9", file=name, severity="warning"
            )
        )
    for kind, layout in resolved.items():
        info = reader.info(layout)
        lname = layout.name  # type: ignore[attr-defined]
        if info.title is None:
            problems.append(
                Problem(
                    f"layout {lname!r} ({kind}) has no title placeholder; a text box is used",
                    file=name,
                    severity="warning",
                )
            )
        need = 2 if kind == "two-column" else 1 if kind in ("title", "section", "content") else 0
        if len(info.bodies) < need:
            problems.append(
                Problem(
                    f"layout {lname!r} ({kind}) has {len(info.bodies)} body placeholder(s), needs {need}; "
                    "text boxes are used",
                    file=name,
                    severity="warning",
                )
            )
    if all(reader.info(lay).number is None for lay in resolved.values()):
        problems.append(
            Problem(
                "no layout has a slide-number placeholder; a text box is used", file=name, severity="warning"
            )
        )
    return problems
