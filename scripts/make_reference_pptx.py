"""Build the reference presentations: the bundled `templates/reference.pptx` (navy and gold,
Calibri) and the test reference `tests/reference-alt.pptx` (teal title bar, Arial, its section
layout named "Divider" so that the layout fallback is exercised).

Both start from python-pptx's default template, resized to 16:9 (12192000 x 6858000 EMU), with
the master, the layouts and the theme rewritten. The output is byte-for-byte reproducible:

    .venv/bin/python scripts/make_reference_pptx.py            # writes both files
    .venv/bin/python scripts/make_reference_pptx.py --check    # fails if a file is out of date

Geometry is in points (1 pt = 12700 EMU). The slide keeps free the bands the deck writer uses
for the marking (top and bottom 24 pt) and the source line (the 40 pt above the bottom band).
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lxml import etree
from pptx import Presentation

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefgen.ooxml import repack  # noqa: E402

STAMP = datetime(2024, 1, 1)
EMU = 12700
NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
NSDECL = f'xmlns:a="{NS["a"]}" xmlns:p="{NS["p"]}" xmlns:r="{NS["r"]}"'
W, H = 960, 540


@dataclass(frozen=True)
class Design:
    """One look: colours (hex RGB), the theme font, sizes, and the layout names."""

    name: str
    font: str
    primary: str  # title text / title bar / bullets
    accent: str
    text: str
    muted: str
    band: str  # footer band fill ("" for none)
    light: str  # text on the primary colour (subtitles)
    title_size: int
    body_size: int
    title_bar: bool  # a filled bar behind the title (white title text) instead of a rule
    names: dict[str, str] = field(default_factory=dict)


MAIN = Design(
    name="Briefing",
    font="Calibri",
    primary="1F3A5F",
    accent="C9A227",
    text="262626",
    muted="5B6B7F",
    band="E9EDF2",
    light="D9E1EA",
    title_size=26,
    body_size=20,
    title_bar=False,
    names={
        "title": "Title Slide",
        "content": "Title and Content",
        "section": "Section Header",
        "two": "Two Content",
        "title-only": "Title Only",
        "blank": "Blank",
    },
)

ALT = Design(
    name="Briefing Teal",
    font="Arial",
    primary="0E5E6F",
    accent="E07A2E",
    text="1E2A30",
    muted="4F6470",
    band="",
    light="D7ECEF",
    title_size=24,
    body_size=18,
    title_bar=True,
    names={
        "title": "Title Slide",
        "content": "Title and Content",
        "section": "Divider",  # not the default name: the deck falls back, with a warning
        "two": "Two Content",
        "title-only": "Title Only",
        "blank": "Blank",
    },
)


# ---------------------------------------------------------------------------------------------
# XML snippets


def _xfrm(x: float, y: float, w: float, h: float) -> str:
    return (
        f'<a:xfrm><a:off x="{round(x * EMU)}" y="{round(y * EMU)}"/>'
        f'<a:ext cx="{round(w * EMU)}" cy="{round(h * EMU)}"/></a:xfrm>'
    )


def _fill(color: str) -> str:
    return f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'


def rect(sid: int, name: str, x: float, y: float, w: float, h: float, color: str) -> str:
    """A decorative filled rectangle (no text, no outline)."""
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="{sid}" name="{name}"/><p:cNvSpPr/><p:nvPr userDrawn="1"/></p:nvSpPr>'
        f'<p:spPr>{_xfrm(x, y, w, h)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>{_fill(color)}'
        "<a:ln><a:noFill/></a:ln></p:spPr>"
        '<p:txBody><a:bodyPr rtlCol="0" anchor="ctr"/><a:lstStyle/><a:p><a:endParaRPr lang="en-GB"/></a:p>'
        "</p:txBody></p:sp>"
    )


def placeholder(
    sid: int,
    name: str,
    ph: str,
    box: tuple[float, float, float, float],
    *,
    anchor: str = "t",
    lvl1: str = "",
    prompt: str = "",
) -> str:
    """A placeholder with an explicit box, fixed insets, no autofit, and an optional level-1 style."""
    lst = f"<a:lstStyle>{lvl1}</a:lstStyle>" if lvl1 else "<a:lstStyle/>"
    text = prompt or name
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="{sid}" name="{name}"/><p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr>'
        f"<p:nvPr>{ph}</p:nvPr></p:nvSpPr><p:spPr>{_xfrm(*box)}</p:spPr>"
        f'<p:txBody><a:bodyPr vert="horz" wrap="square" lIns="91440" tIns="45720" rIns="91440" bIns="45720" '
        f'rtlCol="0" anchor="{anchor}"><a:noAutofit/></a:bodyPr>{lst}'
        f'<a:p><a:r><a:rPr lang="en-GB"/><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp>'
    )


def level(size: int, color: str, *, bold: bool = False, align: str = "l", bullet: str = "") -> str:
    """A level-1 paragraph style; `bullet` is the bullet colour (none when empty)."""
    bu = (
        f'<a:buClr><a:srgbClr val="{bullet}"/></a:buClr><a:buFont typeface="Arial"/><a:buChar char="•"/>'
        if bullet
        else "<a:buNone/>"
    )
    marl = ' marL="254000" indent="-254000"' if bullet else ' marL="0" indent="0"'
    b = ' b="1"' if bold else ' b="0"'
    return (
        f'<a:lvl1pPr{marl} algn="{align}"><a:lnSpc><a:spcPct val="100000"/></a:lnSpc>'
        f'<a:spcBef><a:spcPts val="0"/></a:spcBef>{bu}'
        f'<a:defRPr sz="{size * 100}"{b}>{_fill(color)}</a:defRPr></a:lvl1pPr>'
    )


def slide_number(sid: int, d: Design, color: str | None = None) -> str:
    lvl = level(10, color or d.muted, align="r")
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="{sid}" name="Slide Number Placeholder"/><p:cNvSpPr>'
        '<a:spLocks noGrp="1"/>'
        f'</p:cNvSpPr><p:nvPr><p:ph type="sldNum" sz="quarter" idx="12"/></p:nvPr></p:nvSpPr>'
        f"<p:spPr>{_xfrm(W - 108, H - 25, 72, 20)}</p:spPr>"
        '<p:txBody><a:bodyPr vert="horz" wrap="square" lIns="91440" tIns="45720" rIns="91440" bIns="45720" '
        f'rtlCol="0" anchor="ctr"><a:noAutofit/></a:bodyPr><a:lstStyle>{lvl}</a:lstStyle>'
        '<a:p><a:fld id="{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}" type="slidenum"><a:rPr lang="en-GB"/>'
        '<a:t>‹#›</a:t></a:fld><a:endParaRPr lang="en-GB"/></a:p></p:txBody></p:sp>'
    )


def footer(d: Design, start_id: int) -> str:
    """The footer band (or rule) shared by every layout."""
    if d.band:
        return rect(start_id, "Footer Band", 0, H - 30, W, 30, d.band) + rect(
            start_id + 1, "Footer Rule", 0, H - 30, W, 1.5, d.primary
        )
    return rect(start_id, "Footer Rule", 36, H - 32, W - 72, 1, d.muted) + rect(
        start_id + 1, "Footer Accent", 36, H - 33, 60, 3, d.accent
    )


def title_decor(d: Design, start_id: int) -> str:
    if d.title_bar:
        return rect(start_id, "Title Bar", 0, 24, W, 72, d.primary) + rect(
            start_id + 1, "Title Bar Accent", 0, 96, W, 3, d.accent
        )
    return rect(start_id, "Title Rule", 36, 96, W - 72, 1.5, d.primary) + rect(
        start_id + 1, "Title Accent", 36, 95, 96, 4, d.accent
    )


TITLE_BOX = (36, 28, W - 72, 64)


def title_ph(sid: int, d: Design) -> str:
    color = "FFFFFF" if d.title_bar else d.primary
    anchor = "ctr" if d.title_bar else "b"
    return placeholder(
        sid,
        "Title",
        '<p:ph type="title"/>',
        TITLE_BOX,
        anchor=anchor,
        lvl1=level(d.title_size, color, bold=True),
        prompt="Click to add an action title",
    )


def body_ph(sid: int, d: Design, idx: int, box: tuple[float, float, float, float], half: bool = False) -> str:
    sz = ' sz="half"' if half else ""
    return placeholder(
        sid,
        f"Content Placeholder {idx}",
        f'<p:ph{sz} idx="{idx}"/>',
        box,
        lvl1=level(d.body_size, d.text, bullet=d.primary),
        prompt="Click to add text",
    )


def body_top(d: Design) -> float:
    return 112.0 if d.title_bar else 108.0


BODY_BOTTOM = H - 72  # the source line and the footer band sit below


def tree(shapes: str) -> str:
    return (
        '<p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
        '<p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/><a:chOff x="0" y="0"/>'
        f'<a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>{shapes}</p:spTree>'
    )


# ---------------------------------------------------------------------------------------------
# Master, layouts, theme


def master_xml(d: Design) -> str:
    top = body_top(d)
    shapes = (
        title_decor(d, 10)
        + footer(d, 12)
        + title_ph(2, d)
        + body_ph(3, d, 1, (36, top, W - 72, BODY_BOTTOM - top)).replace(
            '<p:ph idx="1"/>', '<p:ph type="body" idx="1"/>'
        )
        + slide_number(4, d)
    )
    bullet = f'<a:buClr><a:srgbClr val="{d.primary}"/></a:buClr><a:buFont typeface="Arial"/>'
    levels = "".join(
        f'<a:lvl{n}pPr marL="{254000 * n}" indent="-254000" algn="l" rtl="0" eaLnBrk="1" latinLnBrk="0" '
        'hangingPunct="1"><a:lnSpc><a:spcPct val="100000"/></a:lnSpc><a:spcBef>'
        f'<a:spcPts val="{1000 - 200 * min(n - 1, 2)}"/>'
        f'</a:spcBef>{bullet}<a:buChar char="{"•" if n % 2 else "–"}"/>'
        f'<a:defRPr sz="{max(d.body_size - 2 * (n - 1), 14) * 100}" kern="1200">{_fill(d.text)}'
        '<a:latin typeface="+mn-lt"/><a:ea typeface="+mn-ea"/><a:cs typeface="+mn-cs"/></a:defRPr>'
        f"</a:lvl{n}pPr>"
        for n in range(1, 10)
    )
    title_style = (
        '<a:lvl1pPr algn="l" defTabSz="914400" rtl="0" eaLnBrk="1" latinLnBrk="0" hangingPunct="1">'
        '<a:lnSpc><a:spcPct val="100000"/></a:lnSpc><a:spcBef><a:spcPct val="0"/></a:spcBef><a:buNone/>'
        f'<a:defRPr sz="{d.title_size * 100}" b="1" kern="1200">'
        f"{_fill('FFFFFF' if d.title_bar else d.primary)}"
        '<a:latin typeface="+mj-lt"/><a:ea typeface="+mj-ea"/><a:cs typeface="+mj-cs"/></a:defRPr>'
        "</a:lvl1pPr>"
    )
    other = (
        '<a:defPPr><a:defRPr lang="en-GB"/></a:defPPr><a:lvl1pPr marL="0" algn="l" rtl="0" eaLnBrk="1" '
        'latinLnBrk="0" hangingPunct="1"><a:defRPr sz="1800" kern="1200"><a:solidFill>'
        '<a:schemeClr val="tx1"/>'
        '</a:solidFill><a:latin typeface="+mn-lt"/><a:ea typeface="+mn-ea"/><a:cs typeface="+mn-cs"/>'
        "</a:defRPr></a:lvl1pPr>"
    )
    return (
        f"<p:sldMaster {NSDECL}><p:cSld><p:bg><p:bgPr>{_fill('FFFFFF')}<a:effectLst/></p:bgPr></p:bg>"
        f"{tree(shapes)}</p:cSld>"
        '<p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" '
        'accent3="accent3" accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" '
        'folHlink="folHlink"/><p:sldLayoutIdLst/>'
        f"<p:txStyles><p:titleStyle>{title_style}</p:titleStyle><p:bodyStyle>{levels}</p:bodyStyle>"
        f"<p:otherStyle>{other}</p:otherStyle></p:txStyles></p:sldMaster>"
    )


def layout_xml(d: Design, role: str) -> str:
    name = d.names[role]
    top = body_top(d)
    show_master = True
    layout_type = {
        "title": "title",
        "content": "obj",
        "section": "secHead",
        "two": "twoObj",
        "title-only": "titleOnly",
        "blank": "blank",
    }[role]
    if role == "title":
        show_master = False
        if d.title_bar:
            shapes = (
                rect(10, "Side Panel", 0, 24, 372, H - 24 - 32, d.primary)
                + rect(11, "Side Panel Accent", 372, 24, 5, H - 24 - 32, d.accent)
                + footer(d, 12)
                + placeholder(
                    2,
                    "Title",
                    '<p:ph type="ctrTitle"/>',
                    (30, 120, 320, 200),
                    anchor="b",
                    lvl1=level(32, "FFFFFF", bold=True),
                    prompt="Meeting title",
                )
                + placeholder(
                    3,
                    "Subtitle",
                    '<p:ph type="subTitle" idx="1"/>',
                    (408, 150, 516, 300),
                    lvl1=level(18, d.text),
                    prompt="Meeting, date, place",
                )
            )
        else:
            shapes = (
                rect(10, "Title Band", 0, 100, W, 330, d.primary)
                + rect(11, "Title Band Accent", 60, 250, 120, 4, d.accent)
                + footer(d, 12)
                + placeholder(
                    2,
                    "Title",
                    '<p:ph type="ctrTitle"/>',
                    (54, 118, W - 108, 128),
                    anchor="b",
                    lvl1=level(36, "FFFFFF", bold=True),
                    prompt="Meeting title",
                )
                + placeholder(
                    3,
                    "Subtitle",
                    '<p:ph type="subTitle" idx="1"/>',
                    (54, 262, W - 108, 156),
                    lvl1=level(18, d.light),
                    prompt="Meeting, date, place",
                )
            )
        shapes += slide_number(4, d)
    elif role == "section":
        show_master = False
        shapes = (
            rect(10, "Section Band", 0, 160, W, 200, d.primary)
            + rect(11, "Section Accent", 54, 268, 120, 4, d.accent)
            + footer(d, 12)
            + placeholder(
                2,
                "Title",
                '<p:ph type="title"/>',
                (54, 176, W - 108, 88),
                anchor="b",
                lvl1=level(32, "FFFFFF", bold=True),
                prompt="Section title",
            )
            + placeholder(
                3,
                "Text",
                '<p:ph type="body" idx="1"/>',
                (54, 280, W - 108, 72),
                lvl1=level(18, d.light),
                prompt="What this part covers",
            )
            + slide_number(4, d)
        )
    elif role == "content":
        shapes = title_ph(2, d) + body_ph(3, d, 1, (36, top, W - 72, BODY_BOTTOM - top)) + slide_number(4, d)
    elif role == "two":
        col = (W - 72 - 24) / 2
        shapes = (
            title_ph(2, d)
            + body_ph(3, d, 1, (36, top, col, BODY_BOTTOM - top), half=True)
            + body_ph(4, d, 2, (36 + col + 24, top, col, BODY_BOTTOM - top), half=True)
            + slide_number(5, d)
        )
    elif role == "title-only":
        shapes = title_ph(2, d) + slide_number(4, d)
    else:
        shapes = slide_number(4, d)
    smp = "" if show_master else ' showMasterSp="0"'
    return (
        f'<p:sldLayout {NSDECL} type="{layout_type}" preserve="1"{smp}><p:cSld name="{name}">'
        f"{tree(shapes)}</p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>"
    )


def theme_xml(original: bytes, d: Design) -> bytes:
    root = etree.fromstring(original)
    root.set("name", d.name)
    scheme = root.find(".//a:clrScheme", NS)
    scheme.set("name", d.name)
    colors = {
        "dk2": d.primary,
        "lt2": "E7EBF0",
        "accent1": d.primary,
        "accent2": d.accent,
        "accent3": d.muted,
        "accent4": "3C8D5A",
        "accent5": "C0392B",
        "accent6": "2E75B6",
        "hlink": "2E75B6",
        "folHlink": "6B4C9A",
    }
    for tag, value in colors.items():
        el = scheme.find(f"a:{tag}", NS)
        for child in list(el):
            el.remove(child)
        etree.SubElement(el, f"{{{NS['a']}}}srgbClr", val=value)
    fonts = root.find(".//a:fontScheme", NS)
    fonts.set("name", d.name)
    for which in ("majorFont", "minorFont"):
        fonts.find(f"a:{which}/a:latin", NS).set("typeface", d.font)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


ROLES = ("title", "content", "section", "two", "title-only", "blank")
DEFAULT_NAMES = {  # the python-pptx default template's layout names, by our role
    "title": "Title Slide",
    "content": "Title and Content",
    "section": "Section Header",
    "two": "Two Content",
    "title-only": "Title Only",
    "blank": "Blank",
}


def build(d: Design) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = W * EMU, H * EMU
    for layout in list(prs.slide_layouts):
        if layout.name not in DEFAULT_NAMES.values():
            prs.slide_layouts.remove(layout)
    props = prs.core_properties
    props.title = f"{d.name} reference presentation"
    props.author = "briefgen"
    props.last_modified_by = "briefgen"
    props.subject = "Slide master and layouts for briefgen decks"
    props.keywords = "briefgen; reference"
    props.comments = "Made by scripts/make_reference_pptx.py"
    props.revision = 1
    props.created = props.modified = STAMP
    props.language = "en-GB"
    buf = io.BytesIO()
    prs.save(buf)
    # Rewrite master, layouts and theme as XML: simpler than editing python-pptx's objects.
    roles = {name: role for role, name in DEFAULT_NAMES.items()}
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            name, data = info.filename, src.read(info)
            if name.startswith("ppt/slideMasters/") and name.endswith(".xml"):
                old = etree.fromstring(data)
                new = etree.fromstring(master_xml(d).encode())
                new.replace(new.find("p:sldLayoutIdLst", NS), old.find("p:sldLayoutIdLst", NS))
                data = _xml(new)
            elif name.startswith("ppt/slideLayouts/") and name.endswith(".xml"):
                old = etree.fromstring(data)
                role = roles[old.find("p:cSld", NS).get("name")]
                data = _xml(etree.fromstring(layout_xml(d, role).encode()))
            elif name.startswith("ppt/theme/") and name.endswith(".xml"):
                data = theme_xml(data, d)
            elif name == "docProps/thumbnail.jpeg":
                continue  # the default template's 4:3 thumbnail would misrepresent this look
            dst.writestr(name, data)
    return repack(_drop_thumbnail_refs(out.getvalue()), STAMP)


def _xml(element: etree._Element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_thumbnail_refs(data: bytes) -> bytes:
    """Remove the package relationship (and content type) of the dropped thumbnail."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info)
            if info.filename == "_rels/.rels":
                root = etree.fromstring(payload)
                for rel in list(root):
                    if rel.get("Target", "").endswith("thumbnail.jpeg"):
                        root.remove(rel)
                payload = _xml(root)
            dst.writestr(info.filename, payload)
    return out.getvalue()


TARGETS = {ROOT / "templates" / "reference.pptx": MAIN, ROOT / "tests" / "reference-alt.pptx": ALT}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a committed file differs")
    args = parser.parse_args(argv)
    stale = []
    for path, design in TARGETS.items():
        data = build(design)
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(path)
        else:
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)} ({len(data)} bytes)")
    for path in stale:
        print(f"{path.relative_to(ROOT)} is out of date: run scripts/make_reference_pptx.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
