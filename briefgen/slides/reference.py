"""Reading a reference presentation's geometry: the first of the deck's three steps (read the
geometry, plan the slides, draw the plans).

Pure apart from parsing: the package is read with `zipfile` and lxml, never python-pptx, so
that `check` plans the deck (and counts its slides) without loading PowerPoint's object model.
Each slide kind's layout is looked up by name (`styles.PPTX_LAYOUTS`, configurable); its
placeholder boxes and fonts are resolved through layout -> master -> theme, as PowerPoint
does. What does not suit the deck is adapted, with a warning naming it: a layout whose boxes
run past the slide's edge (a 16:9 layout in a deck resized to 4:3) is scaled into the slide,
and body text set larger than `styles.PPTX_MAX_BODY_PT` is planned at that size.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from briefgen import styles
from briefgen.errors import Problem, ReferenceFileProblem
from briefgen.slides.fitting import line_pitch
from briefgen.slides.geometry import BANNER_INSETS, KINDS, DeckGeometry, LayoutBox, SlideFrame

EMU_PER_PT = 12700
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {"a": A, "p": P, "r": R}
BODY_TYPES = {"body", "obj", "subTitle"}
DEFAULT_INSETS = (7.2, 3.6, 7.2, 3.6)
MARKING_BAND = 24.0  # points kept free at the top and bottom of every slide for the banners
SOURCE_BAND = 44.0  # points above the bottom band for the source line
EDGE = 18.0  # the least margin a layout scaled into the slide keeps from its edges

Attrs = tuple[tuple[str, str], ...]  # the attributes of a `p:ph` element (type, idx, sz, orient)


@dataclass(frozen=True)
class Placeholder:
    """A placeholder of a layout: its `p:ph` attributes and its box (adapted to the slide)."""

    attrs: Attrs
    box: LayoutBox


@dataclass(frozen=True)
class LayoutInfo:
    name: str
    part: str  # the layout's part name, e.g. /ppt/slideLayouts/slideLayout2.xml
    title: Placeholder | None
    bodies: tuple[Placeholder, ...]
    number: Placeholder | None
    scaled: float = 1.0  # < 1 when the layout was scaled to fit inside the slide


def _ancestor(node: etree._Element, levels: int) -> etree._Element | None:
    """The element `levels` parents up from `node`, or None when the tree is shallower."""
    found: etree._Element | None = node
    for _ in range(levels):
        found = found.getparent() if found is not None else None
    return found


def _pt(emu: str | int | None) -> float:
    return int(emu or 0) / EMU_PER_PT


class _Package:
    """The parts of a presentation package that carry its geometry."""

    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.presentation = self.xml("ppt/presentation.xml")
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
            raise ReferenceFileProblem(f"{name}: cannot open as a presentation: {exc}") from None
        size = self.presentation.find("p:sldSz", NS)
        self.width = _pt(size.get("cx")) if size is not None else 960.0
        self.height = _pt(size.get("cy")) if size is not None else 540.0
        self.layouts: list[tuple[str, str, etree._Element, etree._Element | None]] = []
        self.themes: list[tuple[str, str]] = []
        rels = self.rels("ppt/presentation.xml")
        for sld in self.presentation.findall("p:sldMasterIdLst/p:sldMasterId", NS):
            found_master = rels.get(sld.get(f"{{{R}}}id", ""))
            if found_master is None:
                continue
            master = self.xml(found_master[0])
            master_rels = self.rels(found_master[0])
            theme = next((t for t, kind in master_rels.values() if kind == "theme"), None)
            self.themes.append(self._theme_fonts(theme))
            for lid in master.findall("p:sldLayoutIdLst/p:sldLayoutId", NS):
                found = master_rels.get(lid.get(f"{{{R}}}id", ""))
                if found is None:
                    continue
                layout = self.xml(found[0])
                csld = layout.find("p:cSld", NS)
                lname = csld.get("name", "") if csld is not None else ""
                self.layouts.append((lname, "/" + found[0], layout, master))
        if not self.layouts:
            raise ReferenceFileProblem(f"{name}: the presentation has no slide layouts")
        self.major, self.minor = self.themes[0] if self.themes else ("Calibri", "Calibri")

    def xml(self, part: str) -> etree._Element:
        return etree.fromstring(self.zip.read(part))

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (target part name without the leading '/', relationship kind)."""
        folder, base = posixpath.split(part)
        try:
            root = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        except KeyError:
            return {}
        out = {}
        for rel in root.findall(f"{{{PR}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = posixpath.normpath(posixpath.join(folder, rel.get("Target", "")))
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            out[rel.get("Id", "")] = (target.lstrip("/"), kind)
        return out

    def _theme_fonts(self, part: str | None) -> tuple[str, str]:
        if part is None:
            return "Calibri", "Calibri"
        try:
            theme = self.xml(part)
            major = theme.find(".//a:fontScheme/a:majorFont/a:latin", NS)
            minor = theme.find(".//a:fontScheme/a:minorFont/a:latin", NS)
            return (
                (major.get("typeface") if major is not None else None) or "Calibri",
                (minor.get("typeface") if minor is not None else None) or "Calibri",
            )
        except (KeyError, etree.XMLSyntaxError):
            return "Calibri", "Calibri"

    def accent(self) -> str:
        """The theme's accent 1 (table headers); navy when the theme does not say."""
        for target, kind in self._master_rels():
            if kind != "theme":
                continue
            try:
                el = self.xml(target).find(".//a:clrScheme/a:accent1/a:srgbClr", NS)
            except (KeyError, etree.XMLSyntaxError):
                continue
            if el is not None and el.get("val"):
                return str(el.get("val")).upper()
        return styles.PPTX_PRIMARY

    def _master_rels(self) -> list[tuple[str, str]]:
        rels = self.rels("ppt/presentation.xml")
        out: list[tuple[str, str]] = []
        for sld in self.presentation.findall("p:sldMasterIdLst/p:sldMasterId", NS):
            target = rels.get(sld.get(f"{{{R}}}id", ""))
            if target is not None:
                out.extend(self.rels(target[0]).values())
        return out

    # -- placeholders ---------------------------------------------------------------------

    def font(self, typeface: str | None, title: bool) -> str:
        if not typeface or typeface.startswith("+mj"):
            return self.major if (title or typeface) else self.minor
        if typeface.startswith("+mn"):
            return self.minor
        return typeface

    @staticmethod
    def _phs(tree: etree._Element) -> list[etree._Element]:
        return tree.findall(".//p:sp/p:nvSpPr/p:nvPr/p:ph", NS)

    def _master_ph(self, master: etree._Element, ph_type: str) -> etree._Element | None:
        if ph_type in ("title", "ctrTitle"):
            base = "title"
        elif ph_type in ("dt", "ftr", "sldNum", "hdr"):
            base = ph_type
        else:
            base = "body"
        for ph in self._phs(master):
            found = ph.get("type", "obj")
            if found == base or (base == "body" and found == "obj"):
                return ph
        return None

    def info(self, index: int) -> LayoutInfo:
        name, part, layout, master = self.layouts[index]
        title: Placeholder | None = None
        bodies: list[Placeholder] = []
        number: Placeholder | None = None
        for ph in self._phs(layout):
            ph_type = ph.get("type", "obj")
            mph = self._master_ph(master, ph_type) if master is not None else None
            box = self._box(ph, mph, master, ph_type)
            if box is None:
                continue
            attrs = tuple((k, str(v)) for k, v in ph.attrib.items() if k in ("type", "idx", "sz", "orient"))
            if ph_type in ("title", "ctrTitle") and title is None:
                title = Placeholder(attrs, box)
            elif ph_type in BODY_TYPES:
                bodies.append(Placeholder(attrs, box))
            elif ph_type == "sldNum" and number is None:
                number = Placeholder(attrs, box)
        bodies.sort(key=lambda b: (b.box.left, b.box.top))
        info = LayoutInfo(name, part, title, tuple(bodies), number)
        return _fitted(info, self.width, self.height)

    def _box(
        self, ph: etree._Element, mph: etree._Element | None, master: etree._Element | None, ph_type: str
    ) -> LayoutBox | None:
        # p:ph sits in p:nvPr in p:nvSpPr in the p:sp whose geometry and text style count.
        sps = [sp for el in (ph, mph) if el is not None and (sp := _ancestor(el, 3)) is not None]
        xfrm = next((x for sp in sps if (x := sp.find("p:spPr/a:xfrm", NS)) is not None), None)
        off = xfrm.find("a:off", NS) if xfrm is not None else None
        ext = xfrm.find("a:ext", NS) if xfrm is not None else None
        if off is None or ext is None:
            return None
        is_title = ph_type in ("title", "ctrTitle")
        rprs = [sp.find("p:txBody/a:lstStyle/a:lvl1pPr/a:defRPr", NS) for sp in sps]
        if master is not None and ph_type != "sldNum":
            style = "p:txStyles/p:titleStyle" if is_title else "p:txStyles/p:bodyStyle"
            rprs.append(master.find(f"{style}/a:lvl1pPr/a:defRPr", NS))
        found = [r for r in rprs if r is not None]
        size = next((int(r.get("sz") or 0) / 100 for r in found if r.get("sz")), 28.0 if is_title else 18.0)
        bold = next((r.get("b") in ("1", "true") for r in found if r.get("b")), False)
        typeface = next(
            (lat.get("typeface") for r in found if (lat := r.find("a:latin", NS)) is not None), None
        )
        body_prs = [sp.find("p:txBody/a:bodyPr", NS) for sp in sps]

        def inset(attr: str, default: float) -> float:
            value = next((b.get(attr) for b in body_prs if b is not None and b.get(attr)), None)
            return _pt(value) if value is not None else default

        left, top, right, bottom = DEFAULT_INSETS
        return LayoutBox(
            _pt(off.get("x")),
            _pt(off.get("y")),
            _pt(ext.get("cx")),
            _pt(ext.get("cy")),
            font=self.font(typeface, is_title),
            size=size,
            bold=bold,
            insets=(inset("lIns", left), inset("tIns", top), inset("rIns", right), inset("bIns", bottom)),
        )


def _fitted(info: LayoutInfo, width: float, height: float) -> LayoutInfo:
    """The layout with its boxes scaled into the slide when any runs past an edge (the same
    factor across and down, about the top-left corner, so that columns stay in proportion)."""
    phs = [p for p in (info.title, *info.bodies, info.number) if p is not None]
    if not phs:
        return info
    right = max(p.box.right for p in phs)
    bottom = max(p.box.bottom for p in phs)
    left = min(p.box.left for p in phs)
    top = min(p.box.top for p in phs)
    sx = (width - max(min(left, EDGE), 0.0)) / right if right > width else 1.0
    sy = (height - max(min(top, EDGE), 0.0)) / bottom if bottom > height else 1.0
    if sx >= 1.0 and sy >= 1.0:
        return info

    def scale(p: Placeholder) -> Placeholder:
        b = p.box
        return Placeholder(
            p.attrs, b.moved(left=b.left * sx, top=b.top * sy, width=b.width * sx, height=b.height * sy)
        )

    return LayoutInfo(
        info.name,
        info.part,
        scale(info.title) if info.title is not None else None,
        tuple(scale(b) for b in info.bodies),
        scale(info.number) if info.number is not None else None,
        min(sx, sy),
    )


# The type of each built-in layout the deck asks for by its English name.
_LAYOUT_TYPES = {
    "Title Slide": "title",
    "Title and Content": "obj",
    "Section Header": "secHead",
    "Two Content": "twoObj",
    "Title Only": "titleOnly",
}


def _resolve(package: _Package, mapping: Mapping[str, str] | None, warnings: list[Problem]) -> dict[str, int]:
    """Slide kind -> layout index, falling back (with a warning naming it) when a name is missing."""
    wanted = {**styles.PPTX_LAYOUTS, **(mapping or {})}
    by_name: dict[str, int] = {}
    for i, (name, *_rest) in enumerate(package.layouts):
        by_name.setdefault(name, i)
    folded = {name.casefold(): i for name, i in reversed(list(by_name.items()))}
    # A layout's built-in identity is its type (ECMA-376 §19.7.15, ST_SlideLayoutType), which
    # PowerPoint keeps whatever language names the layouts ("Titelfolie", "Titre seul").
    by_type: dict[str, int] = {}
    for i, (_name, _part, layout, _master) in enumerate(package.layouts):
        by_type.setdefault(layout.get("type", ""), i)
    out: dict[str, int] = {}
    for kind in KINDS:
        name = wanted.get(kind, styles.PPTX_LAYOUTS.get(kind, "Title and Content"))
        index = by_name.get(name, folded.get(name.casefold()))
        if index is None and name == styles.PPTX_LAYOUTS.get(kind):
            index = by_type.get(_LAYOUT_TYPES.get(name, ""))
        if index is None:
            index = next((by_name[n] for n in styles.PPTX_LAYOUT_FALLBACKS if n in by_name), 0)
            warnings.append(
                Problem(
                    f"reference presentation has no slide layout {name!r} for {kind} slides; "
                    f"using {package.layouts[index][0]!r}",
                    file=package.name,
                    severity="warning",
                )
            )
        out[kind] = index
    return out


def _clip(box: LayoutBox, top: float, bottom: float) -> LayoutBox:
    """Keep a box inside the band between the marking and the source line."""
    new_top = max(box.top, top)
    new_bottom = min(box.bottom, bottom)
    return box.moved(top=new_top, height=max(new_bottom - new_top, 24.0))


def _attrs(p: Placeholder | None) -> Attrs | None:
    return p.attrs if p is not None else None


def read_geometry(
    data: bytes,
    *,
    name: str = "bundled reference.pptx",
    layouts: Mapping[str, str] | None = None,
    min_font_pt: float = styles.PPTX_MIN_FONT_PT,
    banner_pt: float = styles.PPTX_MARKING_PT,
    warnings: list[Problem] | None = None,
) -> DeckGeometry:
    """The deck geometry of a reference presentation (its bytes, already vetted).

    Boxes are in points. Missing layouts fall back with a warning; layouts wider or taller
    than the slide are scaled into it, and body text above `styles.PPTX_MAX_BODY_PT` is planned
    at that size, each with a warning naming the layout. Raises `ReferenceFileProblem` when the
    package is not a presentation or has no layouts.
    """
    found: list[Problem] = [] if warnings is None else warnings
    package = _Package(data, name)
    resolved = _resolve(package, layouts, found)
    width, height = package.width, package.height
    banner_pt = max(banner_pt, styles.PPTX_BANNER_MIN_PT)
    # The band holds one line of the banner at its size (bold, 1 pt insets) with some air.
    band = max(MARKING_BAND, round(line_pitch(package.minor, banner_pt) + 2 + 2 + 6, 1))
    safe_top, safe_bottom = band + 2, height - band - SOURCE_BAND - 4
    infos = {kind: package.info(index) for kind, index in resolved.items()}
    adapted: dict[str, str] = {}
    scaled = {info.name: info.scaled for info in infos.values() if info.scaled < 1.0}
    if scaled:
        names = ", ".join(f"{name!r} (by {factor:.2f})" for name, factor in scaled.items())
        adapted["scaled"] = (
            f"layout{'s' if len(scaled) > 1 else ''} {names} run{'' if len(scaled) > 1 else 's'} past the "
            f"edge of the {width:g}x{height:g} pt slide; {'their' if len(scaled) > 1 else 'its'} boxes "
            "were scaled to fit inside it"
        )
    content = infos.get("content")
    body_font = content.bodies[0].box if content and content.bodies else None
    text_font = body_font.font if body_font else package.minor
    body_size = body_font.size if body_font else 18.0
    if body_size > styles.PPTX_MAX_BODY_PT:
        adapted["body size"] = (
            f"layout {content.name if content else '?'!r} sets body text at {body_size:g} pt; "
            f"the deck is planned at {styles.PPTX_MAX_BODY_PT:g} pt so that slides hold their points"
        )
        body_size = styles.PPTX_MAX_BODY_PT
    frames: dict[str, SlideFrame] = {}
    for kind, info in infos.items():
        if info.title is not None:
            title = info.title.box.moved(top=max(info.title.box.top, band + 2))
            title = title.moved(height=max(min(title.height, safe_bottom - title.top), 24.0))
        else:
            title = LayoutBox(36, band + 6, width - 72, 60, font=package.major, size=28, bold=True)
        default_body = LayoutBox(
            title.left,
            title.bottom + 12,
            title.width,
            safe_bottom - title.bottom - 12,
            font=text_font,
            size=body_size,
        )
        bodies = [_clip(b.box, safe_top, safe_bottom) for b in info.bodies]
        bodies = [b.moved(size=min(b.size, styles.PPTX_MAX_BODY_PT)) for b in bodies]
        right = None
        body_ph = right_ph = None
        if kind == "two-column":
            if len(bodies) >= 2:
                body, right = bodies[0], bodies[1]
                body_ph, right_ph = info.bodies[0].attrs, info.bodies[1].attrs
            else:
                whole = bodies[0] if bodies else default_body
                half = (whole.width - 24) / 2
                body, right = whole.moved(width=half), whole.moved(left=whole.left + half + 24, width=half)
        elif kind in ("title", "section", "content"):
            if bodies:
                i = max(range(len(bodies)), key=lambda k: bodies[k].width * bodies[k].height)
                body, body_ph = bodies[i], info.bodies[i].attrs
            else:
                body = default_body
        else:  # graphics fill the area below the title
            body = default_body if not bodies else max(bodies, key=lambda b: b.width * b.height)
            body = body.moved(font=text_font, size=min(body.size, body_size))
        frames[kind] = SlideFrame(
            info.name,
            title,
            body,
            right,
            layout_part=info.part,
            title_ph=_attrs(info.title),
            body_ph=body_ph,
            right_ph=right_ph,
            number_ph=_attrs(info.number),
        )
    number_ph = next((i.number for i in infos.values() if i.number is not None), None)
    number = (
        number_ph.box if number_ph else LayoutBox(width - 108, height - 25, 72, 20, font=text_font, size=10)
    )
    if number.right > width or number.bottom > height:
        number = LayoutBox(width - 108, height - 25, 72, 20, font=text_font, size=min(number.size, 12))
    marking = LayoutBox(
        width * 0.15,
        2,
        width * 0.7,
        band - 4,
        font=text_font,
        size=banner_pt,
        bold=True,
        insets=BANNER_INSETS,
    )
    for message in adapted.values():
        found.append(Problem(message, file=name, severity="warning"))
    return DeckGeometry(
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
        accent=package.accent(),
    )


def check_reference(data: bytes, name: str, layouts: Mapping[str, str] | None = None) -> list[Problem]:
    """What a reference presentation lacks or needs adapted, before anything is rendered."""
    problems: list[Problem] = []
    try:
        package = _Package(data, name)
        read_geometry(data, name=name, layouts=layouts, warnings=problems)
    except ReferenceFileProblem as exc:
        return exc.problems or [Problem(str(exc), file=name)]
    resolved = _resolve(package, layouts, [])
    problems = [Problem(p.message, file=name, severity=p.severity) for p in problems]
    infos = {kind: package.info(index) for kind, index in resolved.items()}
    for kind, info in infos.items():
        if info.title is None:
            problems.append(
                Problem(
                    f"layout {info.name!r} ({kind}) has no title placeholder; a text box is used",
                    file=name,
                    severity="warning",
                )
            )
        need = 2 if kind == "two-column" else 1 if kind in ("title", "section", "content") else 0
        if len(info.bodies) < need:
            problems.append(
                Problem(
                    f"layout {info.name!r} ({kind}) has {len(info.bodies)} body placeholder(s), "
                    f"needs {need}; text boxes are used",
                    file=name,
                    severity="warning",
                )
            )
    if all(info.number is None for info in infos.values()):
        problems.append(
            Problem(
                "no layout has a slide-number placeholder; a text box is used", file=name, severity="warning"
            )
        )
    return problems
